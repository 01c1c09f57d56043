//! `eqlvm check` and `eqlvm compile`: load rule files, type-check them, report per rule, and
//! print bytecode.

use crate::input::{compile_options, load_rules, CmdResult};
use crate::SchemaArgs;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn check(paths: &[PathBuf], schema: &SchemaArgs, show_warnings: bool) -> CmdResult<ExitCode> {
    let opts = compile_options(schema)?;
    let set = load_rules(paths);
    let file_errors: Vec<_> = set.errors().collect();
    for d in &file_errors {
        eprint!("{}", d.render());
    }
    let file_error_count = file_errors.len();
    let compiled = eqlvm::pipeline::compile_rules(set.rules.clone(), &opts);
    for (rule, problems) in &compiled.failed {
        for p in problems.iter().filter(|p| p.diagnostic.is_error()) {
            println!(
                "FAIL {}:{}:{}: {} ({})",
                p.file.display(),
                p.line,
                p.column,
                p.diagnostic.message,
                rule.name
            );
            eprint!("{}", p.rendered);
        }
    }
    if show_warnings {
        for p in &compiled.warnings {
            eprint!("{}", p.rendered);
        }
    }
    let passed = compiled.rules.len();
    let failed = compiled.failed.len() + file_error_count;
    if !compiled.warnings.is_empty() {
        println!(
            "{} warnings in {} rules (fields no schema knows{})",
            compiled.warnings.len(),
            {
                let mut ids: Vec<&str> = compiled
                    .warnings
                    .iter()
                    .map(|w| w.rule_id.as_str())
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids.len()
            },
            if show_warnings {
                ""
            } else {
                "; --warnings prints them"
            }
        );
    }
    if !compiled.skipped.is_empty() {
        println!("{} non-EQL rules skipped", compiled.skipped.len());
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn compile(paths: &[PathBuf], schema: &SchemaArgs, disasm: bool) -> CmdResult<ExitCode> {
    let opts = compile_options(schema)?;
    let set = load_rules(paths);
    for d in set.errors() {
        eprint!("{}", d.render());
    }
    let file_errors = set.has_errors();
    let compiled = eqlvm::pipeline::compile_rules(set.rules, &opts);
    for (_, problems) in &compiled.failed {
        for p in problems {
            eprint!("{}", p.rendered);
        }
    }
    if let Err(e) = eqlvm::bytecode::verify(&compiled.program) {
        return Err(format!(
            "internal error: the compiled program does not verify: {e}"
        ));
    }
    if disasm {
        print!(
            "{}",
            eqlvm::bytecode::disasm::disassemble(&compiled.program)
        );
    } else {
        let p = &compiled.program;
        println!(
            "{} rules compiled: {} fields, {} blocks, {} instructions",
            compiled.rules.len(),
            p.fields.len(),
            p.blocks.len(),
            p.code.len()
        );
    }
    let failed = !compiled.failed.is_empty() || file_errors;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
