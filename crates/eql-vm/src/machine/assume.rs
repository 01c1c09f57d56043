//! Blocks run with some of their tests known to pass: a caller that runs a block only for
//! events it has already found to carry certain strings in certain fields (the literal
//! prefilter admits a stage only for events that satisfy its indexed clauses) can say so, and
//! the block's decision graph then skips the tests those strings settle.
//!
//! A [`Fact`] says that some value of a field is a string equal to one of a few strings
//! (exactly, or under ASCII case folding). A graph test "some value of the field is in this
//! string list" passes for every event the fact holds for when every string of the fact (and,
//! for a folded fact, every ASCII case variant of it) is in the list: the value the fact is
//! about passes it, and a test of "some value" passes when any one does. Nothing else is
//! assumed: not that the field holds a single value, nor anything of the other values, so a
//! test that would need them (a negation's test, a test of another list) still runs. A
//! skipped test is one that would have passed, and graph tests change nothing, so the block's
//! value is the same.

use super::fused::Test;
use super::graph::Check;
use super::Loaded;
use crate::matchers::RtSet;
use eql_bytecode::BlockId;

/// What is known of an event before a block runs: some value of slot `slot` is a string equal
/// to one of `strings` (compared ignoring ASCII case when `folded`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub slot: usize,
    pub strings: Vec<String>,
    pub folded: bool,
}

impl Loaded {
    /// Makes block `b`, when it runs as a decision graph, skip the tests that pass whenever
    /// `known` holds: each inner list is a clause of which at least one fact holds. Only for
    /// a block that runs for no event `known` does not hold for; undone by
    /// [`Loaded::keep_written_order`] and [`Loaded::drop_assumptions`]. Returns whether some
    /// test is skipped.
    pub fn assume(&mut self, b: BlockId, known: &[Vec<Fact>]) -> bool {
        let sets = &self.sets;
        let holds = |check: &Check| {
            known
                .iter()
                .any(|clause| !clause.is_empty() && clause.iter().all(|f| implies(sets, f, check)))
        };
        self.graphs.assume(b.index(), &holds)
    }

    /// Undoes every [`Loaded::assume`].
    pub fn drop_assumptions(&mut self) {
        self.graphs.drop_assumptions();
    }
}

/// Whether graph test `check` passes for every event fact `f` holds for (`sets`: the
/// program's sets, for a test of a set too large for a string list).
fn implies(sets: &[RtSet], f: &Fact, check: &Check) -> bool {
    match check {
        Check::Strs { slot, list, .. } => {
            slot.index() == f.slot
                && (!f.folded || list.is_case_insensitive())
                && f.strings.iter().all(|s| list.contains(s.as_bytes()))
        }
        Check::Test(Test::InSet(slot, set)) => {
            let Some(set) = sets.get(set.index()) else {
                return false;
            };
            let mut buf = Vec::new();
            slot.index() == f.slot
                && (!f.folded || set.case_insensitive)
                && f.strings
                    .iter()
                    .all(|s| set.contains_bytes(s.as_bytes(), &mut buf))
        }
        Check::Test(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eql_bytecode::{ConstSet, ConstVal, SetId, Slot};

    fn fact(slot: usize, strings: &[&str], folded: bool) -> Fact {
        Fact {
            slot,
            strings: strings.iter().map(|s| s.to_string()).collect(),
            folded,
        }
    }

    fn strs(slot: u32, members: &[&str], ci: bool) -> Check {
        let set = ConstSet {
            items: members
                .iter()
                .map(|m| ConstVal::Str(m.to_string()))
                .collect(),
            case_insensitive: ci,
        };
        match super::super::field::StrList::new(&set) {
            Some(list) => Check::Strs {
                slot: Slot(slot),
                list,
                set: None,
            },
            None => panic!("not a string list"),
        }
    }

    #[test]
    fn a_fact_implies_a_list_test_holding_all_its_strings_as_compared() {
        let sets: Vec<RtSet> = Vec::new();
        let cases = [
            // Exact facts: every string must be a member, as the list compares.
            (
                fact(1, &["bash"], false),
                strs(1, &["bash", "sh"], false),
                true,
            ),
            (fact(1, &["bash"], false), strs(1, &["BASH"], true), true),
            (
                fact(1, &["bash", "zsh"], false),
                strs(1, &["bash", "sh"], false),
                false,
            ),
            (fact(1, &["Bash"], false), strs(1, &["bash"], false), false),
            // Folded facts hold for any case variant: only a folding list follows.
            (fact(1, &["bash"], true), strs(1, &["bash"], false), false),
            (
                fact(1, &["bash"], true),
                strs(1, &["BASH", "sh"], true),
                true,
            ),
            // Another field.
            (fact(2, &["bash"], false), strs(1, &["bash"], false), false),
        ];
        for (f, check, want) in cases {
            assert_eq!(implies(&sets, &f, &check), want, "{f:?} {check:?}");
        }
    }

    #[test]
    fn large_sets_follow_their_own_comparison() {
        let set = |ci: bool| {
            RtSet::new(&ConstSet {
                items: (0..20)
                    .map(|i| ConstVal::Str(format!("N{i}")))
                    .chain([ConstVal::Int(3)])
                    .collect(),
                case_insensitive: ci,
            })
        };
        let sets = vec![set(false), set(true)];
        let test = |s: u32| Check::Test(Test::InSet(Slot(0), SetId(s)));
        assert!(implies(&sets, &fact(0, &["N1", "N19"], false), &test(0)));
        assert!(!implies(&sets, &fact(0, &["n1"], false), &test(0)));
        assert!(!implies(&sets, &fact(0, &["N1"], true), &test(0)));
        assert!(implies(&sets, &fact(0, &["n1"], true), &test(1)));
        assert!(!implies(&sets, &fact(0, &["3"], false), &test(1)));
        assert!(!implies(&sets, &fact(0, &["N1"], false), &test(2)));
        assert!(!implies(&sets, &fact(1, &["N1"], false), &test(0)));
    }
}
