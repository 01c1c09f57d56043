//! Reading a stage's literal requirements off its bytecode: a forward data-flow pass over one
//! predicate block that learns, for each register, which literal tests must have held for it
//! to be `true` (`and` keeps both, `or` and meeting paths keep either, a conditional jump tells
//! its target that the tested register is not true). Loops (the emitter's element loops) are
//! handled by forgetting, at the loop head, everything the loop body may change.

use ahash::AHashMap;
use eql_bytecode::{CmpMode, CmpOp, ConstVal, Inst, Program};

/// What a guard asks of a field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Test {
    /// Some value equals one of the strings.
    Equals,
    /// Some value contains one of the strings (atoms read off wildcard patterns).
    Contains,
    /// Some value starts with one of the strings (the literal heads of wildcard patterns).
    StartsWith,
    /// Some value ends with one of the strings (the literal tails of wildcard patterns).
    EndsWith,
    /// Some value is a number equal to one of the integers in `ints`.
    EqualsInt,
}

/// A literal requirement: slot `slot` holds a string that equals (or contains) one of
/// `strings`, or a number equal to one of `ints`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Guard {
    pub slot: usize,
    pub test: Test,
    pub strings: Vec<String>,
    pub ints: Vec<i64>,
    pub case_insensitive: bool,
}

/// Integers no wider than this convert to and from `f64` exactly, so a float value equals one
/// exactly when it is that integer.
const EXACT_INT: i64 = 1 << 53;

/// The shortest atom worth indexing: shorter ones are found in almost every value.
pub const MIN_ATOM: usize = 3;

/// The longest run of literal characters in a wildcard pattern, which every match contains.
pub fn atom(pattern: &str) -> Option<&str> {
    pattern
        .split(['*', '?'])
        .max_by_key(|s| s.len())
        .filter(|s| s.len() >= MIN_ATOM)
}

/// What every match of a wildcard pattern must be, read off its longest literal run: the
/// pattern itself when it has no wildcard ([`Test::Equals`]), else the run and where every
/// match holds it: at its start when the pattern opens with it ([`Test::StartsWith`]), at its
/// end when the pattern closes with it ([`Test::EndsWith`]), else anywhere ([`Test::Contains`]).
/// `None` when the run is shorter than [`MIN_ATOM`].
pub fn anchored_atom(pattern: &str) -> Option<(Test, &str)> {
    if !pattern.contains(['*', '?']) {
        return Some((Test::Equals, pattern));
    }
    let a = atom(pattern)?;
    let test = if pattern.starts_with(a) {
        Test::StartsWith
    } else if pattern.ends_with(a) {
        Test::EndsWith
    } else {
        Test::Contains
    };
    Some((test, a))
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

fn names(inst: &Inst) -> Names {
    let mut n = Names::default();
    inst.visit_operands(&mut n);
    n
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

/// The integers of a constant set, when all its items are integers of exact `f64` size.
fn all_ints(items: &[ConstVal]) -> Option<Vec<i64>> {
    items
        .iter()
        .map(|c| match c {
            ConstVal::Int(i) if i.abs() < EXACT_INT => Some(*i),
            _ => None,
        })
        .collect()
}

/// The guards a field instruction proves when true, one of which holds (none: no guard).
fn literal(p: &Program, inst: &Inst) -> Vec<Guard> {
    match *inst {
        Inst::FieldWildcard { slot, wc, .. } => {
            let Some(w) = p.pools.wildcards.get(wc.index()) else {
                return Vec::new();
            };
            // One guard per kind of test, in a fixed order; a pattern without a usable atom
            // makes the whole test no guard.
            let kinds = [
                Test::Equals,
                Test::StartsWith,
                Test::EndsWith,
                Test::Contains,
            ];
            let mut strings: [Vec<String>; 4] = Default::default();
            for pattern in &w.patterns {
                let Some((test, a)) = anchored_atom(pattern) else {
                    return Vec::new();
                };
                if let Some(i) = kinds.iter().position(|&k| k == test) {
                    strings[i].push(a.to_string());
                }
            }
            kinds
                .into_iter()
                .zip(strings)
                .filter(|(_, s)| !s.is_empty())
                .map(|(test, strings)| Guard {
                    slot: slot.index(),
                    test,
                    strings,
                    ints: Vec::new(),
                    case_insensitive: w.case_insensitive,
                })
                .collect()
        }
        _ => single_literal(p, inst).into_iter().collect(),
    }
}

/// The guard a field instruction other than a wildcard test proves when true, if it is one.
fn single_literal(p: &Program, inst: &Inst) -> Option<Guard> {
    let guard = |slot: eql_bytecode::Slot, test, strings, case_insensitive| Guard {
        slot: slot.index(),
        test,
        strings,
        ints: Vec::new(),
        case_insensitive,
    };
    let ints = |slot: eql_bytecode::Slot, ints| Guard {
        slot: slot.index(),
        test: Test::EqualsInt,
        strings: Vec::new(),
        ints,
        case_insensitive: false,
    };
    match *inst {
        Inst::FieldEqStr { slot, k, .. } | Inst::FieldEqStrCi { slot, k, .. } => {
            match p.pools.consts.get(k.index()) {
                Some(ConstVal::Str(s)) => Some(guard(
                    slot,
                    Test::Equals,
                    vec![s.clone()],
                    matches!(inst, Inst::FieldEqStrCi { .. }),
                )),
                _ => None,
            }
        }
        Inst::FieldInSet { slot, set, .. } => p.pools.sets.get(set.index()).and_then(|s| {
            if let Some(v) = all_ints(&s.items) {
                return Some(ints(slot, v));
            }
            let strings = all_strings(&s.items)?;
            Some(guard(slot, Test::Equals, strings, s.case_insensitive))
        }),
        // Only by value: in `Number` mode a string that parses as the number equals it too.
        Inst::FieldCmp {
            op: CmpOp::Eq,
            mode: CmpMode::Value,
            slot,
            k,
            ..
        } => match p.pools.consts.get(k.index()) {
            Some(ConstVal::Int(i)) if i.abs() < EXACT_INT => Some(ints(slot, vec![*i])),
            _ => None,
        },
        Inst::FieldRegex { slot, re, .. } => p.pools.regexes.get(re.index()).and_then(|r| {
            let mut atoms: Vec<String> = Vec::new();
            for pattern in &r.patterns {
                for a in super::regex_lits::regex_atoms(pattern, r.case_insensitive, MIN_ATOM)? {
                    if !atoms.contains(&a) {
                        atoms.push(a);
                    }
                }
            }
            Some(guard(slot, Test::Contains, atoms, true))
        }),
        _ => None,
    }
}

/// The loops of a block: each loop head (a backward jump's target) with the registers its body
/// names. `None` when the jumps are not structured: some jump enters a loop body other than at
/// its head.
fn loops(code: &[Inst], start: usize) -> Option<AHashMap<usize, Vec<usize>>> {
    let targets: Vec<Vec<usize>> = code
        .iter()
        .map(|inst| {
            names(inst)
                .labels
                .iter()
                .filter_map(|l| l.checked_sub(start))
                .collect()
        })
        .collect();
    let mut ends: AHashMap<usize, usize> = AHashMap::new();
    for (i, ts) in targets.iter().enumerate() {
        for &t in ts.iter().filter(|&&t| t <= i) {
            let e = ends.entry(t).or_insert(i);
            *e = (*e).max(i);
        }
    }
    let mut out = AHashMap::new();
    for (&head, &end) in &ends {
        let inside = |x: usize| head <= x && x <= end;
        for (i, ts) in targets.iter().enumerate() {
            if !inside(i) && ts.iter().any(|&t| t > head && t <= end) {
                return None;
            }
        }
        let mut regs: Vec<usize> = code[head..=end]
            .iter()
            .flat_map(|i| names(i).regs)
            .collect();
        regs.sort_unstable();
        regs.dedup();
        out.insert(head, regs);
    }
    Some(out)
}

/// The kind of field test a literal is read from, part of the key under which the literals
/// of identical tests are shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TestKind {
    EqStr,
    EqStrCi,
    InSet,
    Wildcard,
    Regex,
    Cmp(CmpOp, CmpMode),
    Other,
}

/// What block `block` returning `true` requires: clauses of literal guards, each of which
/// must hold (a clause holds when one of its guards does). Anything not understood gives no
/// requirement, which is always sound.
pub fn block_requirements(p: &Program, block: usize) -> Vec<Vec<Guard>> {
    let Some(b) = p.blocks.get(block) else {
        return Vec::new();
    };
    let (start, len) = (b.entry as usize, b.len as usize);
    let Some(code) = p.code.get(start..start + len) else {
        return Vec::new();
    };
    let Some(heads) = loops(code, start) else {
        return Vec::new();
    };
    let nregs = b.nregs as usize;
    // The register states flowing into each instruction (None: not reached yet).
    let mut into: Vec<Option<Vec<Req>>> = vec![None; len + 1];
    into[0] = Some(vec![Req::unknown(); nregs]);
    let mut result = Req::Never;
    // Guards by (instruction kind, slot, constant or pool index) → index into `table`.
    let mut table: Vec<Guard> = Vec::new();
    let mut ids: AHashMap<(TestKind, usize, usize), Vec<u32>> = AHashMap::new();
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
        let names = names(inst);
        if names.regs.iter().any(|&r| r >= nregs) {
            return Vec::new();
        }
        // A loop head: the state entering it on the way round is this one with whatever the
        // body names forgotten, which also covers every later trip.
        for &r in heads.get(&i).into_iter().flatten() {
            if let Some(s) = st.get_mut(r) {
                *s = Req::unknown();
            }
        }
        let mut target = |to: usize, st: Vec<Req>| -> bool {
            match to.checked_sub(start) {
                Some(t) if t > i && t <= len => {
                    merge(&mut into[t], st);
                    true
                }
                // A jump back to a loop head is covered by the head's forgetting.
                Some(t) if t <= i && heads.contains_key(&t) => true,
                _ => false,
            }
        };
        let mut falls = true;
        match *inst {
            Inst::FieldEqStr { dst, .. }
            | Inst::FieldEqStrCi { dst, .. }
            | Inst::FieldInSet { dst, .. }
            | Inst::FieldWildcard { dst, .. }
            | Inst::FieldRegex { dst, .. }
            | Inst::FieldCmp { dst, .. } => {
                let key = match *inst {
                    Inst::FieldEqStr { slot, k, .. } => (TestKind::EqStr, slot.index(), k.index()),
                    Inst::FieldEqStrCi { slot, k, .. } => {
                        (TestKind::EqStrCi, slot.index(), k.index())
                    }
                    Inst::FieldInSet { slot, set, .. } => {
                        (TestKind::InSet, slot.index(), set.index())
                    }
                    Inst::FieldWildcard { slot, wc, .. } => {
                        (TestKind::Wildcard, slot.index(), wc.index())
                    }
                    Inst::FieldRegex { slot, re, .. } => {
                        (TestKind::Regex, slot.index(), re.index())
                    }
                    // Distinct per operator and mode: only `==` by value is a guard.
                    Inst::FieldCmp {
                        slot, k, op, mode, ..
                    } => (TestKind::Cmp(op, mode), slot.index(), k.index()),
                    _ => (TestKind::Other, 0, 0),
                };
                let guards = ids.entry(key).or_insert_with(|| {
                    literal(p, inst)
                        .into_iter()
                        .map(|g| {
                            table.push(g);
                            table.len() as u32 - 1
                        })
                        .collect()
                });
                st[dst.index()] = if guards.is_empty() {
                    Req::unknown()
                } else {
                    Req::Clauses(vec![guards.clone()])
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
