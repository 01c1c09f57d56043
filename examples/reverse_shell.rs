//! Evaluates the shipped seed rules on the sample events and prints each alert readably.
//!
//! Run with `cargo run --example reverse_shell`.

use eqlvm::pipeline::{compile_rules, CompileOptions};
use eqlvm::rules::RuleSet;
use eqlvm::vm::engine::{Engine, EngineOptions};
use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

fn field<'a>(event: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    // Events may spell a field nested (`process` then `name`), dotted (`process.name`) or mixed.
    let parts: Vec<&str> = path.split('.').collect();
    lookup(event, &parts)
}

fn lookup<'a>(v: &'a serde_json::Value, parts: &[&str]) -> Option<&'a serde_json::Value> {
    if parts.is_empty() {
        return Some(v);
    }
    (1..=parts.len()).find_map(|k| {
        v.get(parts[..k].join("."))
            .and_then(|c| lookup(c, &parts[k..]))
    })
}

fn show(event: &serde_json::Value, path: &str) -> String {
    match field(event, path) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "-".into(),
    }
}

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = RuleSet::load_path(root.join("rules"));
    if set.has_errors() {
        eprint!("{}", set.render_diagnostics());
        return ExitCode::FAILURE;
    }
    let compiled = compile_rules(set.rules, &CompileOptions::default());
    for (rule, problems) in &compiled.failed {
        eprintln!("rule {} does not compile:", rule.name);
        for p in problems {
            eprint!("{}", p.render());
        }
    }
    let rules = compiled.rules;
    let mut engine = match Engine::new(compiled.program, &EngineOptions::default()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot load the program: {e}");
            return ExitCode::FAILURE;
        }
    };
    let path = root.join("examples/data/reverse_shell_events.ndjson");
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    println!("{} rules loaded; reading {}\n", rules.len(), path.display());
    let mut matches = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let Ok(line) = line else { break };
        *engine.line_mut() = line.into_bytes();
        if let Err(e) = engine.process(&mut matches) {
            eprintln!("line {}: bad event: {e}", n + 1);
        }
    }
    engine.finish(&mut matches);
    for m in &matches {
        let Some(rule) = rules.get(m.query as usize) else {
            continue;
        };
        let alert = eqlvm::pipeline::alert_json(rule, m);
        let tactics: Vec<String> = rule
            .threat
            .iter()
            .map(|t| format!("{} {}", t.tactic.id, t.tactic.name))
            .collect();
        println!(
            "ALERT {}  [{} / risk {}]  {}",
            alert["@timestamp"].as_str().unwrap_or("-"),
            alert["rule"]["severity"].as_str().unwrap_or("-"),
            alert["rule"]["risk_score"],
            rule.name
        );
        println!("  ATT&CK: {}", tactics.join(", "));
        for e in alert["events"].as_array().into_iter().flatten() {
            println!(
                "  {:<24} host={:<14} {:<8} {:<22} {} {}",
                show(e, "@timestamp"),
                show(e, "host.name"),
                show(e, "event.category"),
                show(e, "event.action"),
                show(e, "process.name"),
                match field(e, "destination.ip") {
                    Some(_) => format!(
                        "-> {}:{}",
                        show(e, "destination.ip"),
                        show(e, "destination.port")
                    ),
                    None => show(e, "process.command_line"),
                }
            );
        }
        println!();
    }
    println!("{} events, {} alerts", engine.stats.events, matches.len());
    ExitCode::SUCCESS
}
