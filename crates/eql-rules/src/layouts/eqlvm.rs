//! eqlvm's own rule schema: one flat table, the same keys in TOML and YAML, unknown keys rejected.

use super::toml_support::{string_origin, TomlDoc};
use super::{yaml_support, Checked, KeyNames};
use crate::attack::Threat;
use crate::errors::{ErrorKind, FileDiagnostic, SourceFile};
use crate::model::{Layout, QueryOrigin, ResponseAction, Rule, DEFAULT_FROM, DEFAULT_MAX_SIGNALS};
use crate::values::{Interval, Language, Maturity, RiskScore, Severity};
use eql_parser::Span;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The eqlvm file schema. Field names here are the file keys (see docs/rules.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EqlvmRule {
    id: String,
    name: String,
    description: String,
    version: u32,
    severity: Severity,
    risk_score: RiskScore,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    authors: Vec<String>,
    license: Option<String>,
    #[serde(default)]
    index: Vec<String>,
    #[serde(default)]
    interval: Interval,
    #[serde(default = "default_from")]
    from: String,
    #[serde(default = "default_max_signals")]
    max_signals: u32,
    timestamp_override: Option<String>,
    event_category_override: Option<String>,
    tiebreaker_field: Option<String>,
    building_block_type: Option<String>,
    maturity: Option<Maturity>,
    note: Option<String>,
    setup: Option<String>,
    #[serde(default)]
    false_positives: Vec<String>,
    #[serde(default)]
    threat: Vec<Threat>,
    created: Option<String>,
    updated: Option<String>,
    #[serde(default)]
    integrations: Vec<String>,
    min_stack_version: Option<String>,
    #[serde(default)]
    os_list: Vec<String>,
    #[serde(default)]
    actions: Vec<ResponseAction>,
    #[serde(default)]
    optional_actions: Vec<ResponseAction>,
    min_endpoint_version: Option<String>,
    max_endpoint_version: Option<String>,
    query: String,
}

fn default_from() -> String {
    DEFAULT_FROM.to_string()
}

fn default_max_signals() -> u32 {
    DEFAULT_MAX_SIGNALS
}

const KEYS: KeyNames = KeyNames {
    id: "id",
    query: "query",
    language: "language",
    threat: "threat",
    technique: "techniques",
    subtechnique: "subtechniques",
};

/// Loads an eqlvm rule written in TOML.
pub(crate) fn load_toml(file: &Arc<SourceFile>, doc: &TomlDoc) -> Checked {
    let raw: EqlvmRule = doc.deserialize(file)?;
    let span = doc.value_span("query").unwrap_or_default();
    let origin = string_origin(file, span, &raw.query);
    let id_span = doc.value_span("id").unwrap_or_default();
    let rule = build(raw, origin, id_span, Layout::EqlvmToml);
    super::check(file, rule, &KEYS, &|k| doc.value_span(k))
}

/// Loads an eqlvm rule written in YAML.
pub(crate) fn load_yaml(file: &Arc<SourceFile>) -> Checked {
    let text: &str = &file.text;
    if text.trim().is_empty() {
        let d =
            ErrorKind::MissingKey.diagnostic(Span::default(), "empty rule file: no keys at all");
        return Err(Box::new(FileDiagnostic::new(
            file,
            ErrorKind::MissingKey,
            None,
            d,
        )));
    }
    let raw: EqlvmRule =
        serde_yaml::from_str(text).map_err(|e| Box::new(yaml_support::yaml_error(file, &e)))?;
    let origin = yaml_support::query_origin(file, &raw.query);
    let id_span = yaml_support::top_level_value_span(text, "id").unwrap_or_default();
    let rule = build(raw, origin, id_span, Layout::EqlvmYaml);
    super::check(file, rule, &KEYS, &|k| {
        yaml_support::top_level_value_span(text, k)
    })
}

fn build(r: EqlvmRule, origin: QueryOrigin, id_span: Span, layout: Layout) -> Rule {
    Rule {
        id: r.id,
        name: r.name,
        description: r.description,
        version: Some(r.version),
        artifact_version: None,
        severity: Some(r.severity),
        risk_score: Some(r.risk_score),
        tags: r.tags,
        references: r.references,
        authors: r.authors,
        license: r.license,
        index: r.index,
        interval: r.interval,
        from: r.from,
        max_signals: r.max_signals,
        timestamp_override: r.timestamp_override,
        event_category_override: r.event_category_override,
        tiebreaker_field: r.tiebreaker_field,
        building_block_type: r.building_block_type,
        maturity: r.maturity,
        language: Language::Eql,
        rule_type: "eql".to_string(),
        note: r.note,
        setup: r.setup,
        false_positives: r.false_positives,
        threat: r.threat,
        created: r.created,
        updated: r.updated,
        integrations: r.integrations,
        min_stack_version: r.min_stack_version,
        os_list: r.os_list,
        actions: r.actions,
        optional_actions: r.optional_actions,
        min_endpoint_version: r.min_endpoint_version,
        max_endpoint_version: r.max_endpoint_version,
        reputation: None,
        internal: BTreeMap::new(),
        query: r.query,
        origin,
        layout,
        extra: BTreeMap::new(),
        id_span,
    }
}
