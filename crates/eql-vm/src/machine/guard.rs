//! A block's first test, taken out so that a caller can run it before the block: when a
//! block runs as a decision graph whose root is a string-list test (`field.eq_str`,
//! `field.in_set` of a few strings) that leads straight to `false` when it fails, an event
//! that certainly fails that test makes the block false without the block being run. The
//! dispatch's direct path uses it to settle an event's candidate stages with one inline test.

use super::field::StrList;
use super::graph::{Check, FALSE};
use super::Loaded;
use crate::event::{EventBuf, Value};
use eql_bytecode::BlockId;

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Guard {
    slot: usize,
    list: StrList,
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
        Some(Guard {
            slot,
            list: StrList::union(&lists)?,
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
}
