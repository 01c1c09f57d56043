//! End to end: the shipped seed rules over the sample events fire on every true positive, in
//! the order eqlvm streams them, and on none of the near misses.

mod common;

use eqlvm::pipeline::{alert_json, compile_rules, CompileOptions};
use eqlvm::rules::RuleSet;
use std::collections::BTreeMap;

fn event_id(v: &serde_json::Value) -> String {
    let id = v.pointer("/event/id").or_else(|| v.get("event.id"));
    id.and_then(|x| x.as_str()).unwrap_or("?").to_string()
}

/// Alerts per rule id, each as its events' ids.
fn run_seed_rules() -> (BTreeMap<String, Vec<Vec<String>>>, Vec<serde_json::Value>) {
    let root = common::root();
    let set = RuleSet::load_path(root.join("rules"));
    assert!(!set.has_errors(), "{}", set.render_diagnostics());
    let compiled = compile_rules(set.rules, &CompileOptions::default());
    assert!(
        compiled.failed.is_empty(),
        "{:?}",
        compiled.failed.iter().map(|f| &f.1).collect::<Vec<_>>()
    );
    assert_eq!(compiled.rules.len(), 2);
    let text = std::fs::read_to_string(root.join("examples/data/reverse_shell_events.ndjson"))
        .unwrap_or_default();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines.len() > 100, "sample events missing");
    let rules = compiled.rules.clone();
    let matches = common::run_program(compiled.program, &lines);
    let mut by_rule: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    let mut alerts = Vec::new();
    for m in &matches {
        let rule = &rules[m.query as usize];
        let alert = alert_json(rule, m);
        let ids = alert["events"]
            .as_array()
            .map(|es| es.iter().map(event_id).collect())
            .unwrap_or_default();
        by_rule.entry(rule.id.clone()).or_default().push(ids);
        alerts.push(alert);
    }
    (by_rule, alerts)
}

/// The expectations file of the sample events.
fn expected() -> serde_json::Value {
    let path = common::root().join("examples/data/reverse_shell_events.expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or_default()
}

#[test]
fn seed_rules_fire_exactly_on_the_true_positives() {
    let expected = expected();
    let (got, _) = run_seed_rules();
    let rules = expected["rules"].as_object().cloned().unwrap_or_default();
    assert_eq!(rules.len(), 2);
    for (id, r) in rules {
        let want: Vec<Vec<String>> =
            serde_json::from_value(r["alerts"].clone()).unwrap_or_default();
        assert!(!want.is_empty());
        assert_eq!(
            got.get(&id).cloned().unwrap_or_default(),
            want,
            "alerts of rule {id}"
        );
    }
}

#[test]
fn near_misses_raise_nothing() {
    let expected = expected();
    let (got, _) = run_seed_rules();
    let near = expected["near_misses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        near.len() >= 30,
        "expected a near miss per condition, found {}",
        near.len()
    );
    for nm in near {
        let rule = nm["rule"].as_str().unwrap_or_default();
        let ids: Vec<String> = serde_json::from_value(nm["event_ids"].clone()).unwrap_or_default();
        for alert in got.get(rule).into_iter().flatten() {
            for id in &ids {
                assert!(
                    !alert.contains(id),
                    "near miss {} ({}) fired: {alert:?}",
                    id,
                    nm["why"]
                );
            }
        }
    }
}

#[test]
fn alerts_carry_rule_metadata_and_whole_events() {
    let (_, alerts) = run_seed_rules();
    let seq = alerts
        .iter()
        .find(|a| a["rule"]["id"] == "48b3d2e3-f4e8-41e6-95e6-9b2091228db3");
    let Some(seq) = seq else {
        panic!("no sequence alert")
    };
    assert_eq!(seq["rule"]["name"], "Potential Reverse Shell");
    assert_eq!(seq["rule"]["version"], 9);
    assert_eq!(seq["rule"]["severity"], "medium");
    assert_eq!(seq["rule"]["risk_score"], 47);
    assert_eq!(seq["rule"]["threat"][0]["tactic"]["id"], "TA0002");
    assert_eq!(seq["events"].as_array().map(Vec::len), Some(2));
    // The whole source event is carried, not just the projected fields.
    assert!(seq["events"][0]["agent"].is_object() || seq["events"][0].get("agent.id").is_some());
    assert!(seq["@timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(seq["join_keys"].as_array().map(Vec::len), Some(2));
    let term = alerts
        .iter()
        .find(|a| a["rule"]["id"] == "a1a0375f-22c2-48c0-81a4-7c2d11cc6856");
    let Some(term) = term else {
        panic!("no terminal alert")
    };
    assert_eq!(term["rule"]["severity"], "high");
    assert_eq!(term["rule"]["risk_score"], 73);
}
