//! Fuzz target: the EQL parser on arbitrary text. Every input ends in an AST or diagnostics
//! whose spans lie inside the text; nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(diags) = eqlvm::parser::parse(text) {
        assert!(!diags.is_empty(), "a failed parse says why");
        for d in &diags {
            let _ = d.render("<fuzz>", text);
        }
    }
});
