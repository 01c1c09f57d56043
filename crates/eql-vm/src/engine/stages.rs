//! The per-event hot loop: running the predicates of an event's candidate stages and noting
//! the true ones. The predicate block of every stage is looked up once at load time, and the
//! loop borrows only what it needs from the engine, so that an event whose candidates all
//! fail (most events) costs the predicate runs and little else.

use super::dispatch::{StageRef, UNTIL};
use super::profile::Counts;
use super::QueryRt;
use crate::event::EventBuf;
use crate::machine::{LineageView, Loaded, Machine, RunCtx};
use eql_bytecode::{BlockId, Program, QueryKind};
use smallvec::SmallVec;

/// The predicate blocks of one query's stages.
#[derive(Debug)]
pub(super) struct QueryBlocks {
    /// An event query: its first true stage settles the event.
    event: bool,
    stages: Box<[BlockId]>,
    until: Option<BlockId>,
}

impl QueryBlocks {
    /// The blocks of every query of `p`, by query index.
    pub(super) fn of(p: &Program) -> Vec<QueryBlocks> {
        p.queries
            .iter()
            .map(|q| match &q.kind {
                QueryKind::Event(s) => QueryBlocks {
                    event: true,
                    stages: Box::new([s.predicate]),
                    until: None,
                },
                QueryKind::Sequence { stages, until, .. } => QueryBlocks {
                    event: false,
                    stages: stages.iter().map(|s| s.predicate).collect(),
                    until: until.as_ref().map(|u| u.predicate),
                },
                QueryKind::Sample { stages } => QueryBlocks {
                    event: false,
                    stages: stages.iter().map(|s| s.predicate).collect(),
                    until: None,
                },
            })
            .collect()
    }

    fn block(&self, stage: u32) -> Option<BlockId> {
        if stage == UNTIL {
            self.until
        } else {
            self.stages.get(stage as usize).copied()
        }
    }
}

/// The stages found true for one event, by query, then stage.
pub(super) type TrueStages = SmallVec<[StageRef; 4]>;

/// What running stage predicates borrows from the engine.
pub(super) struct StageRunner<'a> {
    pub machine: &'a mut Machine,
    pub loaded: &'a Loaded,
    pub blocks: &'a [QueryBlocks],
    pub queries: &'a [QueryRt],
    pub lineage: Option<&'a dyn LineageView>,
    pub profile: Option<&'a mut Counts>,
    pub stages_run: &'a mut u64,
}

impl StageRunner<'_> {
    /// Runs the predicates of `cands` (sorted by query, then stage) over `buf` and appends the
    /// true stages to `hits`. A query whose pipes want no more results runs none; an event
    /// query stops at its first true stage.
    pub(super) fn run(&mut self, cands: &[StageRef], buf: &EventBuf, hits: &mut TrueStages) {
        let mut q = u32::MAX;
        // The current query's blocks; `None` while its stages are skipped.
        let mut cur: Option<&QueryBlocks> = None;
        let mut settled = false;
        for r in cands {
            if r.query != q {
                q = r.query;
                settled = false;
                cur = match (self.blocks.get(q as usize), self.queries.get(q as usize)) {
                    (Some(b), Some(rt)) if !rt.pipes.closed() => Some(b),
                    _ => None,
                };
            }
            let Some(qb) = cur else {
                continue;
            };
            if settled {
                continue;
            }
            let Some(block) = qb.block(r.stage) else {
                continue;
            };
            *self.stages_run += 1;
            let cx = RunCtx {
                stages: &[],
                lineage: self.lineage,
            };
            let ok = self.machine.run_in(self.loaded, block, buf, cx).is_true();
            if let Some(p) = self.profile.as_deref_mut() {
                let c = p.entry(*r).or_default();
                c[0] += 1;
                c[1] += u64::from(ok);
            }
            if ok {
                hits.push(*r);
                settled = qb.event;
            }
        }
    }
}
