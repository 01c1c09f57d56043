//! The verifier accepts a well-formed program and rejects each kind of out-of-range index.

use eql_bytecode::*;

fn program() -> Program {
    let mut p = Program::new();
    p.fields.push(FieldDef {
        path: "event.category".into(),
        kind: SlotKind::Plain,
    });
    p.fields.push(FieldDef {
        path: "process.name".into(),
        kind: SlotKind::Plain,
    });
    p.pools.consts.push(ConstVal::Str("bash".into()));
    p.code = vec![
        Inst::FieldEqStr {
            dst: Reg(0),
            slot: Slot(1),
            k: Const(0),
        },
        Inst::JumpIfFalse {
            src: Reg(0),
            to: Label(2),
        },
        Inst::Return { src: Reg(0) },
    ];
    p.blocks.push(Block {
        entry: 0,
        len: 3,
        nregs: 1,
        query: 0,
        role: "event predicate".into(),
    });
    p.queries.push(QueryDef {
        name: "q".into(),
        source: "process where process.name == \"bash\"".into(),
        kind: QueryKind::Event(StageDef {
            category: Some("process".into()),
            predicate: BlockId(0),
            keys: vec![],
            missing: false,
            alias: None,
            join: None,
        }),
        pipes: vec![],
        category: Slot(0),
        timestamp: vec![],
        tiebreaker: None,
    });
    p
}

fn rejected(f: impl FnOnce(&mut Program)) -> String {
    let mut p = program();
    f(&mut p);
    match verify(&p) {
        Ok(()) => panic!("a corrupted program verified"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn accepts_a_well_formed_program() {
    assert_eq!(verify(&program()), Ok(()));
}

#[test]
fn rejects_out_of_range_indices() {
    assert!(rejected(|p| p.code[0] = Inst::FieldEqStr {
        dst: Reg(5),
        slot: Slot(1),
        k: Const(0)
    })
    .contains("register r5"));
    assert!(rejected(|p| p.code[0] = Inst::FieldEqStr {
        dst: Reg(0),
        slot: Slot(9),
        k: Const(0)
    })
    .contains("slot s9"));
    assert!(rejected(|p| p.code[0] = Inst::FieldEqStr {
        dst: Reg(0),
        slot: Slot(1),
        k: Const(3)
    })
    .contains("constant k3"));
    assert!(rejected(|p| p.code[0] = Inst::FieldInSet {
        dst: Reg(0),
        slot: Slot(1),
        set: SetId(0)
    })
    .contains("set set0"));
    assert!(rejected(|p| p.code[1] = Inst::JumpIfFalse {
        src: Reg(0),
        to: Label(7)
    })
    .contains("jump target @7"));
    assert!(rejected(|p| p.code[2] = Inst::Not {
        dst: Reg(0),
        src: Reg(0)
    })
    .contains("last instruction"));
    assert!(rejected(|p| p.blocks[0].len = 9).contains("beyond the code"));
    assert!(rejected(|p| p.format = 99).contains("format 99"));
    assert!(rejected(|p| p.queries[0].category = Slot(4)).contains("slot out of range"));
    assert!(rejected(|p| {
        if let QueryKind::Event(s) = &mut p.queries[0].kind {
            s.predicate = BlockId(3);
        }
    })
    .contains("predicate block"));
}

#[test]
fn rejects_wrong_call_arity() {
    let msg = rejected(|p| {
        p.blocks[0].nregs = 4;
        p.code[0] = Inst::Call {
            dst: Reg(0),
            func: Builtin::Length,
            args: Reg(1),
            argc: 3,
        };
    });
    assert!(msg.contains("length takes 1..1 arguments"), "{msg}");
    let msg = rejected(|p| {
        p.code[0] = Inst::Call {
            dst: Reg(0),
            func: Builtin::Concat,
            args: Reg(0),
            argc: 2,
        }
    });
    assert!(msg.contains("exceed the frame"), "{msg}");
    let mut p = program();
    p.code[0] = Inst::Call {
        dst: Reg(0),
        func: Builtin::Length,
        args: Reg(0),
        argc: 1,
    };
    assert_eq!(verify(&p), Ok(()), "a call inside the frame verifies");
}
