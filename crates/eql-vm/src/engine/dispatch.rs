//! Which stages an event meets. Unguarded stages are listed per category value of their
//! query's category field (a hash lookup per value); guarded stages are not listed at all: the
//! prefilter, probing only the index partitions of the event's categories, names the few
//! whose literals the event carries. The result is sorted by query, then stage.

use super::prefilter::{Prefilter, ANY_PART};
use crate::event::{EventBuf, Value};
use crate::machine::{bytes_eq, Guard, Loaded};
use ahash::AHashMap;
use eql_bytecode::{BlockId, Pipe, Program, QueryKind, StageDef};

/// Most categories a table lists instead of hashing.
const FEW_CATEGORIES: usize = 4;

/// Which stage of which query: `UNTIL` for a sequence's until stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct StageRef {
    pub query: u32,
    pub stage: u32,
}

/// The stage index of a sequence's until stage.
pub(super) const UNTIL: u32 = u32::MAX;

/// A stage an event meets, with what running it takes: its predicate block, whether its
/// query is an event query (whose first true stage settles the event), and whether it is a
/// sequence stage whose hits change state only when the sequence has some (see
/// [`needs_state`]). Ordered by stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Cand {
    pub r: StageRef,
    pub block: BlockId,
    pub event: bool,
    pub gated: bool,
}

/// Whether a hit of stage `stage` of query `kind` can change state only when the sequence
/// already holds some: a positive stage after the first, or a missing stage after a positive
/// one. Leading missing stages, first positive stages and the until stage (which also ends
/// what its own event starts) always can.
fn needs_state(kind: &QueryKind, stage: u32) -> bool {
    let QueryKind::Sequence { stages, .. } = kind else {
        return false;
    };
    stage != UNTIL && stages.iter().take(stage as usize).any(|s| !s.missing)
}

/// The unguarded stages of the queries sharing one category field, and which categories have
/// guarded stages (so that events of other categories skip the prefilter).
#[derive(Debug, Default)]
struct Table {
    slot: usize,
    /// The categories' stages by category value; empty once moved into `few`.
    by_category: AHashMap<Box<str>, Category>,
    /// The categories instead, when there are so few that comparing the event's category with
    /// each costs less than hashing it.
    few: Option<Vec<(Box<[u8]>, Category)>>,
    any: Vec<Cand>,
    guarded_any: bool,
}

impl Table {
    /// Every category with stages.
    fn categories(&self) -> impl Iterator<Item = &Category> {
        let few = self.few.iter().flatten().map(|(_, c)| c);
        few.chain(self.by_category.values())
    }
}

/// The unguarded stages of one category, and the prefilter's partition of its guarded ones.
#[derive(Debug, Default)]
pub(super) struct Category {
    pub stages: Vec<Cand>,
    guarded: Option<u32>,
    /// One [`Guard`] per stage of `stages`, when every stage has one and no stage's query has
    /// a `head` (whose pipes could close, leaving the stage unrun); else empty.
    guards: Vec<Guard>,
}

/// The category of an event whose category has no stage.
static NO_STAGES: Category = Category {
    stages: Vec::new(),
    guarded: None,
    guards: Vec::new(),
};

impl Category {
    /// True when no stage of the category can be true for the event in `buf`: each stage's
    /// guard rules it out. Every stage would have run (no `head` could stop one) and found
    /// its predicate false, so the event changes nothing but the count of predicate runs.
    #[inline(always)]
    pub(super) fn ruled_out(&self, buf: &EventBuf) -> bool {
        match self.guards.as_slice() {
            [] => false,
            [g] => g.rules_out(buf),
            guards => guards.iter().all(|g| g.rules_out(buf)),
        }
    }

    /// Fills `guards` (see there) from the stages' predicates as `loaded` runs them.
    fn set_guards(&mut self, loaded: &Loaded) {
        let p = &loaded.program;
        let no_head = |c: &Cand| {
            p.queries
                .get(c.r.query as usize)
                .is_some_and(|q| !q.pipes.iter().any(|p| matches!(p, Pipe::Head(_))))
        };
        let guards: Option<Vec<Guard>> = self
            .stages
            .iter()
            .map(|c| no_head(c).then(|| loaded.guard(c.block)).flatten())
            .collect();
        self.guards = guards.unwrap_or_default();
    }
}

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct Dispatch {
    tables: Vec<Table>,
    /// By the prefilter's dense stage id; `None` for unguarded stages.
    guarded: Vec<Option<Cand>>,
    /// True when there is one table, without any-category or guarded stages: then an event
    /// with at most one category value meets exactly that category's list (see `direct`).
    simple: bool,
    /// On the direct path, when every category with stages has guards and they all test one
    /// slot: their union, tested before the category is read (see [`Dispatch::settle`]).
    front: Option<Guard>,
}

/// What the direct path makes of an event (see [`Dispatch::settle`]).
pub(super) enum Direct<'a> {
    /// Guards settled it: no stage it meets can be true, and no predicate need run.
    Settled,
    /// The stages of its category (maybe none) to run.
    Stages(&'a Category),
}

/// Each stage of a query with its index ([`UNTIL`] for the until stage).
pub(super) fn stages_of(kind: &QueryKind) -> Vec<(u32, &StageDef)> {
    match kind {
        QueryKind::Event(s) => vec![(0, s)],
        QueryKind::Sequence { stages, until, .. } => {
            let mut v: Vec<(u32, &StageDef)> = (0u32..).zip(stages.iter()).collect();
            v.extend(until.iter().map(|u| (UNTIL, u)));
            v
        }
        QueryKind::Sample { stages } => (0u32..).zip(stages.iter()).collect(),
    }
}

impl Dispatch {
    /// The dispatch of the program of `loaded`; stages that `pf` guards are left to it. With
    /// `keep`, only the queries it marks true are dispatched to (query indices stay those of
    /// the program). The direct path's guards come from `loaded`'s blocks as they run then.
    pub(super) fn new(loaded: &Loaded, pf: Option<&Prefilter>, keep: Option<&[bool]>) -> Dispatch {
        let p: &Program = &loaded.program;
        let mut d = Dispatch::default();
        for (qi, q) in p.queries.iter().enumerate() {
            if keep.is_some_and(|k| !k.get(qi).copied().unwrap_or(false)) {
                continue;
            }
            let slot = q.category.index();
            let t = match d.tables.iter().position(|t| t.slot == slot) {
                Some(i) => i,
                None => {
                    d.tables.push(Table {
                        slot,
                        ..Table::default()
                    });
                    d.tables.len() - 1
                }
            };
            for (si, s) in stages_of(&q.kind) {
                let r = StageRef {
                    query: qi as u32,
                    stage: si,
                };
                let cand = Cand {
                    r,
                    block: s.predicate,
                    event: matches!(q.kind, QueryKind::Event(_)),
                    gated: needs_state(&q.kind, si),
                };
                let dense = pf.and_then(|pf| pf.dense(r.query, r.stage));
                if let (Some(pf), Some(id)) = (pf, dense) {
                    if pf.is_guarded(id) {
                        let table = &mut d.tables[t];
                        match &s.category {
                            Some(c) => {
                                // The prefilter gives each category's guarded stages a
                                // partition; were it missing, the stage would never run,
                                // so it is left unguarded instead.
                                let Some(part) = pf.part(slot, c) else {
                                    table
                                        .by_category
                                        .entry(c.as_str().into())
                                        .or_default()
                                        .stages
                                        .push(cand);
                                    continue;
                                };
                                table
                                    .by_category
                                    .entry(c.as_str().into())
                                    .or_default()
                                    .guarded = Some(part);
                            }
                            None => table.guarded_any = true,
                        }
                        if d.guarded.len() <= id {
                            d.guarded.resize_with(id + 1, || None);
                        }
                        d.guarded[id] = Some(cand);
                        continue;
                    }
                }
                let table = &mut d.tables[t];
                match &s.category {
                    Some(c) => table
                        .by_category
                        .entry(c.as_str().into())
                        .or_default()
                        .stages
                        .push(cand),
                    None => table.any.push(cand),
                }
            }
        }
        for t in &mut d.tables {
            // Kept sorted and without repeats, so that `direct` can hand a list out as it is.
            for c in t.by_category.values_mut() {
                c.stages.sort_unstable();
                c.stages.dedup();
                c.set_guards(loaded);
            }
            if t.by_category.len() <= FEW_CATEGORIES {
                let map = std::mem::take(&mut t.by_category);
                t.few = Some(
                    map.into_iter()
                        .map(|(k, c)| (k.into_boxed_bytes(), c))
                        .collect(),
                );
            }
        }
        d.simple = match d.tables.as_slice() {
            [t] => {
                let guarded = t.categories().any(|c| c.guarded.is_some());
                t.any.is_empty() && !t.guarded_any && !guarded
            }
            _ => false,
        };
        if let (true, [t]) = (d.simple, d.tables.as_slice()) {
            let cats: Vec<&Category> = t.categories().collect();
            if cats.iter().all(|c| !c.guards.is_empty()) {
                let guards: Vec<&Guard> = cats.iter().flat_map(|c| &c.guards).collect();
                d.front = Guard::union(&guards);
            }
        }
        d
    }

    /// The stages the event in `buf` meets, borrowed from the dispatch, when that takes no
    /// merging: a program whose queries share one category field, no stage of any category
    /// and no guarded stage, and an event with at most one value there. `None`: use
    /// [`Dispatch::candidates`]. The same stages, in the same order, as `candidates` gives.
    #[inline]
    pub(super) fn direct(&self, buf: &EventBuf) -> Option<&Category> {
        if !self.simple {
            return None;
        }
        let t = self.tables.first()?;
        let s = match buf.slot(t.slot) {
            [Value::Str(s)] => *s,
            [] | [_] => return Some(&NO_STAGES),
            _ => return None,
        };
        let c = match &t.few {
            // The lengths first, from the value's reference: most categories without stages
            // differ in length from all listed ones, and then the bytes are never fetched.
            Some(few) => few
                .iter()
                .find(|(k, _)| k.len() == s.len as usize && bytes_eq(k, buf.bytes(s)))
                .map(|(_, c)| c),
            None => t.by_category.get(buf.str(s)),
        };
        Some(c.unwrap_or(&NO_STAGES))
    }

    /// [`Dispatch::direct`] with the guards applied (when `guards`): `None` when the event
    /// needs the merging path. The union of all categories' guards comes first, when there is
    /// one: most events fail it, and are then settled without their category being read;
    /// the others meet their category's own guards ([`Category::ruled_out`]).
    /// With `front_tried`, the caller has tested the union already ([`Dispatch::front`]) and
    /// it did not rule the event out.
    #[inline(always)]
    pub(super) fn settle(
        &self,
        buf: &EventBuf,
        guards: bool,
        front_tried: bool,
    ) -> Option<Direct<'_>> {
        // Whatever the event's categories, every stage it could meet then has a first test
        // that fails (the merging path would run and find them false).
        if let Some(front) = self.front.as_ref().filter(|_| guards && !front_tried) {
            if front.rules_out(buf) {
                return Some(Direct::Settled);
            }
        }
        let c = self.direct(buf)?;
        Some(if guards && c.ruled_out(buf) {
            Direct::Settled
        } else {
            Direct::Stages(c)
        })
    }

    /// Whether the direct path tests the union of its categories' guards first.
    pub(super) fn front_guarded(&self) -> bool {
        self.front.is_some()
    }

    /// The union of the categories' guards, when the direct path tests it first: an event it
    /// rules out is settled whatever else it holds (see [`Dispatch::settle`]).
    #[inline(always)]
    pub(super) fn front(&self) -> Option<&Guard> {
        self.front.as_ref()
    }

    /// The stages the event in `buf` meets, sorted and without repeats, into `out`.
    pub(super) fn candidates(
        &self,
        buf: &EventBuf,
        pf: Option<&mut Prefilter>,
        out: &mut Vec<Cand>,
    ) {
        out.clear();
        // The prefilter's partitions of the guarded stages that can take the event.
        let mut parts: smallvec::SmallVec<[u32; 8]> = smallvec::SmallVec::new();
        let mut guarded_any = false;
        for t in &self.tables {
            out.extend_from_slice(&t.any);
            guarded_any |= t.guarded_any;
            for v in buf.slot(t.slot) {
                if let Value::Str(s) = v {
                    let c = match &t.few {
                        Some(few) => {
                            let v = buf.bytes(*s);
                            few.iter().find(|(k, _)| bytes_eq(k, v)).map(|(_, c)| c)
                        }
                        None => t.by_category.get(buf.str(*s)),
                    };
                    if let Some(c) = c {
                        out.extend_from_slice(&c.stages);
                        // A repeated value adds nothing.
                        if let Some(p) = c.guarded.filter(|p| !parts.contains(p)) {
                            parts.push(p);
                        }
                    }
                }
            }
        }
        // Each category's partition holds the stages of any category too; the partition of
        // those alone serves events of no category with guarded stages.
        if parts.is_empty() && guarded_any {
            parts.push(ANY_PART);
        }
        // The prefilter only when some guarded stage takes the event's category, and then only
        // for those stages: it admits none of another category.
        if let Some(pf) = pf.filter(|_| !parts.is_empty()) {
            pf.begin(buf, &parts);
            for &id in pf.admitted() {
                if let Some(Some(c)) = self.guarded.get(id as usize) {
                    out.push(*c);
                }
            }
        }
        if !out.is_sorted() {
            out.sort_unstable();
        }
        out.dedup();
    }
}
