//! `eqlvm check` and `eqlvm compile`: load rule files, type-check them, report per rule, and
//! print bytecode.

use crate::input::{compile_options, load_rules, CmdResult};
use crate::SchemaArgs;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Loads and type-checks the rules under `paths`, printing each failing rule, the warning
/// count and `N passed, M failed`; with `time`, also how long each phase took.
pub fn check(
    paths: &[PathBuf],
    schema: &SchemaArgs,
    show_warnings: bool,
    time: bool,
) -> CmdResult<ExitCode> {
    let start = Instant::now();
    let opts = compile_options(schema)?;
    let schema_time = start.elapsed();
    let start = Instant::now();
    let set = load_rules(paths);
    let load_time = start.elapsed();
    let file_errors: Vec<_> = set.errors().collect();
    for d in &file_errors {
        eprint!("{}", d.render());
    }
    let file_error_count = file_errors.len();
    let parse_time = time.then(|| parse_only(&set.rules));
    let start = Instant::now();
    let compiled = eqlvm::pipeline::compile_rules(set.rules.clone(), &opts);
    let compile_time = start.elapsed();
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
            eprint!("{}", p.render());
        }
    }
    if show_warnings {
        for p in &compiled.warnings {
            eprint!("{}", p.render());
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
    if let Some(parse_time) = parse_time {
        println!(
            "time: schemas {}, rule files {}, parse+check+emit of {} rules {} (parse alone {})",
            ms(schema_time),
            ms(load_time),
            set.rules.len(),
            ms(compile_time),
            ms(parse_time)
        );
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Time to parse every EQL query alone (the rest of the compile is the difference).
fn parse_only(rules: &[eqlvm::rules::Rule]) -> Duration {
    let start = Instant::now();
    for rule in rules.iter().filter(|r| r.is_eql()) {
        let _ = std::hint::black_box(eqlvm::parser::parse(&rule.query));
    }
    start.elapsed()
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
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
            eprint!("{}", p.render());
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
