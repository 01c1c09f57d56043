//! The per-event hot loop: running the predicates of an event's candidate stages and noting
//! the true ones. The dispatch hands each candidate out with its predicate block (found once
//! at load time), and the loop borrows only what it needs from the engine, so that an event
//! whose candidates all fail (most events) costs the predicate runs and little else.

use super::dispatch::{stages_of, Cand, StageRef};
use super::prefilter::Prefilter;
use super::profile::Counts;
use super::QueryRt;
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
}

impl StageRunner<'_> {
    /// Runs the predicates of `cands` (sorted by query, then stage) over `buf` and appends the
    /// true stages to `hits`. A query whose pipes want no more results runs none; an event
    /// query stops at its first true stage.
    #[inline(always)]
    pub(super) fn run(&mut self, cands: &[Cand], buf: &EventBuf, hits: &mut TrueStages) {
        let mut q = u32::MAX;
        // Whether the current query's stages run: its pipes are open and, for an event query,
        // no stage of it was true yet.
        let mut open = false;
        for c in cands {
            if c.r.query != q {
                q = c.r.query;
                open = self
                    .queries
                    .get(q as usize)
                    .is_some_and(|rt| !rt.pipes.closed());
            }
            if !open {
                continue;
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
}

/// Counts one predicate run of stage `r` in the stage profile.
#[inline(never)]
fn count(p: &mut Counts, r: StageRef, ok: bool) {
    let c = p.entry(r).or_default();
    c[0] += 1;
    c[1] += u64::from(ok);
}

/// Lets the stages `pf` guards test in the written order, the others most selective cheap
/// test first (see [`Loaded::keep_written_order`]): a guarded stage runs only for events that
/// carry one of its literals, and the many-valued test the reordering would move first is
/// the kind the prefilter indexes, so those events mostly pass it.
pub(super) fn order_tests(loaded: &mut Loaded, pf: Option<&Prefilter>) {
    let mut blocks = Vec::new();
    for (qi, q) in loaded.program.queries.iter().enumerate() {
        for (si, s) in stages_of(&q.kind) {
            let guarded =
                pf.is_some_and(|pf| pf.dense(qi as u32, si).is_some_and(|id| pf.is_guarded(id)));
            blocks.push((s.predicate, guarded));
        }
    }
    for (b, guarded) in blocks {
        loaded.keep_written_order(b, guarded);
    }
}
