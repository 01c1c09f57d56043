//! Helpers shared by the workspace tests: compile a query or rule set and run it over events.

#![allow(dead_code)]

use eqlvm::emit::{Emitter, QueryOptions};
use eqlvm::planner::{plan_text, PlanOptions, Schema};
use eqlvm::vm::engine::{Engine, EngineOptions, Match};
use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compiles one query against the built-in schema with `opts`; panics with the rendered
/// diagnostics.
pub fn compile_with(query: &str, opts: &PlanOptions) -> eqlvm::bytecode::Program {
    let planned = match plan_text(query, &Schema::builtin(), opts) {
        Ok(p) => p,
        Err(diags) => {
            let text: String = diags.iter().map(|d| d.render("<query>", query)).collect();
            panic!("query does not compile:\n{text}");
        }
    };
    let mut e = Emitter::new();
    e.add(&planned.plan, &QueryOptions::new("test", query));
    e.finish()
}

/// Compiles one query against the built-in schema.
pub fn compile(query: &str) -> eqlvm::bytecode::Program {
    compile_with(query, &PlanOptions::default())
}

/// Compiles one query in Elastic Defend's dialect against the built-in schema.
pub fn compile_endpoint(query: &str) -> eqlvm::bytecode::Program {
    compile_with(
        query,
        &PlanOptions::default().with_dialect(eqlvm::planner::Dialect::Endpoint),
    )
}

/// Runs a program over NDJSON lines; returns the matches.
pub fn run_program(program: eqlvm::bytecode::Program, lines: &[String]) -> Vec<Match> {
    let mut engine = match Engine::new(program, &EngineOptions::default()) {
        Ok(e) => e,
        Err(e) => panic!("program does not load: {e}"),
    };
    let mut out = Vec::new();
    for l in lines {
        engine.line_mut().clear();
        engine.line_mut().extend_from_slice(l.as_bytes());
        if let Err(e) = engine.process(&mut out) {
            panic!("bad test event {l}: {e}");
        }
    }
    engine.finish(&mut out);
    out
}

/// Runs `query` over events; each result is the list of input positions of its events
/// (`None` for a missing-event placeholder).
pub fn results(query: &str, events: &[serde_json::Value]) -> Vec<Vec<Option<u64>>> {
    let lines: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    run_program(compile(query), &lines)
        .iter()
        .map(|m| {
            m.events
                .iter()
                .map(|e| e.as_ref().map(|e| e.ord.seq))
                .collect()
        })
        .collect()
}

/// Whether an event query matches a single event.
pub fn matches(query: &str, event: serde_json::Value) -> bool {
    !results(query, &[event]).is_empty()
}
