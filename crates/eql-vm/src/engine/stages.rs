//! The per-event hot loop: running the predicates of an event's candidate stages and noting
//! the true ones. The dispatch hands each candidate out with its predicate block (found once
//! at load time), and the loop borrows only what it needs from the engine, so that an event
//! whose candidates all fail (most events) costs the predicate runs and little else.

use super::dispatch::{Cand, StageRef};
use super::profile::Counts;
use super::sequence::SequenceState;
use super::QueryRt;
use super::{query_timestamp, State};
use crate::event::EventBuf;
use crate::machine::{LineageView, Loaded, Machine};
use smallvec::SmallVec;

/// The stages found true for one event, by query, then stage.
pub(super) type TrueStages = SmallVec<[StageRef; 4]>;

/// What running stage predicates borrows from the engine.
pub(super) struct StageRunner<'a> {
    pub machine: &'a mut Machine,
    pub loaded: &'a Loaded,
    pub queries: &'a [QueryRt],
    pub lineage: Option<&'a dyn LineageView>,
    pub profile: Option<&'a mut Counts>,
    pub stages_run: &'a mut u64,
    pub stages_skipped: &'a mut u64,
}

impl StageRunner<'_> {
    /// Runs the predicates of `cands` (sorted by query, then stage) over `buf` and appends the
    /// true stages to `hits`. A query whose pipes want no more results runs none; an event
    /// query stops at its first true stage. With `GATE`, a sequence stage whose hit could change
    /// no state now (see [`StageRunner::idle`]) is not run. The direct dispatch runs without:
    /// it serves small programs whose stages mostly fail at their first test, so the check
    /// costs about what it saves (the first seed rule: 0.1 fewer runs an event for 10 more
    /// instructions), while with large rule sets it halves the runs.
    #[inline(always)]
    pub(super) fn run<const GATE: bool>(
        &mut self,
        cands: &[Cand],
        buf: &EventBuf,
        hits: &mut TrueStages,
    ) {
        let mut q = u32::MAX;
        // Whether the current query's stages run: its pipes are open and, for an event query,
        // no stage of it was true yet.
        let mut open = false;
        // The current query's runtime.
        let mut rt = None;
        // Whether the event has a timestamp for the current query, once asked.
        let mut timed = None;
        for c in cands {
            if c.r.query != q {
                q = c.r.query;
                rt = self.queries.get(q as usize);
                open = rt.is_some_and(|rt| !rt.pipes.closed());
                timed = None;
            }
            if !open {
                continue;
            }
            if GATE && c.gated {
                if let Some(QueryRt {
                    state: State::Sequence(s),
                    ..
                }) = rt
                {
                    if self.idle(s, c.r, buf, &mut timed) {
                        *self.stages_skipped += 1;
                        continue;
                    }
                }
            }
            *self.stages_run += 1;
            let ok = self
                .machine
                .run_predicate(self.loaded, c.block, buf, self.lineage);
            if let Some(p) = self.profile.as_deref_mut() {
                count(p, c.r, ok);
            }
            if ok {
                hits.push(c.r);
                open = !c.event;
            }
        }
    }

    /// [`StageRunner::run`] without gating, for the direct dispatch: out of line, so that the
    /// events it never sees (most, with a small program) do not pay for its registers.
    #[inline(never)]
    pub(super) fn run_direct(mut self, cands: &[Cand], buf: &EventBuf) -> TrueStages {
        let mut hits = TrueStages::new();
        self.run::<false>(cands, buf, &mut hits);
        hits
    }

    /// Whether stage `r` of sequence `s`, a gated candidate (the until stage never is), need
    /// not run for the event in `buf`: its hit could change no key's state
    /// ([`SequenceState::may_want`]: no partial sequence anywhere for a later stage, nothing
    /// held back for a trailing missing one), so all it would do is move the sequence's clock
    /// to the event's timestamp, and only the periodic sweep of expired state reads that clock
    /// before the next hit moves it as far (for events in timestamp order, never to another
    /// result). A stage still runs for an event without a usable timestamp, which a hit
    /// reports; `timed` caches that test for the query.
    #[inline]
    fn idle(
        &self,
        s: &SequenceState,
        r: StageRef,
        buf: &EventBuf,
        timed: &mut Option<bool>,
    ) -> bool {
        if s.may_want(Some(r.stage as usize)) {
            return false;
        }
        *timed.get_or_insert_with(|| {
            self.loaded
                .program
                .queries
                .get(r.query as usize)
                .and_then(|def| query_timestamp(def, buf))
                .is_some()
        })
    }
}

/// Counts one predicate run of stage `r` in the stage profile.
#[inline(never)]
fn count(p: &mut Counts, r: StageRef, ok: bool) {
    let c = p.entry(r).or_default();
    c[0] += 1;
    c[1] += u64::from(ok);
}
