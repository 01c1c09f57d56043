//! The dispatch's direct path (one category field, no any-category stage: an event's stages
//! are its category's list, used as it is) finds exactly what the merging path finds. The
//! same queries run twice: alone (direct) and with an any-category query added last (which
//! sends every event through the merging path); their results must agree, event by event.
//! The merging path also leaves unrun the sequence stages whose hits could change no state
//! (the direct path runs them all), which must change no result either.

mod common;

use common::{run_lines, Seen};
use eql_vm::engine::Engine;

const QUERIES: &[&str] = &[
    "sequence by host.id with maxspan=2s [network where process.name == \"bash\"] by process.entity_id [process where process.args == \"-i\"] by process.parent.entity_id",
    "process where process.name == \"sh\" | head 3",
    "sequence by host.id [process where true] [network where true] until [file where true]",
    "sample by host.id [process where true] [network where true]",
];

/// Sequences whose later stages often have no state to change, which the merging path then
/// leaves unrun. Fewer than 8 literal-guarded stages, so that alone they take the direct path.
const GATED: &[&str] = &[
    // Until events that are also first-stage events: the until stage must run even with no
    // state, as it ends what its own event starts (so this sequence never completes).
    "sequence by host.id [process where process.name == \"ls\"] [network where true] until [process where process.name == \"ls\"]",
    // Rare first stages before a trailing missing stage, a middle one, and two positive ones.
    "sequence by host.id with maxspan=1s [process where process.name == \"sh\" and process.entity_id == \"p3\"] ![network where true]",
    "sequence by host.id with maxspan=3s [file where process.name == \"bash\"] ![process where process.name == \"sh\"] [network where true]",
    "sequence by host.id with maxspan=5s [registry where process.name == \"ls\"] [process where true] [network where true]",
];

/// Never true, of any category: forces the merging path.
const ANY: &str = "any where process.name == \"no such process\"";

fn engine(queries: &[&str], with_any: bool) -> Engine {
    let extra = with_any.then_some(ANY);
    let all: Vec<&str> = queries.iter().copied().chain(extra).collect();
    common::engine_of(&all)
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

/// The engines of [`both`].
struct Both {
    /// The direct path, with its guards.
    direct: Engine,
    /// The direct path without guards (stage profiling turns them off): every stage an event
    /// meets runs (or is left unrun by gating), so its counts can be compared.
    unguarded: Engine,
    /// The merging path.
    merging: Engine,
}

/// Runs `queries` through the direct path where it applies, with and without its guards,
/// and through the merging path alone; returns the engines after checking that they all
/// found the same results.
fn both(queries: &[&str]) -> Both {
    both_on(queries, events)
}

/// [`both`] on the events `lines` gives.
fn both_on(queries: &[&str], lines: fn() -> Vec<String>) -> Both {
    let (mut direct, mut merging) = (engine(queries, false), engine(queries, true));
    let mut unguarded = engine(queries, false);
    unguarded.set_stage_profile(true);
    let a = run_lines(&mut direct, lines());
    let b = run_lines(&mut merging, lines());
    let n = a.iter().flatten().count();
    assert!(n > 5, "too few results to compare: {n}");
    assert_eq!(a, b);
    assert_eq!(run_lines(&mut unguarded, lines()), a);
    assert_eq!(direct.stats.no_timestamp, merging.stats.no_timestamp);
    assert_eq!(direct.stats.matches, merging.stats.matches);
    assert_eq!(unguarded.stats.guarded, 0);
    Both {
        direct,
        unguarded,
        merging,
    }
}

/// The two paths met the same stages: the added query's one on every event on the direct
/// path, the others on both (run, or left unrun by gating).
fn assert_same_stages_met(direct: &Engine, merging: &Engine) {
    assert_eq!(
        direct.stats.stages_run + direct.stats.stages_skipped + direct.stats.events,
        merging.stats.stages_run + merging.stats.stages_skipped
    );
}

#[test]
fn the_direct_path_finds_what_the_merging_path_finds() {
    let b = both(QUERIES);
    assert_same_stages_met(&b.unguarded, &b.merging);
}

#[test]
fn sequence_stages_left_unrun_change_no_result() {
    let Both {
        unguarded, merging, ..
    } = both(GATED);
    assert_same_stages_met(&unguarded, &merging);
    // The merging path without gating runs every stage it meets, and finds the same.
    let mut all = engine(GATED, true);
    all.set_stage_gating(false);
    assert_eq!(run(&mut all), run(&mut engine(GATED, true)));
    assert_eq!(all.stats.stages_skipped, 0);
    assert!(merging.stats.stages_skipped > 0);
    assert_eq!(
        all.stats.stages_run,
        merging.stats.stages_run + merging.stats.stages_skipped
    );
    assert_eq!(all.stats.no_timestamp, merging.stats.no_timestamp);
}

/// An event that is both a first-stage and an until event of a sequence with no state yet:
/// the until stage must run (it ends what its own event starts), so the network event after
/// it completes nothing, gated or not.
#[test]
fn an_until_stage_runs_without_state() {
    let q = "sequence by host.id [process where process.name == \"ls\"] [network where true] until [process where process.name == \"ls\"]";
    let line = |ts: i64, category: &str| {
        format!(
            "{{\"@timestamp\":{ts},\"event\":{{\"category\":\"{category}\"}},\"host\":{{\"id\":\"h1\"}},\"process\":{{\"name\":\"ls\"}}}}"
        )
    };
    let lines = || vec![line(1_000, "process"), line(2_000, "network")];
    for gate in [true, false] {
        let mut e = engine(&[q], true);
        e.set_stage_gating(gate);
        let found = run_lines(&mut e, lines());
        assert!(found.iter().all(Vec::is_empty), "gating {gate}: {found:?}");
        // First stage, until stage and the added query; second stage and the added query.
        assert_eq!(e.stats.stages_run + e.stats.stages_skipped, 3 + 2);
    }
}

/// Queries whose stages start with a string-list test that the direct path runs first, for
/// the whole category (guards): case-folded and plain lists, a set with a number, two stages
/// of one category, and a `head` (whose category then runs its stages as before).
const GUARDED: &[&str] = &[
    "sequence by host.id with maxspan=5s [network where process.name : (\"bash\", \"sh\") and process.entity_id != null] by process.entity_id [process where process.name in (\"bash\", \"ls\", \"7\")] by process.parent.entity_id",
    "process where process.name == \"sh\" and process.args == \"-i\"",
    "network where process.name in (\"ls\", \"7\") | head 20",
];

/// Events with `process.name` as a string of either case, an array, a number, `null`, an
/// empty array or missing, and strings as long as a member but not one.
fn guard_events() -> Vec<String> {
    let names = [
        "\"bash\"",
        "\"BASH\"",
        "[\"ls\",\"sh\"]",
        "7",
        "null",
        "[]",
        "\"sh\"",
        "[7,\"bash\"]",
        "\"zsh\"",
        // Lengths some member has, other bytes: empty, one byte off, non-ASCII, long.
        "\"\"",
        "\"bas\"",
        "\"dash\"",
        "\"bäsh\"",
        "[\"sH\",\"a-name-longer-than-sixteen-bytes\"]",
    ];
    let categories = ["\"network\"", "\"process\"", "\"file\""];
    (0..600)
        .map(|i| {
            let name = match names[i % names.len()] {
                n if i % 31 == 3 => format!("\"pid\":{n}"),
                n => format!("\"name\":{n}"),
            };
            format!(
                "{{\"@timestamp\":{},\"event\":{{\"category\":{}}},\"host\":{{\"id\":\"h{}\"}},\"process\":{{{name},\"entity_id\":\"p{}\",\"args\":[\"x\",\"-i\"],\"parent\":{{\"entity_id\":\"p{}\"}}}}}}",
                1_700_000_000_000i64 + (i as i64) * 300,
                categories[(i / 2) % categories.len()],
                i % 3,
                i % 7,
                (i + 6) % 7
            )
        })
        .collect()
}

#[test]
fn guards_settle_what_the_stages_would() {
    let b = both_on(GUARDED, guard_events);
    assert_same_stages_met(&b.unguarded, &b.merging);
    // The guards settled some events: their stages did not run.
    assert!(b.direct.stats.guarded > 0);
    assert!(b.direct.stats.stages_run < b.unguarded.stats.stages_run);
    // The `head` query's category has no guards, so there is no union of them to test first.
    assert!(!b.direct.front_guarded());
}

/// Without the `head` query, the guards all test `process.name`: their union is tested
/// before the category is read, and settles events of any category, including those with
/// several category values and those of categories without stages.
#[test]
fn a_union_of_the_guards_settles_what_the_stages_would() {
    for lines in [guard_events, events] {
        let b = both_on(&GUARDED[..2], lines);
        assert!(b.direct.front_guarded());
        assert!(b.direct.stats.guarded > 0);
        // Events settled before the rest of the evaluation are counted all the same.
        assert_eq!(b.direct.stats.events, b.merging.stats.events);
        assert!(b.direct.stats.stages_run < b.unguarded.stats.stages_run);
        assert_same_stages_met(&b.unguarded, &b.merging);
    }
}
