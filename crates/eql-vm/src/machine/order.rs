//! Reordering the leading `and` chain of a decision graph so that the test likeliest to fail
//! cheaply runs first. A rule usually opens with tests on fields of few values
//! (`event.type == "start" and host.os.type == "linux"`) that most events of its category
//! pass, and only then tests the field that decides (`process.name in (…)`); running that one
//! first ends most walks after one test.
//!
//! Why the block's value cannot change: a graph node's test reads the event's slots and
//! nothing else (the machine's scratch buffer aside), always gives `true` or `false` (a field
//! test has no null or error outcome, see `fused::Test`) and changes nothing a later test
//! reads. A chain of such tests where each one's failure leads straight to `false` computes
//! the `and` of its literals and then of the graph after it, and an `and` of two-valued,
//! side-effect-free terms has the same value in any order. The graph after the chain (an
//! `or`, say) is left as it is and still runs last.

use super::fused::Test;
use super::graph::{Check, Node, FALSE};
use eql_bytecode::{CmpOp, FieldDef, Slot};

/// A chained test's place in the new order (lower runs first): equality tests on fields of
/// many values first, then those on fields of few values (most events pass them), then cheap
/// tests that mostly pass (negated equalities, null checks, ranges), then the matchers that
/// cost more per value (wildcards, regexes, CIDR blocks), a negated one last.
fn rank(check: &Check, continues_on_pass: bool, fields: &[FieldDef]) -> u8 {
    let many_values = |slot: &Slot| {
        fields
            .get(slot.index())
            .is_some_and(|f| crate::engine::prefilter::small_domain(&f.path).is_none())
    };
    let equality = match check {
        Check::Strs { slot, .. } => Some(slot),
        Check::Test(t) => match t {
            Test::EqStr(slot, _) | Test::EqStrCi(slot, _) | Test::InSet(slot, _) => Some(slot),
            Test::Cmp(CmpOp::Eq, _, slot, _) => Some(slot),
            _ => None,
        },
    };
    match (equality, continues_on_pass) {
        (Some(slot), true) if many_values(slot) => 0,
        (Some(_), true) => 1,
        (Some(_), false) => 2,
        (None, pass) => match check {
            Check::Test(Test::Wildcard(..) | Test::Regex(..) | Test::Cidr(..)) => {
                if pass {
                    3
                } else {
                    4
                }
            }
            _ => 2,
        },
    }
}

/// A chain link: a node and which of its outcomes continues the chain (the other is `false`).
fn link(node: &Node) -> Option<usize> {
    match node.next {
        [FALSE, FALSE] => None,
        [FALSE, _] => Some(1),
        [_, FALSE] => Some(0),
        _ => None,
    }
}

/// Reorders the chain of tests that starts at `root` (each node's other outcome being
/// `false`) by [`rank`], keeping the written order among equals; returns the new root and
/// whether the order changed. The chain's nodes are reached only through the chain (the
/// graph is acyclic and a block's nodes are its own), so relinking them touches no other path.
pub(super) fn order_chain(nodes: &mut [Node], root: u32, fields: &[FieldDef]) -> (u32, bool) {
    // The chain's nodes with the side each continues on, and where the chain ends.
    let mut chain: Vec<(u32, usize)> = Vec::new();
    let mut at = root;
    while let Some(node) = nodes.get(at as usize) {
        let Some(side) = link(node) else { break };
        chain.push((at, side));
        at = node.next[side];
    }
    let tail = at;
    let mut sorted = chain.clone();
    sorted.sort_by_key(|&(n, side)| {
        nodes
            .get(n as usize)
            .map_or(u8::MAX, |node| rank(&node.check, side == 1, fields))
    });
    if sorted == chain {
        return (root, false);
    }
    for (i, &(n, side)) in sorted.iter().enumerate() {
        let next = sorted.get(i + 1).map_or(tail, |&(m, _)| m);
        if let Some(node) = nodes.get_mut(n as usize) {
            node.next = [FALSE, FALSE];
            if let Some(slot) = node.next.get_mut(side) {
                *slot = next;
            }
        }
    }
    (sorted.first().map_or(root, |&(n, _)| n), true)
}

#[cfg(test)]
mod tests {
    use super::super::graph::TRUE;
    use super::*;
    use eql_bytecode::SlotKind;

    fn fields() -> Vec<FieldDef> {
        ["event.type", "process.name", "destination.ip"]
            .iter()
            .map(|p| FieldDef {
                path: p.to_string(),
                kind: SlotKind::Plain,
            })
            .collect()
    }

    fn node(test: Test, next: [u32; 2]) -> Node {
        Node {
            check: Check::Test(test),
            next,
        }
    }

    #[test]
    fn the_many_valued_equality_moves_first_and_matchers_last() {
        use eql_bytecode::{CidrId, Const};
        // event.type == k0 and not cidr(destination.ip) and process.name == k1, then an
        // `or` of two tests that stays at the end.
        let mut nodes = vec![
            node(Test::EqStr(Slot(0), Const(0)), [FALSE, 1]),
            node(Test::Cidr(Slot(2), CidrId(0)), [2, FALSE]),
            node(Test::EqStr(Slot(1), Const(1)), [FALSE, 3]),
            node(Test::IsNull(Slot(1)), [4, TRUE]),
            node(Test::IsNull(Slot(2)), [FALSE, TRUE]),
        ];
        let (root, changed) = order_chain(&mut nodes, 0, &fields());
        assert!(changed);
        assert_eq!(root, 2);
        let next: Vec<[u32; 2]> = nodes.iter().map(|n| n.next).collect();
        assert_eq!(
            next,
            vec![[FALSE, 1], [3, FALSE], [FALSE, 0], [4, TRUE], [FALSE, TRUE]]
        );
    }

    #[test]
    fn a_chain_already_in_order_is_left_alone() {
        use eql_bytecode::Const;
        let mut nodes = vec![
            node(Test::EqStr(Slot(1), Const(0)), [FALSE, 1]),
            node(Test::EqStr(Slot(0), Const(1)), [FALSE, TRUE]),
        ];
        assert_eq!(order_chain(&mut nodes, 0, &fields()), (0, false));
        assert_eq!(nodes[0].next, [FALSE, 1]);
    }
}
