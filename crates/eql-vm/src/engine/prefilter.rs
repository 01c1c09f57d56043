//! The literal prefilter: most stages of a large rule set require some field to equal one of a
//! few strings (`process.name in (…)`, `event.action == "…"`). Those required conjuncts are
//! read off each stage's predicate block, one per stage is indexed by its strings, and per event
//! one hash probe per indexed field value tells which guarded stages can still be true; the
//! others are not run at all. Skipping a stage whose predicate would be false changes nothing.
//!
//! The requirements are read off the bytecode by a small forward data-flow pass (see
//! [`block_requirements`]): `a in (…) and (b == "x" or c in (…))` requires the `a` literals,
//! and also one of the `b`/`c` literals; the most selective requirement is indexed.

use crate::event::{EventBuf, Value};
use ahash::{AHashMap, AHashSet};
use eql_bytecode::{ConstVal, Inst, Program, QueryKind, StageDef};

/// A required literal conjunct of a stage: slot `slot` holds one of `strings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    pub slot: usize,
    pub strings: Vec<String>,
    pub case_insensitive: bool,
}

/// The index of one field's literals: value → dense ids of the stages it lets through.
#[derive(Debug, Default)]
struct SlotIndex {
    slot: usize,
    exact: AHashMap<Box<str>, Vec<u32>>,
    /// Keys ASCII-lowercased; probed with the lowercased value.
    folded: AHashMap<Box<str>, Vec<u32>>,
}

/// Per-event admission of stages; see the module docs.
#[derive(Debug, Default)]
pub struct Prefilter {
    /// Dense id of stage 0 of each query; a query's until stage follows its stages.
    offsets: Vec<u32>,
    stage_counts: Vec<u32>,
    guarded: Vec<bool>,
    slots: Vec<SlotIndex>,
    /// `mark[id] == epoch`: stage `id` passed its guard for the current event.
    mark: Vec<u32>,
    epoch: u32,
    lower: String,
}

/// Each stage of a query with its index (`u32::MAX` for the until stage).
fn stages(kind: &QueryKind) -> Vec<(u32, &StageDef)> {
    match kind {
        QueryKind::Event(s) => vec![(0, s)],
        QueryKind::Sequence { stages, until, .. } => {
            let mut v: Vec<_> = (0u32..).zip(stages.iter()).collect();
            v.extend(until.iter().map(|u| (u32::MAX, u)));
            v
        }
        QueryKind::Sample { stages } => (0u32..).zip(stages.iter()).collect(),
    }
}

/// The strings of a constant set, when all its items are strings.
fn all_strings(items: &[ConstVal]) -> Option<Vec<String>> {
    items
        .iter()
        .map(|c| match c {
            ConstVal::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// What is known about a register being `true`.
#[derive(Debug, Clone, PartialEq)]
enum Req {
    /// It cannot be true here (false or null).
    Never,
    /// It can be true only if every clause holds; a clause holds when one of its guards does.
    /// No clauses: nothing is known.
    Clauses(Vec<Vec<u32>>),
}

/// Clause lists are capped; dropping clauses only weakens what is known, so it stays sound.
const MAX_CLAUSES: usize = 16;
/// A clause with more guards than this is dropped (it would rule out little anyway).
const MAX_GUARDS: usize = 32;

impl Req {
    fn unknown() -> Req {
        Req::Clauses(Vec::new())
    }

    /// Either may hold (`or`, and the meeting of two paths).
    fn either(&self, other: &Req) -> Req {
        match (self, other) {
            (Req::Never, x) | (x, Req::Never) => x.clone(),
            (a, b) if a == b => a.clone(),
            (Req::Clauses(a), Req::Clauses(b)) => {
                let mut out: Vec<Vec<u32>> = Vec::new();
                for x in a.iter().take(4) {
                    for y in b.iter().take(4) {
                        let mut c = x.clone();
                        for g in y {
                            if !c.contains(g) {
                                c.push(*g);
                            }
                        }
                        if c.len() <= MAX_GUARDS && !out.contains(&c) {
                            out.push(c);
                        }
                    }
                }
                Req::Clauses(out)
            }
        }
    }

    /// Both hold (`and`).
    fn both(&self, other: &Req) -> Req {
        match (self, other) {
            (Req::Never, _) | (_, Req::Never) => Req::Never,
            (Req::Clauses(a), Req::Clauses(b)) => {
                Req::Clauses(a.iter().chain(b).take(MAX_CLAUSES).cloned().collect())
            }
        }
    }
}

/// Collects the registers and labels an instruction names.
#[derive(Default)]
struct Names {
    regs: Vec<usize>,
    labels: Vec<usize>,
}

impl eql_bytecode::inst::OperandVisitor for Names {
    fn reg(&mut self, r: eql_bytecode::Reg, _written: bool) {
        self.regs.push(r.index());
    }
    fn slot(&mut self, _: eql_bytecode::Slot) {}
    fn constant(&mut self, _: eql_bytecode::Const) {}
    fn set(&mut self, _: eql_bytecode::SetId) {}
    fn wildcard(&mut self, _: eql_bytecode::WildId) {}
    fn regex(&mut self, _: eql_bytecode::RegexId) {}
    fn cidr(&mut self, _: eql_bytecode::CidrId) {}
    fn label(&mut self, l: eql_bytecode::Label) {
        self.labels.push(l.index());
    }
}

/// The literal guard a field instruction proves when true, if it is one.
fn literal(p: &Program, inst: &Inst) -> Option<Guard> {
    match *inst {
        Inst::FieldEqStr { slot, k, .. } | Inst::FieldEqStrCi { slot, k, .. } => {
            match p.pools.consts.get(k.index()) {
                Some(ConstVal::Str(s)) => Some(Guard {
                    slot: slot.index(),
                    strings: vec![s.clone()],
                    case_insensitive: matches!(inst, Inst::FieldEqStrCi { .. }),
                }),
                _ => None,
            }
        }
        Inst::FieldInSet { slot, set, .. } => p.pools.sets.get(set.index()).and_then(|s| {
            all_strings(&s.items).map(|strings| Guard {
                slot: slot.index(),
                strings,
                case_insensitive: s.case_insensitive,
            })
        }),
        _ => None,
    }
}

/// What block `block` returning `true` requires: clauses of literal guards, each of which
/// must hold (a clause holds when one of its guards does). A forward data-flow pass over the
/// block: `and` joins requirements, `or` and meeting paths take either, a conditional jump
/// tells its target (or its fall-through) that the tested register is not true. Blocks with
/// backward jumps, and anything not understood, give no requirement.
pub fn block_requirements(p: &Program, block: usize) -> Vec<Vec<Guard>> {
    let Some(b) = p.blocks.get(block) else {
        return Vec::new();
    };
    let (start, len) = (b.entry as usize, b.len as usize);
    let Some(code) = p.code.get(start..start + len) else {
        return Vec::new();
    };
    let nregs = b.nregs as usize;
    // The register states flowing into each instruction (None: not reached yet).
    let mut into: Vec<Option<Vec<Req>>> = vec![None; len + 1];
    into[0] = Some(vec![Req::unknown(); nregs]);
    let mut result = Req::Never;
    // Guards by (instruction kind, slot, constant or set index) → index into `table`.
    let mut table: Vec<Guard> = Vec::new();
    let mut ids: AHashMap<(u8, usize, usize), u32> = AHashMap::new();
    let merge = |slot: &mut Option<Vec<Req>>, st: Vec<Req>| {
        *slot = Some(match slot.take() {
            None => st,
            Some(old) => old.iter().zip(&st).map(|(a, b)| a.either(b)).collect(),
        });
    };
    for (i, inst) in code.iter().enumerate() {
        let Some(mut st) = into[i].take() else {
            continue;
        };
        let mut names = Names::default();
        inst.visit_operands(&mut names);
        if names.regs.iter().any(|&r| r >= nregs) {
            return Vec::new();
        }
        let mut target = |to: usize, st: Vec<Req>| -> bool {
            match to.checked_sub(start) {
                Some(t) if t > i && t <= len => {
                    merge(&mut into[t], st);
                    true
                }
                _ => false,
            }
        };
        let mut falls = true;
        match *inst {
            Inst::FieldEqStr { dst, .. }
            | Inst::FieldEqStrCi { dst, .. }
            | Inst::FieldInSet { dst, .. } => {
                let key = match *inst {
                    Inst::FieldEqStr { slot, k, .. } => (0, slot.index(), k.index()),
                    Inst::FieldEqStrCi { slot, k, .. } => (1, slot.index(), k.index()),
                    Inst::FieldInSet { slot, set, .. } => (2, slot.index(), set.index()),
                    _ => (3, 0, 0),
                };
                let id = match ids.get(&key) {
                    Some(&id) => Some(id),
                    None => literal(p, inst).map(|g| {
                        table.push(g);
                        let id = table.len() as u32 - 1;
                        ids.insert(key, id);
                        id
                    }),
                };
                st[dst.index()] = match id {
                    Some(id) => Req::Clauses(vec![vec![id]]),
                    None => Req::unknown(),
                };
            }
            Inst::Move { dst, src } => st[dst.index()] = st[src.index()].clone(),
            Inst::And { dst, a, b } => st[dst.index()] = st[a.index()].both(&st[b.index()]),
            Inst::Or { dst, a, b } => st[dst.index()] = st[a.index()].either(&st[b.index()]),
            Inst::Jump { to } => {
                if !target(to.index(), st.clone()) {
                    return Vec::new();
                }
                falls = false;
            }
            Inst::JumpIfFalse { src, to } | Inst::JumpIfTrue { src, to } => {
                let on_true = matches!(inst, Inst::JumpIfTrue { .. });
                let mut taken = st.clone();
                if !on_true {
                    taken[src.index()] = Req::Never;
                } else {
                    st[src.index()] = Req::Never;
                }
                if !target(to.index(), taken) {
                    return Vec::new();
                }
            }
            Inst::Return { src } => {
                result = result.either(&st[src.index()]);
                falls = false;
            }
            _ => {
                // Anything else: every register it names is unknown afterwards, and it may
                // continue at any label it names.
                for &r in &names.regs {
                    st[r] = Req::unknown();
                }
                for &l in &names.labels {
                    if !target(l, st.clone()) {
                        return Vec::new();
                    }
                }
            }
        }
        if falls {
            merge(&mut into[i + 1], st);
        }
    }
    match result {
        Req::Clauses(c) => c
            .iter()
            .map(|c| {
                c.iter()
                    .filter_map(|&i| table.get(i as usize).cloned())
                    .collect()
            })
            .collect(),
        Req::Never => Vec::new(),
    }
}

impl Prefilter {
    /// Reads the guards of every stage of `p` and indexes one per stage: the one on the field
    /// with the most distinct literals across the program (the most selective field), then the
    /// one with the fewest strings.
    pub fn new(p: &Program) -> Prefilter {
        let mut pf = Prefilter::default();
        let mut per_stage: Vec<Vec<Vec<Guard>>> = Vec::new();
        for q in &p.queries {
            pf.offsets.push(per_stage.len() as u32);
            let st = stages(&q.kind);
            pf.stage_counts
                .push(st.iter().filter(|(i, _)| *i != u32::MAX).count() as u32);
            for (_, s) in st {
                per_stage.push(block_requirements(p, s.predicate.index()));
            }
        }
        let mut distinct: AHashMap<usize, AHashSet<String>> = AHashMap::new();
        for g in per_stage.iter().flatten().flatten() {
            let d = distinct.entry(g.slot).or_default();
            d.extend(g.strings.iter().map(|s| s.to_ascii_lowercase()));
        }
        pf.guarded = vec![false; per_stage.len()];
        pf.mark = vec![0; per_stage.len()];
        let score = |c: &Vec<Guard>| {
            let weakest = c
                .iter()
                .map(|g| distinct.get(&g.slot).map_or(0, |s| s.len()))
                .min();
            let strings: usize = c.iter().map(|g| g.strings.len()).sum();
            (weakest, std::cmp::Reverse(strings))
        };
        for (id, clauses) in per_stage.iter().enumerate() {
            let Some(clause) = clauses
                .iter()
                .filter(|c| !c.is_empty())
                .max_by_key(|c| score(c))
            else {
                continue;
            };
            pf.guarded[id] = true;
            for g in clause {
                pf.index(id as u32, g);
            }
        }
        pf
    }

    /// Lets stage `id` through when slot `g.slot` holds one of `g.strings`.
    fn index(&mut self, id: u32, g: &Guard) {
        let pf = self;
        {
            let i = match pf.slots.iter().position(|s| s.slot == g.slot) {
                Some(i) => i,
                None => {
                    pf.slots.push(SlotIndex {
                        slot: g.slot,
                        ..SlotIndex::default()
                    });
                    pf.slots.len() - 1
                }
            };
            let index = &mut pf.slots[i];
            for s in &g.strings {
                let (map, key) = if g.case_insensitive {
                    (&mut index.folded, s.to_ascii_lowercase())
                } else {
                    (&mut index.exact, s.clone())
                };
                let ids = map.entry(key.into_boxed_str()).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
        }
    }

    /// How many stages have an indexed guard.
    pub fn guarded_stages(&self) -> usize {
        self.guarded.iter().filter(|g| **g).count()
    }

    /// True when no stage is guarded (the prefilter has nothing to do).
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Marks the guarded stages the event in `buf` lets through.
    pub fn begin(&mut self, buf: &EventBuf) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.mark.fill(0);
            self.epoch = 1;
        }
        let (mark, epoch, lower) = (&mut self.mark, self.epoch, &mut self.lower);
        let mut set = |ids: Option<&Vec<u32>>| {
            for &id in ids.into_iter().flatten() {
                if let Some(m) = mark.get_mut(id as usize) {
                    *m = epoch;
                }
            }
        };
        for index in &self.slots {
            for v in buf.slot(index.slot) {
                let Value::Str(r) = v else { continue };
                let s = buf.str(*r);
                if !index.exact.is_empty() {
                    set(index.exact.get(s));
                }
                if !index.folded.is_empty() {
                    let key = if s.bytes().any(|b| b.is_ascii_uppercase()) {
                        lower.clear();
                        lower.push_str(s);
                        lower.make_ascii_lowercase();
                        lower.as_str()
                    } else {
                        s
                    };
                    set(index.folded.get(key));
                }
            }
        }
    }

    /// Whether stage `stage` of query `query` (`u32::MAX`: its until stage) may match the event
    /// given to the last [`Prefilter::begin`].
    #[inline]
    pub fn admits(&self, query: u32, stage: u32) -> bool {
        let q = query as usize;
        let (Some(&base), Some(&count)) = (self.offsets.get(q), self.stage_counts.get(q)) else {
            return true;
        };
        let id = (base + if stage == u32::MAX { count } else { stage }) as usize;
        !self.guarded.get(id).copied().unwrap_or(false) || self.mark[id] == self.epoch
    }
}
