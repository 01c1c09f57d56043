//! The one typed rule model every input layout is mapped to.

use crate::attack::Threat;
use crate::values::{Interval, Language, Maturity, RiskScore, Severity};
use eql_parser::Span;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Elastic's default number of alerts per run.
pub const DEFAULT_MAX_SIGNALS: u32 = 100;
/// Elastic's default look-back: the 5m interval plus one minute.
pub const DEFAULT_FROM: &str = "now-6m";

/// Which file layout a rule was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// eqlvm's own flat schema, written in TOML.
    EqlvmToml,
    /// eqlvm's own flat schema, written in YAML.
    EqlvmYaml,
    /// An elastic/detection-rules file: `[metadata]`, `[rule]`, `[[rule.threat]]`.
    DetectionRules,
    /// An Elastic Defend behaviour rule (elastic/protections-artifacts): `[rule]` with `id` and
    /// `os_list`, top-level `[[actions]]`, `[[threat]]`, `[internal]`.
    EndpointBehavior,
}

/// A response action of an Elastic Defend behaviour rule (`[[actions]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseAction {
    /// What to do, e.g. `kill_process` or `rollback`.
    pub action: String,
    /// The entity-id field naming the target, e.g. `process.entity_id`.
    pub field: String,
    /// Which sequence member (0-based) supplies the field.
    #[serde(default)]
    pub state: u32,
    /// Whether the action applies to the whole process tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree: Option<bool>,
}

/// How byte offsets in [`Rule::query`] relate to offsets in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum QueryMapping {
    /// The query is a verbatim slice of the file starting at [`QueryOrigin::offset`]
    /// (TOML literal strings, basic strings without escapes, plain YAML scalars).
    Verbatim,
    /// A YAML literal block scalar: query line `k` is file line `line + k` with `indent`
    /// leading columns removed.
    Indented { indent: u32 },
    /// The text was unescaped or folded; positions inside it cannot be mapped exactly.
    Approximate,
}

/// Where the query text sits in its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryOrigin {
    pub path: PathBuf,
    /// 1-based line where the query text begins.
    pub line: u32,
    /// 1-based column (in characters) where the query text begins.
    pub column: u32,
    /// Byte offset in the file where the query text begins.
    pub offset: usize,
    pub mapping: QueryMapping,
    /// The whole file text, kept to render diagnostics in file coordinates.
    #[serde(skip)]
    pub file_text: Arc<str>,
}

impl QueryOrigin {
    /// True when every query offset maps to a file offset (verbatim or indented block).
    pub fn is_exact(&self) -> bool {
        !matches!(self.mapping, QueryMapping::Approximate)
    }
}

/// A detection rule, whatever layout it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// `id` (eqlvm, behaviour rules) or `rule_id` (detection-rules).
    pub id: String,
    pub name: String,
    pub description: String,
    /// eqlvm rules carry one; upstream detection-rules files carry none.
    pub version: Option<u32>,
    /// Elastic Defend behaviour rules carry a dotted version string instead (`1.0.8`).
    pub artifact_version: Option<String>,
    /// Absent only for behaviour rules.
    pub severity: Option<Severity>,
    /// Absent only for behaviour rules.
    pub risk_score: Option<RiskScore>,
    pub tags: Vec<String>,
    pub references: Vec<String>,
    pub authors: Vec<String>,
    pub license: Option<String>,
    /// Index patterns the rule searches.
    pub index: Vec<String>,
    /// Schedule: how often the rule runs (default `5m`).
    pub interval: Interval,
    /// Schedule: the look-back start in date math (default `now-6m`).
    pub from: String,
    /// Schedule: alerts per run at most (default 100).
    pub max_signals: u32,
    pub timestamp_override: Option<String>,
    pub event_category_override: Option<String>,
    pub tiebreaker_field: Option<String>,
    /// `default` for building-block rules, whose alerts are hidden by default.
    pub building_block_type: Option<String>,
    pub maturity: Option<Maturity>,
    pub language: Language,
    /// Elastic's rule type (`eql`, `query`, …).
    pub rule_type: String,
    pub note: Option<String>,
    pub setup: Option<String>,
    pub false_positives: Vec<String>,
    pub threat: Vec<Threat>,
    /// `metadata.creation_date` (e.g. `2023/07/04`).
    pub created: Option<String>,
    /// `metadata.updated_date`.
    pub updated: Option<String>,
    /// `metadata.integration`: the integration packages the rule needs.
    pub integrations: Vec<String>,
    pub min_stack_version: Option<String>,
    /// Behaviour rules: the operating systems the rule applies to.
    pub os_list: Vec<String>,
    pub actions: Vec<ResponseAction>,
    pub optional_actions: Vec<ResponseAction>,
    pub min_endpoint_version: Option<String>,
    pub max_endpoint_version: Option<String>,
    /// Behaviour rules: whether the rule uses reputation lookups.
    pub reputation: Option<bool>,
    /// Behaviour rules: the `[internal]` table, as written.
    pub internal: BTreeMap<String, serde_json::Value>,
    /// The EQL query text, exactly as the file's string decodes.
    pub query: String,
    pub origin: QueryOrigin,
    pub layout: Layout,
    /// Keys of upstream layouts this model does not name, by dotted path
    /// (`transform`, `rule.investigation_fields`, `metadata.bypass_bbr_timing`, …).
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The span of the id's value in the file (used to point at duplicate ids).
    #[serde(skip)]
    pub id_span: Span,
}

impl Rule {
    /// True when the engine can run this rule (its language is EQL).
    pub fn is_eql(&self) -> bool {
        self.language == Language::Eql && (self.rule_type == "eql")
    }

    /// True for building-block rules.
    pub fn is_building_block(&self) -> bool {
        self.building_block_type.is_some()
    }
}
