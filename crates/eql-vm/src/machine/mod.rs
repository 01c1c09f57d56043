//! The register machine: loads (verifies) a program, builds its matchers and its load-time
//! forms (`graph.rs` for blocks of tests and logic alone, `fused.rs` for the others), and runs
//! blocks over decoded events. Registers, temporaries and scratch
//! buffers live in a [`Machine`] that is reused across events, so running a block allocates
//! nothing in steady state.

mod assume;
mod field;
mod fused;
mod general;
mod graph;
mod guard;
mod heads;
mod order;
mod regflow;
mod strlist;

use crate::event::{EventBuf, Value};
use crate::matchers::{RtCidr, RtRegex, RtSet, RtWildcard};
use crate::value::{RVal, SRef, Scalar};
pub use assume::Fact;
use eql_bytecode::*;
pub use field::bytes_eq;
use fused::{Op, Target, Then};
use general::Step;
use graph::Check;
pub use guard::{ByLen, Guard};

/// Why a program could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("the program failed verification: {0}")]
    Verify(#[from] VerifyError),
    #[error("{0}")]
    Matcher(String),
}

/// A verified program with its matchers built.
#[derive(Debug)]
pub struct Loaded {
    pub program: Program,
    sets: Vec<RtSet>,
    wildcards: Vec<RtWildcard>,
    regexes: Vec<RtRegex>,
    cidrs: Vec<RtCidr>,
    /// The load-time form: one op per instruction of `program.code`.
    ops: Vec<Op>,
    /// By set: the set as a [`field::StrList`], when it is a few strings.
    lists: Vec<Option<field::StrList>>,
    /// The decision graphs of the blocks that have one.
    graphs: graph::Graphs,
}

/// Which load-time forms a program gets.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// None: every instruction runs through the general interpreter.
    General,
    /// Fused ops only.
    Fused,
    /// Decision graphs where a block has one, fused ops elsewhere.
    Full,
}

impl Loaded {
    pub fn new(program: Program) -> Result<Loaded, LoadError> {
        Loaded::build(program, Form::Full)
    }

    /// A program loaded without the load-time forms: every instruction runs through the
    /// general interpreter (for checking that all forms give the same results).
    #[doc(hidden)]
    pub fn unfused(program: Program) -> Result<Loaded, LoadError> {
        Loaded::build(program, Form::General)
    }

    /// A program loaded with fused ops but no decision graphs (for checking the fused ops of
    /// blocks that otherwise run as graphs).
    #[doc(hidden)]
    pub fn without_graphs(program: Program) -> Result<Loaded, LoadError> {
        Loaded::build(program, Form::Fused)
    }

    /// Makes block `b`, when it runs as a decision graph, test its leading `and` chain in the
    /// written order (`true`) rather than most selective cheap tests first (the default); drops
    /// what [`Loaded::assume`] assumed of it.
    pub fn keep_written_order(&mut self, b: BlockId, written: bool) {
        self.graphs.keep_written_order(b.index(), written);
    }

    /// How many blocks run as decision graphs whose leading `and` chain was reordered.
    #[doc(hidden)]
    pub fn reordered_blocks(&self) -> usize {
        self.graphs.reordered
    }

    /// How many blocks skip tests they were told pass ([`Loaded::assume`]).
    #[doc(hidden)]
    pub fn assumed_blocks(&self) -> usize {
        self.graphs.assumed()
    }

    /// How many blocks run as decision graphs.
    #[doc(hidden)]
    pub fn graph_blocks(&self) -> usize {
        self.graphs.blocks()
    }

    fn build(program: Program, form: Form) -> Result<Loaded, LoadError> {
        verify(&program)?;
        let pools = &program.pools;
        let sets = pools.sets.iter().map(RtSet::new).collect();
        let wildcards = pools.wildcards.iter().map(RtWildcard::new).collect();
        let regexes = pools
            .regexes
            .iter()
            .map(RtRegex::new)
            .collect::<Result<_, _>>()
            .map_err(LoadError::Matcher)?;
        let cidrs = pools.cidrs.iter().map(RtCidr::new).collect();
        let graphs = if form == Form::Full {
            let mut g = graph::Graphs::build(&program);
            g.order_chains(&program.fields);
            g.seal();
            g
        } else {
            graph::Graphs::default()
        };
        let (ops, lists) = if form != Form::General {
            let lists = pools.sets.iter().map(field::StrList::new).collect();
            (fused::translate(&program), lists)
        } else {
            (vec![Op::General; program.code.len()], Vec::new())
        };
        Ok(Loaded {
            program,
            sets,
            wildcards,
            regexes,
            cidrs,
            ops,
            lists,
            graphs,
        })
    }
}

/// How many backward jumps one block run may take before it is stopped (a guard against
/// hand-made programs; compiled loops take one per array element).
const BACK_JUMP_FUEL: u32 = 1 << 20;

/// Process lineage as the engine has seen it (`lineage` instructions).
pub trait LineageView {
    /// Whether the process `start`, or one of its ancestors at most `depth - 1` steps above it,
    /// matched lineage filter `filter` when its process event was seen.
    fn matched(&self, start: &str, filter: u32, depth: u32) -> bool;
}

/// What a block can read besides its own event.
#[derive(Clone, Copy, Default)]
pub struct RunCtx<'a> {
    /// The events of the partial sequence being extended, by stage index (`load.field_of`).
    pub stages: &'a [Option<&'a EventBuf>],
    pub lineage: Option<&'a dyn LineageView>,
}

/// Reusable execution state.
#[derive(Debug, Default)]
pub struct Machine {
    regs: Vec<RVal>,
    temps: Vec<String>,
    ntemps: usize,
    buf: Vec<u8>,
    /// Block runs stopped for running out of fuel.
    pub stopped: u64,
}

fn scalar_of<'a>(
    v: RVal,
    ev: &'a EventBuf,
    consts: &'a [ConstVal],
    temps: &'a [String],
) -> Scalar<'a> {
    match v {
        RVal::Null => Scalar::Null,
        RVal::Bool(b) => Scalar::Bool(b),
        RVal::Int(i) => Scalar::Int(i),
        RVal::Float(x) => Scalar::Float(x),
        RVal::Ip(ip) => Scalar::Ip(ip),
        RVal::Date(d) => Scalar::Date(d),
        RVal::Object => Scalar::Object,
        RVal::Str(SRef::Event(r)) => Scalar::Str(ev.str(r)),
        RVal::Str(SRef::Const(k)) => match consts.get(k as usize) {
            Some(ConstVal::Str(s)) => Scalar::Str(s),
            _ => Scalar::Null,
        },
        RVal::Str(SRef::Temp(t)) => Scalar::Str(temps.get(t as usize).map_or("", |s| s.as_str())),
    }
}

/// An event value as a scalar.
pub fn value_scalar(v: Value, ev: &EventBuf) -> Scalar<'_> {
    match v {
        Value::Null => Scalar::Null,
        Value::Bool(b) => Scalar::Bool(b),
        Value::Int(i) => Scalar::Int(i),
        Value::Float(x) => Scalar::Float(x),
        Value::Str(s) => Scalar::Str(ev.str(s)),
        Value::Ip(ip) => Scalar::Ip(ip),
        Value::Date(d) => Scalar::Date(d),
        Value::Object => Scalar::Object,
    }
}

fn const_rval(k: Const, consts: &[ConstVal]) -> RVal {
    match consts.get(k.index()) {
        Some(ConstVal::Null) | None => RVal::Null,
        Some(ConstVal::Bool(b)) => RVal::Bool(*b),
        Some(ConstVal::Int(i)) => RVal::Int(*i),
        Some(ConstVal::Float(x)) => RVal::Float(*x),
        Some(ConstVal::Str(_)) => RVal::Str(SRef::Const(k.0)),
        Some(ConstVal::Ip(ip)) => RVal::Ip(*ip),
    }
}

/// Whether some value among `vals` is a string in `list`; `None` when a value that is not a
/// string comes first (it may need a set lookup: [`Machine::check`]).
#[inline(always)]
fn strs_in(list: &field::StrList, vals: &[Value], ev: &EventBuf) -> Option<bool> {
    for v in vals {
        match v {
            // The length first: most strings fail it without their bytes being read.
            Value::Str(r) => {
                if list.may_have_len(r.len as usize) && list.contains_sized(ev.bytes(*r)) {
                    return Some(true);
                }
            }
            _ => return None,
        }
    }
    Some(false)
}

/// Kleene `and`.
#[inline]
fn and3(a: RVal, b: RVal) -> RVal {
    match (tri(a), tri(b)) {
        (Some(false), _) | (_, Some(false)) => RVal::Bool(false),
        (Some(true), Some(true)) => RVal::Bool(true),
        _ => RVal::Null,
    }
}

fn tri(v: RVal) -> Option<bool> {
    match v {
        RVal::Bool(b) => Some(b),
        _ => None,
    }
}

fn from_tri(v: Option<bool>) -> RVal {
    v.map_or(RVal::Null, RVal::Bool)
}

impl Machine {
    pub fn new() -> Machine {
        Machine::default()
    }

    /// Runs block `b` over `ev` and returns its value.
    #[inline]
    pub fn run(&mut self, p: &Loaded, b: BlockId, ev: &EventBuf) -> RVal {
        self.run_in(p, b, ev, RunCtx::default())
    }

    /// Runs block `b` over `ev`, with other events and lineage available, and returns its value.
    #[inline]
    pub fn run_in(&mut self, p: &Loaded, b: BlockId, ev: &EventBuf, cx: RunCtx<'_>) -> RVal {
        match p.graphs.root(b.index()) {
            Some(root) => RVal::Bool(self.walk(p, root, ev)),
            None => self.interpret(p, b, ev, cx),
        }
    }

    /// [`Machine::run_in`] for a stage predicate, which reads no other event: the context is
    /// only put together when the block has no graph.
    #[inline(always)]
    pub fn run_predicate(
        &mut self,
        p: &Loaded,
        b: BlockId,
        ev: &EventBuf,
        lineage: Option<&dyn LineageView>,
    ) -> bool {
        match p.graphs.root(b.index()) {
            Some(root) => self.walk(p, root, ev),
            None => {
                let cx = RunCtx {
                    stages: &[],
                    lineage,
                };
                self.interpret(p, b, ev, cx).is_true()
            }
        }
    }

    /// Follows a block's decision graph from `at` to a leaf.
    #[inline(never)]
    fn walk(&mut self, p: &Loaded, mut at: u32, ev: &EventBuf) -> bool {
        let nodes = p.graphs.nodes.as_slice();
        while let Some(node) = nodes.get(at as usize) {
            let hit = match &node.check {
                Check::Strs { slot, list, .. } => match strs_in(list, ev.slot(slot.index()), ev) {
                    Some(hit) => hit,
                    None => self.check(p, &node.check, ev),
                },
                // A wildcard test of an empty slot or of one string, the commonest cases,
                // without `check`'s frame.
                &Check::Test(fused::Test::Wildcard(slot, wc)) => match ev.slot(slot.index()) {
                    [] => false,
                    [Value::Str(r)] => p
                        .wildcards
                        .get(wc.index())
                        .is_some_and(|m| m.matches_bytes(ev.bytes(*r))),
                    _ => self.check(p, &node.check, ev),
                },
                check => self.check(p, check, ev),
            };
            at = node.next[usize::from(hit)];
        }
        at == graph::TRUE
    }

    /// Whether `ev` passes a graph node's test: string lists, wildcards and regexes here,
    /// the other tests through [`Machine::field_test`] (one call and one dispatch fewer for
    /// the commonest costly tests).
    #[inline(never)]
    fn check(&mut self, p: &Loaded, check: &Check, ev: &EventBuf) -> bool {
        match check {
            Check::Strs { slot, list, set } => ev.slot(slot.index()).iter().any(|v| match v {
                Value::Str(r) => list.contains(ev.bytes(*r)),
                v => set.is_some_and(|set| self.in_set(p, set, *v, ev)),
            }),
            &Check::Test(fused::Test::Wildcard(slot, wc)) => {
                Machine::wildcard_test(p, slot, wc, ev)
            }
            &Check::Test(fused::Test::Regex(slot, re)) => Machine::regex_test(p, slot, re, ev),
            Check::Test(t) => self.field_test(p, *t, ev),
        }
    }

    /// Runs block `b` through its fused ops and the general interpreter.
    #[inline(never)]
    fn interpret(&mut self, p: &Loaded, b: BlockId, ev: &EventBuf, cx: RunCtx<'_>) -> RVal {
        let Some(block) = p.program.blocks.get(b.index()) else {
            return RVal::Null;
        };
        if self.regs.len() < block.nregs as usize {
            self.regs.resize(block.nregs as usize, RVal::Null);
        }
        self.ntemps = 0;
        let mut fuel = BACK_JUMP_FUEL;
        let mut pc = block.entry as usize;
        let end = (block.entry as usize).saturating_add(block.len as usize);
        macro_rules! r {
            ($r:expr) => {
                self.regs[$r.index()]
            };
        }
        // Continues at `to` (a backward jump takes fuel), or returns the jump's known value.
        macro_rules! jump {
            ($to:expr) => {
                match $to {
                    Target::Pc(to) => {
                        let to = to as usize;
                        if to < pc {
                            fuel -= 1;
                            if fuel == 0 {
                                self.stopped += 1;
                                return RVal::Null;
                            }
                        }
                        pc = to;
                    }
                    Target::Return(v) => return RVal::Bool(v),
                }
            };
        }
        loop {
            let Some(op) = p.ops.get(pc).filter(|_| pc < end) else {
                return RVal::Null;
            };
            match op {
                Op::Test {
                    test,
                    dst,
                    negate,
                    and,
                    then,
                    next,
                } => {
                    let hit = self.quick_test(p, test, ev) != *negate;
                    r!(dst) = RVal::Bool(hit);
                    let decisive = match and {
                        Some(a) => {
                            let v = and3(r!(a.a), r!(a.b));
                            r!(a.dst) = v;
                            v
                        }
                        None => RVal::Bool(hit),
                    };
                    match *then {
                        Then::Next => pc = *next as usize,
                        Then::JumpIf(when, to) => {
                            if decisive == RVal::Bool(when) {
                                jump!(to)
                            } else {
                                pc = *next as usize
                            }
                        }
                        Then::Return => return decisive,
                    }
                }
                &Op::Not { dst, src } => {
                    r!(dst) = from_tri(tri(r!(src)).map(|b| !b));
                    pc += 1;
                }
                &Op::And { dst, a, b } => {
                    r!(dst) = and3(r!(a), r!(b));
                    pc += 1;
                }
                &Op::Or { dst, a, b } => {
                    r!(dst) = match (tri(r!(a)), tri(r!(b))) {
                        (Some(true), _) | (_, Some(true)) => RVal::Bool(true),
                        (Some(false), Some(false)) => RVal::Bool(false),
                        _ => RVal::Null,
                    };
                    pc += 1;
                }
                &Op::Jump(to) => jump!(Target::Pc(to)),
                &Op::JumpIf { src, when, to } => {
                    if r!(src) == RVal::Bool(when) {
                        jump!(to)
                    } else {
                        pc += 1
                    }
                }
                &Op::Return(src) => return r!(src),
                Op::General => match self.general(p, ev, cx, pc, end, &mut fuel) {
                    Step::At(at) => pc = at,
                    Step::Done(v) => return v,
                },
            }
        }
    }
    /// Copies `s` into the next temporary string; returns its index.
    fn temp_str(&mut self, s: &str) -> u32 {
        let t = self.ntemps;
        if self.temps.len() <= t {
            self.temps.resize_with(t + 1, String::new);
        }
        if let Some(out) = self.temps.get_mut(t) {
            out.clear();
            out.push_str(s);
        }
        self.ntemps += 1;
        t as u32
    }

    /// The value of a register after a run, resolved (for key blocks).
    pub fn scalar<'a>(&'a self, v: RVal, p: &'a Loaded, ev: &'a EventBuf) -> Scalar<'a> {
        scalar_of(v, ev, &p.program.pools.consts, &self.temps)
    }
}
