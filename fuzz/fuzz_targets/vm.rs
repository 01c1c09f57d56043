//! Fuzz target: the VM and engine on verified programs. The input's first line is an EQL query,
//! the rest are NDJSON events: whatever compiles is loaded (verified) and run over the events,
//! then finished. Bad events are errors; nothing panics.
#![no_main]

use eqlvm::emit::{Emitter, QueryOptions};
use eqlvm::planner::{plan_text, PlanOptions, Schema};
use eqlvm::vm::engine::{Engine, EngineOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static SCHEMA: OnceLock<Schema> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|b| *b == b'\n');
    let Some(Ok(query)) = lines.next().map(std::str::from_utf8) else {
        return;
    };
    let schema = SCHEMA.get_or_init(Schema::builtin);
    let Ok(planned) = plan_text(query, schema, &PlanOptions::default()) else {
        return;
    };
    let mut emitter = Emitter::new();
    emitter.add(&planned.plan, &QueryOptions::new("fuzz", query));
    let program = emitter.finish();
    let Ok(mut engine) = Engine::new(program, &EngineOptions::default()) else {
        return;
    };
    let mut out = Vec::new();
    for line in lines {
        engine.line_mut().clear();
        engine.line_mut().extend_from_slice(line);
        let _ = engine.process(&mut out);
        out.clear();
    }
    engine.finish(&mut out);
});
