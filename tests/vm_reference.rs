//! Property test: generated queries and events run through the VM and through the reference
//! evaluator of tests/reference (a tree walk over the typed plan plus a plain sequence matcher)
//! must give the same results, sequences included.

mod reference;

use eql_emit::{Emitter, QueryOptions};
use eql_planner::{plan_text, PlanOptions, Schema};
use eql_vm::engine::{Engine, EngineOptions};
use proptest::prelude::*;
use serde_json::{json, Value};

const NAMES: [&str; 5] = ["bash", "BaSh", "sh", "nc", "zsh"];

fn predicate() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0..5usize).prop_map(|i| format!("process.name == \"{}\"", NAMES[i])),
        (0..5usize).prop_map(|i| format!("process.name : \"{}\"", NAMES[i])),
        (0..5usize, 0..5usize)
            .prop_map(|(a, b)| format!("process.name in (\"{}\", \"{}\")", NAMES[a], NAMES[b])),
        Just("process.name like~ \"*sh\"".to_string()),
        Just("process.name : \"?s*\"".to_string()),
        (0..6i64).prop_map(|n| format!("process.pid > {n}")),
        (0..6i64).prop_map(|n| format!("process.pid <= {n}")),
        (0..6i64).prop_map(|n| format!("process.pid + 1 == {n}")),
        Just("process.pid == null".to_string()),
        Just("process.name != null".to_string()),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

fn category() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("process"), Just("network"), Just("any")]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        (category(), predicate()).prop_map(|(c, p)| format!("{c} where {p}")),
        (
            category(),
            predicate(),
            category(),
            predicate(),
            prop::option::of(1..4u32)
        )
            .prop_map(|(c1, p1, c2, p2, span)| {
                let with = span.map_or(String::new(), |s| format!(" with maxspan={s}s"));
                format!("sequence by user.id{with} [{c1} where {p1}] [{c2} where {p2}]")
            }),
        (
            category(),
            predicate(),
            category(),
            predicate(),
            category(),
            predicate()
        )
            .prop_map(|(c1, p1, c2, p2, c3, p3)| format!(
                "sequence by user.id [{c1} where {p1}] [{c2} where {p2}] [{c3} where {p3}]"
            )),
    ]
}

fn events() -> impl Strategy<Value = Vec<Value>> {
    let one = (
        prop_oneof![Just("process"), Just("network")],
        prop::option::of(0..5usize),
        prop::bool::ANY,
        prop::option::of(0..6i64),
        0..3u32,
        0..2000i64,
    );
    prop::collection::vec(one, 0..24).prop_map(|evs| {
        let mut ts = 1_700_000_000_000i64;
        evs.into_iter()
            .enumerate()
            .map(|(i, (cat, name, array, pid, user, step))| {
                ts += step;
                let mut e = json!({
                    "@timestamp": ts,
                    "id": i,
                    "event": {"category": cat},
                    "user": {"id": format!("u{user}")},
                    "process": {},
                });
                if let Some(n) = name {
                    e["process"]["name"] = if array {
                        json!([NAMES[n], "other"])
                    } else {
                        json!(NAMES[n])
                    };
                }
                if let Some(p) = pid {
                    e["process"]["pid"] = json!(p);
                }
                e
            })
            .collect()
    })
}

/// The VM's results as event indices (each event carries its index in `id`).
fn vm_results(program: eql_bytecode::Program, events: &[Value]) -> Vec<Vec<usize>> {
    let mut engine = match Engine::new(program, &EngineOptions::default()) {
        Ok(e) => e,
        Err(e) => panic!("an emitted program loads: {e}"),
    };
    let mut out = Vec::new();
    for ev in events {
        *engine.line_mut() = ev.to_string().into_bytes();
        if let Err(e) = engine.process(&mut out) {
            panic!("generated events decode: {e}");
        }
    }
    engine.finish(&mut out);
    out.iter()
        .map(|m| {
            m.events
                .iter()
                .flatten()
                .map(|e| {
                    let v: Value = serde_json::from_str(&e.line).unwrap_or(Value::Null);
                    v["id"].as_u64().unwrap_or(u64::MAX) as usize
                })
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn vm_agrees_with_the_reference(q in query(), evs in events()) {
        let planned = match plan_text(&q, &Schema::builtin(), &PlanOptions::default()) {
            Ok(p) => p,
            Err(d) => panic!("generated query plans: {q}: {d:?}"),
        };
        let expected = reference::run(&planned.plan.query, &evs);
        prop_assume!(expected.is_some());
        let mut emitter = Emitter::new();
        emitter.add(&planned.plan, &QueryOptions::new("prop", q.clone()));
        let mut got = vm_results(emitter.finish(), &evs);
        let mut expected = expected.unwrap_or_default();
        got.sort();
        expected.sort();
        prop_assert_eq!(got, expected, "query: {}", q);
    }
}

#[test]
fn the_reference_sees_a_known_sequence() {
    let q = "sequence by user.id [process where process.name == \"sh\"] [network where true]";
    let evs = vec![
        json!({"@timestamp": 1, "id": 0, "event": {"category": "process"}, "user": {"id": "a"}, "process": {"name": "sh"}}),
        json!({"@timestamp": 2, "id": 1, "event": {"category": "network"}, "user": {"id": "b"}}),
        json!({"@timestamp": 3, "id": 2, "event": {"category": "network"}, "user": {"id": "a"}}),
    ];
    let planned = match plan_text(q, &Schema::builtin(), &PlanOptions::default()) {
        Ok(p) => p,
        Err(d) => panic!("{d:?}"),
    };
    assert_eq!(
        reference::run(&planned.plan.query, &evs),
        Some(vec![vec![0, 2]])
    );
    let mut emitter = Emitter::new();
    emitter.add(&planned.plan, &QueryOptions::new("known", q));
    assert_eq!(vm_results(emitter.finish(), &evs), vec![vec![0, 2]]);
}
