//! `eqlvm run` and `eqlvm query`: stream events through a compiled program and write results
//! as JSON lines, reporting bad lines with their position and counting everything.

use crate::input::{compile_options, load_rules, next_line, open_events, CmdResult};
use crate::SchemaArgs;
use eqlvm::emit::{Emitter, QueryOptions};
use eqlvm::planner::{plan_text, PlanOptions, UnknownFieldPolicy};
use eqlvm::vm::engine::{Engine, EngineOptions, Match};
use std::io::{ErrorKind, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Counts of one run.
#[derive(Default)]
struct Summary {
    bad_lines: u64,
}

/// Feeds every event of `events` to the engine; `emit` writes each result. Bad lines are
/// reported on stderr and counted; the run goes on.
fn stream(
    engine: &mut Engine,
    events: &[PathBuf],
    emit: &mut dyn FnMut(&Match) -> std::io::Result<()>,
) -> CmdResult<Summary> {
    let mut summary = Summary::default();
    let mut out = Vec::new();
    let mut line = Vec::new();
    let mut write_all = |out: &mut Vec<Match>| -> CmdResult<()> {
        for m in out.drain(..) {
            if let Err(e) = emit(&m) {
                return Err(if e.kind() == ErrorKind::BrokenPipe {
                    "output closed (broken pipe); stopping".to_string()
                } else {
                    format!("cannot write alerts: {e}")
                });
            }
        }
        Ok(())
    };
    for mut src in open_events(events)? {
        let mut lineno = 0u64;
        loop {
            match next_line(&mut *src.reader, &mut line) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(format!("{}: read error after line {lineno}: {e}", src.name)),
            }
            lineno += 1;
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            std::mem::swap(engine.line_mut(), &mut line);
            if let Err(e) = engine.process(&mut out) {
                summary.bad_lines += 1;
                eprintln!("{}:{lineno}: bad event: {e}", src.name);
            }
            std::mem::swap(engine.line_mut(), &mut line);
            if !out.is_empty() {
                write_all(&mut out)?;
            }
        }
    }
    engine.finish(&mut out);
    write_all(&mut out)?;
    Ok(summary)
}

pub fn run_rules(
    paths: &[PathBuf],
    schema: &SchemaArgs,
    events: &[PathBuf],
) -> CmdResult<ExitCode> {
    let opts = compile_options(schema)?;
    let set = load_rules(paths);
    for d in set.errors() {
        eprint!("{}", d.render());
    }
    if set.has_errors() {
        return Err(format!(
            "{} rule file error(s); nothing was run",
            set.errors().count()
        ));
    }
    let compiled = eqlvm::pipeline::compile_rules(set.rules, &opts);
    for (rule, problems) in &compiled.failed {
        for p in problems {
            eprint!("{}", p.rendered);
        }
        eprintln!(
            "eqlvm: rule {:?} ({}) does not compile; it is left out",
            rule.name,
            rule.origin.path.display()
        );
    }
    if compiled.rules.is_empty() {
        return Err("no rule compiled; nothing to run".into());
    }
    let rules = compiled.rules;
    let mut engine =
        Engine::new(compiled.program, &EngineOptions::default()).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let mut alerts = 0u64;
    let summary = stream(&mut engine, events, &mut |m| {
        let Some(rule) = rules.get(m.query as usize) else {
            return Ok(());
        };
        serde_json::to_writer(&mut w, &eqlvm::pipeline::alert_json(rule, m))?;
        w.write_all(b"\n")?;
        w.flush()?;
        alerts += 1;
        Ok(())
    })?;
    let stats = engine.stats;
    eprintln!(
        "eqlvm: {} rules, {} events read, {alerts} alerts, {} bad lines{}",
        rules.len(),
        stats.events + summary.bad_lines,
        summary.bad_lines,
        if stats.no_timestamp > 0 {
            format!(
                ", {} events without a timestamp skipped by sequences",
                stats.no_timestamp
            )
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

pub fn query(
    text: &str,
    events: &[PathBuf],
    schema: &SchemaArgs,
    disasm: bool,
) -> CmdResult<ExitCode> {
    let opts = compile_options(schema)?;
    let policy = if opts.strict {
        UnknownFieldPolicy::Error
    } else {
        UnknownFieldPolicy::Warn
    };
    let planned = match plan_text(
        text,
        &opts.schema,
        &PlanOptions::default().with_unknown_fields(policy),
    ) {
        Ok(p) => p,
        Err(diags) => {
            for d in &diags {
                eprint!("{}", d.render("<query>", text));
            }
            return Ok(ExitCode::from(1));
        }
    };
    for w in &planned.warnings {
        eprint!("{}", w.render("<query>", text));
    }
    let mut emitter = Emitter::new();
    emitter.add(&planned.plan, &QueryOptions::new("query", text));
    let program = emitter.finish();
    if disasm {
        eprint!("{}", eqlvm::bytecode::disasm::disassemble(&program));
    }
    let mut engine = Engine::new(program, &EngineOptions::default()).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    stream(&mut engine, events, &mut |m| {
        let events: Vec<serde_json::Value> = m
            .events
            .iter()
            .map(|e| match e {
                Some(e) => serde_json::from_str(&e.line).unwrap_or(serde_json::Value::Null),
                None => serde_json::json!({"missing": true}),
            })
            .collect();
        let value = match (m.keys.is_empty(), events.as_slice()) {
            (true, [one]) => one.clone(),
            _ => {
                serde_json::json!({"join_keys": m.keys.iter().map(|k| k.to_json()).collect::<Vec<_>>(), "events": events})
            }
        };
        serde_json::to_writer(&mut w, &value)?;
        w.write_all(b"\n")?;
        w.flush()
    })?;
    Ok(ExitCode::SUCCESS)
}
