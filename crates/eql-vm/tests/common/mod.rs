//! Helpers shared by the engine tests: an engine of a few queries, and a match reduced to what
//! two runs must agree on.

use eql_emit::{Emitter, QueryOptions};
use eql_planner::{plan_text, PlanOptions, Schema};
use eql_vm::engine::{Engine, EngineOptions, Match};

/// An engine running `queries` (named `q0`, `q1`, … in order) with the default options.
#[allow(dead_code)] // each test binary compiles this module; not all of them use it
pub fn engine_of<S: AsRef<str>>(queries: &[S]) -> Engine {
    let mut emitter = Emitter::new();
    for (i, q) in queries.iter().enumerate() {
        let q = q.as_ref();
        let planned = match plan_text(q, &Schema::builtin(), &PlanOptions::default()) {
            Ok(p) => p,
            Err(d) => panic!("{q}: {d:?}"),
        };
        emitter.add(&planned.plan, &QueryOptions::new(format!("q{i}"), q));
    }
    match Engine::new(emitter.finish(), &EngineOptions::default()) {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    }
}

/// What a match is, for comparing: its query, its events' lines and its join keys.
pub type Seen = (u32, Vec<Option<String>>, String);

pub fn seen(m: &Match) -> Seen {
    let events = m
        .events
        .iter()
        .map(|e| e.as_ref().map(|e| e.line.to_string()))
        .collect();
    (m.query, events, format!("{:?}", m.keys))
}

/// The results of each of `lines` fed to `e`, then those of the end of input.
#[allow(dead_code)] // each test binary compiles this module; not all of them run lines
pub fn run_lines(e: &mut Engine, lines: Vec<String>) -> Vec<Vec<Seen>> {
    let mut all = Vec::new();
    let mut out = Vec::new();
    for line in lines {
        *e.line_mut() = line.into_bytes();
        if let Err(err) = e.process(&mut out) {
            panic!("{err}");
        }
        all.push(out.drain(..).map(|m| seen(&m)).collect());
    }
    e.finish(&mut out);
    all.push(out.drain(..).map(|m| seen(&m)).collect());
    all
}
