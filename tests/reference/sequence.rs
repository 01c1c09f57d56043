//! The reference sequence matcher, written from Elasticsearch's description rather than from
//! the engine: the per-key state machine runs over the positive stages alone, an `until` event
//! is looked up when a sequence would advance (one lying at or after the sequence's last event
//! and before the advancing event rejects it), and missing-event stages are checked afterwards
//! on each candidate against the whole stream.

use super::{key_of, stage_hit};
use eql_planner::{SequencePlan, StagePlan};
use serde_json::Value as J;
use std::collections::HashMap;

type Key = Vec<String>;

/// Epoch nanoseconds of event `i` (events carry milliseconds).
fn ts(events: &[J], i: usize) -> i64 {
    events
        .get(i)
        .and_then(|e| e["@timestamp"].as_i64())
        .unwrap_or(i64::MIN)
        .saturating_mul(1_000_000)
}

/// Indices of the events that match `stage` with join key `key`.
fn hits_of(stage: &StagePlan, key: &Key, events: &[J]) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        if stage_hit(stage, ev)? && key_of(stage, ev).as_ref() == Some(key) {
            out.push(i);
        }
    }
    Some(out)
}

/// The positive stages' candidate sequences, with their keys, in completion order.
fn candidates(
    sq: &SequencePlan,
    events: &[J],
    positive: &[&StagePlan],
) -> Option<Vec<(Key, Vec<usize>)>> {
    let n = positive.len();
    let mut pending: HashMap<Key, Vec<Option<Vec<usize>>>> = HashMap::new();
    let mut untils: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        if let Some(u) = &sq.until {
            if stage_hit(u, ev)? {
                if let Some(k) = key_of(u, ev) {
                    untils.entry(k).or_default().push(i);
                }
            }
        }
        let mut per_key: Vec<(Key, Vec<usize>)> = Vec::new();
        for (j, s) in positive.iter().enumerate() {
            if !stage_hit(s, ev)? {
                continue;
            }
            let Some(k) = key_of(s, ev) else { continue };
            match per_key.iter_mut().find(|(kk, _)| *kk == k) {
                Some((_, v)) => v.push(j),
                None => per_key.push((k, vec![j])),
            }
        }
        let mut batch = Vec::new();
        for (k, mut js) in per_key {
            let p = pending.entry(k.clone()).or_insert_with(|| vec![None; n]);
            // Later stages first, so the event never extends a sequence it has just started.
            js.sort_unstable_by(|a, b| b.cmp(a));
            for j in js {
                if j == 0 {
                    if n == 1 {
                        batch.push((k.clone(), vec![i]));
                    } else {
                        p[0] = Some(vec![i]);
                    }
                    continue;
                }
                let Some(prev) = p[j - 1].take() else {
                    continue;
                };
                let (first, last) = (*prev.first()?, *prev.last()?);
                if sq
                    .maxspan_ns
                    .is_some_and(|m| ts(events, i) - ts(events, first) > m)
                {
                    continue;
                }
                let cut = untils
                    .get(&k)
                    .is_some_and(|us| us.iter().any(|&u| last <= u && u < i));
                if cut {
                    continue;
                }
                let mut next = prev;
                next.push(i);
                if j + 1 == n {
                    batch.push((k.clone(), next));
                } else {
                    p[j] = Some(next);
                }
            }
        }
        batch.sort();
        out.extend(batch);
    }
    Some(out)
}

/// Whether the missing-event stage written at `w` lets candidate `c` (positive event indices)
/// of key `k` stand: a middle stage must have no event strictly between its neighbours'
/// timestamps; a leading one no event before the first positive one within `maxspan` of the
/// last; a trailing one no event after the last positive one within `maxspan` of the first.
fn missing_ok(sq: &SequencePlan, w: usize, k: &Key, c: &[usize], events: &[J]) -> Option<bool> {
    let stage = sq.stages.get(w)?;
    let m = sq.maxspan_ns?;
    let before = sq.stages[..w].iter().filter(|s| !s.missing).count();
    let hits = hits_of(stage, k, events)?;
    let t = |i: usize| ts(events, i);
    let (first, last) = (*c.first()?, *c.last()?);
    Some(if before == 0 {
        match hits.iter().rev().find(|&&h| h < first) {
            Some(&l) => t(last) - t(l) > m,
            None => true,
        }
    } else if before == c.len() {
        match hits.iter().find(|&&h| h > last) {
            Some(&tr) => t(tr) - t(first) > m,
            None => true,
        }
    } else {
        let (a, b) = (t(c[before - 1]), t(c[before]));
        !hits.iter().any(|&h| a < t(h) && t(h) < b)
    })
}

/// Results of a sequence query: candidates of the positive stages that every missing-event
/// stage lets stand. A query with both a leading and a trailing missing stage is not covered.
pub fn run(sq: &SequencePlan, events: &[J]) -> Option<Vec<Vec<usize>>> {
    let positive: Vec<&StagePlan> = sq.stages.iter().filter(|s| !s.missing).collect();
    let n = positive.len();
    let missing: Vec<usize> = (0..sq.stages.len())
        .filter(|&w| sq.stages[w].missing)
        .collect();
    let lead = |w: &usize| sq.stages[..*w].iter().all(|s| s.missing);
    let trail = |w: &usize| sq.stages[*w..].iter().all(|s| s.missing);
    if n == 0 || (missing.iter().any(lead) && missing.iter().any(trail)) {
        return None;
    }
    let mut out = Vec::new();
    for (k, c) in candidates(sq, events, &positive)? {
        let mut keep = true;
        for &w in &missing {
            keep &= missing_ok(sq, w, &k, &c, events)?;
        }
        if keep {
            out.push(c);
        }
    }
    Some(out)
}
