//! Running part of a program: an engine restricted to some of its queries (query indices
//! unchanged), and a clock the caller moves itself, so that several engines can share a stream
//! and their results still be put back in the order one engine would give.

use super::dispatch::Dispatch;
use super::{Engine, Match};
use eql_bytecode::{Inst, Program};

/// True when query `q` of `p` reads the process lineage (`descendant of`, `child of`).
pub fn uses_lineage(p: &Program, q: usize) -> bool {
    p.blocks.iter().filter(|b| b.query as usize == q).any(|b| {
        let start = b.entry as usize;
        let end = start.saturating_add(b.len as usize).min(p.code.len());
        p.code
            .get(start..end)
            .is_some_and(|code| code.iter().any(|i| matches!(i, Inst::InLineage { .. })))
    })
}

impl Engine {
    /// Restricts the engine to the queries `keep` marks true (missing entries count as false):
    /// the others never see an event again. Query indices, and so [`Match::query`], stay those
    /// of the program. The lineage tracker is dropped when no kept query reads it.
    pub fn retain_queries(&mut self, keep: &[bool]) {
        let p = &self.loaded.program;
        let kept = |q: usize| keep.get(q).copied().unwrap_or(false);
        let mask: Vec<bool> = (0..p.queries.len()).map(kept).collect();
        self.dispatch = Dispatch::new(&self.loaded, self.prefilter.as_ref(), Some(&mask));
        self.clocked.retain(|&q| kept(q as usize));
        self.deferred_clock.retain(|&q| kept(q as usize));
        if !(0..p.queries.len()).any(|q| kept(q) && uses_lineage(p, q)) {
            self.lineage = None;
        }
        self.keep = Some(mask);
        self.refresh_front();
    }

    /// Stops [`Engine::process`] from moving the clock of sequence queries with a trailing
    /// missing stage after each event; the caller does it with [`Engine::tick`] instead, so it
    /// can tell the results of an event's stages from those of the clock.
    pub fn defer_clock(&mut self) {
        let mut taken = std::mem::take(&mut self.clocked);
        self.deferred_clock.append(&mut taken);
        self.refresh_front();
    }

    /// Moves the deferred clocks to the event [`Engine::process`] just accepted (call it right
    /// after a successful `process`, before the line buffer changes): exactly what `process`
    /// would have done last had the clock not been deferred.
    pub fn tick(&mut self, out: &mut Vec<Match>) {
        for i in 0..self.deferred_clock.len() {
            let qi = self.deferred_clock[i];
            if let Some(ord) = self.ordinal(qi, 0, &self.buf) {
                self.advance(qi, ord.ts, out);
            }
        }
    }

    /// The event [`Engine::process`] last decoded (its fields by slot, as the program's field
    /// table numbers them); empty slots after a line that did not decode.
    pub fn event(&self) -> &crate::event::EventBuf {
        &self.buf
    }
}
