//! Field tests: a slot's values against a constant or a pooled matcher, true when some value
//! passes ("any element"), false when the field is missing.

use super::fused::Test;
use super::general::cidr_test;
pub(super) use super::strlist::StrList;
use super::{const_rval, scalar_of, value_scalar, Loaded, Machine};
use crate::event::{EventBuf, Value};
use crate::value::{compare, Scalar};
use eql_bytecode::{ConstVal, RegexId, Slot, WildId};

/// `a == b`, without a call to `memcmp` for the short strings field values mostly are: two
/// overlapping words cover any length from 8 to 16, two overlapping half-words 4 to 7.
#[inline(always)]
pub fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .map(|w| u64::from_ne_bytes(w.try_into().unwrap_or([0; 8])))
    };
    let half = |s: &[u8], at: usize| {
        s.get(at..at + 4)
            .map(|w| u32::from_ne_bytes(w.try_into().unwrap_or([0; 4])))
    };
    match n {
        0..=3 => a == b,
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// The bytes of string constant `k` (empty when it is not a string).
#[inline(always)]
pub(super) fn str_const(consts: &[ConstVal], k: eql_bytecode::Const) -> &[u8] {
    match consts.get(k.index()) {
        Some(ConstVal::Str(s)) => s.as_bytes(),
        _ => b"",
    }
}

impl Machine {
    /// Whether `ev` passes test `t`: the commonest tests here, the others in
    /// [`Machine::field_test`]. (Plain loops: a closure handed to `Iterator::any` tends to
    /// stay a call, with its captures spilled.)
    #[inline(always)]
    pub(super) fn quick_test(&mut self, p: &Loaded, t: &Test, ev: &EventBuf) -> bool {
        match *t {
            Test::EqStr(slot, k) => {
                let want = str_const(&p.program.pools.consts, k);
                for v in ev.slot(slot.index()) {
                    if let Value::Str(r) = *v {
                        if bytes_eq(ev.bytes(r), want) {
                            return true;
                        }
                    }
                }
                false
            }
            Test::InSet(slot, set) => match p.lists.get(set.index()) {
                Some(Some(list)) => {
                    for v in ev.slot(slot.index()) {
                        let hit = match *v {
                            Value::Str(r) => list.contains(ev.bytes(r)),
                            v => self.in_set(p, set, v, ev),
                        };
                        if hit {
                            return true;
                        }
                    }
                    false
                }
                _ => self.field_test(p, *t, ev),
            },
            _ => self.field_test(p, *t, ev),
        }
    }

    /// Whether some string value of `slot` passes `f` (values that are not strings never do).
    /// A plain loop, inlined with `f` into the caller.
    #[inline(always)]
    fn any_str(slot: Slot, ev: &EventBuf, f: impl Fn(&str) -> bool) -> bool {
        for v in ev.slot(slot.index()) {
            if let Value::Str(r) = *v {
                if f(ev.str(r)) {
                    return true;
                }
            }
        }
        false
    }

    /// Whether some string value of `slot` matches wildcard set `wc` (the commonest test a
    /// decision graph hands on to [`Machine::check`]); the values are read as bytes, without
    /// the character-boundary checks of a `str`.
    #[inline(always)]
    pub(super) fn wildcard_test(p: &Loaded, slot: Slot, wc: WildId, ev: &EventBuf) -> bool {
        let Some(m) = p.wildcards.get(wc.index()) else {
            return false;
        };
        for v in ev.slot(slot.index()) {
            if let Value::Str(r) = *v {
                if m.matches_bytes(ev.bytes(r)) {
                    return true;
                }
            }
        }
        false
    }

    /// Whether some string value of `slot` matches regex set `re`.
    #[inline(always)]
    pub(super) fn regex_test(p: &Loaded, slot: Slot, re: RegexId, ev: &EventBuf) -> bool {
        p.regexes
            .get(re.index())
            .is_some_and(|m| Machine::any_str(slot, ev, |s| m.matches(s)))
    }

    /// Whether a value that is not a string is in set `set`.
    #[cold]
    pub(super) fn in_set(
        &mut self,
        p: &Loaded,
        set: eql_bytecode::SetId,
        v: Value,
        ev: &EventBuf,
    ) -> bool {
        p.sets
            .get(set.index())
            .is_some_and(|s| s.contains(value_scalar(v, ev), &mut self.buf))
    }

    /// Whether `ev` passes test `t`.
    #[inline(never)]
    pub(super) fn field_test(&mut self, p: &Loaded, t: Test, ev: &EventBuf) -> bool {
        let consts = p.program.pools.consts.as_slice();
        let any = |slot: eql_bytecode::Slot, f: &mut dyn FnMut(Scalar<'_>) -> bool| {
            ev.slot(slot.index())
                .iter()
                .any(|v| f(value_scalar(*v, ev)))
        };
        match t {
            Test::IsNull(slot) => ev
                .slot(slot.index())
                .iter()
                .all(|v| matches!(v, Value::Null)),
            Test::EqStr(slot, k) => {
                let want = str_const(consts, k);
                ev.slot(slot.index())
                    .iter()
                    .any(|v| matches!(*v, Value::Str(r) if bytes_eq(ev.bytes(r), want)))
            }
            Test::EqStrCi(slot, k) => {
                let want = str_const(consts, k);
                ev.slot(slot.index())
                    .iter()
                    .any(|v| matches!(*v, Value::Str(r) if ev.bytes(r).eq_ignore_ascii_case(want)))
            }
            Test::InSet(slot, set) => {
                let Some(set) = p.sets.get(set.index()) else {
                    return false;
                };
                let buf = &mut self.buf;
                ev.slot(slot.index()).iter().any(|v| match *v {
                    Value::Str(r) => set.contains_bytes(ev.bytes(r), buf),
                    v => set.contains(value_scalar(v, ev), buf),
                })
            }
            Test::Wildcard(slot, wc) => Machine::wildcard_test(p, slot, wc, ev),
            Test::Regex(slot, re) => Machine::regex_test(p, slot, re, ev),
            Test::Cidr(slot, cidr) => p
                .cidrs
                .get(cidr.index())
                .is_some_and(|m| any(slot, &mut |x| cidr_test(m, x))),
            Test::Cmp(op, mode, slot, k) => {
                let want = scalar_of(const_rval(k, consts), ev, consts, &self.temps);
                any(slot, &mut |x| {
                    compare(x, want, mode).is_some_and(|o| op.holds(o))
                })
            }
        }
    }
}
