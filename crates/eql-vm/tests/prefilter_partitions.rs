//! The prefilter probes only the index partitions of the categories an event carries (and the
//! one of stages of any category). Its results must be those of running every stage of the
//! event's categories: the same queries run with the prefilter on and off, over events of one
//! category, of several (an array, a repeated value), of none, of a non-string one, and of a
//! second category field (a query whose category is read from another field).

mod common;

use common::{run_lines, Seen};
use eql_emit::{Emitter, QueryOptions};
use eql_planner::{plan_text, PlanOptions, Schema};
use eql_vm::engine::{Engine, EngineOptions};

/// Queries and their category field. The same literals appear under several categories, so
/// that a partition missing from the probe would drop a result.
const QUERIES: &[(&str, &str)] = &[
    ("process where process.name == \"alpha.exe\"", "event.category"),
    ("process where process.name : \"BETA.exe\"", "event.category"),
    ("process where process.command_line : \"*-enc*\"", "event.category"),
    ("network where process.name == \"alpha.exe\"", "event.category"),
    ("network where destination.port == 4444", "event.category"),
    ("file where file.path : \"*\\\\evil\\\\*\"", "event.category"),
    ("file where process.name == \"beta.exe\"", "event.category"),
    ("any where process.name == \"gamma.exe\"", "event.category"),
    ("any where process.command_line : \"*-enc*\"", "event.category"),
    (
        "sequence by host.id [process where process.name == \"alpha.exe\"] [network where process.name == \"beta.exe\"]",
        "event.category",
    ),
    ("start where process.name == \"alpha.exe\"", "event.type"),
    ("start where process.name == \"gamma.exe\"", "event.type"),
    ("change where file.path : \"*\\\\evil\\\\*\"", "event.type"),
];

fn engine(prefilter: bool) -> Engine {
    let mut emitter = Emitter::new();
    for (i, (q, field)) in QUERIES.iter().enumerate() {
        let planned = match plan_text(q, &Schema::builtin(), &PlanOptions::default()) {
            Ok(p) => p,
            Err(d) => panic!("{q}: {d:?}"),
        };
        let mut opts = QueryOptions::new(format!("q{i}"), *q);
        opts.category_field = (*field).into();
        emitter.add(&planned.plan, &opts);
    }
    let mut e = match Engine::new(emitter.finish(), &EngineOptions::default()) {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    };
    e.set_prefilter(prefilter);
    e
}

/// Events cycling through category values, event types, names, paths and ports.
fn events() -> Vec<String> {
    let categories = [
        "\"process\"",
        "[\"process\",\"network\"]",
        "[\"network\",\"network\"]",
        "[\"file\",\"process\"]",
        "\"network\"",
        "\"file\"",
        "[]",
        "7",
        "null",
        "\"registry\"",
        "[\"Process\"]",
    ];
    let types = [
        "\"start\"",
        "[\"change\",\"start\"]",
        "\"end\"",
        "[]",
        "\"change\"",
        "\"start\"",
        "null",
    ];
    let names = [
        "alpha.exe",
        "BETA.EXE",
        "beta.exe",
        "gamma.exe",
        "other.exe",
    ];
    let lines = ["x -enc abc", "plain", "y -ENC z"];
    let paths = ["C:\\\\evil\\\\a.txt", "C:\\\\good\\\\b.txt"];
    (0..600)
        .map(|i| {
            format!(
                "{{\"@timestamp\":{},\"event\":{{\"category\":{},\"type\":{}}},\"host\":{{\"id\":\"h{}\"}},\"process\":{{\"name\":\"{}\",\"command_line\":\"{}\"}},\"file\":{{\"path\":\"{}\"}},\"destination\":{{\"port\":{}}}}}",
                1_700_000_000_000i64 + (i as i64) * 100,
                categories[i % categories.len()],
                types[i % types.len()],
                i % 2,
                names[i % names.len()],
                lines[i % lines.len()],
                paths[i % paths.len()],
                [4444, 80][i % 2],
            )
        })
        .collect()
}

/// The results of each event, then those of the end of input.
fn run(e: &mut Engine) -> Vec<Vec<Seen>> {
    run_lines(e, events())
}

#[test]
fn partitions_admit_what_running_every_stage_finds() {
    let (mut with, mut without) = (engine(true), engine(false));
    assert!(with.prefilter().is_some(), "the prefilter is not used");
    assert!(without.prefilter().is_none());
    let a = run(&mut with);
    let b = run(&mut without);
    assert_eq!(a, b);
    // Every query matched, so that a partition left unprobed would show.
    for q in 0..QUERIES.len() as u32 {
        assert!(
            a.iter().flatten().any(|m| m.0 == q),
            "query {q} never matched"
        );
    }
    // Events of several categories matched the queries of each of them.
    let multi = events()
        .iter()
        .position(|l| l.contains("[\"process\",\"network\"]") && l.contains("alpha.exe"))
        .unwrap_or(usize::MAX);
    let hit: Vec<u32> = a.get(multi).into_iter().flatten().map(|m| m.0).collect();
    assert!(hit.contains(&0) && hit.contains(&3), "{hit:?}");
    assert!(with.stats.stages_run < without.stats.stages_run);
}
