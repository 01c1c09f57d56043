//! Fuzz target: parse + plan + emit on arbitrary text. Whatever plans must emit a program the
//! verifier accepts and the disassembler prints; errors are diagnostics, never panics.
#![no_main]

use eqlvm::emit::{Emitter, QueryOptions};
use eqlvm::planner::{plan_text, PlanOptions, Schema};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static SCHEMA: OnceLock<Schema> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let schema = SCHEMA.get_or_init(Schema::builtin);
    match plan_text(text, schema, &PlanOptions::default()) {
        Ok(planned) => {
            let mut emitter = Emitter::new();
            emitter.add(&planned.plan, &QueryOptions::new("fuzz", text));
            let program = emitter.finish();
            if let Err(e) = eqlvm::bytecode::verify(&program) {
                panic!("emitted program fails verification: {e}");
            }
            let _ = eqlvm::bytecode::disasm::disassemble(&program);
        }
        Err(diags) => {
            for d in &diags {
                let _ = d.render("<fuzz>", text);
            }
        }
    }
});
