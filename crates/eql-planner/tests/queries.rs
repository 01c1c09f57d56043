//! Sequences and samples: keys, maxspan, runs, missing events, until.

mod common;
use common::*;
use eql_planner::{PlanQuery, SequencePlan};

fn seq(src: &str) -> SequencePlan {
    match plan(src).map(|p| p.plan.query) {
        Ok(PlanQuery::Sequence(s)) => s,
        other => panic!("{other:?}"),
    }
}

fn keys(s: &eql_planner::StagePlan) -> Vec<String> {
    s.keys
        .iter()
        .map(|k| format!("{}{}", if k.optional { "opt " } else { "" }, show(&k.expr)))
        .collect()
}

#[test]
fn shared_keys_come_first() {
    let s = seq("sequence by host.id with maxspan=5s [process where true] by process.entity_id [file where true] by ?process.parent.entity_id until [process where true] by process.pid");
    assert_eq!(s.maxspan_ns, Some(5_000_000_000));
    assert_eq!(
        keys(&s.stages[0]),
        ["host.id:keyword", "process.entity_id:keyword"]
    );
    assert_eq!(
        keys(&s.stages[1]),
        ["host.id:keyword", "opt ?process.parent.entity_id:keyword"]
    );
    let until = s.until.as_ref().map(keys);
    assert_eq!(
        until,
        Some(vec![
            "host.id:keyword".to_string(),
            "process.pid:long".to_string()
        ])
    );
}

#[test]
fn maxspan_units() {
    for (text, ns) in [
        ("500ms", 500_000_000i64),
        ("2m", 120_000_000_000),
        ("1h", 3_600_000_000_000),
        ("1d", 86_400_000_000_000),
        ("0.5s", 500_000_000),
        ("10us", 10_000),
        ("7nanos", 7),
    ] {
        let s = seq(&format!(
            "sequence with maxspan={text} [process where true] [file where true]"
        ));
        assert_eq!(s.maxspan_ns, Some(ns), "{text}");
    }
}

#[test]
fn runs_expand_into_copies() {
    let s = seq(
        "sequence [process where true] by process.pid with runs=3 [file where true] by process.pid",
    );
    assert_eq!(s.stages.len(), 4);
    assert_eq!(s.stages[0], s.stages[2]);
    assert_eq!(s.stages[3].filter.category.as_deref(), Some("file"));
    // One stage repeated twice is enough for a sequence.
    assert_eq!(
        seq("sequence [process where true] with runs=2")
            .stages
            .len(),
        2
    );
}

#[test]
fn missing_events() {
    let s = seq(
        "sequence with maxspan=1h ![process where true] [file where true] ![network where true]",
    );
    let missing: Vec<bool> = s.stages.iter().map(|st| st.missing).collect();
    assert_eq!(missing, [true, false, true]);
}

#[test]
fn samples() {
    match plan(
        "sample by host.id [process where true] by process.name [file where true] by ?file.path",
    )
    .map(|p| p.plan.query)
    {
        Ok(PlanQuery::Sample(s)) => {
            assert_eq!(s.stages.len(), 2);
            assert_eq!(
                keys(&s.stages[1]),
                ["host.id:keyword", "opt ?file.path:keyword"]
            );
        }
        other => panic!("{other:?}"),
    }
}
