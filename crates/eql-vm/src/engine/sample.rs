//! The sample engine: unordered correlation. Per join key it keeps a few candidate events per
//! stage and, at the end of input, builds up to `max_samples_per_key` samples per key, each
//! taking one distinct event per stage. Samples come out in join-key order.

use super::keys::{KeyTuple, StoredEvent};
use ahash::AHashMap;
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
    keys: AHashMap<KeyTuple, Vec<Vec<Arc<StoredEvent>>>>,
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
            keys: AHashMap::new(),
        }
    }

    /// Records that `ev` matched `stage` for `key`.
    pub fn on_hit(&mut self, key: &KeyTuple, stage: usize, ev: &Arc<StoredEvent>) {
        let stages = self.stages;
        let slots = self
            .keys
            .entry(key.clone())
            .or_insert_with(|| vec![Vec::new(); stages]);
        if let Some(list) = slots.get_mut(stage) {
            if list.len() < self.cap && !list.iter().any(|e| Arc::ptr_eq(e, ev)) {
                list.push(ev.clone());
            }
        }
    }

    /// Builds the samples of every key, in key order.
    pub fn finish(&mut self, out: &mut Vec<SampleMatch>) {
        let mut keys: Vec<(KeyTuple, Vec<Vec<Arc<StoredEvent>>>)> = self.keys.drain().collect();
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
