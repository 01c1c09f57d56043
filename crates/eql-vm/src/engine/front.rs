//! The direct path's first question: the union of the guards, asked before the engine sets up
//! anything else for an event. Most events of a small rule set's stream fail it, most of those
//! on the lengths of their values alone, and are settled in a few registers; the others go on
//! to [`Engine::evaluate_rest`].

use super::{Engine, Match};
use crate::event::{EventBuf, StrRef};
use crate::machine::ByLen;

impl Engine {
    /// Sets [`Engine::front`] from the dispatch and what else an event needs: call it after
    /// any change to the dispatch, the lineage tracker, the profile or the clocked queries.
    pub(super) fn refresh_front(&mut self) {
        let quiet = self.lineage.is_none() && self.profile.is_none() && self.clocked.is_empty();
        self.front = self.dispatch.front().filter(|_| quiet).cloned();
    }

    /// Everything after decoding: dispatch, stage predicates, sequences, samples, pipes. An
    /// event none of whose candidate stages is true changes no query's state (only the clocks
    /// of sequences with a trailing missing stage move on every event), so the work after the
    /// predicate runs is skipped for it.
    #[inline(always)]
    pub(super) fn evaluate(&mut self, buf: &EventBuf, out: &mut Vec<Match>) {
        // Most events of a small rule set's stream fail the union of the guards, and most of
        // those on the lengths of its values alone. With nothing else to do for an event (no
        // lineage to track, no clocks to move, no stage profiling), such an event is settled
        // here, in a few registers and without a frame; the rest go on out of line.
        // An engine without the union (every large rule set) asks nothing else.
        debug_assert_eq!(self.front.is_some(), self.quiet_front());
        let Some(front) = &self.front else {
            return self.evaluate_rest(buf, out, false);
        };
        match front.by_len(buf) {
            ByLen::Out => self.settled(),
            ByLen::One(r) => self.evaluate_listed(buf, out, r),
            ByLen::Unsure => self.evaluate_rest(buf, out, false),
        }
    }

    /// Whether [`Engine::front`] should be set (for checking that it is kept).
    fn quiet_front(&self) -> bool {
        self.dispatch.front().is_some()
            && self.lineage.is_none()
            && self.profile.is_none()
            && self.clocked.is_empty()
    }

    /// Counts an event the union of the guards settled before [`Engine::evaluate_rest`].
    #[inline(always)]
    pub(super) fn settled(&mut self) {
        self.stats.events += 1;
        self.stats.guarded += 1;
    }

    /// [`Engine::evaluate`] for an event whose guarded slot holds one string, `r`, of a
    /// length some member of the union of the guards has.
    #[inline(never)]
    fn evaluate_listed(&mut self, buf: &EventBuf, out: &mut Vec<Match>, r: &StrRef) {
        match self.front.as_ref().map(|f| f.rules_out_quick(buf, *r)) {
            Some(Some(true)) => self.settled(),
            Some(Some(false)) => self.evaluate_rest(buf, out, true),
            _ => self.evaluate_listed_slow(buf, out, r),
        }
    }

    /// [`Engine::evaluate_listed`] when the union's quick lookup does not answer: out of
    /// line, so that the quick one needs no saved registers.
    #[inline(never)]
    fn evaluate_listed_slow(&mut self, buf: &EventBuf, out: &mut Vec<Match>, r: &StrRef) {
        match &self.front {
            Some(front) if front.rules_out_one(buf, *r) => self.settled(),
            Some(_) => self.evaluate_rest(buf, out, true),
            None => self.evaluate_rest(buf, out, false),
        }
    }
}
