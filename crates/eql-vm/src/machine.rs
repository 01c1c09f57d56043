//! The register machine: loads (verifies) a program, builds its matchers, and runs blocks over
//! decoded events. Registers, temporaries and scratch buffers live in a [`Machine`] that is
//! reused across events, so running a block allocates nothing in steady state.

use crate::builtins::{self, Ret};
use crate::event::{EventBuf, Value};
use crate::matchers::{RtCidr, RtRegex, RtSet, RtWildcard};
use crate::value::{compare, RVal, SRef, Scalar};
use eql_bytecode::*;

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
}

impl Loaded {
    pub fn new(program: Program) -> Result<Loaded, LoadError> {
        verify(&program)?;
        let pools = &program.pools;
        let sets = pools.sets.iter().map(RtSet::new).collect();
        let wildcards = pools
            .wildcards
            .iter()
            .map(RtWildcard::new)
            .collect::<Result<_, _>>()
            .map_err(LoadError::Matcher)?;
        let regexes = pools
            .regexes
            .iter()
            .map(RtRegex::new)
            .collect::<Result<_, _>>()
            .map_err(LoadError::Matcher)?;
        let cidrs = pools.cidrs.iter().map(RtCidr::new).collect();
        Ok(Loaded {
            program,
            sets,
            wildcards,
            regexes,
            cidrs,
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

fn tri(v: RVal) -> Option<bool> {
    match v {
        RVal::Bool(b) => Some(b),
        _ => None,
    }
}

fn from_tri(v: Option<bool>) -> RVal {
    v.map_or(RVal::Null, RVal::Bool)
}

fn arith(op: ArithOp, a: Scalar<'_>, b: Scalar<'_>) -> RVal {
    let int = |s: Scalar<'_>| match s {
        Scalar::Int(i) | Scalar::Date(i) => Some(i),
        _ => None,
    };
    let float = |s: Scalar<'_>| match s {
        Scalar::Int(i) | Scalar::Date(i) => Some(i as f64),
        Scalar::Float(x) => Some(x),
        _ => None,
    };
    if let (Some(x), Some(y)) = (int(a), int(b)) {
        let r = match op {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
            ArithOp::Mul => x.checked_mul(y),
            ArithOp::Div => x.checked_div(y),
            ArithOp::Mod => x.checked_rem(y),
        };
        return r.map_or(RVal::Null, RVal::Int);
    }
    match (float(a), float(b)) {
        (Some(x), Some(y)) => {
            let r = match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div if y == 0.0 => return RVal::Null,
                ArithOp::Div => x / y,
                ArithOp::Mod if y == 0.0 => return RVal::Null,
                ArithOp::Mod => x % y,
            };
            RVal::Float(r)
        }
        _ => RVal::Null,
    }
}

impl Machine {
    pub fn new() -> Machine {
        Machine::default()
    }

    /// Runs block `b` over `ev` and returns its value.
    pub fn run(&mut self, p: &Loaded, b: BlockId, ev: &EventBuf) -> RVal {
        self.run_in(p, b, ev, RunCtx::default())
    }

    /// Runs block `b` over `ev`, with other events and lineage available, and returns its value.
    pub fn run_in(&mut self, p: &Loaded, b: BlockId, ev: &EventBuf, cx: RunCtx<'_>) -> RVal {
        let prog = &p.program;
        let Some(block) = prog.blocks.get(b.index()) else {
            return RVal::Null;
        };
        let consts = prog.pools.consts.as_slice();
        if self.regs.len() < block.nregs as usize {
            self.regs.resize(block.nregs as usize, RVal::Null);
        }
        self.ntemps = 0;
        let mut fuel = BACK_JUMP_FUEL;
        let mut pc = block.entry as usize;
        let end = (block.entry + block.len) as usize;
        while pc < end {
            let Some(inst) = prog.code.get(pc) else {
                return RVal::Null;
            };
            pc += 1;
            macro_rules! r {
                ($r:expr) => {
                    self.regs[$r.index()]
                };
            }
            macro_rules! s {
                ($v:expr) => {
                    scalar_of($v, ev, consts, &self.temps)
                };
            }
            macro_rules! any {
                ($slot:expr, |$x:ident| $test:expr) => {{
                    let mut hit = false;
                    for v in ev.slot($slot.index()) {
                        let $x = value_scalar(*v, ev);
                        if $test {
                            hit = true;
                            break;
                        }
                    }
                    RVal::Bool(hit)
                }};
            }
            // A test that came out false and is followed by `jump.if_false` on its register
            // (the emitter's `and` chains) takes the jump at once, and returns at once when the
            // jump lands on `return` of that register: one dispatch instead of two or three.
            macro_rules! short_circuit {
                ($dst:expr) => {
                    if matches!(r!($dst), RVal::Bool(false)) {
                        if let Some(&Inst::JumpIfFalse { src, to }) = prog.code.get(pc) {
                            if src == $dst {
                                if let Some(&Inst::Return { src }) = prog.code.get(to.index()) {
                                    if src == $dst {
                                        return RVal::Bool(false);
                                    }
                                }
                                pc = to.index();
                            }
                        }
                    }
                };
            }
            match *inst {
                Inst::LoadConst { dst, k } => r!(dst) = const_rval(k, consts),
                Inst::LoadField { dst, slot } => {
                    r!(dst) = ev
                        .slot(slot.index())
                        .first()
                        .map_or(RVal::Null, |v| RVal::from_value(*v))
                }
                Inst::ElemNext {
                    dst,
                    slot,
                    idx,
                    done,
                } => {
                    let vals = ev.slot(slot.index());
                    let i = match r!(idx) {
                        RVal::Int(i) if i >= 0 => i as usize,
                        _ => usize::MAX,
                    };
                    if i < vals.len().max(1) {
                        r!(dst) = vals.get(i).map_or(RVal::Null, |v| RVal::from_value(*v));
                        r!(idx) = RVal::Int(i as i64 + 1);
                    } else {
                        pc = done.index();
                    }
                }
                Inst::EachElem {
                    dst,
                    slot,
                    idx,
                    done,
                } => match r!(idx) {
                    RVal::Int(i) if i >= 0 && (i as usize) < ev.slot(slot.index()).len() => {
                        r!(dst) = RVal::Int(i);
                        r!(idx) = RVal::Int(i + 1);
                    }
                    _ => pc = done.index(),
                },
                Inst::ElemOf {
                    dst,
                    arr,
                    elem,
                    slot,
                    idx,
                    done,
                } => {
                    let bounds = ev.slot_pos(arr.index());
                    let (lo, hi) = match r!(elem) {
                        RVal::Int(e) if e >= 0 => (
                            bounds.get(e as usize).copied(),
                            bounds.get(e as usize + 1).copied().unwrap_or(u32::MAX),
                        ),
                        _ => (None, 0),
                    };
                    let vals = ev.slot(slot.index());
                    let pos = ev.slot_pos(slot.index());
                    let mut i = match r!(idx) {
                        RVal::Int(i) if i >= 0 => i as usize,
                        _ => usize::MAX,
                    };
                    let mut hit = None;
                    if let Some(lo) = lo {
                        while let Some(&p) = pos.get(i) {
                            if p >= hi {
                                break;
                            }
                            if p > lo {
                                hit = vals.get(i).copied();
                                break;
                            }
                            i += 1;
                        }
                    }
                    match hit {
                        Some(v) => {
                            r!(dst) = RVal::from_value(v);
                            r!(idx) = RVal::Int(i as i64 + 1);
                        }
                        None => pc = done.index(),
                    }
                }
                Inst::LoadFieldOf { dst, ctx, slot } => {
                    let other = cx.stages.get(ctx as usize).copied().flatten();
                    let v = other.and_then(|o| o.slot(slot.index()).first().map(|v| (o, *v)));
                    r!(dst) = match v {
                        None => RVal::Null,
                        Some((o, Value::Str(s))) => {
                            let t = self.temp_str(o.str(s));
                            RVal::Str(SRef::Temp(t))
                        }
                        Some((_, v)) => RVal::from_value(v),
                    }
                }
                Inst::InLineage {
                    dst,
                    slot,
                    filter,
                    depth,
                } => {
                    let start = ev.slot(slot.index()).iter().find_map(|v| match v {
                        Value::Str(s) => Some(ev.str(*s)),
                        _ => None,
                    });
                    r!(dst) = RVal::Bool(match (start, cx.lineage) {
                        (Some(s), Some(l)) => l.matched(s, filter, depth),
                        _ => false,
                    })
                }
                Inst::Move { dst, src } => r!(dst) = r!(src),
                Inst::FieldIsNull { dst, slot } => {
                    r!(dst) = RVal::Bool(
                        ev.slot(slot.index())
                            .iter()
                            .all(|v| matches!(v, Value::Null)),
                    );
                    short_circuit!(dst)
                }
                Inst::FieldEqStr { dst, slot, k } => {
                    let want = match consts.get(k.index()) {
                        Some(ConstVal::Str(s)) => s.as_str(),
                        _ => "",
                    };
                    let want = want.as_bytes();
                    r!(dst) = RVal::Bool(
                        ev.slot(slot.index())
                            .iter()
                            .any(|v| matches!(*v, Value::Str(r) if ev.bytes(r) == want)),
                    );
                    short_circuit!(dst)
                }
                Inst::FieldEqStrCi { dst, slot, k } => {
                    let want = match consts.get(k.index()) {
                        Some(ConstVal::Str(s)) => s.as_bytes(),
                        _ => b"",
                    };
                    r!(dst) = RVal::Bool(ev.slot(slot.index()).iter().any(
                        |v| matches!(*v, Value::Str(r) if ev.bytes(r).eq_ignore_ascii_case(want)),
                    ));
                    short_circuit!(dst)
                }
                Inst::FieldInSet { dst, slot, set } => {
                    let set = &p.sets[set.index()];
                    let buf = &mut self.buf;
                    r!(dst) = RVal::Bool(ev.slot(slot.index()).iter().any(|v| match *v {
                        Value::Str(r) => set.contains_bytes(ev.bytes(r), buf),
                        v => set.contains(value_scalar(v, ev), buf),
                    }));
                    short_circuit!(dst)
                }
                Inst::FieldWildcard { dst, slot, wc } => {
                    let m = &p.wildcards[wc.index()];
                    r!(dst) = any!(slot, |x| matches!(x, Scalar::Str(s) if m.matches(s)));
                    short_circuit!(dst)
                }
                Inst::FieldRegex { dst, slot, re } => {
                    let m = &p.regexes[re.index()];
                    r!(dst) = any!(slot, |x| matches!(x, Scalar::Str(s) if m.matches(s)));
                    short_circuit!(dst)
                }
                Inst::FieldCidr { dst, slot, cidr } => {
                    let m = &p.cidrs[cidr.index()];
                    r!(dst) = any!(slot, |x| cidr_test(m, x));
                    short_circuit!(dst)
                }
                Inst::FieldCmp {
                    dst,
                    op,
                    mode,
                    slot,
                    k,
                } => {
                    let want = s!(const_rval(k, consts));
                    r!(dst) = any!(slot, |x| compare(x, want, mode)
                        .is_some_and(|o| op.holds(o)));
                    short_circuit!(dst)
                }
                Inst::IsNull { dst, src } => r!(dst) = RVal::Bool(matches!(r!(src), RVal::Null)),
                Inst::Cmp {
                    dst,
                    op,
                    mode,
                    a,
                    b,
                } => {
                    let o = compare(s!(r!(a)), s!(r!(b)), mode);
                    r!(dst) = o.map_or(RVal::Null, |o| RVal::Bool(op.holds(o)))
                }
                Inst::EqCi { dst, a, b } => {
                    r!(dst) = match (s!(r!(a)), s!(r!(b))) {
                        (Scalar::Null, _) | (_, Scalar::Null) => RVal::Null,
                        (Scalar::Str(x), Scalar::Str(y)) => {
                            RVal::Bool(x.as_bytes().eq_ignore_ascii_case(y.as_bytes()))
                        }
                        (x, y) => compare(x, y, CmpMode::Value)
                            .map_or(RVal::Null, |o| RVal::Bool(o.is_eq())),
                    }
                }
                Inst::InSet { dst, src, set } => {
                    let v = scalar_of(r!(src), ev, consts, &self.temps);
                    r!(dst) = match v {
                        Scalar::Null => RVal::Null,
                        v => RVal::Bool(p.sets[set.index()].contains(v, &mut self.buf)),
                    }
                }
                Inst::Wildcard { dst, src, wc } => {
                    r!(dst) = match s!(r!(src)) {
                        Scalar::Null => RVal::Null,
                        Scalar::Str(s) => RVal::Bool(p.wildcards[wc.index()].matches(s)),
                        _ => RVal::Bool(false),
                    }
                }
                Inst::Regex { dst, src, re } => {
                    r!(dst) = match s!(r!(src)) {
                        Scalar::Null => RVal::Null,
                        Scalar::Str(s) => RVal::Bool(p.regexes[re.index()].matches(s)),
                        _ => RVal::Bool(false),
                    }
                }
                Inst::Cidr { dst, src, cidr } => {
                    r!(dst) = match s!(r!(src)) {
                        Scalar::Null => RVal::Null,
                        x => RVal::Bool(cidr_test(&p.cidrs[cidr.index()], x)),
                    }
                }
                Inst::Not { dst, src } => r!(dst) = from_tri(tri(r!(src)).map(|b| !b)),
                Inst::And { dst, a, b } => {
                    r!(dst) = match (tri(r!(a)), tri(r!(b))) {
                        (Some(false), _) | (_, Some(false)) => RVal::Bool(false),
                        (Some(true), Some(true)) => RVal::Bool(true),
                        _ => RVal::Null,
                    };
                    short_circuit!(dst)
                }
                Inst::Or { dst, a, b } => {
                    r!(dst) = match (tri(r!(a)), tri(r!(b))) {
                        (Some(true), _) | (_, Some(true)) => RVal::Bool(true),
                        (Some(false), Some(false)) => RVal::Bool(false),
                        _ => RVal::Null,
                    }
                }
                Inst::Jump { to } => {
                    if to.index() < pc {
                        fuel -= 1;
                        if fuel == 0 {
                            self.stopped += 1;
                            return RVal::Null;
                        }
                    }
                    pc = to.index();
                }
                Inst::JumpIfFalse { src, to } => {
                    if tri(r!(src)) == Some(false) {
                        pc = to.index();
                    }
                }
                Inst::JumpIfTrue { src, to } => {
                    if tri(r!(src)) == Some(true) {
                        pc = to.index();
                    }
                }
                Inst::Arith { dst, op, a, b } => r!(dst) = arith(op, s!(r!(a)), s!(r!(b))),
                Inst::Neg { dst, src } => {
                    r!(dst) = match r!(src) {
                        RVal::Int(i) => i.checked_neg().map_or(RVal::Null, RVal::Int),
                        RVal::Float(x) => RVal::Float(-x),
                        _ => RVal::Null,
                    }
                }
                Inst::Call {
                    dst,
                    func,
                    args,
                    argc,
                } => r!(dst) = self.call(func, args, argc, ev, consts),
                Inst::Return { src } => return r!(src),
            }
        }
        RVal::Null
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

    fn call(
        &mut self,
        func: Builtin,
        args: Reg,
        argc: u32,
        ev: &EventBuf,
        consts: &[ConstVal],
    ) -> RVal {
        let t = self.ntemps;
        if self.temps.len() <= t {
            self.temps.resize_with(t + 1, String::new);
        }
        let mut out = std::mem::take(&mut self.temps[t]);
        out.clear();
        let regs = &self.regs;
        let temps = &self.temps;
        let arg = |i: u32| -> Scalar<'_> {
            regs.get((args.0 + i) as usize)
                .map_or(Scalar::Null, |v| scalar_of(*v, ev, consts, temps))
        };
        let opt = |i: u32| if i < argc { Some(arg(i)) } else { None };
        let ret = match func {
            Builtin::Between | Builtin::BetweenCi => builtins::between(
                arg(0),
                arg(1),
                arg(2),
                opt(3),
                func == Builtin::BetweenCi,
                &mut out,
            ),
            Builtin::Concat => {
                let mut ok = true;
                for i in 0..argc {
                    if !builtins::stringify(arg(i), &mut out) {
                        ok = false;
                        break;
                    }
                }
                if ok {
                    Ret::Str
                } else {
                    Ret::Null
                }
            }
            Builtin::EndsWith | Builtin::EndsWithCi => {
                builtins::ends_with(arg(0), arg(1), func == Builtin::EndsWithCi)
            }
            Builtin::StartsWith | Builtin::StartsWithCi => {
                builtins::starts_with(arg(0), arg(1), func == Builtin::StartsWithCi)
            }
            Builtin::StringContains | Builtin::StringContainsCi => {
                builtins::string_contains(arg(0), arg(1), func == Builtin::StringContainsCi)
            }
            Builtin::IndexOf | Builtin::IndexOfCi => {
                builtins::index_of(arg(0), arg(1), opt(2), func == Builtin::IndexOfCi)
            }
            Builtin::Length => builtins::length(arg(0)),
            Builtin::Number => builtins::number(arg(0), opt(1)),
            Builtin::String => {
                if builtins::stringify(arg(0), &mut out) {
                    Ret::Str
                } else {
                    Ret::Null
                }
            }
            Builtin::Substring => builtins::substring(arg(0), arg(1), opt(2), &mut out),
        };
        self.temps[t] = out;
        match ret {
            Ret::Null => RVal::Null,
            Ret::Bool(b) => RVal::Bool(b),
            Ret::Int(i) => RVal::Int(i),
            Ret::Float(x) => RVal::Float(x),
            Ret::Str => {
                self.ntemps += 1;
                RVal::Str(SRef::Temp(t as u32))
            }
        }
    }

    /// The value of a register after a run, resolved (for key blocks).
    pub fn scalar<'a>(&'a self, v: RVal, p: &'a Loaded, ev: &'a EventBuf) -> Scalar<'a> {
        scalar_of(v, ev, &p.program.pools.consts, &self.temps)
    }
}

fn cidr_test(m: &RtCidr, x: Scalar<'_>) -> bool {
    match x {
        Scalar::Ip(ip) => m.contains(ip),
        Scalar::Str(s) => s.parse().is_ok_and(|ip| m.contains(ip)),
        _ => false,
    }
}
