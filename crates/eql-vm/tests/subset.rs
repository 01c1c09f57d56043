//! Engines restricted to some queries (`Engine::retain_queries`) and engines whose caller moves
//! the clock (`Engine::defer_clock`, `Engine::tick`) find exactly what the whole engine finds.

mod common;

use common::{seen, Seen};
use eql_vm::engine::Engine;

const QUERIES: &[&str] = &[
    "process where process.name == \"bash\"",
    "sequence by host.id [process where true] [network where true]",
    "sequence by host.id with maxspan=3s [process where process.name == \"sh\"] ![network where true]",
    "process where true | head 4",
    "sample by host.id [process where true] [network where true]",
];

fn engine() -> Engine {
    common::engine_of(QUERIES)
}

fn events() -> Vec<String> {
    (0..240)
        .map(|i| {
            let category = if i % 3 == 0 { "network" } else { "process" };
            let name = ["bash", "sh", "ls", "sh"][i % 4];
            format!(
                "{{\"@timestamp\":{},\"event\":{{\"category\":\"{category}\"}},\"host\":{{\"id\":\"h{}\"}},\"process\":{{\"name\":\"{name}\"}}}}",
                1_700_000_000_000i64 + (i as i64) * 700,
                i % 5
            )
        })
        .collect()
}

/// Runs `e` over the events; per event the results of its stages, then of the clock (empty
/// unless the clock is deferred), and last those of the end of input.
fn run(e: &mut Engine, deferred: bool) -> Vec<(Vec<Seen>, Vec<Seen>)> {
    let mut all = Vec::new();
    let mut out = Vec::new();
    for line in events() {
        *e.line_mut() = line.into_bytes();
        if let Err(err) = e.process(&mut out) {
            panic!("{err}");
        }
        let stages: Vec<Seen> = out.drain(..).map(|m| seen(&m)).collect();
        if deferred {
            e.tick(&mut out);
        }
        all.push((stages, out.drain(..).map(|m| seen(&m)).collect()));
    }
    e.finish(&mut out);
    all.push((out.drain(..).map(|m| seen(&m)).collect(), Vec::new()));
    all
}

#[test]
fn a_deferred_clock_moves_as_process_would() {
    let whole = run(&mut engine(), false);
    let mut e = engine();
    e.defer_clock();
    let split = run(&mut e, true);
    assert!(
        split.iter().any(|(_, clock)| !clock.is_empty()),
        "the clock released something"
    );
    let joined: Vec<Vec<Seen>> = split.into_iter().map(|(s, c)| [s, c].concat()).collect();
    let whole: Vec<Vec<Seen>> = whole.into_iter().map(|(s, _)| s).collect();
    assert_eq!(joined, whole);
}

#[test]
fn a_restricted_engine_finds_what_the_whole_one_finds_for_its_queries() {
    let whole = run(&mut engine(), false);
    for keep in [
        [true, false, true, false, true],
        [false, true, false, true, false],
    ] {
        let mut e = engine();
        e.retain_queries(&keep);
        let part = run(&mut e, false);
        let expected: Vec<Vec<Seen>> = whole
            .iter()
            .map(|(s, _)| s.iter().filter(|m| keep[m.0 as usize]).cloned().collect())
            .collect();
        let got: Vec<Vec<Seen>> = part.into_iter().map(|(s, _)| s).collect();
        assert_eq!(got, expected, "keeping {keep:?}");
        assert!(got.iter().any(|v| !v.is_empty()));
    }
}
