//! The instruction set, declared once: the enum, its mnemonics, its printer and the operand
//! walk the verifier uses are all generated from the one table below.
//!
//! Conventions: an instruction writes at most one register, its `dst`; every other register
//! operand is read. *Field* instructions test an event slot directly and are two-valued with
//! "any element" semantics (true when some value of the field satisfies the test, false when
//! the field is missing). Register instructions are three-valued: a `null` operand gives `null`.

use crate::operand::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An operand the verifier can check and the disassembler can print.
pub trait Operand: fmt::Display {
    /// Reports the operand to the verifier. `written` is true for the `dst` register.
    fn visit(&self, v: &mut dyn OperandVisitor, written: bool);
}

/// Receives the operands of an instruction, one by one.
pub trait OperandVisitor {
    fn reg(&mut self, r: Reg, written: bool);
    fn slot(&mut self, s: Slot);
    fn constant(&mut self, k: Const);
    fn set(&mut self, s: SetId);
    fn wildcard(&mut self, w: WildId);
    fn regex(&mut self, r: RegexId);
    fn cidr(&mut self, c: CidrId);
    fn label(&mut self, l: Label);
}

macro_rules! visit_impl {
    ($ty:ty, |$s:ident, $v:ident, $w:ident| $body:expr) => {
        impl Operand for $ty {
            fn visit(&self, $v: &mut dyn OperandVisitor, $w: bool) {
                let $s = *self;
                $body
            }
        }
    };
}

visit_impl!(Reg, |s, v, w| v.reg(s, w));
visit_impl!(Slot, |s, v, _w| v.slot(s));
visit_impl!(Const, |s, v, _w| v.constant(s));
visit_impl!(SetId, |s, v, _w| v.set(s));
visit_impl!(WildId, |s, v, _w| v.wildcard(s));
visit_impl!(RegexId, |s, v, _w| v.regex(s));
visit_impl!(CidrId, |s, v, _w| v.cidr(s));
visit_impl!(Label, |s, v, _w| v.label(s));
visit_impl!(CmpOp, |_s, _v, _w| ());
visit_impl!(CmpMode, |_s, _v, _w| ());
visit_impl!(ArithOp, |_s, _v, _w| ());
visit_impl!(Builtin, |_s, _v, _w| ());
visit_impl!(u32, |_s, _v, _w| ());

macro_rules! instructions {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident $mnemonic:literal { $($field:ident : $fty:ty),* $(,)? }
    )*) => {
        /// One VM instruction.
        #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
        pub enum Inst {
            $(
                $(#[doc = $doc])*
                $name { $($field: $fty),* },
            )*
        }

        impl Inst {
            /// The instruction's name in listings.
            pub fn mnemonic(&self) -> &'static str {
                match self {
                    $(Inst::$name { .. } => $mnemonic,)*
                }
            }

            /// Reports every operand to `v` (the `dst` register as written).
            pub fn visit_operands(&self, v: &mut dyn OperandVisitor) {
                match self {
                    $(Inst::$name { $($field),* } => {
                        $( Operand::visit($field, v, stringify!($field) == "dst"); )*
                    })*
                }
            }

            /// Every mnemonic, in declaration order (documentation and coverage tests).
            pub const MNEMONICS: &'static [&'static str] = &[$($mnemonic),*];
        }

        impl fmt::Display for Inst {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(Inst::$name { $($field),* } => {
                        let mut dst: Option<String> = None;
                        let mut rest: Vec<String> = Vec::new();
                        $(
                            if stringify!($field) == "dst" {
                                dst = Some($field.to_string());
                            } else {
                                rest.push($field.to_string());
                            }
                        )*
                        let rest = rest.join(", ");
                        match dst {
                            Some(d) if rest.is_empty() => write!(f, "{:<16} {d}", $mnemonic),
                            Some(d) => write!(f, "{:<16} {d} <- {rest}", $mnemonic),
                            None => write!(f, "{:<16} {rest}", $mnemonic).map(|_| ()),
                        }
                    })*
                }
            }
        }
    };
}

instructions! {
    /// dst = constant k.
    LoadConst "load.const" { dst: Reg, k: Const }
    /// dst = the first value of the slot, or null when the field is missing.
    LoadField "load.field" { dst: Reg, slot: Slot }
    /// Element loop step: if element `idx` of the slot exists, dst = it and idx += 1; a missing
    /// or empty field yields one null element. Otherwise jumps to `done`. `idx` holds an int
    /// and starts at 0.
    ElemNext "elem.next" { dst: Reg, slot: Slot, idx: Reg, done: Label }
    /// dst = src.
    Move "move" { dst: Reg, src: Reg }
    /// Array-element loop step (`_arraysearch`): if the slot has an element `idx`, dst = `idx`
    /// (an int naming the element) and idx += 1; otherwise jumps to `done`. A missing or empty
    /// field yields no element.
    EachElem "elem.each" { dst: Reg, slot: Slot, idx: Reg, done: Label }
    /// Value loop step inside one element: the next value of `slot` (a sub-field of the array
    /// `arr`) at or after position `idx` that lies inside element `elem` of `arr`; dst = it and
    /// idx moves past it. Otherwise jumps to `done` (no values: no step).
    ElemOf "elem.of" { dst: Reg, arr: Slot, elem: Reg, slot: Slot, idx: Reg, done: Label }
    /// dst = the first value of the slot in the event that filled stage `ctx` of the partial
    /// sequence being extended (a stage alias), or null.
    LoadFieldOf "load.field_of" { dst: Reg, ctx: u32, slot: Slot }
    /// dst = some ancestor of the event's process, starting at the process named by the slot
    /// (its parent's entity id) and following parents at most `depth` steps, matched lineage
    /// filter `filter` when its own process event was seen.
    InLineage "lineage" { dst: Reg, slot: Slot, filter: u32, depth: u32 }

    /// dst = the field is missing or null.
    FieldIsNull "field.is_null" { dst: Reg, slot: Slot }
    /// dst = some value of the field equals string constant k (case-sensitive).
    FieldEqStr "field.eq_str" { dst: Reg, slot: Slot, k: Const }
    /// dst = some value of the field equals string constant k, ASCII case folded.
    FieldEqStrCi "field.eq_str_ci" { dst: Reg, slot: Slot, k: Const }
    /// dst = some value of the field is in the set.
    FieldInSet "field.in_set" { dst: Reg, slot: Slot, set: SetId }
    /// dst = some value of the field matches one of the wildcard patterns.
    FieldWildcard "field.wildcard" { dst: Reg, slot: Slot, wc: WildId }
    /// dst = some value of the field matches one of the regular expressions.
    FieldRegex "field.regex" { dst: Reg, slot: Slot, re: RegexId }
    /// dst = some value of the field is an IP inside one of the networks.
    FieldCidr "field.cidr" { dst: Reg, slot: Slot, cidr: CidrId }
    /// dst = some value of the field compares to constant k as `op` says.
    FieldCmp "field.cmp" { dst: Reg, op: CmpOp, mode: CmpMode, slot: Slot, k: Const }

    /// dst = src is null (two-valued).
    IsNull "is_null" { dst: Reg, src: Reg }
    /// dst = a op b; null when either is null or they cannot be compared.
    Cmp "cmp" { dst: Reg, op: CmpOp, mode: CmpMode, a: Reg, b: Reg }
    /// dst = a and b are equal strings, ASCII case folded; null when either is null.
    EqCi "eq_ci" { dst: Reg, a: Reg, b: Reg }
    /// dst = src is in the set; null when src is null.
    InSet "in_set" { dst: Reg, src: Reg, set: SetId }
    /// dst = src matches one of the wildcard patterns; null when src is null.
    Wildcard "wildcard" { dst: Reg, src: Reg, wc: WildId }
    /// dst = src matches one of the regular expressions; null when src is null.
    Regex "regex" { dst: Reg, src: Reg, re: RegexId }
    /// dst = src is an IP inside one of the networks; null when src is null.
    Cidr "cidr" { dst: Reg, src: Reg, cidr: CidrId }

    /// dst = not src (null stays null).
    Not "not" { dst: Reg, src: Reg }
    /// dst = a and b (Kleene logic).
    And "and" { dst: Reg, a: Reg, b: Reg }
    /// dst = a or b (Kleene logic).
    Or "or" { dst: Reg, a: Reg, b: Reg }
    /// Continue at `to`.
    Jump "jump" { to: Label }
    /// Continue at `to` when src is false (not when null).
    JumpIfFalse "jump.if_false" { src: Reg, to: Label }
    /// Continue at `to` when src is true.
    JumpIfTrue "jump.if_true" { src: Reg, to: Label }

    /// dst = a op b (integers stay integers; division truncates); null on null or error.
    Arith "arith" { dst: Reg, op: ArithOp, a: Reg, b: Reg }
    /// dst = -src.
    Neg "neg" { dst: Reg, src: Reg }
    /// dst = func(args .. args+argc).
    Call "call" { dst: Reg, func: Builtin, args: Reg, argc: u32 }
    /// End the block with src as its value.
    Return "return" { src: Reg }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_writes_before_reads() {
        let i = Inst::FieldInSet {
            dst: Reg(2),
            slot: Slot(5),
            set: SetId(1),
        };
        assert_eq!(i.to_string(), "field.in_set     r2 <- s5, set1");
        let j = Inst::JumpIfFalse {
            src: Reg(0),
            to: Label(9),
        };
        assert_eq!(j.to_string(), "jump.if_false    r0, @9");
    }
}
