//! The general interpreter: runs instructions one by one, as the bytecode says, for the
//! parts of a block the load-time form (`fused.rs`) leaves to it (element loops, register
//! comparisons, functions, lineage), and hands back at the next fused op.

use super::fused::{Op, Test};
use super::{const_rval, from_tri, scalar_of, tri, Loaded, Machine, RunCtx};
use crate::builtins::{self, Ret};
use crate::event::{EventBuf, Value};
use crate::matchers::RtCidr;
use crate::value::{compare, RVal, SRef, Scalar};
use eql_bytecode::*;

/// Where the general interpreter stopped.
pub(super) enum Step {
    /// At an instruction the load-time form runs.
    At(usize),
    /// The block's value.
    Done(RVal),
}

impl Machine {
    /// Runs instructions from `pc` (whose op is [`Op::General`]) until the block returns or
    /// reaches an op that is not general. `fuel` counts backward jumps.
    pub(super) fn general(
        &mut self,
        p: &Loaded,
        ev: &EventBuf,
        cx: RunCtx<'_>,
        mut pc: usize,
        end: usize,
        fuel: &mut u32,
    ) -> Step {
        let prog = &p.program;
        let consts = prog.pools.consts.as_slice();
        while pc < end {
            if !matches!(p.ops.get(pc), Some(Op::General)) {
                return Step::At(pc);
            }
            let Some(inst) = prog.code.get(pc) else {
                return Step::Done(RVal::Null);
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
                Inst::FieldIsNull { dst, .. }
                | Inst::FieldEqStr { dst, .. }
                | Inst::FieldEqStrCi { dst, .. }
                | Inst::FieldInSet { dst, .. }
                | Inst::FieldWildcard { dst, .. }
                | Inst::FieldRegex { dst, .. }
                | Inst::FieldCidr { dst, .. }
                | Inst::FieldCmp { dst, .. } => {
                    let hit = Test::of(inst).is_some_and(|(t, _)| self.field_test(p, t, ev));
                    r!(dst) = RVal::Bool(hit)
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
                        *fuel -= 1;
                        if *fuel == 0 {
                            self.stopped += 1;
                            return Step::Done(RVal::Null);
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
                Inst::Return { src } => return Step::Done(r!(src)),
            }
        }
        Step::Done(RVal::Null)
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

pub(super) fn cidr_test(m: &RtCidr, x: Scalar<'_>) -> bool {
    match x {
        Scalar::Ip(ip) => m.contains(ip),
        Scalar::Str(s) => s.parse().is_ok_and(|ip| m.contains(ip)),
        _ => false,
    }
}
