//! The reference sample builder, from docs/language.md ("Samples") and Elasticsearch's: per join
//! key the first `filters + max_samples_per_key - 1` events of each filter (one sample per key,
//! the default, so as many as there are filters), then the first assignment of distinct events
//! to the filters in lexicographic order of candidate positions, found by plain enumeration.

use super::{key_of, stage_hit};
use eql_planner::SamplePlan;
use serde_json::Value as J;
use std::collections::BTreeMap;

/// The first tuple, counting like an odometer over `lists` (last position fastest), whose
/// events are all different.
fn first_distinct(lists: &[Vec<usize>]) -> Option<Vec<usize>> {
    if lists.iter().any(Vec::is_empty) {
        return None;
    }
    let mut pos = vec![0usize; lists.len()];
    loop {
        let tuple: Vec<usize> = pos.iter().zip(lists).map(|(&p, l)| l[p]).collect();
        let mut sorted = tuple.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() == tuple.len() {
            return Some(tuple);
        }
        // Next tuple: bump the last position, carrying leftwards.
        let mut d = lists.len();
        loop {
            if d == 0 {
                return None;
            }
            d -= 1;
            pos[d] += 1;
            if pos[d] < lists[d].len() {
                break;
            }
            pos[d] = 0;
        }
    }
}

/// Results of a sample query, one per join key that can fill every filter.
pub fn run(sp: &SamplePlan, events: &[J]) -> Option<Vec<Vec<usize>>> {
    let n = sp.stages.len();
    let mut keys: BTreeMap<Vec<String>, Vec<Vec<usize>>> = BTreeMap::new();
    for (i, ev) in events.iter().enumerate() {
        for (j, s) in sp.stages.iter().enumerate() {
            if !stage_hit(s, ev)? {
                continue;
            }
            let Some(k) = key_of(s, ev) else { continue };
            let lists = keys.entry(k).or_insert_with(|| vec![Vec::new(); n]);
            if lists[j].len() < n {
                lists[j].push(i);
            }
        }
    }
    Some(keys.values().filter_map(|l| first_distinct(l)).collect())
}
