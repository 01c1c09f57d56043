//! The two upstream layouts: unmodelled keys kept, errors named by their upstream key paths,
//! non-EQL rules flagged, and query positions when the query string has escapes.

use eql_parser::{Diagnostic, Span};
use eql_rules::{load_str, ErrorKind, Language, Layout, LoadedFile, QueryMapping};
use std::path::Path;

const DETECTION_RULE: &str = r#"[metadata]
creation_date = "2024/01/01"
integration = "endpoint"
maturity = "production"
updated_date = "2024/02/01"
future_flag = true

[rule]
author = ["Someone"]
description = "Test rule."
index = ["logs-*"]
language = "eql"
license = "Elastic License v2"
name = "Test"
risk_score = 21
rule_id = "d-1"
severity = "low"
type = "eql"
investigation_fields = { field_names = ["host.name"] }
query = '''
process where true
'''

[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1059"
name = "Command and Scripting Interpreter"
reference = "https://attack.mitre.org/techniques/T1059/"
[[rule.threat.technique.subtechnique]]
id = "T1071.001"
name = "Web Protocols"
reference = "https://attack.mitre.org/techniques/T1071/001/"

[rule.threat.tactic]
id = "TA0002"
name = "Execution"
reference = "https://attack.mitre.org/tactics/TA0002/"

[transform]
note = "kept"
"#;

const BEHAVIOR_RULE: &str = r#"[rule]
description = "Test behaviour."
id = "b-1"
license = "Elastic License v2"
name = "Behaviour"
os_list = ["linux"]
version = "1.0.3"
query = '''
sequence [process where true] [file where true]
'''

min_endpoint_version = "8.4.0"
[[actions]]
action = "kill_process"
field = "process.entity_id"
state = 1
tree = true

[[threat]]
framework = "MITRE ATT&CK"
[threat.tactic]
id = "TA0002"
name = "Execution"
reference = "https://attack.mitre.org/tactics/TA0002/"

[internal]
min_endpoint_version = "8.4.0"
"#;

fn load(name: &str, text: &str) -> LoadedFile {
    load_str(Path::new(name), text)
}

#[test]
fn detection_rule_keeps_unmodelled_keys_and_warns_on_misplaced_subtechnique() {
    let loaded = load("dr.toml", DETECTION_RULE);
    assert_eq!(loaded.layout, Some(Layout::DetectionRules));
    let rule = loaded.rule.as_ref().expect("loads");
    let keys: Vec<&str> = rule.extra.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "metadata.future_flag",
            "rule.investigation_fields",
            "transform"
        ]
    );
    assert_eq!(rule.extra["transform"], serde_json::json!({"note": "kept"}));
    assert_eq!(rule.integrations, ["endpoint"], "a lone string is accepted");
    assert_eq!(
        (rule.version, rule.interval.as_str(), rule.max_signals),
        (None, "5m", 100)
    );
    assert_eq!(rule.from, "now-6m");
    // T1071.001 is listed under T1059: a warning, not an error
    assert_eq!(loaded.diagnostics.len(), 1);
    let d = &loaded.diagnostics[0];
    assert_eq!(
        (d.kind, d.diagnostic.code, d.line_col()),
        (ErrorKind::SubtechniqueParent, "W0302", (31, 6))
    );
    assert_eq!(
        d.key.as_deref(),
        Some("rule.threat[0].technique[0].subtechnique[0].id")
    );
}

#[test]
fn detection_rule_errors_name_upstream_keys() {
    let text = DETECTION_RULE.replace("risk_score = 21", "risk_score = 121");
    let d = &load("dr.toml", &text).diagnostics[0];
    let got = (d.kind, d.key.as_deref(), d.line_col());
    assert_eq!(
        got,
        (
            ErrorKind::InvalidRiskScore,
            Some("rule.risk_score"),
            (15, 14)
        )
    );

    let text = DETECTION_RULE.replace("rule_id = \"d-1\"\n", "");
    let loaded = load("dr.toml", &text);
    assert!(loaded.rule.is_none());
    let d = &loaded.diagnostics[0];
    assert_eq!(
        (d.kind, d.key.as_deref()),
        (ErrorKind::MissingKey, Some("rule.rule_id"))
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0304] Error: missing required key `rule.rule_id` (dr.toml:8:1)
       ╭─[ dr.toml:8:1 ]
       │
     8 │ [rule]
       │ ───┬──  
       │    ╰──── in `rule`
    ───╯
    "#);

    let text = DETECTION_RULE.replace("integration = \"endpoint\"", "integration = 5");
    let d = &load("dr.toml", &text).diagnostics[0];
    let got = (d.kind, d.key.as_deref(), d.line_col());
    assert_eq!(
        got,
        (ErrorKind::WrongType, Some("metadata.integration"), (3, 15))
    );

    let text = DETECTION_RULE.replace("id = \"TA0002\"", "id = \"TA2\"");
    let d = &load("dr.toml", &text).diagnostics[0];
    let got = (d.kind, d.key.as_deref(), d.line_col());
    assert_eq!(
        got,
        (
            ErrorKind::InvalidAttackId,
            Some("rule.threat[0].tactic.id"),
            (36, 6)
        )
    );
}

#[test]
fn non_eql_rules_load_with_a_warning() {
    let text = DETECTION_RULE
        .replace("language = \"eql\"", "language = \"kuery\"")
        .replace("type = \"eql\"", "type = \"query\"");
    let loaded = load("dr.toml", &text);
    let rule = loaded.rule.as_ref().expect("non-EQL rules still load");
    assert!(!rule.is_eql());
    assert_eq!(rule.language, Language::Other("kuery".into()));
    let kinds: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.kind, d.line_col()))
        .collect();
    assert_eq!(kinds[0], (ErrorKind::NotEql, (12, 12)));
    assert!(!loaded.has_errors());

    // a machine-learning rule has no query and no language at all
    let text = DETECTION_RULE
        .replace("language = \"eql\"\n", "")
        .replace("type = \"eql\"", "type = \"machine_learning\"")
        .replace("query = '''\nprocess where true\n'''\n", "");
    let loaded = load("ml.toml", &text);
    let rule = loaded.rule.as_ref().expect("loads");
    assert_eq!(rule.language, Language::Other("machine_learning".into()));
    assert!(loaded
        .diagnostics
        .iter()
        .any(|d| d.kind == ErrorKind::NotEql));
}

#[test]
fn behaviour_rule_fields() {
    let loaded = load("b.toml", BEHAVIOR_RULE);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let rule = loaded.rule.expect("loads");
    assert_eq!(rule.layout, Layout::EndpointBehavior);
    assert_eq!(
        (rule.version, rule.artifact_version.as_deref()),
        (None, Some("1.0.3"))
    );
    assert_eq!((rule.severity, rule.risk_score), (None, None));
    assert_eq!(rule.os_list, ["linux"]);
    assert_eq!(rule.min_endpoint_version.as_deref(), Some("8.4.0"));
    assert_eq!(rule.actions.len(), 1);
    assert_eq!(
        (rule.actions[0].state, rule.actions[0].tree),
        (1, Some(true))
    );
    assert_eq!(rule.internal["min_endpoint_version"], "8.4.0");
    let json = serde_json::to_value(rule.alert_rule()).unwrap_or_default();
    assert_eq!(json["artifact_version"], "1.0.3");
    assert_eq!(json["version"], serde_json::Value::Null);
    assert_eq!(json["actions"][0]["action"], "kill_process");
}

#[test]
fn behaviour_rule_bad_tactic() {
    let text = BEHAVIOR_RULE.replace("id = \"TA0002\"", "id = \"T0002\"");
    let d = &load("b.toml", &text).diagnostics[0];
    let got = (d.kind, d.key.as_deref(), d.line_col());
    assert_eq!(
        got,
        (
            ErrorKind::InvalidAttackId,
            Some("threat[0].tactic.id"),
            (22, 6)
        )
    );
}

#[test]
fn escaped_query_renders_against_the_query_text() {
    let text = "id = \"e\"\nname = \"n\"\ndescription = \"d\"\nversion = 1\nseverity = \"low\"\n\
                risk_score = 1\nquery = \"process where\\n  process.name == \\\"x\\\" and ??\"\n";
    let rule = load("esc.toml", text).rule.expect("loads");
    assert_eq!(rule.origin.mapping, QueryMapping::Approximate);
    assert_eq!((rule.origin.line, rule.origin.column), (7, 10));
    let at = rule.query.find("??").unwrap_or(0);
    let d = Diagnostic::error("E0101", Span::new(at, at + 2), "unexpected `??`");
    assert!(rule.query_diagnostic_in_file(&d).is_none());
    insta::assert_snapshot!(rule.render_query_diagnostic(&d), @r#"
    [E0101] Error: unexpected `??` (<query of esc.toml>:2:27)
       ╭─[ <query of esc.toml>:2:27 ]
       │
     2 │   process.name == "x" and ??
       │                           ─┬  
       │                            ╰── unexpected `??`
    ───╯
    note: positions are within the query text, which starts at esc.toml:7:10 (the file writes it with escapes, so file columns differ)
    "#);
}
