//! The sequence engine, Elasticsearch's per-key state machine for an ordered stream:
//! per join key, at most one pending partial sequence per stage (a newer one replaces the
//! older); a stage-n event extends the key's pending stage-(n-1) sequence when it is strictly
//! later and within `maxspan`; `until` drops a key's pending sequences (after the until event
//! has acted as a stage event itself, when it is one); missing-event stages
//! doom a partial that still advances (middle), veto at completion (leading) or delay the
//! alert until `maxspan` has passed (trailing; see [`delayed`]). State older than `maxspan` is
//! swept away.

mod delayed;

use super::keyed::KeyedTable;
use super::keys::{KeyTuple, Ordinal, StoredEvent};
use delayed::{Delayed, DelayedQueue};
use smallvec::SmallVec;
use std::collections::VecDeque;
use std::sync::Arc;

/// A sequence found: its events in stage order (`None` for a missing-event stage) and keys.
#[derive(Debug, Clone)]
pub struct SeqMatch {
    pub events: Vec<Option<Arc<StoredEvent>>>,
    pub keys: KeyTuple,
}

/// [`Partial::blocked_at`] when no middle missing-stage event has been seen.
const NOT_BLOCKED: i64 = i64::MAX;

#[derive(Debug, Clone)]
struct Partial {
    /// Inline for the events of up to two positive stages (a partial of a longer sequence
    /// spills, as does one completing a sequence of three or more).
    events: SmallVec<[Arc<StoredEvent>; 2]>,
    first_ts: i64,
    /// Timestamp of the earliest middle missing-stage event seen after the last event
    /// ([`NOT_BLOCKED`]: none).
    blocked_at: i64,
    /// A middle missing-stage event fell between two of its events: it still advances (and
    /// takes the place of the key's older partial at the next stage, as Elasticsearch's
    /// matching of the positive stages does) but is discarded when it completes.
    doomed: bool,
}

impl Partial {
    fn last(&self) -> Option<&Ordinal> {
        self.events.last().map(|e| &e.ord)
    }
}

/// A join key's state: a table entry each, so kept small (see the size test).
#[derive(Debug)]
struct KeyState {
    /// `pending[j]`: the partial that has matched positive stages 0..=j, for j below the last
    /// positive stage (which completes a partial rather than leaving it pending). Inline for
    /// sequences of up to two positive stages: no allocation for a key's first event.
    pending: SmallVec<[Option<Partial>; 1]>,
    /// Timestamps of leading missing-stage events, oldest first (boxed, as only sequences
    /// with a leading missing stage have any; `None` when there are none). A box is 8 bytes
    /// of the entry where the queue itself would be 32.
    #[allow(clippy::box_collection)]
    leading: Option<Box<VecDeque<Ordinal>>>,
}

impl KeyState {
    /// A key's state with nothing pending, for a sequence of `positives` positive stages.
    fn new(positives: usize) -> KeyState {
        let slots = positives.saturating_sub(1);
        // A two-stage sequence's one slot (most keys) without `resize_with`'s loop.
        let pending = if slots == 1 {
            SmallVec::from_buf([None])
        } else {
            let mut p = SmallVec::new();
            p.resize_with(slots, || None);
            p
        };
        KeyState {
            pending,
            leading: None,
        }
    }

    /// Whether leading missing-stage events are remembered.
    fn has_leading(&self) -> bool {
        self.leading.as_ref().is_some_and(|l| !l.is_empty())
    }
}

/// Where each written stage sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The j-th positive stage.
    Positive(usize),
    /// A missing stage before the first positive one.
    Leading,
    /// A missing stage between positive j and j+1.
    Middle(usize),
    Trailing,
}

/// Sequence state for one query.
#[derive(Debug)]
pub struct SequenceState {
    roles: Vec<Role>,
    positives: usize,
    /// The written index of each positive stage, in order.
    written: SmallVec<[usize; 4]>,
    maxspan: Option<i64>,
    /// The keys with state, found by [`SequenceState::key_hash`], at most as many as
    /// [`SequenceState::with_max_keys`] says.
    keys: KeyedTable<KeyState>,
    delayed: DelayedQueue,
    has_leading: bool,
    has_trailing: bool,
    watermark: i64,
    since_sweep: u32,
    /// Join keys evicted by the cap since the caller last took the count.
    pub evicted: u64,
}

/// What one event did to one key, gathered by the engine before applying it.
#[derive(Debug, Default)]
pub struct Hits {
    /// Stages (as written) the event matched.
    pub stages: SmallVec<[usize; 4]>,
    pub until: bool,
}

const SWEEP_EVERY: u32 = 4096;

/// A stage alias's join condition, as [`SequenceState::on_event`] asks it: whether the event
/// may fill a written stage after a partial holding the given events (the third argument maps
/// positive stages to written ones).
pub type Join<'a> = dyn FnMut(usize, &[Arc<StoredEvent>], &[usize]) -> bool + 'a;

impl SequenceState {
    /// `missing[i]` says whether stage i (as written) is a missing-event stage.
    pub fn new(missing: &[bool], maxspan: Option<i64>) -> SequenceState {
        let mut roles = Vec::with_capacity(missing.len());
        let mut seen = 0usize;
        for &m in missing {
            roles.push(if !m {
                seen += 1;
                Role::Positive(seen - 1)
            } else if seen == 0 {
                Role::Leading
            } else {
                Role::Middle(seen - 1)
            });
        }
        // Missing stages after the last positive one are trailing.
        for r in roles.iter_mut().rev() {
            match r {
                Role::Middle(j) if *j + 1 == seen => *r = Role::Trailing,
                Role::Positive(_) => break,
                _ => {}
            }
        }
        SequenceState {
            has_leading: roles.contains(&Role::Leading),
            has_trailing: roles.contains(&Role::Trailing),
            written: roles
                .iter()
                .enumerate()
                .filter(|(_, r)| matches!(r, Role::Positive(_)))
                .map(|(i, _)| i)
                .collect(),
            roles,
            positives: seen,
            maxspan,
            keys: KeyedTable::new(),
            delayed: DelayedQueue::new(),
            watermark: i64::MIN,
            since_sweep: 0,
            evicted: 0,
        }
    }

    /// Caps the join keys holding state at `max_keys` (at least 1); the oldest go first. The
    /// same number caps the completed sequences held back by a trailing missing stage; past it
    /// the oldest is released early (see [`SequenceState::take_forced`]).
    pub fn with_max_keys(mut self, max_keys: usize) -> SequenceState {
        self.keys.set_max_keys(max_keys);
        self.delayed.set_cap(max_keys);
        self
    }

    /// Sequences released before their trailing missing stage's window closed, to keep the
    /// held-back ones within the cap, since the caller last took the count.
    pub fn take_forced(&mut self) -> u64 {
        std::mem::take(&mut self.delayed.forced)
    }

    /// Number of completed sequences held back by a trailing missing stage.
    pub fn delayed_len(&self) -> usize {
        self.delayed.len()
    }

    /// The hash [`SequenceState::wants`] and [`SequenceState::on_event`] take with a key.
    pub fn key_hash(&self, key: &KeyTuple) -> u64 {
        self.keys.hash(key)
    }

    /// Number of join keys with state (for memory accounting).
    pub fn tracked_keys(&self) -> usize {
        self.keys.len()
    }

    /// Whether hits `hits` of an event for `key` (whose hash is `hash`) can change anything: a
    /// first positive or a leading missing stage always can; a later positive stage only when
    /// the key has a partial sequence waiting for it, a middle missing stage only when it has
    /// one to block, a trailing one only when it has held sequences, `until` only when it has
    /// state. The engine skips (and does not even store) an event that cannot.
    pub fn wants(&self, key: &KeyTuple, hash: u64, hits: &Hits) -> bool {
        // The stages that always can, first: they need no lookup of the key.
        if hits.stages.iter().any(|&i| self.always_changes(i)) {
            return true;
        }
        let st = self.keys.get(key, hash);
        let pending = |j: usize| st.is_some_and(|s| s.pending.get(j).is_some_and(Option::is_some));
        (hits.until && st.is_some())
            || hits.stages.iter().any(|&i| match self.roles.get(i) {
                // Answered above.
                Some(Role::Positive(0) | Role::Leading) | None => true,
                Some(Role::Positive(j)) => pending(j - 1),
                Some(Role::Middle(j)) => pending(*j),
                Some(Role::Trailing) => self.delayed.holds(key),
            })
    }

    /// Whether a hit of stage `i` (as written) changes state whatever its key holds: a first
    /// positive or a leading missing stage (or one this sequence does not know).
    #[inline]
    fn always_changes(&self, i: usize) -> bool {
        matches!(
            self.roles.get(i),
            Some(Role::Positive(0) | Role::Leading) | None
        )
    }

    /// Whether a hit of stage `stage` (as written; `None`: the until stage) can change state
    /// for some key: when false, [`SequenceState::wants`] is false for every key with hits of
    /// such stages only, so the engine need not build the event's join keys.
    pub fn may_want(&self, stage: Option<usize>) -> bool {
        let Some(i) = stage else {
            return !self.keys.is_empty();
        };
        match self.roles.get(i) {
            Some(Role::Positive(0) | Role::Leading) | None => true,
            Some(Role::Positive(_) | Role::Middle(_)) => !self.keys.is_empty(),
            Some(Role::Trailing) => !self.delayed.holds_none(),
        }
    }

    /// Applies one event for one join key (taken, so that a new key is kept without a copy; its
    /// hash is `hash`).
    /// Completed sequences are appended to `out`. `join(stage, events, written)` decides
    /// whether the event may fill written stage `stage` after a partial holding `events`
    /// (positive stages in order; `written[i]` is the written index of the i-th positive
    /// stage): stage aliases' join conditions.
    pub fn on_event(
        &mut self,
        key: KeyTuple,
        hash: u64,
        hits: &Hits,
        ev: &Arc<StoredEvent>,
        out: &mut Vec<SeqMatch>,
        join: &mut Join<'_>,
    ) {
        let ts = ev.ord.ts;
        if hits.until && hits.stages.is_empty() {
            // Every pending sequence of the key is over. Leading missing-stage events are not:
            // they still veto sequences that start after the until event.
            self.keys.update(&key, hash, |st| {
                st.pending.iter_mut().for_each(|p| *p = None);
                st.has_leading()
            });
            return;
        }
        let positives = self.positives;
        let maxspan = self.maxspan;
        let has_leading = self.has_leading;
        let has_trailing = self.has_trailing;
        let entry = self
            .keys
            .get_or_admit(key, hash, &mut self.evicted, || KeyState::new(positives));
        let Some(entry) = entry else {
            return;
        };
        let (key, state) = (&entry.key, &mut entry.state);
        let positive_written = &self.written;
        // Missing stages first: they block or veto what is pending before this event.
        for &i in &hits.stages {
            match self.roles.get(i) {
                Some(Role::Leading) => state
                    .leading
                    .get_or_insert_with(Box::default)
                    .push_back(ev.ord.clone()),
                Some(Role::Middle(j)) => {
                    if let Some(p) = state.pending.get_mut(*j).and_then(|p| p.as_mut()) {
                        if p.last().is_some_and(|l| l.ts < ts) {
                            p.blocked_at = p.blocked_at.min(ts);
                        }
                    }
                }
                Some(Role::Trailing) => self.delayed.cancel(key, &ev.ord, maxspan),
                _ => {}
            }
        }
        // Positive stages from last to first, so an event never extends a partial it started.
        let mut positive_hits: SmallVec<[usize; 4]> = SmallVec::new();
        for &i in &hits.stages {
            if let Some(Role::Positive(j)) = self.roles.get(i) {
                positive_hits.push(*j);
            }
        }
        if positive_hits.len() > 1 {
            positive_hits.sort_unstable_by(|a, b| b.cmp(a));
            positive_hits.dedup();
        }
        let mut completed: Vec<Partial> = Vec::new();
        for j in positive_hits {
            if j == 0 {
                let p = Partial {
                    // (`from_elem` would clone the event once more and drop the original.)
                    events: smallvec::smallvec![ev.clone()],
                    first_ts: ts,
                    blocked_at: NOT_BLOCKED,
                    doomed: false,
                };
                if positives == 1 {
                    completed.push(p);
                } else {
                    state.pending[0] = Some(p);
                }
                continue;
            }
            let joins = match (state.pending.get(j - 1), positive_written.get(j)) {
                (Some(Some(prev)), Some(&w)) => join(w, &prev.events, positive_written),
                _ => false,
            };
            if !joins {
                continue;
            }
            let Some(prev) = state.pending.get_mut(j - 1).and_then(Option::take) else {
                continue;
            };
            if prev.last().is_none_or(|l| *l >= ev.ord) {
                // Not strictly earlier (out-of-order input): leave it pending.
                state.pending[j - 1] = Some(prev);
                continue;
            }
            if maxspan.is_some_and(|m| ts.saturating_sub(prev.first_ts) > m) {
                continue;
            }
            let mut next = prev;
            next.doomed |= next.blocked_at < ts;
            next.events.push(ev.clone());
            next.blocked_at = NOT_BLOCKED;
            if j + 1 == positives {
                completed.push(next);
            } else {
                state.pending[j] = Some(next);
            }
        }
        for p in completed.into_iter().filter(|p| !p.doomed) {
            let first = p.events.first().map(|e| e.ord.clone());
            let last = p.events.last().map(|e| e.ord.clone());
            let (Some(first), Some(last)) = (first, last) else {
                continue;
            };
            // Leading missing stage: the latest such event before the first positive one.
            let lead = state
                .leading
                .as_deref()
                .and_then(|l| l.iter().rev().find(|o| **o < first))
                .map(|o| o.ts);
            if has_leading && !has_trailing {
                if let (Some(l), Some(m)) = (lead, maxspan) {
                    if last.ts - l <= m {
                        continue;
                    }
                }
            }
            let m = assemble(&self.roles, p, key);
            if has_trailing {
                let reference_ts = lead.unwrap_or(first.ts);
                let deadline = maxspan.map_or(i64::MAX, |ms| reference_ts.saturating_add(ms));
                self.delayed.push(
                    Delayed {
                        m,
                        reference_ts,
                        last,
                        deadline,
                    },
                    out,
                );
            } else {
                out.push(m);
            }
        }
        if hits.until {
            // An event that is also an until event still extends and completes sequences (an
            // until event only expires sequences it strictly follows), but whatever it leaves
            // pending ends with it, so no later event may extend that.
            for p in state.pending.iter_mut() {
                *p = None;
            }
        }
    }

    /// [`SequenceState::advance`] when that would release nothing and not sweep (most events):
    /// moves the clock and returns true. Otherwise changes nothing and returns false, for the
    /// caller to call `advance`.
    #[inline]
    pub fn tick(&mut self, ts: i64) -> bool {
        let watermark = self.watermark.max(ts);
        if self.since_sweep + 1 >= SWEEP_EVERY || self.delayed.due(watermark) {
            return false;
        }
        self.watermark = watermark;
        self.since_sweep += 1;
        true
    }

    /// Moves the stream's clock: releases delayed sequences whose window has passed and now and
    /// then drops state that can no longer complete.
    pub fn advance(&mut self, ts: i64, out: &mut Vec<SeqMatch>) {
        if ts > self.watermark {
            self.watermark = ts;
        }
        // Delayed sequences wait in completion order, i.e. by last event. Only a prefix whose
        // windows have all passed is released, so results leave in last-event order (what
        // `head`/`tail` and Elasticsearch's response order rely on) even when an earlier
        // sequence's window closes after a later one's.
        self.delayed.release(self.watermark, out);
        self.since_sweep += 1;
        if self.since_sweep >= SWEEP_EVERY {
            self.since_sweep = 0;
            self.sweep();
        }
    }

    /// Drops partial sequences and leading-stage memories older than `maxspan`.
    pub fn sweep(&mut self) {
        let Some(m) = self.maxspan else { return };
        let horizon = self.watermark.saturating_sub(m);
        self.keys.retain(|st| {
            for p in st.pending.iter_mut() {
                if p.as_ref().is_some_and(|p| p.first_ts < horizon) {
                    *p = None;
                }
            }
            if let Some(l) = st.leading.as_mut() {
                while l.front().is_some_and(|o| o.ts < horizon) {
                    l.pop_front();
                }
            }
            if !st.has_leading() {
                st.leading = None;
            }
            st.pending.iter().any(Option::is_some) || st.leading.is_some()
        });
    }

    /// End of input: every delayed sequence is released.
    pub fn finish(&mut self, out: &mut Vec<SeqMatch>) {
        self.delayed.finish(out);
    }
}

/// Places the positive events among placeholders for missing stages.
fn assemble(roles: &[Role], p: Partial, key: &KeyTuple) -> SeqMatch {
    let mut positives = p.events.into_iter();
    let events = roles
        .iter()
        .map(|r| match r {
            Role::Positive(_) => positives.next(),
            _ => None,
        })
        .collect();
    SeqMatch {
        events,
        keys: key.clone(),
    }
}

#[cfg(test)]
#[path = "sequence_tests.rs"]
mod tests;
