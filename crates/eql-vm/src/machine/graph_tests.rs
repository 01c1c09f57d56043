//! Unit tests of the decision graphs: building them from blocks, and the copies that assume tests.

use super::*;
use eql_bytecode::{Block, Label, Reg};

fn program(code: Vec<Inst>, nregs: u32) -> Program {
    let len = code.len() as u32;
    Program {
        code,
        blocks: vec![Block {
            entry: 0,
            len,
            nregs,
            query: 0,
            role: String::new(),
        }],
        ..Program::default()
    }
}

fn test(dst: u32, slot: u32) -> Inst {
    Inst::FieldIsNull {
        dst: Reg(dst),
        slot: Slot(slot),
    }
}

#[test]
fn an_and_chain_becomes_one_node_per_test() {
    // s0 is null and not s1 is null
    let p = program(
        vec![
            test(0, 0),
            Inst::JumpIfFalse {
                src: Reg(0),
                to: Label(5),
            },
            test(1, 1),
            Inst::Not {
                dst: Reg(1),
                src: Reg(1),
            },
            Inst::And {
                dst: Reg(0),
                a: Reg(0),
                b: Reg(1),
            },
            Inst::Return { src: Reg(0) },
        ],
        2,
    );
    let g = Graphs::build(&p);
    assert_eq!(g.root(0), Some(0));
    let next: Vec<[u32; 2]> = g.nodes.iter().map(|n| n.next).collect();
    assert_eq!(next, vec![[FALSE, 1], [TRUE, FALSE]]);
}

#[test]
fn paths_that_meet_share_their_nodes() {
    // (s0 is null or s1 is null) and s2 is null: the `or` gives one state either way.
    let p = program(
        vec![
            test(0, 0),
            Inst::JumpIfTrue {
                src: Reg(0),
                to: Label(4),
            },
            test(1, 1),
            Inst::Or {
                dst: Reg(0),
                a: Reg(0),
                b: Reg(1),
            },
            Inst::JumpIfFalse {
                src: Reg(0),
                to: Label(7),
            },
            test(1, 2),
            Inst::Move {
                dst: Reg(0),
                src: Reg(1),
            },
            Inst::Return { src: Reg(0) },
        ],
        2,
    );
    let g = Graphs::build(&p);
    let next: Vec<[u32; 2]> = g.nodes.iter().map(|n| n.next).collect();
    assert_eq!(next, vec![[1, 2], [FALSE, 2], [FALSE, TRUE]]);
}

/// `s0 is null and s1 is null and s2 is null`, sealed.
fn chain3() -> Graphs {
    let mut code = Vec::new();
    for (i, slot) in [0u32, 1, 2].into_iter().enumerate() {
        code.push(test(1, slot));
        if i == 0 {
            code.push(Inst::Move {
                dst: Reg(0),
                src: Reg(1),
            });
        } else {
            code.push(Inst::And {
                dst: Reg(0),
                a: Reg(0),
                b: Reg(1),
            });
        }
    }
    code.push(Inst::Return { src: Reg(0) });
    let mut g = Graphs::build(&program(code, 2));
    g.order_chains(&[]);
    g.seal();
    g
}

fn on_slot(slot: u32) -> impl Fn(&Check) -> bool {
    move |c| matches!(c, Check::Test(Test::IsNull(s)) if s.0 == slot)
}

fn nexts(g: &Graphs) -> Vec<[u32; 2]> {
    g.nodes.iter().map(|n| n.next).collect()
}

#[test]
fn assuming_a_test_skips_it_and_copies_only_the_way_to_it() {
    let mut g = chain3();
    // No test short-circuits: the graph splits on each outcome of the first two.
    let before = nexts(&g);
    let root = g.root(0);
    assert_eq!(root, Some(0));
    assert!(!g.assume(0, &on_slot(7)), "nothing to skip");
    assert_eq!(nexts(&g), before);
    assert!(g.assume(0, &on_slot(2)));
    assert_eq!(g.assumed(), 1);
    // The last test's node is never reached from the new root.
    let mut at = g.root(0).unwrap_or(FALSE);
    let mut seen = Vec::new();
    let mut stack = vec![at];
    while let Some(n) = stack.pop() {
        if let Some(node) = g.nodes.get(n as usize) {
            if !seen.contains(&n) {
                seen.push(n);
                assert!(!on_slot(2)(&node.check));
                stack.extend(node.next);
            }
        }
    }
    // Both tests passing reaches `true` directly.
    for _ in 0..2 {
        at = g.nodes[at as usize].next[1];
    }
    assert_eq!(at, TRUE);
    g.drop_assumptions();
    assert_eq!(g.root(0), root);
    assert_eq!(nexts(&g), before);
    assert_eq!(g.assumed(), 0);
}

#[test]
fn assuming_the_root_starts_past_it() {
    let mut g = chain3();
    let second = g.nodes[0].next[1];
    assert!(g.assume(0, &on_slot(0)));
    // Nothing after the root changes: its successor is the new root, no node copied.
    assert_eq!(g.root(0), Some(second));
    assert_eq!(g.nodes.len(), g.own);
    // A later order resets the root and forgets the assumption.
    g.keep_written_order(0, true);
    assert_eq!(g.root(0), Some(0));
    assert_eq!(g.assumed(), 0);
    // Every test assumed: the block is `true` without a walk.
    assert!(g.assume(0, &|_| true));
    assert_eq!(g.roots[0], TRUE);
    assert_eq!(g.root(0), Some(TRUE));
}

#[test]
fn blocks_beyond_tests_and_logic_get_no_graph() {
    let backward = program(
        vec![
            test(0, 0),
            Inst::JumpIfFalse {
                src: Reg(0),
                to: Label(0),
            },
            Inst::Return { src: Reg(0) },
        ],
        1,
    );
    assert_eq!(Graphs::build(&backward).root(0), None);
    let load = program(
        vec![
            Inst::LoadField {
                dst: Reg(0),
                slot: Slot(0),
            },
            Inst::Return { src: Reg(0) },
        ],
        1,
    );
    assert_eq!(Graphs::build(&load).root(0), None);
}

#[test]
fn a_program_reading_a_register_it_did_not_write_gets_no_graphs() {
    let mut p = program(vec![test(0, 0), Inst::Return { src: Reg(0) }], 2);
    assert_eq!(Graphs::build(&p).blocks(), 1);
    // A second block returns r1, which only an earlier run could have set.
    p.code.push(Inst::Return { src: Reg(1) });
    p.blocks.push(Block {
        entry: 2,
        len: 1,
        nregs: 2,
        query: 0,
        role: String::new(),
    });
    assert_eq!(Graphs::build(&p).blocks(), 0);
}
