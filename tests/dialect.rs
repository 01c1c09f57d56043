//! Elastic Defend's dialect (`Dialect::Endpoint`): comparisons between fields, keyword fields
//! compared with numbers, `_arraysearch`, stage aliases and `descendant of` / `child of`, each
//! with matching and non-matching events; and the same forms rejected in the Elasticsearch
//! dialect.

mod common;

use common::{compile_endpoint as compile, run_program};
use eqlvm::planner::{plan_text, Dialect, PlanOptions, PlanQuery, Schema, TKind};
use serde_json::{json, Value};

fn endpoint() -> PlanOptions {
    PlanOptions::default().with_dialect(Dialect::Endpoint)
}

/// Input positions of each result's events.
fn results(query: &str, events: &[Value]) -> Vec<Vec<u64>> {
    let lines: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    run_program(compile(query), &lines)
        .iter()
        .map(|m| m.events.iter().flatten().map(|e| e.ord.seq).collect())
        .collect()
}

fn matches(query: &str, event: Value) -> bool {
    !results(query, &[event]).is_empty()
}

fn ev(second: u32, category: &str, extra: Value) -> Value {
    let mut e = json!({
        "@timestamp": format!("2024-01-01T00:00:{second:02}Z"),
        "event": {"category": [category]},
    });
    if let (Some(o), Some(x)) = (e.as_object_mut(), extra.as_object()) {
        for (k, v) in x {
            o.insert(k.clone(), v.clone());
        }
    }
    e
}

#[test]
fn elasticsearch_dialect_rejects_the_extensions() {
    for q in [
        "process where process.name == process.parent.name",
        "process where user.id == 0",
        "process where _arraysearch(process.args, $e, $e.x == \"a\")",
        "process where descendant of [process where process.name == \"sshd\"]",
        "sequence [process where true] as e0 [file where file.name == e0.process.name]",
    ] {
        let err = plan_text(q, &Schema::builtin(), &PlanOptions::default());
        assert!(
            err.is_err(),
            "{q} should be rejected in the Elasticsearch dialect"
        );
        assert!(plan_text(q, &Schema::builtin(), &endpoint()).is_ok(), "{q}");
    }
}

#[test]
fn comparisons_between_fields() {
    let q = "process where process.name == process.parent.name";
    let same = json!({"process": {"name": "bash", "parent": {"name": "bash"}}});
    let diff = json!({"process": {"name": "bash", "parent": {"name": "sshd"}}});
    let none = json!({"process": {"name": "bash"}});
    assert!(matches(q, ev(0, "process", same)));
    assert!(!matches(q, ev(0, "process", diff.clone())));
    assert!(
        !matches(q, ev(0, "process", none.clone())),
        "null is not equal"
    );
    let ne = "process where process.name != process.parent.name";
    assert!(matches(ne, ev(0, "process", diff)));
    assert!(!matches(ne, ev(0, "process", none)), "three-valued: null");
    // Any element of each side.
    let args = "process where process.args == process.name";
    let hit = json!({"process": {"name": "x", "args": ["a", "x"]}});
    let miss = json!({"process": {"name": "y", "args": ["a", "x"]}});
    assert!(matches(args, ev(0, "process", hit)));
    assert!(!matches(args, ev(0, "process", miss)));
    assert!(plan_text(
        "process where process.pid == process.name",
        &Schema::builtin(),
        &endpoint()
    )
    .is_ok_and(|_| true));
}

#[test]
fn keyword_fields_compare_with_numbers_by_value() {
    let eq = "process where user.id == 0";
    assert!(matches(eq, ev(0, "process", json!({"user": {"id": "0"}}))));
    assert!(matches(eq, ev(0, "process", json!({"user": {"id": " 0"}}))));
    assert!(!matches(
        eq,
        ev(0, "process", json!({"user": {"id": "501"}}))
    ));
    assert!(!matches(
        eq,
        ev(0, "process", json!({"user": {"id": "S-1-5-18"}}))
    ));
    let ne = "process where user.id != 0";
    assert!(matches(
        ne,
        ev(0, "process", json!({"user": {"id": "501"}}))
    ));
    assert!(!matches(ne, ev(0, "process", json!({"user": {"id": "0"}}))));
    let gt = "process where user.id >= 1000";
    assert!(matches(
        gt,
        ev(0, "process", json!({"user": {"id": "1000"}}))
    ));
    assert!(
        !matches(gt, ev(0, "process", json!({"user": {"id": "999"}}))),
        "numeric, not code-point, order"
    );
}

#[test]
fn arraysearch_binds_one_element() {
    let stack = json!({"process": {"thread": {"Ext": {"call_stack": [
        {"symbol_info": "ntdll.dll!A", "trusted": false},
        {"symbol_info": "kernel32.dll!B", "trusted": true, "protection": "RWX"},
    ]}}}});
    let q = |cond: &str| {
        format!("process where _arraysearch(process.thread.Ext.call_stack, $entry, {cond})")
    };
    let e = || ev(0, "process", stack.clone());
    assert!(matches(
        &q("$entry.symbol_info : \"ntdll.dll!*\" and $entry.trusted == false"),
        e()
    ));
    assert!(
        !matches(
            &q("$entry.symbol_info : \"ntdll.dll!*\" and $entry.trusted == true"),
            e()
        ),
        "the two tests hold only on different elements"
    );
    assert!(matches(&q("$entry.protection == \"RWX\""), e()));
    assert!(
        matches(
            &q("$entry.symbol_info : \"ntdll*\" and not $entry.protection == \"RWX\""),
            e()
        ),
        "a sub-field missing from the element makes its test false"
    );
    assert!(!matches(
        &q("$entry.trusted == true"),
        ev(0, "process", json!({"process": {"name": "x"}}))
    ));
    // A single object counts as a one-element array.
    let one = json!({"process": {"thread": {"Ext": {"call_stack": {"symbol_info": "x"}}}}});
    assert!(matches(
        &q("$entry.symbol_info == \"x\""),
        ev(0, "process", one)
    ));
    // Two searches over the same array are independent.
    let two = format!(
        "{} and _arraysearch(process.thread.Ext.call_stack, $e, $e.trusted == true)",
        q("$entry.trusted == false")
    );
    assert!(matches(&two, e()));
}

#[test]
fn stage_aliases_join_on_the_aliased_event() {
    let q = r#"sequence with maxspan=1m
        [process where process.name == "curl"] as event0
        [file where stringContains(file.path, event0.process.args) and file.name != null]"#;
    let p = plan_text(q, &Schema::builtin(), &endpoint());
    let Ok(p) = p else {
        panic!("does not plan");
    };
    let PlanQuery::Sequence(s) = &p.plan.query else {
        panic!("not a sequence");
    };
    assert!(s.stages[1].join.is_some(), "the alias conjunct is the join");
    assert!(
        !matches!(s.stages[1].filter.condition.kind, TKind::Call { .. }),
        "the per-event condition keeps the rest"
    );
    let curl = |t, arg: &str| {
        ev(
            t,
            "process",
            json!({"process": {"name": "curl", "args": arg}}),
        )
    };
    let file = |t, path: &str| ev(t, "file", json!({"file": {"path": path, "name": "f"}}));
    // The first file does not contain the curl argument; the second does.
    let got = results(
        q,
        &[
            curl(0, "payload"),
            file(1, "/tmp/other"),
            file(2, "/tmp/payload.sh"),
        ],
    );
    assert_eq!(got, vec![vec![0, 2]]);
    assert!(results(q, &[curl(0, "payload"), file(1, "/tmp/other")]).is_empty());
    // The join reads the event of the same partial: a newer stage-0 event replaces the older.
    let got = results(q, &[curl(0, "aaa"), curl(1, "bbb"), file(2, "/x/aaa")]);
    assert!(got.is_empty());
    assert!(plan_text(
        "sequence [process where process.name == event0.process.name] as event0 [file where true]",
        &Schema::builtin(),
        &endpoint()
    )
    .is_err());
}

#[test]
fn descendant_and_child_of() {
    let p = |t, id: &str, parent: &str, name: &str| {
        ev(
            t,
            "process",
            json!({"process": {"entity_id": id, "name": name, "parent": {"entity_id": parent}}}),
        )
    };
    let events = [
        p(0, "a", "init", "sshd"),
        p(1, "b", "a", "sh"),
        p(2, "c", "b", "bash"),
        p(3, "d", "x", "bash"),
        p(4, "e", "a", "bash"),
    ];
    let desc = r#"process where process.name == "bash" and
        descendant of [process where process.name == "sshd"]"#;
    assert_eq!(results(desc, &events), vec![vec![2], vec![4]]);
    let child = r#"process where process.name == "bash" and
        child of [process where process.name == "sshd"]"#;
    assert_eq!(results(child, &events), vec![vec![4]]);
    let not_desc = r#"process where process.name == "bash" and
        not descendant of [process where process.name == "sshd"]"#;
    assert_eq!(results(not_desc, &events), vec![vec![3]]);
}

#[test]
fn objects_can_be_tested_for_null() {
    // `process.parent` is an object in the built-in schema.
    let q = "process where process.parent != null";
    assert!(
        plan_text(q, &Schema::builtin(), &PlanOptions::default()).is_err(),
        "an error in the Elasticsearch dialect"
    );
    assert!(matches(
        q,
        ev(1, "process", json!({"process": {"parent": {"pid": 1}}}))
    ));
    assert!(!matches(
        q,
        ev(1, "process", json!({"process": {"pid": 2}}))
    ));
    assert!(matches(
        "process where process.parent == null",
        ev(1, "process", json!({"process": {"pid": 2}}))
    ));
}
