//! A block's first test, taken out so that a caller can run it before the block: when a
//! block runs as a decision graph whose root is a string-list test (`field.eq_str`,
//! `field.in_set` of a few strings) that leads straight to `false` when it fails, an event
//! that certainly fails that test makes the block false without the block being run. The
//! dispatch's direct path uses it to settle an event's candidate stages with one inline test.

use super::field::StrList;
use super::graph::{Check, FALSE};
use super::heads::Heads;
use super::Loaded;
use crate::event::{EventBuf, StrRef, Value};
use eql_bytecode::BlockId;

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Guard {
    slot: usize,
    list: StrList,
    /// The list as one word's lookup, for a union of short members ([`Guard::rules_out_one`]).
    heads: Option<Heads>,
}

impl Loaded {
    /// The guard of block `b`: its graph's root test, when the block is false whenever that
    /// test fails (`None` when the block has no graph, or its root is another kind of test
    /// or leads elsewhere on failure). Take it after the test order is settled
    /// ([`Loaded::keep_written_order`]), as the root depends on it.
    pub fn guard(&self, b: BlockId) -> Option<Guard> {
        let root = self.graphs.root(b.index())?;
        let node = self.graphs.nodes.get(root as usize)?;
        match &node.check {
            Check::Strs { slot, list, .. } if node.next[0] == FALSE => Some(Guard {
                slot: slot.index(),
                list: list.clone(),
                heads: None,
            }),
            _ => None,
        }
    }
}

impl Guard {
    /// A guard that rules out an event only when each of `guards` does: their lists'
    /// union, when they all test one slot (`None` when they do not, or there are none, or
    /// the union is too large to test at a guard's cost).
    pub fn union(guards: &[&Guard]) -> Option<Guard> {
        let slot = guards.first()?.slot;
        if guards.iter().any(|g| g.slot != slot) {
            return None;
        }
        let lists: Vec<&StrList> = guards.iter().map(|g| &g.list).collect();
        let list = StrList::union(&lists)?;
        Some(Guard {
            slot,
            heads: Heads::new(&list),
            list,
        })
    }

    /// True when `ev` fails the guarded test for certain: every value of the slot (if any)
    /// is a string outside the list. A value that is not a string may still pass a set's
    /// test (a set's numbers), so it rules nothing out.
    #[inline(always)]
    pub fn rules_out(&self, ev: &EventBuf) -> bool {
        for v in ev.slot(self.slot) {
            let Value::Str(r) = v else {
                return false;
            };
            // Only the length inline: most strings fail it, and the words the list compares
            // would keep many registers busy in the caller.
            if self.list.may_have_len(r.len as usize) && self.has(ev.bytes(*r)) {
                return false;
            }
        }
        true
    }

    /// Whether `s`, whose length some member has, is in the list.
    #[inline(never)]
    fn has(&self, s: &[u8]) -> bool {
        self.list.contains_sized(s)
    }

    /// [`Guard::rules_out`] as far as the values' lengths tell, without reading any string's
    /// bytes (so that a caller can settle most events in a few registers, and leave the rest
    /// to [`Guard::rules_out_one`] or [`Guard::rules_out`]).
    #[inline(always)]
    pub fn by_len<'a>(&self, ev: &'a EventBuf) -> ByLen<'a> {
        let values = ev.slot(self.slot);
        if let [Value::Str(r)] = values {
            return if self.list.may_have_len(r.len as usize) {
                ByLen::One(r)
            } else {
                ByLen::Out
            };
        }
        let short = |v: &Value| match v {
            Value::Str(r) => !self.list.may_have_len(r.len as usize),
            _ => false,
        };
        if values.iter().all(short) {
            ByLen::Out
        } else {
            ByLen::Unsure
        }
    }

    /// [`Guard::rules_out`] for an event whose slot holds one string alone, `r` (that of
    /// [`ByLen::One`]): for a union whose members are all short, one word of the event's
    /// buffer looked up, whatever the string's length.
    pub fn rules_out_one(&self, ev: &EventBuf, r: StrRef) -> bool {
        match self.heads.as_ref().and_then(|h| h.lookup(ev, r)) {
            Some(member) => !member,
            // No table, or the string lies too near its buffer's end for one word.
            None => !self.has(ev.bytes(r)),
        }
    }

    /// [`Guard::rules_out_one`] when a union of short members answers it with one word of
    /// the event's buffer, in a few registers; `None` when it does not (no such union, or
    /// the string lies too near the end of its buffer).
    #[inline(always)]
    pub fn rules_out_quick(&self, ev: &EventBuf, r: StrRef) -> Option<bool> {
        Some(!self.heads.as_ref()?.lookup(ev, r)?)
    }
}

/// What the lengths of a guarded slot's values say ([`Guard::by_len`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByLen<'a> {
    /// Every value is a string of a length no member has: the guard rules the event out.
    Out,
    /// The slot holds one value, a string of a length some member has: the guard rules the
    /// event out when [`Guard::rules_out_one`] says so.
    One(&'a StrRef),
    /// Anything else: ask [`Guard::rules_out`].
    Unsure,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::SlotRange;

    /// A slot's values for [`event`]: a string by its text, or another value.
    type Given<'a> = Result<&'a str, Value>;

    /// An event whose slot 0 holds `values`, strings among them given by their text.
    fn event(values: &[Given]) -> EventBuf {
        let mut ev = EventBuf::new();
        for v in values {
            let v = match v {
                Ok(s) => {
                    let start = ev.text.len() as u32;
                    ev.text.push_str(s);
                    Value::Str(StrRef {
                        start,
                        len: s.len() as u32,
                        scratch: false,
                    })
                }
                Err(v) => *v,
            };
            ev.values.push(v);
        }
        ev.slots.push(SlotRange {
            start: 0,
            len: values.len() as u32,
            present: true,
        });
        ev
    }

    /// What the lengths tell agrees with the whole test: `Out` only when the guard rules the
    /// event out, `One` only for one string alone, and then `rules_out_one` says what
    /// `rules_out` says; most single strings are settled by one or the other.
    #[test]
    fn lengths_agree_with_the_whole_test() {
        let lists: Vec<StrList> = ["bash", "sh", "socat"]
            .iter()
            .map(|m| StrList::one(m.as_bytes(), true))
            .collect();
        let refs: Vec<&StrList> = lists.iter().collect();
        let list = StrList::union(&refs).unwrap_or_else(|| panic!("no union"));
        let heads = Heads::new(&list);
        assert!(heads.is_some());
        // The list's own lookup, and the one word's.
        for heads in [None, heads] {
            lengths_agree(&Guard {
                slot: 0,
                list: list.clone(),
                heads,
            });
        }
    }

    fn lengths_agree(guard: &Guard) {
        let s = |x| Given::Ok(x);
        let cases: &[(&[Given], Option<ByLen<'static>>)] = &[
            (&[s("bash")], None),
            (&[s("BaSh")], None),
            (&[s("sshd")], None),
            (&[s("SOCAT")], None),
            (&[s("nginx")], None),
            (&[s("sh")], None),
            (&[s("ls")], None),
            (&[s("")], Some(ByLen::Out)),
            (&[s("python")], Some(ByLen::Out)),
            (&[s("a-name-longer-than-sixteen-bytes")], Some(ByLen::Out)),
            (&[], Some(ByLen::Out)),
            (&[s("python"), s("java3")], Some(ByLen::Unsure)),
            (&[s("python"), s("curl2")], Some(ByLen::Unsure)),
            (&[s("python"), s("go")], Some(ByLen::Unsure)),
            (&[s("python"), s("cron.d")], Some(ByLen::Out)),
            (&[Err(Value::Int(7))], Some(ByLen::Unsure)),
            (&[Err(Value::Null)], Some(ByLen::Unsure)),
            (&[s("python"), Err(Value::Int(7))], Some(ByLen::Unsure)),
        ];
        for (values, want) in cases {
            let ev = event(values);
            let whole = guard.rules_out(&ev);
            let got = guard.by_len(&ev);
            if let Some(want) = want {
                assert_eq!(got, *want, "{values:?}");
            }
            match got {
                ByLen::Out => assert!(whole, "{values:?}"),
                ByLen::One(r) => {
                    assert_eq!(values.len(), 1, "{values:?}");
                    assert_eq!(guard.rules_out_one(&ev, *r), whole, "{values:?}");
                }
                ByLen::Unsure => assert!(values.len() != 1 || values[0].is_err(), "{values:?}"),
            }
        }
        // Members of either case are never ruled out, other strings of their lengths are.
        for (name, out) in [
            ("bash", false),
            ("BASH", false),
            ("sshd", true),
            ("Sh", false),
        ] {
            let ev = event(&[s(name)]);
            let ByLen::One(r) = guard.by_len(&ev) else {
                panic!("{name}: not One");
            };
            assert_eq!(guard.rules_out_one(&ev, *r), out, "{name}");
            assert_eq!(guard.rules_out(&ev), out, "{name}");
        }
    }
}
