//! The dispatch's direct path (one category field, no any-category stage: an event's stages
//! are its category's list, used as it is) finds exactly what the merging path finds. The
//! same queries run twice: alone (direct) and with an any-category query added last (which
//! sends every event through the merging path); their results must agree, event by event.

mod common;

use common::{run_lines, Seen};
use eql_emit::{Emitter, QueryOptions};
use eql_planner::{plan_text, PlanOptions, Schema};
use eql_vm::engine::{Engine, EngineOptions};

const QUERIES: &[&str] = &[
    "sequence by host.id with maxspan=2s [network where process.name == \"bash\"] by process.entity_id [process where process.args == \"-i\"] by process.parent.entity_id",
    "process where process.name == \"sh\" | head 3",
    "sequence by host.id [process where true] [network where true] until [file where true]",
    "sample by host.id [process where true] [network where true]",
];

/// Never true, of any category: forces the merging path.
const ANY: &str = "any where process.name == \"no such process\"";

fn engine(with_any: bool) -> Engine {
    let mut emitter = Emitter::new();
    let extra = with_any.then_some(ANY);
    for (i, q) in QUERIES.iter().copied().chain(extra).enumerate() {
        let planned = match plan_text(q, &Schema::builtin(), &PlanOptions::default()) {
            Ok(p) => p,
            Err(d) => panic!("{q}: {d:?}"),
        };
        emitter.add(&planned.plan, &QueryOptions::new(format!("q{i}"), q));
    }
    match Engine::new(emitter.finish(), &EngineOptions::default()) {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    }
}

/// Events of one category, of several, of a repeated one, of none, of a non-string one, of
/// an unlisted one as long as a listed one, and with or without a timestamp.
fn events() -> Vec<String> {
    let categories = [
        "\"network\"",
        "[\"process\"]",
        "[\"process\",\"network\"]",
        "[\"network\",\"network\"]",
        "\"file\"",
        "[]",
        "7",
        "null",
        "\"process\"",
        "\"registry\"",
        // As long as "network" and "process": the length alone does not rule it out.
        "\"library\"",
    ];
    (0..400)
        .map(|i| {
            let category = categories[i % categories.len()];
            let name = ["bash", "sh", "ls"][i % 3];
            let ts = if i % 37 == 5 {
                String::new()
            } else {
                format!("\"@timestamp\":{},", 1_700_000_000_000i64 + (i as i64) * 300)
            };
            format!(
                "{{{ts}\"event\":{{\"category\":{category}}},\"host\":{{\"id\":\"h{}\"}},\"process\":{{\"name\":\"{name}\",\"entity_id\":\"p{}\",\"args\":[\"{name}\",\"-i\"],\"parent\":{{\"entity_id\":\"p{}\"}}}}}}",
                i % 3,
                i % 7,
                (i + 6) % 7
            )
        })
        .collect()
}

/// The results of each event, then those of the end of input.
fn run(e: &mut Engine) -> Vec<Vec<Seen>> {
    run_lines(e, events())
}

#[test]
fn the_direct_path_finds_what_the_merging_path_finds() {
    let (mut direct, mut merging) = (engine(false), engine(true));
    let a = run(&mut direct);
    let b = run(&mut merging);
    let n = a.iter().flatten().count();
    assert!(n > 5, "too few results to compare: {n}");
    assert_eq!(a, b);
    // The added query runs on every event; the others ran the same predicates.
    assert_eq!(
        direct.stats.stages_run + direct.stats.events,
        merging.stats.stages_run
    );
    assert_eq!(direct.stats.no_timestamp, merging.stats.no_timestamp);
    assert_eq!(direct.stats.matches, merging.stats.matches);
}
