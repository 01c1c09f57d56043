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
use crate::domains::small_domain;
use eql_bytecode::{CmpOp, FieldDef, Slot};

/// A chained test's place in the new order (lower runs first): equality tests on fields of
/// many values first, then those on fields of few values (most events pass them), then cheap
/// tests that mostly pass (negated equalities, null checks, ranges), then the matchers that
/// cost more per value (wildcards, regexes, CIDR blocks), a negated one last.
fn rank(check: &Check, continues_on_pass: bool, fields: &[FieldDef]) -> u8 {
    let many_values = |slot: &Slot| {
        fields
            .get(slot.index())
            .is_some_and(|f| small_domain(&f.path).is_none())
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

/// The chain of tests that starts at `root` (each node's other outcome being `false`) in
/// the order of [`rank`], keeping the written order among equals: its nodes are copied to the
/// end of `nodes`, linked in the new order and on to the rest of the graph, and the copy's
/// root is returned; `None` when the order stays the same. The original nodes are left as
/// they were, so the block keeps its written order too.
pub(super) fn order_chain(nodes: &mut Vec<Node>, root: u32, fields: &[FieldDef]) -> Option<u32> {
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
        return None;
    }
    let first = u32::try_from(nodes.len()).ok()?;
    // Node indices stay below the values that mean a leaf or no graph (`graph.rs`).
    let last = first.checked_add(u32::try_from(sorted.len()).ok()?)?;
    if last >= FALSE - 1 {
        return None;
    }
    for (i, &(n, side)) in (first..).zip(&sorted) {
        let check = nodes.get(n as usize)?.check.clone();
        let mut next = [FALSE, FALSE];
        *next.get_mut(side)? = if i + 1 < last { i + 1 } else { tail };
        nodes.push(Node { check, next });
    }
    Some(first)
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
        assert_eq!(order_chain(&mut nodes, 0, &fields()), Some(5));
        let next: Vec<[u32; 2]> = nodes.iter().map(|n| n.next).collect();
        // The written chain stays; its copy runs process.name, event.type, then the cidr
        // test, and goes on to the `or` as the original did.
        assert_eq!(
            next,
            vec![
                [FALSE, 1],
                [2, FALSE],
                [FALSE, 3],
                [4, TRUE],
                [FALSE, TRUE],
                [FALSE, 6],
                [FALSE, 7],
                [3, FALSE]
            ]
        );
        let tests: Vec<_> = nodes[5..]
            .iter()
            .map(|n| match n.check {
                Check::Test(t) => t,
                Check::Strs { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(
            tests,
            vec![
                Test::EqStr(Slot(1), Const(1)),
                Test::EqStr(Slot(0), Const(0)),
                Test::Cidr(Slot(2), CidrId(0))
            ]
        );
    }

    #[test]
    fn a_chain_already_in_order_is_left_alone() {
        use eql_bytecode::Const;
        let mut nodes = vec![
            node(Test::EqStr(Slot(1), Const(0)), [FALSE, 1]),
            node(Test::EqStr(Slot(0), Const(1)), [FALSE, TRUE]),
        ];
        assert_eq!(order_chain(&mut nodes, 0, &fields()), None);
        assert_eq!(nodes.len(), 2);
    }
}
