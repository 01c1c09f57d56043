//! The two shipped rules load with every field right, match the upstream files they came from,
//! and give the alert header and file positions users see.

use eql_parser::{Diagnostic, Span};
use eql_rules::{
    load_file, Layout, Maturity, QueryMapping, RiskScore, Rule, RuleSet, Severity, Threat,
};
use std::path::{Path, PathBuf};

/// The repository root, relative to the crate folder tests run in (keeps rendered paths short).
fn repo() -> PathBuf {
    PathBuf::from("../..")
}

fn load(rel: &str) -> Rule {
    let loaded = load_file(&repo().join(rel));
    let shown: Vec<String> = loaded.diagnostics.iter().map(|d| d.render()).collect();
    assert!(loaded.diagnostics.is_empty(), "{}", shown.join("\n"));
    loaded.rule.expect("the rule loads")
}

fn threat_ids(threat: &[Threat]) -> Vec<String> {
    let mut out = Vec::new();
    for t in threat {
        out.push(format!("{} {} {}", t.framework, t.tactic.id, t.tactic.name));
        for te in &t.techniques {
            out.push(format!("  {} {}", te.id, te.name));
            for s in &te.subtechniques {
                out.push(format!("    {} {}", s.id, s.name));
            }
        }
    }
    out
}

const SHELL: &str = "rules/linux/potential_reverse_shell.toml";
const TERMINAL: &str = "rules/linux/reverse_shell_activity_via_terminal.yaml";

#[test]
fn potential_reverse_shell_fields() {
    let r = load(SHELL);
    assert_eq!(r.layout, Layout::EqlvmToml);
    assert_eq!(r.id, "48b3d2e3-f4e8-41e6-95e6-9b2091228db3");
    assert_eq!(r.name, "Potential Reverse Shell");
    assert_eq!(r.version, Some(9));
    assert!(r
        .description
        .starts_with("This detection rule identifies suspicious network traffic"));
    assert_eq!(r.severity, Some(Severity::Medium));
    assert_eq!(r.risk_score, RiskScore::new(47));
    assert_eq!(r.tags.len(), 5);
    assert_eq!(r.tags[4], "Data Source: Elastic Defend");
    assert_eq!(r.references.len(), 1);
    assert_eq!(r.authors, ["Elastic"]);
    assert_eq!(r.license.as_deref(), Some("Elastic License v2"));
    assert_eq!(r.index, ["logs-endpoint.events.*"]);
    assert_eq!((r.interval.as_str(), r.interval.seconds()), ("5m", 300));
    assert_eq!((r.from.as_str(), r.max_signals), ("now-9m", 100));
    assert_eq!(r.timestamp_override, None);
    assert_eq!(r.maturity, Some(Maturity::Production));
    assert_eq!(r.integrations, ["endpoint"]);
    assert!(r
        .setup
        .as_deref()
        .is_some_and(|s| s.starts_with("## Setup\n\nThis rule requires data")));
    assert!(r.is_eql());
    assert!(r.query.contains(
        r#"not cidrmatch(destination.ip, "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "::1")"#
    ));
    assert_eq!(
        threat_ids(&r.threat),
        [
            "MITRE ATT&CK TA0002 Execution",
            "  T1059 Command and Scripting Interpreter",
            "    T1059.004 Unix Shell",
            "MITRE ATT&CK TA0011 Command and Control",
            "  T1071 Application Layer Protocol",
        ]
    );
    let tactic = &r.threat[1].tactic;
    assert_eq!(
        tactic.reference.as_deref(),
        Some("https://attack.mitre.org/tactics/TA0011/")
    );
    let sub = &r.threat[0].techniques[0].subtechniques[0];
    assert_eq!(
        sub.reference.as_deref(),
        Some("https://attack.mitre.org/techniques/T1059/004/")
    );
    // `query = '''` is on line 67; the text starts on the next line, verbatim
    assert_eq!(
        (r.origin.line, r.origin.column, r.origin.mapping),
        (68, 1, QueryMapping::Verbatim)
    );
}

#[test]
fn reverse_shell_via_terminal_fields() {
    let r = load(TERMINAL);
    assert_eq!(r.layout, Layout::EqlvmYaml);
    assert_eq!(r.id, "a1a0375f-22c2-48c0-81a4-7c2d11cc6856");
    assert_eq!(r.name, "Potential Reverse Shell Activity via Terminal");
    assert_eq!(r.version, Some(4));
    assert_eq!(
        r.description,
        "Identifies the execution of a shell process with suspicious arguments which may be \
         indicative of reverse shell activity."
    );
    assert_eq!(r.severity, Some(Severity::High));
    assert_eq!(r.risk_score.map(RiskScore::get), Some(73));
    assert_eq!(
        r.tags,
        [
            "Elastic",
            "Host",
            "Linux",
            "macOS",
            "Threat Detection",
            "Execution"
        ]
    );
    assert_eq!(r.references.len(), 3);
    assert_eq!(r.authors, ["Elastic"]);
    assert_eq!(r.license.as_deref(), Some("Elastic License v2"));
    assert_eq!(r.index, ["auditbeat-*", "logs-endpoint.events.*"]);
    assert_eq!(
        (r.interval.as_str(), r.from.as_str(), r.max_signals),
        ("5m", "now-9m", 100)
    );
    assert_eq!(r.timestamp_override.as_deref(), Some("event.ingested"));
    assert_eq!(
        (r.created.as_deref(), r.updated.as_deref()),
        (Some("2020/01/07"), Some("2022/07/06"))
    );
    assert!(r
        .note
        .as_deref()
        .is_some_and(|n| n.contains("populate `event.ingested` to @timestamp")));
    assert_eq!(
        threat_ids(&r.threat),
        [
            "MITRE ATT&CK TA0002 Execution",
            "  T1059 Command and Scripting Interpreter"
        ]
    );
    assert!(r
        .query
        .starts_with("process where event.type in (\"start\", \"process_started\") and\n"));
    // `query: |` is on line 49; the block starts on line 50, indented by two spaces
    let o = &r.origin;
    assert_eq!(
        (o.line, o.column, o.mapping),
        (50, 3, QueryMapping::Indented { indent: 2 })
    );
}

/// Compares every field but `version` (upstream files carry none), `layout`, `origin`, `id_span`.
fn assert_same_rule(ours: &Rule, upstream: &Rule) {
    assert_eq!(
        upstream.version, None,
        "upstream detection-rules files carry no version"
    );
    assert_eq!(upstream.layout, Layout::DetectionRules);
    assert!(upstream.extra.is_empty(), "{:?}", upstream.extra);
    let mut a = ours.clone();
    let b = upstream;
    a.version = None;
    a.layout = b.layout;
    a.origin = b.origin.clone();
    a.id_span = b.id_span;
    assert_eq!(a.id, b.id);
    assert_eq!(a.query, b.query, "identical query text");
    assert_eq!(a.threat, b.threat);
    assert_eq!(a.description, b.description);
    // and then everything else at once, with a readable diff on failure
    assert_eq!(format!("{a:#?}"), format!("{b:#?}"));
}

#[test]
fn upstream_seeds_load_to_the_same_rules() {
    let seeds = Path::new("/work/shared/seeds");
    if !seeds.is_dir() {
        println!(
            "note: {} is absent; skipping the upstream comparison",
            seeds.display()
        );
        return;
    }
    // The seed doc for version 9 lost the CIDR strings; the upstream TOML has them, so the
    // shipped query equals the upstream one byte for byte.
    let upstream = load_file(&seeds.join("potential_reverse_shell.v9.upstream.toml"));
    assert!(upstream.diagnostics.is_empty());
    let upstream = upstream.rule.expect("upstream rule loads");
    assert!(upstream
        .query
        .contains(r#""127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "::1""#));
    assert_same_rule(&load(SHELL), &upstream);

    let upstream = load_file(&seeds.join("reverse_shell_activity_via_terminal.v4.upstream.toml"));
    assert!(upstream.diagnostics.is_empty());
    assert_same_rule(
        &load(TERMINAL),
        &upstream.rule.expect("upstream rule loads"),
    );
}

#[test]
fn rules_folder_is_one_clean_set() {
    let set = RuleSet::load_path(repo().join("rules"));
    assert_eq!(set.render_diagnostics(), "");
    let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "48b3d2e3-f4e8-41e6-95e6-9b2091228db3",
            "a1a0375f-22c2-48c0-81a4-7c2d11cc6856"
        ]
    );
}

#[test]
fn alert_header_json() {
    let header = load(TERMINAL).alert_rule();
    let json = serde_json::to_string_pretty(&header).unwrap_or_default();
    insta::assert_snapshot!(json, @r#"
    {
      "id": "a1a0375f-22c2-48c0-81a4-7c2d11cc6856",
      "name": "Potential Reverse Shell Activity via Terminal",
      "version": 4,
      "severity": "high",
      "risk_score": 73,
      "tags": [
        "Elastic",
        "Host",
        "Linux",
        "macOS",
        "Threat Detection",
        "Execution"
      ],
      "threat": [
        {
          "framework": "MITRE ATT&CK",
          "tactic": {
            "id": "TA0002",
            "name": "Execution",
            "reference": "https://attack.mitre.org/tactics/TA0002/"
          },
          "techniques": [
            {
              "id": "T1059",
              "name": "Command and Scripting Interpreter",
              "reference": "https://attack.mitre.org/techniques/T1059/"
            }
          ]
        }
      ],
      "references": [
        "https://github.com/swisskyrepo/PayloadsAllTheThings/blob/master/Methodology%20and%20Resources/Reverse%20Shell%20Cheatsheet.md",
        "https://github.com/WangYihang/Reverse-Shell-Manager",
        "https://www.netsparker.com/blog/web-security/understanding-reverse-shells/"
      ]
    }
    "#);
}

/// A diagnostic the parser might report, at the first occurrence of `needle` in the query.
fn query_diag(rule: &Rule, needle: &str) -> Diagnostic {
    let at = rule.query.find(needle).unwrap_or(0);
    Diagnostic::error(
        "E0201",
        Span::new(at, at + needle.len()),
        format!("unknown field `{needle}`"),
    )
}

#[test]
fn query_diagnostics_name_file_positions() {
    let r = load(SHELL);
    let d = query_diag(&r, "destination.ip != null");
    let mapped = r
        .query_diagnostic_in_file(&d)
        .expect("literal strings map exactly");
    let text = std::fs::read_to_string(repo().join(SHELL)).unwrap_or_default();
    assert_eq!(&text[mapped.span.range()], "destination.ip != null");
    let out = r.render_query_diagnostic(&d);
    assert!(
        out.contains("../../rules/linux/potential_reverse_shell.toml:71:94"),
        "{out}"
    );

    let r = load(TERMINAL);
    let d = query_diag(&r, "\"runc init\"");
    let mapped = r
        .query_diagnostic_in_file(&d)
        .expect("literal block scalars map exactly");
    let text = std::fs::read_to_string(repo().join(TERMINAL)).unwrap_or_default();
    assert_eq!(&text[mapped.span.range()], "\"runc init\"");
    insta::assert_snapshot!(r.render_query_diagnostic(&d), @r#"
    [E0201] Error: unknown field `"runc init"` (../../rules/linux/reverse_shell_activity_via_terminal.yaml:57:39)
        ╭─[ ../../rules/linux/reverse_shell_activity_via_terminal.yaml:57:39 ]
        │
     57 │     not process.parent.command_line : "runc init"
        │                                       ─────┬─────  
        │                                            ╰─────── unknown field `"runc init"`
    ────╯
    "#);
}
