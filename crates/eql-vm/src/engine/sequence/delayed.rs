//! Completed sequences held back by a trailing missing stage until their window has passed.
//! Each held sequence has a completion number; a per-key index lets a missing-stage event
//! cancel only its own key's sequences. The number held is capped: past the cap the oldest is
//! released before its window closes (an alert that may prove false rather than one lost) and
//! counted.

use super::SeqMatch;
use crate::engine::keys::{KeyTuple, Ordinal};
use ahash::AHashMap;
use smallvec::SmallVec;
use std::collections::BTreeMap;

/// A completed candidate waiting for its trailing missing stage to be ruled out.
#[derive(Debug)]
pub(super) struct Delayed {
    pub m: SeqMatch,
    /// Start of the window a trailing missing event must fall in to cancel the sequence: the
    /// leading missing event, else the first positive event.
    pub reference_ts: i64,
    pub last: Ordinal,
    /// The window closes once the stream's clock is past this.
    pub deadline: i64,
}

/// The held sequences of one query.
#[derive(Debug)]
pub(super) struct DelayedQueue {
    /// By completion number, i.e. in completion order.
    held: BTreeMap<u64, Delayed>,
    /// Completion numbers of each key's held sequences, oldest first.
    by_key: AHashMap<KeyTuple, SmallVec<[u64; 2]>>,
    next: u64,
    cap: usize,
    /// Sequences released before their window closed, to stay within `cap`.
    pub forced: u64,
}

impl DelayedQueue {
    pub fn new() -> DelayedQueue {
        DelayedQueue {
            held: BTreeMap::new(),
            by_key: AHashMap::new(),
            next: 0,
            cap: usize::MAX,
            forced: 0,
        }
    }

    /// Holds at most `cap` sequences (at least one).
    pub fn set_cap(&mut self, cap: usize) {
        self.cap = cap.max(1);
    }

    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Whether no key has held sequences ([`DelayedQueue::holds`] is false for every key).
    pub fn holds_none(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Whether `key` has held sequences.
    pub fn holds(&self, key: &KeyTuple) -> bool {
        self.by_key.contains_key(key)
    }

    /// Holds `d`; if that passes the cap, the oldest held sequence goes to `out` now.
    pub fn push(&mut self, d: Delayed, out: &mut Vec<SeqMatch>) {
        let id = self.next;
        self.next += 1;
        self.by_key.entry(d.m.keys.clone()).or_default().push(id);
        self.held.insert(id, d);
        while self.held.len() > self.cap {
            let Some(d) = self.pop_oldest() else { break };
            self.forced += 1;
            out.push(d.m);
        }
    }

    /// A trailing missing-stage event of `key` at `ord`: cancels the key's held sequences it
    /// follows within `maxspan` of their reference time.
    pub fn cancel(&mut self, key: &KeyTuple, ord: &Ordinal, maxspan: Option<i64>) {
        let Some(ids) = self.by_key.get_mut(key) else {
            return;
        };
        let held = &mut self.held;
        ids.retain(|id| {
            let hit = held.get(id).is_some_and(|d| {
                *ord > d.last && maxspan.is_some_and(|m| ord.ts.saturating_sub(d.reference_ts) <= m)
            });
            if hit {
                held.remove(id);
            }
            !hit
        });
        if ids.is_empty() {
            self.by_key.remove(key);
        }
    }

    /// Releases, in result order, the longest run of oldest sequences whose windows have all
    /// closed by `watermark`. A sequence whose window is still open keeps later-completed ones
    /// waiting, so results leave in last-event order.
    pub fn release(&mut self, watermark: i64, out: &mut Vec<SeqMatch>) {
        if !self.due(watermark) {
            return;
        }
        let mut batch = Vec::new();
        while self.due(watermark) {
            match self.pop_oldest() {
                Some(d) => batch.push(d),
                None => break,
            }
        }
        sort_delayed(&mut batch);
        out.extend(batch.into_iter().map(|d| d.m));
    }

    /// Whether the oldest held sequence's window has closed by `watermark`.
    pub fn due(&self, watermark: i64) -> bool {
        self.held
            .first_key_value()
            .is_some_and(|(_, d)| d.deadline < watermark)
    }

    /// End of input: releases everything, in result order.
    pub fn finish(&mut self, out: &mut Vec<SeqMatch>) {
        let mut all: Vec<Delayed> = std::mem::take(&mut self.held).into_values().collect();
        self.by_key.clear();
        sort_delayed(&mut all);
        out.extend(all.into_iter().map(|d| d.m));
    }

    fn pop_oldest(&mut self) -> Option<Delayed> {
        let (id, d) = self.held.pop_first()?;
        if let Some(ids) = self.by_key.get_mut(&d.m.keys) {
            ids.retain(|i| *i != id);
            if ids.is_empty() {
                self.by_key.remove(&d.m.keys);
            }
        }
        Some(d)
    }
}

/// Result order: by last event, then first event, then key.
fn sort_delayed(v: &mut [Delayed]) {
    let first = |d: &Delayed| d.m.events.iter().flatten().next().map(|e| e.ord.clone());
    v.sort_by(|a, b| {
        a.last
            .cmp(&b.last)
            .then_with(|| first(a).cmp(&first(b)))
            .then_with(|| a.m.keys.cmp(&b.m.keys))
    });
}
