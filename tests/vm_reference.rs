//! Property test: generated queries and events run through the VM and through the reference
//! evaluator of tests/reference (a tree walk over the typed plan, a sequence matcher and a
//! sample builder) must give the same results: event queries with operators and string and
//! number functions, sequences with `by`, `maxspan`, `until` and missing-event stages, and
//! samples.

mod reference;

use eql_emit::{Emitter, QueryOptions};
use eql_planner::{plan_text, PlanOptions, Schema};
use eql_vm::engine::{Engine, EngineOptions};
use proptest::prelude::*;
use serde_json::{json, Value};

const NAMES: [&str; 5] = ["bash", "BaSh", "sh", "nc", "zsh"];
/// Strings the function tests look for (the empty one included: its edge cases differ).
const PARTS: [&str; 7] = ["b", "B", "sh", "SH", "as", "", "z"];

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
        function(),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

/// A condition built on a function call.
fn function() -> impl Strategy<Value = String> {
    let part = (0..PARTS.len()).prop_map(|i| PARTS[i]);
    let tilde = prop_oneof![Just(""), Just("~")];
    prop_oneof![
        (tilde.clone(), part.clone())
            .prop_map(|(t, p)| format!("startsWith{t}(process.name, \"{p}\")")),
        (tilde.clone(), part.clone())
            .prop_map(|(t, p)| format!("endsWith{t}(process.name, \"{p}\")")),
        (tilde, part.clone())
            .prop_map(|(t, p)| format!("stringContains{t}(process.name, \"{p}\")")),
        (0..6i64).prop_map(|n| format!("length(process.name) == {n}")),
        (0..6i64).prop_map(|n| format!("length(process.name) > {n}")),
        (0..5usize, 0..6i64).prop_map(|(i, n)| format!(
            "concat(process.name, \"-\", process.pid) == \"{}-{n}\"",
            NAMES[i]
        )),
        (-4..5i64, -4..5i64, part.clone())
            .prop_map(|(a, b, p)| format!("substring(process.name, {a}, {b}) == \"{p}\"")),
        (-4..5i64, part).prop_map(|(a, p)| format!("substring(process.name, {a}) == \"{p}\"")),
        (-2..3i64, 0..6i64).prop_map(|(a, n)| format!("add(process.pid, {a}) == {n}")),
    ]
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
        sequence_with_until_or_missing(stage().boxed(), 1..4),
        (stage(), stage(), prop::option::of(stage())).prop_map(|(a, b, c)| {
            let c = c.map_or(String::new(), |c| format!(" {c}"));
            format!("sample by user.id {a} {b}{c}")
        }),
    ]
}

/// `[category where predicate]`, the predicate often a loose one so that sequences, missing
/// stages and samples find events often.
fn stage() -> impl Strategy<Value = String> {
    let loose = prop_oneof![
        Just("true".to_string()),
        Just("process.name : \"*sh\"".to_string()),
        (0..4i64).prop_map(|n| format!("process.pid > {n}")),
        Just("process.pid == null".to_string()),
        Just("length(process.name) > 1".to_string()),
    ];
    let cond = prop_oneof![3 => loose, 2 => predicate()];
    (category(), cond).prop_map(|(c, p)| format!("[{c} where {p}]"))
}

/// `[category where test of process.pid]`: few distinct conditions, so that the stages, the
/// missing stage and `until` of one sequence often compete for the same events.
fn narrow_stage() -> impl Strategy<Value = String> {
    let cond = prop_oneof![
        1 => Just("true".to_string()),
        4 => (0..4i64).prop_map(|n| format!("process.pid == {n}")),
        1 => (1..5i64).prop_map(|n| format!("process.pid < {n}")),
        1 => (0..4i64).prop_map(|n| format!("process.pid != {n}")),
    ];
    let category = prop_oneof![Just("process"), Just("network")];
    (category, cond).prop_map(|(c, p)| format!("[{c} where {p}]"))
}

/// Two or three positive stages, optionally an `until`, and optionally one missing-event stage
/// (leading, between two positive stages, or trailing; `maxspan` then required).
/// `maxspan` is drawn from `spans` (seconds).
fn sequence_with_until_or_missing(
    stage: BoxedStrategy<String>,
    spans: std::ops::Range<u32>,
) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(stage.clone(), 2..4),
        prop::option::of((stage.clone(), 0..4usize)),
        prop::option::of(stage),
        spans,
    )
        .prop_map(|(mut stages, missing, until, span)| {
            if let Some((m, at)) = &missing {
                let at = (*at).min(stages.len());
                stages.insert(at, format!("!{m}"));
            }
            let with = if missing.is_some() || span > 2 {
                format!(" with maxspan={span}s")
            } else {
                String::new()
            };
            let until = until.map_or(String::new(), |u| format!(" until {u}"));
            format!("sequence by user.id{with} {}{until}", stages.join(" "))
        })
}

fn events() -> impl Strategy<Value = Vec<Value>> {
    events_of(3, 6)
}

/// Up to 24 events of `users` users, `process.pid` (when present) below `pids`.
fn events_of(users: u32, pids: i64) -> impl Strategy<Value = Vec<Value>> {
    let one = (
        prop_oneof![Just("process"), Just("network")],
        prop::option::of(0..6usize),
        prop::bool::ANY,
        prop::option::weighted(0.9, 0..pids),
        0..users,
        // Often whole quarter seconds, so spans land exactly on a `maxspan` now and then.
        prop_oneof![(0..5i64).prop_map(|k| k * 250), 0..2000i64],
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
                    let name = NAMES.get(n).copied().unwrap_or("");
                    e["process"]["name"] = if array {
                        json!([name, "other"])
                    } else {
                        json!(name)
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

/// Each result's event indices.
type Results = Vec<Vec<usize>>;

/// The VM's and the reference's results for `q` over `evs`, each sorted; `None` when the
/// reference does not cover the query.
fn both(q: &str, evs: &[Value]) -> Option<(Results, Results)> {
    let planned = match plan_text(q, &Schema::builtin(), &PlanOptions::default()) {
        Ok(p) => p,
        Err(d) => panic!("generated query plans: {q}: {d:?}"),
    };
    let mut expected = reference::run(&planned.plan.query, evs)?;
    let mut emitter = Emitter::new();
    emitter.add(&planned.plan, &QueryOptions::new("prop", q));
    let mut got = vm_results(emitter.finish(), evs);
    got.sort();
    expected.sort();
    Some((got, expected))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn vm_agrees_with_the_reference(q in query(), evs in events()) {
        let results = both(&q, &evs);
        prop_assume!(results.is_some());
        let (got, expected) = results.unwrap_or_default();
        prop_assert_eq!(got, expected, "query: {}", q);
    }

    #[test]
    fn vm_agrees_on_until_and_missing_stages(
        q in sequence_with_until_or_missing(narrow_stage().boxed(), 1..30),
        evs in events_of(2, 4),
    ) {
        let results = both(&q, &evs);
        prop_assume!(results.is_some());
        let (got, expected) = results.unwrap_or_default();
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

/// An event of user `a` at second `s` with category `cat` and `process.pid` `pid`.
fn ev(id: usize, s: i64, cat: &str, pid: i64) -> Value {
    json!({"@timestamp": s * 1000, "id": id, "event": {"category": cat}, "user": {"id": "a"}, "process": {"pid": pid}})
}

#[test]
fn a_middle_missing_stage_judges_the_sequence_that_took_the_slot() {
    // A1 B1 A2 M B2 C: B2 moves A2 on, replacing A1 B1 (Elasticsearch matches the positive
    // stages first); A2 B2 C is then discarded for M, and A1 B1 C never forms.
    let q = "sequence by user.id with maxspan=10s [process where process.pid == 1] \
             ![network where process.pid == 9] [process where process.pid == 2] \
             [process where process.pid == 3]";
    let evs = vec![
        ev(0, 1, "process", 1),
        ev(1, 2, "process", 2),
        ev(2, 3, "process", 1),
        ev(3, 4, "network", 9),
        ev(4, 5, "process", 2),
        ev(5, 6, "process", 3),
    ];
    assert_eq!(both(q, &evs), Some((vec![], vec![])));
}

#[test]
fn an_until_event_does_not_erase_a_leading_missing_event() {
    // L U P1 P2: the until event lies before P1, so it cuts nothing; L, the latest leading
    // missing event before P1, is within maxspan of P2 and vetoes the sequence.
    let q = "sequence by user.id with maxspan=10s ![network where process.pid == 9] \
             [process where true] [process where true] until [network where process.pid == 5]";
    let evs = vec![
        ev(0, 1, "network", 9),
        ev(1, 2, "network", 5),
        ev(2, 3, "process", 1),
        ev(3, 4, "process", 1),
    ];
    assert_eq!(both(q, &evs), Some((vec![], vec![])));
}
