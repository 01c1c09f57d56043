//! The decision-graph form of a block: a block made of field tests and boolean logic alone
//! (`not`, `and`, `or`, `move`, boolean constants, forward jumps, `return`) is a function of
//! its tests' outcomes. At load such a block is run symbolically, with every register holding
//! a known boolean, splitting at each test on its two outcomes; what remains is a graph whose
//! nodes are the tests and whose leaves are the block's values. Running it evaluates exactly
//! the tests the bytecode would evaluate, in the same order, without touching a register;
//! `order.rs` may then move the tests of a graph's leading `and` chain, which changes which
//! tests run but not the block's value, and `assume.rs` may give a block a root that skips
//! the tests its caller knows to pass.
//!
//! Registers are left as they were, so a program gets graphs only when none of its blocks
//! can read a register it has not written in the same run (`regflow.rs`); compiled programs
//! never do.

use super::field::{str_const, StrList};
use super::fused::Test;
use super::order::order_chain;
use super::regflow::{writes_before_reads, Operands};
use eql_bytecode::{ConstVal, FieldDef, Inst, Program, SetId, Slot};
use std::collections::HashMap;

/// A leaf: the block's value is `true`.
pub(super) const TRUE: u32 = u32::MAX;
/// A leaf: the block's value is `false`.
pub(super) const FALSE: u32 = u32::MAX - 1;
/// The root of a block that has no graph.
const NONE: u32 = u32::MAX - 2;

/// Most nodes one block's graph may have; a block needing more keeps its other forms.
const MAX_NODES: usize = 1024;
/// Most registers a block may use to get a graph (one bit each in the symbolic state).
const MAX_REGS: u32 = 64;

/// A test and where to go on each outcome: `next[0]` when it fails, `next[1]` when it
/// passes; a node index, or [`TRUE`] / [`FALSE`]. One cache line each, so that a step of a
/// walk reads one line of the graph.
#[derive(Debug, Clone)]
#[repr(align(64))]
pub(super) struct Node {
    pub check: Check,
    pub next: [u32; 2],
}

const _: () = assert!(std::mem::size_of::<Node>() == 64);

/// A node's test, in the form it runs.
#[derive(Debug, Clone)]
pub(super) enum Check {
    /// Some value of the slot is a string in the list (`field.eq_str`, `field.eq_str_ci`,
    /// and `field.in_set` of a few strings); a value that is not a string is looked up in
    /// `set`, when the test is a set's.
    Strs {
        slot: Slot,
        list: StrList,
        set: Option<SetId>,
    },
    /// Any other field test.
    Test(Test),
}

impl Check {
    fn new(test: Test, p: &Program) -> Check {
        let consts = &p.pools.consts;
        let (slot, list, set) = match test {
            Test::EqStr(slot, k) => (slot, StrList::one(str_const(consts, k), false), None),
            Test::EqStrCi(slot, k) => (slot, StrList::one(str_const(consts, k), true), None),
            Test::InSet(slot, set) => match p.pools.sets.get(set.index()).and_then(StrList::new) {
                Some(list) => (slot, list, Some(set)),
                None => return Check::Test(test),
            },
            _ => return Check::Test(test),
        };
        Check::Strs { slot, list, set }
    }
}

/// The graphs of a program's blocks, their nodes in one list.
#[derive(Debug, Default)]
pub(super) struct Graphs {
    pub nodes: Vec<Node>,
    /// By block: the root it runs from (a node index or a leaf), or [`NONE`].
    roots: Vec<u32>,
    /// By block: its root in the written order and in the order of `order.rs` (the same
    /// when that changes nothing).
    orders: Vec<[u32; 2]>,
    /// How many blocks have a reordered leading `and` chain ([`Graphs::order_chains`]).
    pub reordered: usize,
    /// How many nodes the blocks' own graphs take ([`Graphs::seal`]); the nodes after them
    /// are copies made by [`Graphs::assume`].
    own: usize,
    /// By block: its root before [`Graphs::assume`] gave it another, or [`NONE`].
    assumed: Vec<u32>,
}

impl Graphs {
    /// The graphs of every block that has one (none when some block of the program may read
    /// a register before writing it).
    pub(super) fn build(p: &Program) -> Graphs {
        let code = |b: &eql_bytecode::Block| {
            let start = b.entry as usize;
            p.code.get(start..start.saturating_add(b.len as usize))
        };
        let mut g = Graphs::default();
        let clean = p
            .blocks
            .iter()
            .all(|b| code(b).is_some_and(|c| writes_before_reads(c, b.entry, b.nregs)));
        if !clean {
            return g;
        }
        for b in &p.blocks {
            let root = code(b)
                .and_then(|c| Builder::new(c, b.entry, b.nregs, p, &mut g.nodes))
                .and_then(Builder::run);
            g.roots.push(root.unwrap_or(NONE));
        }
        g
    }

    /// Gives every graph a second root from which its leading `and` chain runs its most
    /// selective cheap tests first (`order.rs`), and runs the blocks from it; the blocks'
    /// values stay the same.
    pub(super) fn order_chains(&mut self, fields: &[FieldDef]) {
        self.orders = self.roots.iter().map(|&r| [r, r]).collect();
        for (root, order) in self.roots.iter_mut().zip(&mut self.orders) {
            if *root == NONE {
                continue;
            }
            if let Some(new_root) = order_chain(&mut self.nodes, *root, fields) {
                *root = new_root;
                order[1] = new_root;
                self.reordered += 1;
            }
        }
    }

    /// Makes block `b` run its tests in the written order (`true`) or in the order of
    /// [`Graphs::order_chains`] (`false`), undoing an earlier [`Graphs::assume`] of it.
    pub(super) fn keep_written_order(&mut self, b: usize, written: bool) {
        if let (Some(root), Some(order)) = (self.roots.get_mut(b), self.orders.get(b)) {
            *root = order[usize::from(!written)];
        }
        if let Some(a) = self.assumed.get_mut(b) {
            *a = NONE;
        }
    }

    /// Marks the nodes made so far as the blocks' own: [`Graphs::drop_assumptions`] keeps
    /// them.
    pub(super) fn seal(&mut self) {
        self.own = self.nodes.len();
        self.assumed = vec![NONE; self.roots.len()];
    }

    /// Gives block `b` a root from which every test `holds` says passes is not run: the walk
    /// goes on as if it had passed. Only the nodes on the way to a skipped one are copied
    /// (after [`Graphs::seal`]); the others are shared. Returns whether anything changed.
    pub(super) fn assume(&mut self, b: usize, holds: &dyn Fn(&Check) -> bool) -> bool {
        let Some(root) = self.root(b) else {
            return false;
        };
        let mut memo = HashMap::new();
        let Some(new_root) = self.prune(root, holds, &mut memo) else {
            return false;
        };
        if new_root == root {
            return false;
        }
        if let (Some(r), Some(a)) = (self.roots.get_mut(b), self.assumed.get_mut(b)) {
            if *a == NONE {
                *a = *r;
            }
            *r = new_root;
            return true;
        }
        false
    }

    /// The node or leaf that stands for `at` once the tests `holds` accepts are skipped
    /// (`None` when the copies would not fit the node numbering).
    fn prune(
        &mut self,
        at: u32,
        holds: &dyn Fn(&Check) -> bool,
        memo: &mut HashMap<u32, u32>,
    ) -> Option<u32> {
        let Some(node) = self.nodes.get(at as usize) else {
            return Some(at);
        };
        if let Some(&n) = memo.get(&at) {
            return Some(n);
        }
        let next = node.next;
        let out = if holds(&node.check) {
            self.prune(next[1], holds, memo)?
        } else {
            let new = [
                self.prune(next[0], holds, memo)?,
                self.prune(next[1], holds, memo)?,
            ];
            if new == next {
                at
            } else {
                let check = self.nodes.get(at as usize)?.check.clone();
                let n = u32::try_from(self.nodes.len()).ok().filter(|&n| n < NONE)?;
                self.nodes.push(Node { check, next: new });
                n
            }
        };
        memo.insert(at, out);
        Some(out)
    }

    /// How many blocks run from a root [`Graphs::assume`] gave them.
    pub(super) fn assumed(&self) -> usize {
        self.assumed.iter().filter(|&&a| a != NONE).count()
    }

    /// Undoes every [`Graphs::assume`]: the blocks run from their roots before it again and
    /// the copies are dropped.
    pub(super) fn drop_assumptions(&mut self) {
        for (r, a) in self.roots.iter_mut().zip(&mut self.assumed) {
            if *a != NONE {
                *r = *a;
                *a = NONE;
            }
        }
        self.nodes.truncate(self.own);
    }

    /// The root of block `b`'s graph, if it has one.
    #[inline(always)]
    pub(super) fn root(&self, b: usize) -> Option<u32> {
        self.roots.get(b).copied().filter(|&r| r != NONE)
    }

    /// How many blocks have a graph.
    pub(super) fn blocks(&self) -> usize {
        self.roots.iter().filter(|&&r| r != NONE).count()
    }
}

/// Registers holding known booleans: `known` has a bit per register written on the path so
/// far, `value` its boolean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct State {
    known: u64,
    value: u64,
}

impl State {
    fn get(self, r: eql_bytecode::Reg) -> Option<bool> {
        let bit = 1u64.checked_shl(r.0)?;
        (self.known & bit != 0).then_some(self.value & bit != 0)
    }
    fn set(mut self, r: eql_bytecode::Reg, v: bool) -> Option<State> {
        let bit = 1u64.checked_shl(r.0)?;
        self.known |= bit;
        self.value = if v {
            self.value | bit
        } else {
            self.value & !bit
        };
        Some(self)
    }
}

/// Builds one block's graph.
struct Builder<'a> {
    code: &'a [Inst],
    base: u32,
    program: &'a Program,
    /// By instruction: the registers whose value may still be read from there on.
    live: Vec<u64>,
    nodes: &'a mut Vec<Node>,
    /// Where this block's nodes start in `nodes`.
    first: usize,
    /// Nodes already made, by instruction and the live part of the state before it.
    made: HashMap<(usize, State), u32>,
    /// Nodes whose successors are still to be found: node, its test's instruction and the
    /// state before it.
    work: Vec<(u32, usize, State)>,
}

impl<'a> Builder<'a> {
    /// A builder for a block that only holds instructions a graph can express; `None`
    /// otherwise.
    fn new(
        code: &'a [Inst],
        base: u32,
        nregs: u32,
        program: &'a Program,
        nodes: &'a mut Vec<Node>,
    ) -> Option<Builder<'a>> {
        let consts = &program.pools.consts;
        if nregs > MAX_REGS {
            return None;
        }
        // Liveness in one backward sweep: every jump goes forward.
        let mut live = vec![0u64; code.len()];
        for pc in (0..code.len()).rev() {
            let inst = code.get(pc)?;
            let simple = Test::of(inst).is_some()
                || matches!(
                    inst,
                    Inst::Not { .. }
                        | Inst::And { .. }
                        | Inst::Or { .. }
                        | Inst::Move { .. }
                        | Inst::Jump { .. }
                        | Inst::JumpIfFalse { .. }
                        | Inst::JumpIfTrue { .. }
                        | Inst::Return { .. }
                );
            let boolean = matches!(inst, Inst::LoadConst { k, .. }
                if matches!(consts.get(k.index()), Some(ConstVal::Bool(_))));
            if !simple && !boolean {
                return None;
            }
            let op = Operands::of(inst);
            let mut out = 0u64;
            for to in op.successors(pc, base) {
                if to <= pc {
                    return None;
                }
                out |= *live.get(to)?;
            }
            let mask = |rs: &[u32]| {
                rs.iter()
                    .try_fold(0u64, |m, &r| Some(m | 1u64.checked_shl(r)?))
            };
            *live.get_mut(pc)? = mask(&op.reads)? | (out & !mask(&op.writes)?);
        }
        let first = nodes.len();
        Some(Builder {
            code,
            base,
            program,
            live,
            nodes,
            first,
            made: HashMap::new(),
            work: Vec::new(),
        })
    }

    /// The root of the graph, or `None` (nodes made so far removed) when the block has none.
    fn run(mut self) -> Option<u32> {
        let root = self.grow();
        if root.is_none() {
            self.nodes.truncate(self.first);
        }
        root
    }

    fn grow(&mut self) -> Option<u32> {
        let root = self.settle(0, State { known: 0, value: 0 })?;
        while let Some((node, pc, state)) = self.work.pop() {
            let (_, dst) = Test::of(self.code.get(pc)?)?;
            let on_false = self.settle(pc + 1, state.set(dst, false)?)?;
            let on_true = self.settle(pc + 1, state.set(dst, true)?)?;
            self.nodes.get_mut(node as usize)?.next = [on_false, on_true];
        }
        Some(root)
    }

    /// Runs from instruction `pc` in state `s` up to the next test (its node, made if new)
    /// or `return` (a leaf). `None` when the block reads a register with no known value or
    /// leaves the forms a graph can express.
    fn settle(&mut self, mut pc: usize, mut s: State) -> Option<u32> {
        let base = self.base as usize;
        // A jump's target as an index into `code`, ahead of `pc`.
        let ahead = |pc: usize, l: eql_bytecode::Label| {
            let to = (l.0 as usize).wrapping_sub(base);
            (to > pc).then_some(to)
        };
        loop {
            let inst = *self.code.get(pc)?;
            if let Some((test, _)) = Test::of(&inst) {
                let live = *self.live.get(pc)?;
                let key = State {
                    known: s.known & live,
                    value: s.value & s.known & live,
                };
                if let Some(&node) = self.made.get(&(pc, key)) {
                    return Some(node);
                }
                if self.nodes.len() - self.first >= MAX_NODES {
                    return None;
                }
                let node = u32::try_from(self.nodes.len()).ok().filter(|&n| n < NONE)?;
                self.nodes.push(Node {
                    check: Check::new(test, self.program),
                    next: [FALSE, FALSE],
                });
                self.made.insert((pc, key), node);
                self.work.push((node, pc, key));
                return Some(node);
            }
            match inst {
                Inst::Not { dst, src } => s = s.set(dst, !s.get(src)?)?,
                Inst::And { dst, a, b } => s = s.set(dst, s.get(a)? && s.get(b)?)?,
                Inst::Or { dst, a, b } => s = s.set(dst, s.get(a)? || s.get(b)?)?,
                Inst::Move { dst, src } => s = s.set(dst, s.get(src)?)?,
                Inst::LoadConst { dst, k } => match self.program.pools.consts.get(k.index()) {
                    Some(ConstVal::Bool(v)) => s = s.set(dst, *v)?,
                    _ => return None,
                },
                Inst::Jump { to } => {
                    pc = ahead(pc, to)?;
                    continue;
                }
                Inst::JumpIfFalse { src, to } | Inst::JumpIfTrue { src, to } => {
                    let when = matches!(inst, Inst::JumpIfTrue { .. });
                    if s.get(src)? == when {
                        pc = ahead(pc, to)?;
                        continue;
                    }
                }
                Inst::Return { src } => return Some(if s.get(src)? { TRUE } else { FALSE }),
                _ => return None,
            }
            pc += 1;
        }
    }
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
