//! Bytecode snapshots: the disassembly of both seed rules and of fixture queries chosen so that,
//! together, they use every instruction. Programs also survive a serde round trip and verify.

mod common;

use eqlvm::bytecode::{disasm::disassemble, verify, Inst, Program};
use eqlvm::pipeline::{compile_rules, CompileOptions};
use eqlvm::rules::RuleSet;
use std::collections::BTreeSet;
use std::path::Path;

fn fixtures() -> Vec<(String, String)> {
    let dir = common::root().join("tests/fixtures/queries");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eql"))
        .map(|p| {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read_to_string(&p).unwrap_or_default())
        })
        .collect()
}

/// Fixtures named `defend*` are in Elastic Defend's dialect.
fn fixture_program(name: &str, query: &str) -> Program {
    if name.starts_with("defend") {
        common::compile_endpoint(query)
    } else {
        common::compile(query)
    }
}

fn seed_program(file: &str) -> Program {
    let set = RuleSet::load_path(common::root().join("rules/linux").join(file));
    assert!(!set.has_errors(), "{}", set.render_diagnostics());
    let compiled = compile_rules(set.rules, &CompileOptions::default());
    assert!(compiled.failed.is_empty());
    compiled.program
}

#[test]
fn seed_rule_disassembly() {
    for file in [
        "potential_reverse_shell.toml",
        "reverse_shell_activity_via_terminal.yaml",
    ] {
        let program = seed_program(file);
        let name = Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        insta::assert_snapshot!(format!("seed_{name}"), disassemble(&program));
    }
}

#[test]
fn fixture_disassembly() {
    let all = fixtures();
    assert!(all.len() >= 6);
    for (name, query) in all {
        let program = fixture_program(&name, &query);
        insta::with_settings!({ description => query.clone(), omit_expression => true }, {
            insta::assert_snapshot!(format!("query_{name}"), disassemble(&program));
        });
    }
}

#[test]
fn fixtures_use_every_instruction() {
    let mut used = BTreeSet::new();
    let mut programs: Vec<Program> = fixtures()
        .iter()
        .map(|(n, q)| fixture_program(n, q))
        .collect();
    programs.push(seed_program("potential_reverse_shell.toml"));
    for p in &programs {
        for i in &p.code {
            used.insert(i.mnemonic());
        }
    }
    let missing: Vec<_> = Inst::MNEMONICS
        .iter()
        .filter(|m| !used.contains(*m))
        .collect();
    assert!(missing.is_empty(), "no fixture uses {missing:?}");
}

#[test]
fn programs_round_trip_through_serde_and_verify() {
    for (n, q) in fixtures() {
        let p = fixture_program(&n, &q);
        assert_eq!(verify(&p), Ok(()));
        let json = serde_json::to_string(&p).unwrap_or_default();
        let back: Program = match serde_json::from_str(&json) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(back, p);
    }
}
