//! The whole compile path for rule sets: each rule's query is parsed, planned against a schema
//! and emitted into one shared program; problems come back as diagnostics placed in the rule
//! files. Also turns engine matches into alert JSON.

use eql_bytecode::Program;
use eql_emit::{Emitter, QueryOptions};
use eql_parser::Diagnostic;
use eql_planner::schema::SchemaSet;
use eql_planner::{Dialect, PlanOptions, Planned, Schema, UnknownFieldPolicy};
use eql_rules::{render_query_diagnostic, QueryOrigin, Rule};
use eql_vm::engine::Match;
use std::path::PathBuf;
use std::sync::Arc;

/// How rules are compiled.
#[derive(Debug, Clone)]
pub struct CompileOptions {
    pub schema: Schema,
    /// Real schemas chosen per rule by its index patterns; when set, used instead of `schema`.
    pub schemas: Option<Arc<SchemaSet>>,
    /// Unknown fields are errors rather than warnings.
    pub strict: bool,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            schema: Schema::builtin(),
            schemas: None,
            strict: false,
        }
    }
}

/// A diagnostic about one rule, rendered against its file.
#[derive(Debug, Clone)]
pub struct RuleProblem {
    pub rule_id: String,
    pub file: PathBuf,
    pub diagnostic: Diagnostic,
    /// 1-based line and column in the file (or in the query when it cannot be mapped).
    pub line: usize,
    pub column: usize,
    /// Where the rule's query lies in its file, and the query: what [`RuleProblem::render`]
    /// needs (rendering is left until asked: most warnings are never shown).
    origin: QueryOrigin,
    query: String,
}

impl RuleProblem {
    /// The diagnostic rendered against the rule file, with the offending line and a caret.
    pub fn render(&self) -> String {
        render_query_diagnostic(&self.origin, &self.query, &self.diagnostic)
    }
}

/// A compiled rule set.
#[derive(Debug)]
pub struct CompiledSet {
    pub program: Program,
    /// `rules[q]` is the rule of query `q` of the program.
    pub rules: Vec<Rule>,
    /// Rules that did not compile, with their errors (and any warnings).
    pub failed: Vec<(Rule, Vec<RuleProblem>)>,
    /// Warnings of rules that compiled.
    pub warnings: Vec<RuleProblem>,
    /// Rules skipped because their language is not EQL.
    pub skipped: Vec<Rule>,
}

/// The emitter options a rule asks for (category and timestamp overrides, tiebreaker).
pub fn query_options(rule: &Rule) -> QueryOptions {
    let mut o = QueryOptions::new(rule.id.clone(), rule.query.clone());
    if let Some(c) = &rule.event_category_override {
        o.category_field = c.clone();
    }
    if let Some(t) = &rule.timestamp_override {
        o.timestamp_fields.insert(0, t.clone());
    }
    o.tiebreaker_field = rule.tiebreaker_field.clone();
    o
}

fn problem(rule: &Rule, d: Diagnostic) -> RuleProblem {
    let (line, column) = match rule.query_diagnostic_in_file(&d) {
        Some(mapped) => mapped.line_col(&rule.origin.file_text),
        None => d.line_col(&rule.query),
    };
    RuleProblem {
        rule_id: rule.id.clone(),
        file: rule.origin.path.clone(),
        diagnostic: d,
        line,
        column,
        origin: rule.origin.clone(),
        query: rule.query.clone(),
    }
}

/// Parses and plans one rule's query.
pub fn plan_rule(rule: &Rule, opts: &CompileOptions) -> Result<Planned, Vec<Diagnostic>> {
    let policy = if opts.strict {
        UnknownFieldPolicy::Error
    } else {
        UnknownFieldPolicy::Warn
    };
    let chosen = opts
        .schemas
        .as_ref()
        .map(|set| set.for_indexes(&rule.index));
    eql_planner::plan_text(
        &rule.query,
        chosen.as_deref().unwrap_or(&opts.schema),
        &PlanOptions::default()
            .with_unknown_fields(policy)
            .with_dialect(dialect_of(rule)),
    )
}

/// Elastic Defend behaviour rules are written in the endpoint dialect; every other layout in
/// Elasticsearch's.
pub fn dialect_of(rule: &Rule) -> Dialect {
    if rule.layout == eql_rules::Layout::EndpointBehavior {
        Dialect::Endpoint
    } else {
        Dialect::Elasticsearch
    }
}

/// Compiles every EQL rule of `rules` into one program.
pub fn compile_rules(rules: impl IntoIterator<Item = Rule>, opts: &CompileOptions) -> CompiledSet {
    let mut emitter = Emitter::new();
    let mut set = CompiledSet {
        program: Program::new(),
        rules: Vec::new(),
        failed: Vec::new(),
        warnings: Vec::new(),
        skipped: Vec::new(),
    };
    for rule in rules {
        if !rule.is_eql() {
            set.skipped.push(rule);
            continue;
        }
        match plan_rule(&rule, opts) {
            Ok(planned) => {
                emitter.add(&planned.plan, &query_options(&rule));
                set.warnings
                    .extend(planned.warnings.into_iter().map(|d| problem(&rule, d)));
                set.rules.push(rule);
            }
            Err(diags) => {
                let problems = diags.into_iter().map(|d| problem(&rule, d)).collect();
                set.failed.push((rule, problems));
            }
        }
    }
    set.program = emitter.finish();
    set
}

/// The alert for a match of query `m.query`: the rule's metadata, the matched events whole (a
/// placeholder `{"missing": true}` for a missing-event stage), and the join keys.
pub fn alert_json(rule: &Rule, m: &Match) -> serde_json::Value {
    let meta = serde_json::to_value(rule.alert_rule()).unwrap_or(serde_json::Value::Null);
    alert_json_with(&meta, m)
}

/// The alert for a match given the rule's alert metadata as JSON (what a rule pack carries).
pub fn alert_json_with(rule: &serde_json::Value, m: &Match) -> serde_json::Value {
    serde_json::to_value(Alert::new(rule, m)).unwrap_or(serde_json::Value::Null)
}

/// An alert ready to serialize: borrows the rule's metadata and the matched events' lines
/// instead of copying them. Each event goes out as its line held it (keys in the line's order,
/// checked to be JSON), so an alert costs a check of its events, not a parse and a rewrite.
/// The metadata is any serializable form of the rule's alert object: a `serde_json::Value`,
/// or that value serialized once ([`serialized_rules`]), which each alert then copies as it is.
#[derive(Debug, serde::Serialize)]
pub struct Alert<'a, R: serde::Serialize + ?Sized = serde_json::Value> {
    #[serde(rename = "@timestamp")]
    timestamp: Option<String>,
    events: Vec<AlertEvent<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    join_keys: Option<Vec<serde_json::Value>>,
    rule: &'a R,
}

/// One event of an alert.
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
enum AlertEvent<'a> {
    /// The event's line, as it is.
    Line(&'a serde_json::value::RawValue),
    /// A line that is not JSON after all (it decoded, so this is rare), as a string.
    Text(&'a str),
    /// The placeholder of a missing-event stage, `{"missing": true}`.
    Missing { missing: bool },
}

/// Each rule's alert metadata serialized once, for alerts that write it as it is (the same
/// bytes as serializing the value in each alert).
pub fn serialized_rules(
    rules: &[serde_json::Value],
) -> Result<Vec<Box<serde_json::value::RawValue>>, String> {
    rules
        .iter()
        .map(|r| serde_json::value::to_raw_value(r).map_err(|e| e.to_string()))
        .collect()
}

impl<'a, R: serde::Serialize + ?Sized> Alert<'a, R> {
    /// The alert for match `m` of the rule whose alert metadata is `rule`.
    pub fn new(rule: &'a R, m: &'a Match) -> Alert<'a, R> {
        let mut events = Vec::with_capacity(m.events.len());
        let mut last_ts = None;
        for e in &m.events {
            events.push(match e {
                Some(e) => {
                    last_ts = Some(e.ord.ts);
                    match serde_json::from_str(&e.line) {
                        Ok(raw) => AlertEvent::Line(raw),
                        Err(_) => AlertEvent::Text(&e.line),
                    }
                }
                None => AlertEvent::Missing { missing: true },
            });
        }
        let timestamp = last_ts.filter(|t| *t != i64::MIN).map(|t| {
            let mut s = String::new();
            eql_vm::time::format_rfc3339(t, &mut s);
            s
        });
        let join_keys = (!m.keys.is_empty()).then(|| m.keys.iter().map(|k| k.to_json()).collect());
        Alert {
            timestamp,
            events,
            join_keys,
            rule,
        }
    }
}

/// Writes a compiled set as a rule pack: the program plus, per query, its rule's alert metadata.
pub fn write_pack(set: &CompiledSet) -> Result<Vec<u8>, String> {
    let meta = set
        .rules
        .iter()
        .map(|r| serde_json::to_string(&r.alert_rule()).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let pack = eql_bytecode::pack::Pack {
        program: set.program.clone(),
        meta,
    };
    eql_bytecode::pack::write(&pack).map_err(|e| e.to_string())
}

/// A rule pack read back: a verified program and each query's alert `rule` object.
#[derive(Debug)]
pub struct LoadedPack {
    pub program: Program,
    pub rules: Vec<serde_json::Value>,
}

/// Reads a rule pack: header, checksum, payload, verifier, then each rule's metadata.
pub fn read_pack(bytes: &[u8]) -> Result<LoadedPack, String> {
    let pack = eql_bytecode::pack::read(bytes).map_err(|e| e.to_string())?;
    let rules = pack
        .meta
        .iter()
        .enumerate()
        .map(|(q, m)| {
            serde_json::from_str(m)
                .map_err(|e| format!("rule pack metadata of query {q} is not JSON: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LoadedPack {
        program: pack.program,
        rules,
    })
}
