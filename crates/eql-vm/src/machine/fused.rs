//! The load-time form the VM runs: one [`Op`] per instruction of the verified program, at the
//! same index, where a field test and the logic that consumes it (`not`, `and`, a conditional
//! jump or `return`, as the emitter writes `and` chains) become one operation, and a jump onto
//! `return` of the register it just tested returns at once. The bytecode stays the source of
//! truth: an op writes every register its instructions write, and anything not translated runs
//! through the general interpreter (`general.rs`).

use eql_bytecode::{CidrId, CmpMode, CmpOp, Const, Inst, Program, Reg, RegexId, SetId, Slot};
use eql_bytecode::{Label, WildId};

/// A two-valued field test ("any element" semantics).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Test {
    IsNull(Slot),
    EqStr(Slot, Const),
    EqStrCi(Slot, Const),
    InSet(Slot, SetId),
    Wildcard(Slot, WildId),
    Regex(Slot, RegexId),
    Cidr(Slot, CidrId),
    Cmp(CmpOp, CmpMode, Slot, Const),
}

impl Test {
    /// The test an instruction makes and the register it writes, if it is a field test.
    pub(super) fn of(inst: &Inst) -> Option<(Test, Reg)> {
        Some(match *inst {
            Inst::FieldIsNull { dst, slot } => (Test::IsNull(slot), dst),
            Inst::FieldEqStr { dst, slot, k } => (Test::EqStr(slot, k), dst),
            Inst::FieldEqStrCi { dst, slot, k } => (Test::EqStrCi(slot, k), dst),
            Inst::FieldInSet { dst, slot, set } => (Test::InSet(slot, set), dst),
            Inst::FieldWildcard { dst, slot, wc } => (Test::Wildcard(slot, wc), dst),
            Inst::FieldRegex { dst, slot, re } => (Test::Regex(slot, re), dst),
            Inst::FieldCidr { dst, slot, cidr } => (Test::Cidr(slot, cidr), dst),
            Inst::FieldCmp {
                dst,
                op,
                mode,
                slot,
                k,
            } => (Test::Cmp(op, mode, slot, k), dst),
            _ => return None,
        })
    }
}

/// Where a taken jump goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target {
    /// Continue at this instruction.
    Pc(u32),
    /// The jump lands on `return` of the register whose value decided the jump, so the block's
    /// value is that boolean.
    Return(bool),
}

/// What a fused test does after computing its register.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Then {
    /// Continue at the op's `next`.
    Next,
    /// Jump when the decisive register holds this boolean; otherwise continue at `next`.
    JumpIf(bool, Target),
    /// Return the decisive register.
    Return,
}

/// `and dst <- a, b` right after the test (one of `a`, `b` is the test's register).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct AndAfter {
    pub dst: Reg,
    pub a: Reg,
    pub b: Reg,
}

/// One operation of the load-time form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Op {
    /// Run the instruction (and those after it, while they are `General` too) through the
    /// general interpreter.
    General,
    /// `test dst`, then `not dst <- dst` when `negate`, then `and` when `and` is set (its `dst`
    /// is then the decisive register, otherwise the test's `dst`), then `then`.
    Test {
        test: Test,
        dst: Reg,
        negate: bool,
        and: Option<AndAfter>,
        then: Then,
        next: u32,
    },
    Not {
        dst: Reg,
        src: Reg,
    },
    And {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Or {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Jump(u32),
    /// Jump when `src` holds this boolean.
    JumpIf {
        src: Reg,
        when: bool,
        to: Target,
    },
    Return(Reg),
}

/// Translates every block of a verified program; the result has one op per instruction.
/// Blocks that share instructions with another block (possible in a hand-made program) stay
/// general: an op is translated within one block's bounds.
pub(super) fn translate(p: &Program) -> Vec<Op> {
    let mut ops = vec![Op::General; p.code.len()];
    let range = |b: &eql_bytecode::Block| {
        let start = b.entry as usize;
        start..start.saturating_add(b.len as usize)
    };
    let mut cover = vec![0u8; p.code.len()];
    for b in &p.blocks {
        for c in cover.get_mut(range(b)).into_iter().flatten() {
            *c = c.saturating_add(1);
        }
    }
    for b in &p.blocks {
        let (start, end) = (range(b).start, range(b).end);
        let Some(code) = p.code.get(start..end) else {
            continue;
        };
        if cover
            .get(start..end)
            .is_some_and(|c| c.iter().any(|&n| n > 1))
        {
            continue;
        }
        for (i, op) in ops[start..end].iter_mut().enumerate() {
            *op = translate_at(code, i, start as u32);
        }
    }
    ops
}

/// The op for instruction `i` of a block whose code is `code` and first index `base`.
fn translate_at(code: &[Inst], i: usize, base: u32) -> Op {
    // A jump target as an index into `code`, when it lies inside the block.
    let local = |l: Label| (l.0 >= base).then(|| (l.0 - base) as usize);
    let target = |l: Label, reg: Reg, when: bool| match local(l).and_then(|t| code.get(t)) {
        Some(Inst::Return { src }) if *src == reg => Target::Return(when),
        _ => Target::Pc(l.0),
    };
    let Some(inst) = code.get(i) else {
        return Op::General;
    };
    match *inst {
        Inst::Not { dst, src } => return Op::Not { dst, src },
        Inst::And { dst, a, b } => return Op::And { dst, a, b },
        Inst::Or { dst, a, b } => return Op::Or { dst, a, b },
        Inst::Jump { to } => return Op::Jump(to.0),
        Inst::JumpIfFalse { src, to } => {
            return Op::JumpIf {
                src,
                when: false,
                to: target(to, src, false),
            }
        }
        Inst::JumpIfTrue { src, to } => {
            return Op::JumpIf {
                src,
                when: true,
                to: target(to, src, true),
            }
        }
        Inst::Return { src } => return Op::Return(src),
        _ => {}
    }
    let Some((test, dst)) = Test::of(inst) else {
        return Op::General;
    };
    let mut j = i + 1;
    let negate = matches!(code.get(j), Some(&Inst::Not { dst: d, src: s }) if d == dst && s == dst);
    if negate {
        j += 1;
    }
    let and = match code.get(j) {
        Some(&Inst::And { dst: d, a, b }) if a == dst || b == dst => {
            j += 1;
            Some(AndAfter { dst: d, a, b })
        }
        _ => None,
    };
    let decisive = and.map_or(dst, |a| a.dst);
    let (then, next) = match code.get(j) {
        Some(&Inst::JumpIfFalse { src, to }) if src == decisive => {
            (Then::JumpIf(false, target(to, src, false)), j + 1)
        }
        Some(&Inst::JumpIfTrue { src, to }) if src == decisive => {
            (Then::JumpIf(true, target(to, src, true)), j + 1)
        }
        Some(&Inst::Return { src }) if src == decisive => (Then::Return, j + 1),
        _ => (Then::Next, j),
    };
    Op::Test {
        test,
        dst,
        negate,
        and,
        then,
        next: base + next as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_and_chain_fuses_into_one_op_per_test() {
        let s = Slot(0);
        let code = [
            Inst::FieldEqStr {
                dst: Reg(0),
                slot: s,
                k: Const(0),
            },
            Inst::JumpIfFalse {
                src: Reg(0),
                to: Label(10),
            },
            Inst::FieldIsNull {
                dst: Reg(1),
                slot: s,
            },
            Inst::Not {
                dst: Reg(1),
                src: Reg(1),
            },
            Inst::And {
                dst: Reg(0),
                a: Reg(0),
                b: Reg(1),
            },
            Inst::JumpIfFalse {
                src: Reg(0),
                to: Label(14),
            },
            Inst::Return { src: Reg(0) },
        ];
        // The block starts at @8: the first jump goes to @10 (the `field.is_null`), the second
        // to @14 (`return r0`).
        assert_eq!(
            translate_at(&code, 0, 8),
            Op::Test {
                test: Test::EqStr(s, Const(0)),
                dst: Reg(0),
                negate: false,
                and: None,
                then: Then::JumpIf(false, Target::Pc(10)),
                next: 10,
            }
        );
        assert_eq!(
            translate_at(&code, 2, 8),
            Op::Test {
                test: Test::IsNull(s),
                dst: Reg(1),
                negate: true,
                and: Some(AndAfter {
                    dst: Reg(0),
                    a: Reg(0),
                    b: Reg(1),
                }),
                then: Then::JumpIf(false, Target::Return(false)),
                next: 14,
            }
        );
        // Entered in the middle, the `not` runs alone.
        assert_eq!(
            translate_at(&code, 3, 8),
            Op::Not {
                dst: Reg(1),
                src: Reg(1)
            }
        );
    }

    #[test]
    fn blocks_sharing_instructions_stay_general() {
        let mut p = Program {
            code: vec![
                Inst::FieldIsNull {
                    dst: Reg(0),
                    slot: Slot(0),
                },
                Inst::Return { src: Reg(0) },
            ],
            ..Program::default()
        };
        let block = |entry, len| eql_bytecode::Block {
            entry,
            len,
            nregs: 1,
            query: 0,
            role: String::new(),
        };
        p.blocks = vec![block(0, 2)];
        assert_ne!(translate(&p)[0], Op::General);
        p.blocks.push(block(1, 1));
        assert_eq!(translate(&p), vec![Op::General, Op::General]);
    }

    #[test]
    fn a_jump_on_another_register_than_the_return_stays_a_jump() {
        let code = [
            Inst::JumpIfTrue {
                src: Reg(1),
                to: Label(1),
            },
            Inst::Return { src: Reg(0) },
        ];
        assert_eq!(
            translate_at(&code, 0, 0),
            Op::JumpIf {
                src: Reg(1),
                when: true,
                to: Target::Pc(1)
            }
        );
    }
}
