//! Each class of rule-file error gives its code, names the key, and points at the right line:col.

use eql_rules::{load_str, ErrorKind, FileDiagnostic, LoadedFile, RuleSet};
use std::path::Path;

const TOML_RULE: &str = r#"id = "r-1"
name = "Shell"
description = "A shell ran."
version = 1
severity = "low"
risk_score = 21
query = '''
process where process.name == "sh"
'''

[[threat]]
framework = "MITRE ATT&CK"
tactic = { id = "TA0002", name = "Execution" }
"#;

const YAML_RULE: &str = r#"id: r-1
name: Shell
description: A shell ran.
version: 1
severity: low
risk_score: 21
threat:
  - framework: MITRE ATT&CK
    tactic:
      id: TA0002
      name: Execution
query: |
  process where process.name == "sh"
"#;

fn load(name: &str, text: &str) -> LoadedFile {
    load_str(Path::new(name), text)
}

/// The single error a broken file gives.
fn error(name: &str, text: &str) -> FileDiagnostic {
    let loaded = load(name, text);
    assert!(loaded.rule.is_none(), "{name} should not load");
    assert_eq!(loaded.diagnostics.len(), 1, "{:#?}", loaded.diagnostics);
    loaded
        .diagnostics
        .into_iter()
        .next()
        .expect("one diagnostic")
}

/// Kind, key and `line:col` of the error, for compact assertions.
fn summary(d: &FileDiagnostic) -> (ErrorKind, &'static str, Option<String>, String) {
    let (line, col) = d.line_col();
    (
        d.kind,
        d.diagnostic.code,
        d.key.clone(),
        format!("{line}:{col}"),
    )
}

#[test]
fn the_good_files_load() {
    for (name, text) in [("ok.toml", TOML_RULE), ("ok.yaml", YAML_RULE)] {
        let loaded = load(name, text);
        assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
        assert!(loaded.rule.is_some());
    }
}

#[test]
fn toml_syntax_error() {
    let d = error(
        "bad.toml",
        &TOML_RULE.replace("name = \"Shell\"", "name = \"Shell"),
    );
    assert_eq!(
        summary(&d),
        (ErrorKind::Syntax, "E0301", None, "2:14".into())
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0301] Error: TOML syntax error: invalid basic string, expected `"` (bad.toml:2:14)
       ╭─[ bad.toml:2:14 ]
       │
     2 │ name = "Shell
       │              ┬  
       │              ╰── invalid basic string, expected `"`
    ───╯
    "#);
}

#[test]
fn yaml_syntax_error() {
    let d = error(
        "bad.yaml",
        &YAML_RULE.replace("name: Shell", "name: Shell: sh"),
    );
    assert_eq!((d.kind, d.diagnostic.code), (ErrorKind::Syntax, "E0301"));
    insta::assert_snapshot!(d.render(), @r#"
    [E0301] Error: YAML syntax error: mapping values are not allowed in this context (bad.yaml:2:12)
       ╭─[ bad.yaml:2:12 ]
       │
     2 │ name: Shell: sh
       │            ──┬─  
       │              ╰─── mapping values are not allowed in this context
    ───╯
    "#);
}

#[test]
fn unknown_keys_in_own_format() {
    let d = error("bad.toml", &TOML_RULE.replace("version = 1", "verison = 1"));
    assert_eq!(
        summary(&d),
        (
            ErrorKind::UnknownKey,
            "E0302",
            Some("verison".into()),
            "4:1".into()
        )
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0302] Error: unknown key `verison` (bad.toml:4:1)
       ╭─[ bad.toml:4:1 ]
       │
     4 │ verison = 1
       │ ───┬───  
       │    ╰───── unknown key
       │ 
       │ Help: did you mean `version`?
    ───╯
    "#);

    let text = TOML_RULE.replace(
        "name = \"Execution\" }",
        "name = \"Execution\", url = \"x\" }",
    );
    let d = error("bad.toml", &text);
    assert_eq!(
        summary(&d),
        (
            ErrorKind::UnknownKey,
            "E0302",
            Some("threat[0].tactic.url".into()),
            "13:47".into()
        )
    );

    let d = error(
        "bad.yaml",
        &YAML_RULE.replace("version: 1", "version: 1\nowner: me"),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::UnknownKey,
            "E0302",
            Some("owner".into()),
            "5:1".into()
        )
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0302] Error: unknown key `owner` (bad.yaml:5:1)
       ╭─[ bad.yaml:5:1 ]
       │
     5 │ owner: me
       │ ──┬──  
       │   ╰──── unknown key
       │ 
       │ Help: the keys are listed in docs/rules.md
    ───╯
    "#);

    let d = error(
        "bad.yaml",
        &YAML_RULE.replace(
            "      name: Execution",
            "      name: Execution\n      url: x",
        ),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::UnknownKey,
            "E0302",
            Some("threat[0].tactic.url".into()),
            "12:7".into()
        )
    );
}

#[test]
fn wrong_types() {
    let d = error(
        "bad.toml",
        &TOML_RULE.replace("version = 1", "version = \"1\""),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::WrongType,
            "E0303",
            Some("version".into()),
            "4:11".into()
        )
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0303] Error: `version`: invalid type: string "1", expected u32 (bad.toml:4:11)
       ╭─[ bad.toml:4:11 ]
       │
     4 │ version = "1"
       │           ─┬─  
       │            ╰─── invalid type: string "1", expected u32
    ───╯
    "#);

    let d = error("bad.yaml", &YAML_RULE.replace("version: 1", "version: [1]"));
    assert_eq!(
        summary(&d),
        (
            ErrorKind::WrongType,
            "E0303",
            Some("version".into()),
            "4:10".into()
        )
    );
}

#[test]
fn missing_keys_and_query() {
    let d = error(
        "bad.toml",
        &TOML_RULE.replace(
            "query = '''\nprocess where process.name == \"sh\"\n'''\n",
            "",
        ),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::MissingKey,
            "E0304",
            Some("query".into()),
            "1:1".into()
        )
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0304] Error: missing required key `query` (bad.toml:1:1)
       ╭─[ bad.toml:1:1 ]
       │
     1 │ id = "r-1"
       │ ┬  
       │ ╰── in this file
    ───╯
    "#);

    let d = error(
        "bad.toml",
        &TOML_RULE.replace("process where process.name == \"sh\"\n", "  \n"),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::MissingKey,
            "E0304",
            Some("query".into()),
            "7:9".into()
        )
    );

    let d = error(
        "bad.yaml",
        &YAML_RULE.replace("      name: Execution\n", ""),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::MissingKey,
            "E0304",
            Some("threat[0].tactic.name".into()),
            "10:7".into()
        )
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0304] Error: missing required key `threat[0].tactic.name` (bad.yaml:10:7)
        ╭─[ bad.yaml:10:7 ]
        │
     10 │       id: TA0002
        │       ─────┬────  
        │            ╰────── in `threat[0].tactic`
    ────╯
    "#);

    let d = error("empty.yaml", "\n");
    assert_eq!(
        (d.kind, d.diagnostic.code),
        (ErrorKind::MissingKey, "E0304")
    );
}

#[test]
fn invalid_severity() {
    let d = error("bad.toml", &TOML_RULE.replace("\"low\"", "\"severe\""));
    assert_eq!(
        summary(&d),
        (
            ErrorKind::InvalidSeverity,
            "E0305",
            Some("severity".into()),
            "5:12".into()
        )
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0305] Error: `severity`: invalid severity `severe`: expected one of low, medium, high, critical (bad.toml:5:12)
       ╭─[ bad.toml:5:12 ]
       │
     5 │ severity = "severe"
       │            ────┬───  
       │                ╰───── invalid severity `severe`: expected one of low, medium, high, critical
    ───╯
    "#);

    let d = error(
        "bad.yaml",
        &YAML_RULE.replace("severity: low", "severity: Low"),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::InvalidSeverity,
            "E0305",
            Some("severity".into()),
            "5:11".into()
        )
    );
}

#[test]
fn invalid_risk_score() {
    let d = error(
        "bad.toml",
        &TOML_RULE.replace("risk_score = 21", "risk_score = 210"),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::InvalidRiskScore,
            "E0306",
            Some("risk_score".into()),
            "6:14".into()
        )
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0306] Error: `risk_score`: invalid risk score 210: must be from 0 to 100 (bad.toml:6:14)
       ╭─[ bad.toml:6:14 ]
       │
     6 │ risk_score = 210
       │              ─┬─  
       │               ╰─── invalid risk score 210: must be from 0 to 100
    ───╯
    "#);

    let d = error(
        "bad.yaml",
        &YAML_RULE.replace("risk_score: 21", "risk_score: -1"),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::InvalidRiskScore,
            "E0306",
            Some("risk_score".into()),
            "6:13".into()
        )
    );
}

#[test]
fn invalid_attack_ids() {
    let d = error("bad.toml", &TOML_RULE.replace("\"TA0002\"", "\"TA02\""));
    assert_eq!(
        summary(&d),
        (
            ErrorKind::InvalidAttackId,
            "E0307",
            Some("threat[0].tactic.id".into()),
            "13:17".into()
        )
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0307] Error: `threat[0].tactic.id`: invalid ATT&CK tactic id `TA02`: expected TA followed by 4 digits, e.g. TA0002 (bad.toml:13:17)
        ╭─[ bad.toml:13:17 ]
        │
     13 │ tactic = { id = "TA02", name = "Execution" }
        │                 ───┬──  
        │                    ╰──── invalid ATT&CK tactic id `TA02`: expected TA followed by 4 digits, e.g. TA0002
    ────╯
    "#);

    let text = YAML_RULE.replace(
        "      name: Execution\n",
        "      name: Execution\n    techniques:\n      - id: T1059.4\n        name: x\n",
    );
    let d = error("bad.yaml", &text);
    assert_eq!(
        summary(&d),
        (
            ErrorKind::InvalidAttackId,
            "E0307",
            Some("threat[0].techniques[0].id".into()),
            "13:13".into()
        )
    );
    insta::assert_snapshot!(d.render(), @r#"
    [E0307] Error: `threat[0].techniques[0].id`: invalid ATT&CK technique id `T1059.4`: expected T followed by 4 digits, e.g. T1059 (bad.yaml:13:13)
        ╭─[ bad.yaml:13:13 ]
        │
     13 │       - id: T1059.4
        │             ───┬───  
        │                ╰───── invalid ATT&CK technique id `T1059.4`: expected T followed by 4 digits, e.g. T1059
    ────╯
    "#);
}

#[test]
fn duplicate_ids_name_both_files() {
    let first = load("rules/a.toml", TOML_RULE);
    let second = load("rules/b.yaml", YAML_RULE);
    let set = RuleSet::from_loaded([first, second]);
    assert_eq!(set.rules.len(), 1);
    let errors: Vec<_> = set.errors().collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        summary(errors[0]),
        (
            ErrorKind::DuplicateId,
            "E0308",
            Some("id".into()),
            "1:5".into()
        )
    );
    insta::assert_snapshot!(errors[0].render(), @r#"
    [E0308] Error: duplicate rule id `r-1`: rules/a.toml and rules/b.yaml both use it (rules/b.yaml:1:5)
       ╭─[ rules/b.yaml:1:5 ]
       │
     1 │ id: r-1
       │     ─┬─  
       │      ╰─── this id is already taken
       │ 
       │ Help: first defined at rules/a.toml:1:6 (rule "Shell")
    ───╯
    "#);
}

#[test]
fn repeated_yaml_key_points_at_the_repeat() {
    let d = error(
        "bad.yaml",
        &YAML_RULE.replace("version: 1", "version: 1\nid: r-2"),
    );
    assert_eq!(
        summary(&d),
        (ErrorKind::Syntax, "E0301", None, "5:1".into())
    );
    assert!(
        d.diagnostic.message.contains("duplicate field `id`"),
        "{}",
        d.diagnostic.message
    );
}

#[test]
fn unknown_extension() {
    let d = error("rule.json", "{}");
    assert_eq!(
        (d.kind, d.diagnostic.code),
        (ErrorKind::UnknownLayout, "E0309")
    );
}

#[test]
fn invalid_interval() {
    let d = error(
        "bad.toml",
        &TOML_RULE.replace(
            "risk_score = 21",
            "risk_score = 21\ninterval = \"5 minutes\"",
        ),
    );
    assert_eq!(
        summary(&d),
        (
            ErrorKind::InvalidValue,
            "E0311",
            Some("interval".into()),
            "7:12".into()
        )
    );
}
