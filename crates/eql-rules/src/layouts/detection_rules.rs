//! The elastic/detection-rules layout: `[metadata]`, `[rule]`, `[[rule.threat]]`, read unmodified.
//! Keys this model does not name are kept in [`Rule::extra`].

use super::toml_support::{collect_extra, plain_json, string_origin, TomlDoc};
use super::{Checked, KeyNames};
use crate::attack::{Subtechnique, Tactic, Technique, TechniqueId, Threat};
use crate::errors::SourceFile;
use crate::model::{Layout, QueryMapping, QueryOrigin, Rule, DEFAULT_FROM, DEFAULT_MAX_SIGNALS};
use crate::values::{Interval, Language, Maturity, RiskScore, Severity};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    metadata: Metadata,
    rule: RuleTable,
}

#[derive(Debug, Default, Deserialize)]
struct Metadata {
    creation_date: Option<String>,
    updated_date: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    integration: Vec<String>,
    maturity: Option<Maturity>,
    min_stack_version: Option<String>,
}

const METADATA_KEYS: &[&str] = &[
    "creation_date",
    "updated_date",
    "integration",
    "maturity",
    "min_stack_version",
];

#[derive(Debug, Deserialize)]
struct RuleTable {
    rule_id: String,
    name: String,
    description: String,
    version: Option<u32>,
    severity: Severity,
    risk_score: RiskScore,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    author: Vec<String>,
    license: Option<String>,
    #[serde(default)]
    index: Vec<String>,
    #[serde(default)]
    interval: Interval,
    from: Option<String>,
    max_signals: Option<u32>,
    timestamp_override: Option<String>,
    event_category_override: Option<String>,
    tiebreaker_field: Option<String>,
    building_block_type: Option<String>,
    language: Option<Language>,
    #[serde(rename = "type")]
    rule_type: String,
    note: Option<String>,
    setup: Option<String>,
    #[serde(default)]
    false_positives: Vec<String>,
    #[serde(default)]
    threat: Vec<UpstreamThreat>,
    query: Option<String>,
}

const RULE_KEYS: &[&str] = &[
    "rule_id",
    "name",
    "description",
    "version",
    "severity",
    "risk_score",
    "tags",
    "references",
    "author",
    "license",
    "index",
    "interval",
    "from",
    "max_signals",
    "timestamp_override",
    "event_category_override",
    "tiebreaker_field",
    "building_block_type",
    "language",
    "type",
    "note",
    "setup",
    "false_positives",
    "threat",
    "query",
];

/// Elastic's threat shape (singular `technique` / `subtechnique` keys), shared with behaviour rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UpstreamThreat {
    framework: String,
    tactic: Tactic,
    #[serde(default)]
    technique: Vec<UpstreamTechnique>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpstreamTechnique {
    id: TechniqueId,
    name: String,
    reference: Option<String>,
    #[serde(default)]
    subtechnique: Vec<Subtechnique>,
}

impl From<UpstreamThreat> for Threat {
    fn from(t: UpstreamThreat) -> Threat {
        let techniques = t
            .technique
            .into_iter()
            .map(|x| Technique {
                id: x.id,
                name: x.name,
                reference: x.reference,
                subtechniques: x.subtechnique,
            })
            .collect();
        Threat {
            framework: t.framework,
            tactic: t.tactic,
            techniques,
        }
    }
}

/// Accepts `"x"` or `["x", "y"]`.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

const KEYS: KeyNames = KeyNames {
    id: "rule.rule_id",
    query: "rule.query",
    language: "rule.language",
    threat: "rule.threat",
    technique: "technique",
    subtechnique: "subtechnique",
};

pub(super) fn load(file: &Arc<SourceFile>, doc: &TomlDoc) -> Checked {
    let raw: File = doc.deserialize(file)?;
    let r = raw.rule;
    let m = raw.metadata;
    let query = r.query.unwrap_or_default();
    let origin = match doc.value_span("rule.query") {
        Some(span) => string_origin(file, span, &query),
        None => QueryOrigin {
            path: file.path.clone(),
            line: 1,
            column: 1,
            offset: 0,
            mapping: QueryMapping::Approximate,
            file_text: Arc::clone(&file.text),
        },
    };
    let mut extra = BTreeMap::new();
    for (k, v) in doc.table().iter() {
        let k: &str = k.get_ref();
        if k != "metadata" && k != "rule" {
            extra.insert(k.to_string(), plain_json(v));
        }
    }
    collect_extra(
        doc.table().get("metadata"),
        "metadata",
        METADATA_KEYS,
        &mut extra,
    );
    collect_extra(doc.table().get("rule"), "rule", RULE_KEYS, &mut extra);
    let language = r.language.unwrap_or_else(|| {
        if r.rule_type == "eql" {
            Language::Eql
        } else {
            Language::Other(r.rule_type.clone())
        }
    });
    let rule = Rule {
        id: r.rule_id,
        name: r.name,
        description: r.description,
        version: r.version,
        artifact_version: None,
        severity: Some(r.severity),
        risk_score: Some(r.risk_score),
        tags: r.tags,
        references: r.references,
        authors: r.author,
        license: r.license,
        index: r.index,
        interval: r.interval,
        from: r.from.unwrap_or_else(|| DEFAULT_FROM.to_string()),
        max_signals: r.max_signals.unwrap_or(DEFAULT_MAX_SIGNALS),
        timestamp_override: r.timestamp_override,
        event_category_override: r.event_category_override,
        tiebreaker_field: r.tiebreaker_field,
        building_block_type: r.building_block_type,
        maturity: m.maturity,
        language,
        rule_type: r.rule_type,
        note: r.note,
        setup: r.setup,
        false_positives: r.false_positives,
        threat: r.threat.into_iter().map(Threat::from).collect(),
        created: m.creation_date,
        updated: m.updated_date,
        integrations: m.integration,
        min_stack_version: m.min_stack_version,
        os_list: Vec::new(),
        actions: Vec::new(),
        optional_actions: Vec::new(),
        min_endpoint_version: None,
        max_endpoint_version: None,
        reputation: None,
        internal: BTreeMap::new(),
        query,
        origin,
        layout: Layout::DetectionRules,
        extra,
        id_span: doc.value_span("rule.rule_id").unwrap_or_default(),
    };
    super::check(file, rule, &KEYS, &|k| doc.value_span(k))
}
