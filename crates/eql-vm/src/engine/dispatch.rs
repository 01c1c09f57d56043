//! Which stages an event meets. Unguarded stages are listed per category value of their
//! query's category field (a hash lookup per value); guarded stages are not listed at all: the
//! prefilter names the few whose literals the event carries, and only their category is
//! checked. The result is sorted by query, then stage.

use super::prefilter::Prefilter;
use crate::event::{EventBuf, Value};
use crate::machine::bytes_eq;
use ahash::AHashMap;
use eql_bytecode::{BlockId, Program, QueryKind, StageDef};

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

/// A stage an event meets, with what running it takes: its predicate block, and whether its
/// query is an event query (whose first true stage settles the event). Ordered by stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Cand {
    pub r: StageRef,
    pub block: BlockId,
    pub event: bool,
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

/// The unguarded stages of one category, and whether it has guarded ones.
#[derive(Debug, Default)]
struct Category {
    stages: Vec<Cand>,
    guarded: bool,
    /// A number unique among the categories of all tables.
    id: u32,
}

/// A guarded stage: its reference and the id of its category (`None`: any).
#[derive(Debug)]
struct Guarded {
    r: Cand,
    category: Option<u32>,
}

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct Dispatch {
    tables: Vec<Table>,
    /// By the prefilter's dense stage id; `None` for unguarded stages.
    guarded: Vec<Option<Guarded>>,
    /// True when there is one table, without any-category or guarded stages: then an event
    /// with at most one category value meets exactly that category's list (see `direct`).
    simple: bool,
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
    /// The dispatch of program `p`; stages that `pf` guards are left to it. With `keep`, only
    /// the queries it marks true are dispatched to (query indices stay those of `p`).
    pub(super) fn new(p: &Program, pf: Option<&Prefilter>, keep: Option<&[bool]>) -> Dispatch {
        let mut d = Dispatch::default();
        // Guarded stages' categories by table, resolved to ids once every category exists.
        let mut named: Vec<(usize, usize, Box<str>)> = Vec::new();
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
                };
                let dense = pf.and_then(|pf| pf.dense(r.query, r.stage));
                if let (Some(pf), Some(id)) = (pf, dense) {
                    if pf.is_guarded(id) {
                        let table = &mut d.tables[t];
                        match &s.category {
                            Some(c) => {
                                table
                                    .by_category
                                    .entry(c.as_str().into())
                                    .or_default()
                                    .guarded = true;
                            }
                            None => table.guarded_any = true,
                        }
                        if d.guarded.len() <= id {
                            d.guarded.resize_with(id + 1, || None);
                        }
                        d.guarded[id] = Some(Guarded {
                            r: cand,
                            category: None,
                        });
                        if let Some(c) = &s.category {
                            named.push((id, t, c.as_str().into()));
                        }
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
        let mut next = 0u32;
        for t in &mut d.tables {
            for c in t.by_category.values_mut() {
                c.id = next;
                next += 1;
            }
        }
        for (id, t, c) in named {
            // Registering the stage gave its table this category; were it missing, an id no
            // category has keeps the stage from running on any event rather than on all.
            let cat = d.tables[t].by_category.get(&c).map_or(u32::MAX, |c| c.id);
            if let Some(Some(g)) = d.guarded.get_mut(id) {
                g.category = Some(cat);
            }
        }
        for t in &mut d.tables {
            // Kept sorted and without repeats, so that `direct` can hand a list out as it is.
            for c in t.by_category.values_mut() {
                c.stages.sort_unstable();
                c.stages.dedup();
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
                let guarded = match &t.few {
                    Some(few) => few.iter().any(|(_, c)| c.guarded),
                    None => t.by_category.values().any(|c| c.guarded),
                };
                t.any.is_empty() && !t.guarded_any && !guarded
            }
            _ => false,
        };
        d
    }

    /// The stages the event in `buf` meets, borrowed from the dispatch, when that takes no
    /// merging: a program whose queries share one category field, no stage of any category
    /// and no guarded stage, and an event with at most one value there. `None`: use
    /// [`Dispatch::candidates`]. The same stages, in the same order, as `candidates` gives.
    #[inline]
    pub(super) fn direct(&self, buf: &EventBuf) -> Option<&[Cand]> {
        if !self.simple {
            return None;
        }
        let t = self.tables.first()?;
        let s = match buf.slot(t.slot) {
            [Value::Str(s)] => *s,
            [] | [_] => return Some(&[]),
            _ => return None,
        };
        let c = match &t.few {
            Some(few) => {
                let v = buf.bytes(s);
                few.iter().find(|(k, _)| bytes_eq(k, v)).map(|(_, c)| c)
            }
            None => t.by_category.get(buf.str(s)),
        };
        Some(c.map_or(&[], |c| c.stages.as_slice()))
    }

    /// The stages the event in `buf` meets, sorted and without repeats, into `out`.
    pub(super) fn candidates(
        &self,
        buf: &EventBuf,
        pf: Option<&mut Prefilter>,
        out: &mut Vec<Cand>,
    ) {
        out.clear();
        let mut guarded = false;
        // The ids of the categories the event carries.
        let mut cats: smallvec::SmallVec<[u32; 8]> = smallvec::SmallVec::new();
        for t in &self.tables {
            out.extend_from_slice(&t.any);
            guarded |= t.guarded_any;
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
                        cats.push(c.id);
                        out.extend_from_slice(&c.stages);
                        guarded |= c.guarded;
                    }
                }
            }
        }
        // The prefilter only when some guarded stage takes the event's category.
        if let Some(pf) = pf.filter(|_| guarded) {
            pf.begin(buf);
            for &id in pf.admitted() {
                let Some(Some(g)) = self.guarded.get(id as usize) else {
                    continue;
                };
                if g.category.is_none_or(|c| cats.contains(&c)) {
                    out.push(g.r);
                }
            }
        }
        if !out.is_sorted() {
            out.sort_unstable();
        }
        out.dedup();
    }
}
