//! The sample engine: unordered correlation. Per join key it keeps a few candidate events per
//! stage and, at the end of input, builds up to `max_samples_per_key` samples per key, each
//! taking one distinct event per stage. Samples come out in join-key order. The number of keys
//! is capped: a new key past the cap evicts the key that arrived first (its candidates, and
//! so any sample it would have given, are gone; the evictions are counted).

use super::keyed::KeyedTable;
use super::keys::{KeyTuple, StoredEvent};
use std::sync::Arc;

/// A sample found: one event per stage, in stage order, and the key.
#[derive(Debug, Clone)]
pub struct SampleMatch {
    pub events: Vec<Arc<StoredEvent>>,
    pub keys: KeyTuple,
}

#[derive(Debug)]
pub struct SampleState {
    stages: usize,
    per_key: usize,
    cap: usize,
    /// Candidate events per stage, by key.
    keys: KeyedTable<Vec<Vec<Arc<StoredEvent>>>>,
    /// Keys evicted by the cap since the caller last took the count.
    pub evicted: u64,
}

impl SampleState {
    pub fn new(stages: usize, per_key: usize) -> SampleState {
        let per_key = per_key.max(1);
        SampleState {
            stages,
            per_key,
            // Elasticsearch fetches `filters + max_samples_per_key - 1` hits per filter and key
            // (the fewest that can hold that many samples of distinct events) and builds the
            // samples from those alone; keeping more could find samples it does not.
            cap: per_key + stages.max(1) - 1,
            keys: KeyedTable::new(),
            evicted: 0,
        }
    }

    /// Caps the join keys holding candidates at `max_keys` (at least 1); the oldest go first.
    pub fn with_max_keys(mut self, max_keys: usize) -> SampleState {
        self.keys.set_max_keys(max_keys);
        self
    }

    /// Number of join keys holding candidates.
    pub fn tracked_keys(&self) -> usize {
        self.keys.len()
    }

    /// Records that `ev` matched `stages` for `key` (taken, so that a new key is kept without
    /// a copy; hashed once).
    pub fn on_hit(&mut self, key: KeyTuple, stages: &[usize], ev: &Arc<StoredEvent>) {
        if stages.is_empty() {
            return;
        }
        let hash = self.keys.hash(&key);
        let n = self.stages;
        let entry = self
            .keys
            .get_or_admit(key, hash, &mut self.evicted, || vec![Vec::new(); n]);
        let Some(entry) = entry else {
            return;
        };
        for &stage in stages {
            if let Some(list) = entry.state.get_mut(stage) {
                if list.len() < self.cap && !list.iter().any(|e| Arc::ptr_eq(e, ev)) {
                    list.push(ev.clone());
                }
            }
        }
    }

    /// Builds the samples of every key, in key order.
    pub fn finish(&mut self, out: &mut Vec<SampleMatch>) {
        let mut keys: Vec<_> = self.keys.drain().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, cands) in keys {
            let mut found = 0;
            let mut chosen: Vec<Arc<StoredEvent>> = Vec::with_capacity(self.stages);
            search(&cands, &mut chosen, &mut |events| {
                out.push(SampleMatch {
                    events: events.to_vec(),
                    keys: key.clone(),
                });
                found += 1;
                found < self.per_key
            });
        }
    }
}

/// Depth-first search over distinct-event assignments; `emit` returns false to stop.
fn search(
    cands: &[Vec<Arc<StoredEvent>>],
    chosen: &mut Vec<Arc<StoredEvent>>,
    emit: &mut dyn FnMut(&[Arc<StoredEvent>]) -> bool,
) -> bool {
    let depth = chosen.len();
    let Some(options) = cands.get(depth) else {
        return emit(chosen);
    };
    for e in options {
        if chosen.iter().any(|c| Arc::ptr_eq(c, e)) {
            continue;
        }
        chosen.push(e.clone());
        let go_on = search(cands, chosen, emit);
        chosen.pop();
        if !go_on {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::keys::KeyVal;

    fn ev(n: i64) -> Arc<StoredEvent> {
        StoredEvent::numbered(n)
    }

    fn key(k: i64) -> KeyTuple {
        std::iter::once(KeyVal::Int(k)).collect()
    }

    #[test]
    fn the_key_cap_evicts_the_oldest_key_and_counts_it() {
        let mut s = SampleState::new(2, 1).with_max_keys(2);
        // Keys 1, 2 and 3 each get both stages; key 3 pushes key 1 out.
        for (k, a, b) in [(1, 1, 2), (2, 3, 4), (3, 5, 6)] {
            s.on_hit(key(k), &[0], &ev(a));
            s.on_hit(key(k), &[1], &ev(b));
            assert!(s.tracked_keys() <= 2);
        }
        assert_eq!(s.evicted, 1);
        // A hit on a kept key evicts nothing.
        s.on_hit(key(2), &[0], &ev(7));
        assert_eq!(s.evicted, 1);
        let mut out = Vec::new();
        s.finish(&mut out);
        let keys: Vec<KeyTuple> = out.iter().map(|m| m.keys.clone()).collect();
        assert_eq!(keys, [key(2), key(3)]);
        assert_eq!(s.tracked_keys(), 0);
    }

    #[test]
    fn one_event_fills_several_stages_of_a_new_key_and_no_stage_admits_no_key() {
        let mut s = SampleState::new(2, 2).with_max_keys(1);
        s.on_hit(key(1), &[], &ev(1));
        assert_eq!(s.tracked_keys(), 0);
        // Both stages at once, then a second event for both: two samples of distinct events.
        s.on_hit(key(1), &[0, 1], &ev(2));
        s.on_hit(key(1), &[0, 1], &ev(3));
        assert_eq!((s.tracked_keys(), s.evicted), (1, 0));
        let mut out = Vec::new();
        s.finish(&mut out);
        let lines: Vec<Vec<String>> = out
            .iter()
            .map(|m| m.events.iter().map(|e| e.line.to_string()).collect())
            .collect();
        assert_eq!(lines, [["2", "3"], ["3", "2"]]);
    }

    #[test]
    fn string_keys_survive_eviction_of_others_and_keep_their_values() {
        let k =
            |s: &str| -> KeyTuple { [KeyVal::Str(s.into()), KeyVal::Null].into_iter().collect() };
        let mut s = SampleState::new(2, 1).with_max_keys(2);
        s.on_hit(k("b\"\\"), &[0], &ev(1));
        s.on_hit(k("b\"\\"), &[1], &ev(2));
        s.on_hit(k("a"), &[1], &ev(3));
        s.on_hit(k("a"), &[0], &ev(4));
        // A third key evicts the first; it has no event for stage 1, so no sample.
        s.on_hit(k("c"), &[0], &ev(5));
        assert_eq!(s.evicted, 1);
        let mut out = Vec::new();
        s.finish(&mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].keys, k("a"));
        let lines: Vec<String> = out[0].events.iter().map(|e| e.line.to_string()).collect();
        assert_eq!(lines, ["4", "3"]);
    }
}
