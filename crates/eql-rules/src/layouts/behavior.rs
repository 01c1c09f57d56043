//! The Elastic Defend behaviour-rule layout (elastic/protections-artifacts): `[rule]` with `id`,
//! `os_list`, a dotted `version`; top-level `[[actions]]`, `[[optional_actions]]`, `[[threat]]`,
//! `[internal]`. Keys this model does not name are kept in [`Rule::extra`].

use super::detection_rules::UpstreamThreat;
use super::toml_support::{collect_extra, plain_json, string_origin, TomlDoc};
use super::{Checked, KeyNames};
use crate::attack::Threat;
use crate::errors::SourceFile;
use crate::model::{Layout, ResponseAction, Rule, DEFAULT_FROM, DEFAULT_MAX_SIGNALS};
use crate::values::{Interval, Language};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use toml::de::DeValue;

#[derive(Debug, Deserialize)]
struct File {
    rule: RuleTable,
    #[serde(default)]
    actions: Vec<UpstreamAction>,
    #[serde(default)]
    optional_actions: Vec<UpstreamAction>,
    #[serde(default)]
    threat: Vec<UpstreamThreat>,
}

/// An upstream action: unlike eqlvm's own schema, unknown keys here are tolerated (and dropped).
#[derive(Debug, Deserialize)]
struct UpstreamAction {
    action: String,
    field: String,
    #[serde(default)]
    state: u32,
    tree: Option<bool>,
}

impl From<UpstreamAction> for ResponseAction {
    fn from(a: UpstreamAction) -> ResponseAction {
        ResponseAction {
            action: a.action,
            field: a.field,
            state: a.state,
            tree: a.tree,
        }
    }
}

const TOP_KEYS: &[&str] = &["rule", "actions", "optional_actions", "threat", "internal"];

#[derive(Debug, Deserialize)]
struct RuleTable {
    id: String,
    name: String,
    description: String,
    #[serde(default)]
    os_list: Vec<String>,
    version: Option<String>,
    license: Option<String>,
    #[serde(default)]
    reference: Vec<String>,
    min_endpoint_version: Option<String>,
    max_endpoint_version: Option<String>,
    reputation: Option<bool>,
    /// Some files set `actions = []` inside `[rule]` as well as top-level `[[actions]]`.
    #[serde(default)]
    actions: Vec<UpstreamAction>,
    #[serde(default)]
    optional_actions: Vec<UpstreamAction>,
    query: String,
}

const RULE_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "os_list",
    "version",
    "license",
    "reference",
    "min_endpoint_version",
    "max_endpoint_version",
    "reputation",
    "actions",
    "optional_actions",
    "query",
];

const KEYS: KeyNames = KeyNames {
    id: "rule.id",
    query: "rule.query",
    language: "rule.language",
    threat: "threat",
    technique: "technique",
    subtechnique: "subtechnique",
};

pub(super) fn load(file: &Arc<SourceFile>, doc: &TomlDoc) -> Checked {
    let raw: File = doc.deserialize(file)?;
    let r = raw.rule;
    let span = doc.value_span("rule.query").unwrap_or_default();
    let origin = string_origin(file, span, &r.query);
    let mut extra = BTreeMap::new();
    for (k, v) in doc.table().iter() {
        let k: &str = k.get_ref();
        if !TOP_KEYS.contains(&k) {
            extra.insert(k.to_string(), plain_json(v));
        }
    }
    collect_extra(doc.table().get("rule"), "rule", RULE_KEYS, &mut extra);
    let internal = match doc.table().get("internal") {
        Some(v) => match v.get_ref() {
            DeValue::Table(t) => t
                .iter()
                .map(|(k, v)| (k.get_ref().to_string(), plain_json(v)))
                .collect(),
            _ => BTreeMap::from([(String::new(), plain_json(v))]),
        },
        None => BTreeMap::new(),
    };
    let actions = r
        .actions
        .into_iter()
        .chain(raw.actions)
        .map(ResponseAction::from)
        .collect();
    let optional_actions = r
        .optional_actions
        .into_iter()
        .chain(raw.optional_actions)
        .map(ResponseAction::from)
        .collect();
    let rule = Rule {
        id: r.id,
        name: r.name,
        description: r.description,
        version: None,
        artifact_version: r.version,
        severity: None,
        risk_score: None,
        tags: Vec::new(),
        references: r.reference,
        authors: Vec::new(),
        license: r.license,
        index: Vec::new(),
        interval: Interval::default(),
        from: DEFAULT_FROM.to_string(),
        max_signals: DEFAULT_MAX_SIGNALS,
        timestamp_override: None,
        event_category_override: None,
        tiebreaker_field: None,
        building_block_type: None,
        maturity: None,
        language: Language::Eql,
        rule_type: "eql".to_string(),
        note: None,
        setup: None,
        false_positives: Vec::new(),
        threat: raw.threat.into_iter().map(Threat::from).collect(),
        created: None,
        updated: None,
        integrations: Vec::new(),
        min_stack_version: None,
        os_list: r.os_list,
        actions,
        optional_actions,
        min_endpoint_version: r.min_endpoint_version,
        max_endpoint_version: r.max_endpoint_version,
        reputation: r.reputation,
        internal,
        query: r.query,
        origin,
        layout: Layout::EndpointBehavior,
        extra,
        id_span: doc.value_span("rule.id").unwrap_or_default(),
    };
    super::check(file, rule, &KEYS, &|k| doc.value_span(k))
}
