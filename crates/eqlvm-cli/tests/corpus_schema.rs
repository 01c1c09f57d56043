//! Ratchet for the Elastic rule corpus checked against the real schemas (skipped when
//! /work/shared is absent): at least as many rules pass, and no more unknown-field warnings,
//! than when per-rule schemas were introduced. Failing files are listed so regressions show.

use eqlvm::pipeline::{compile_rules, CompileOptions};
use eqlvm::planner::schema::SchemaSet;
use eqlvm::planner::Schema;
use eqlvm::rules::RuleSet;
use std::path::Path;
use std::sync::Arc;

/// `../shared` beside the workspace (CI clones the project with shared/ next to it).
fn shared(sub: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(sub)
}

/// Every rule of the corpus passes with the per-rule schemas and the Elastic Defend dialect.
const PASSED_AT_LEAST: usize = 2164;
/// Unknown-field warnings (about 1,000 with ECS alone).
const WARNINGS_AT_MOST: usize = 139;

#[test]
fn corpus_checks_against_the_real_schemas() {
    let (corpus, schema) = (shared("corpus"), shared("schema"));
    if !corpus.is_dir() || !schema.is_dir() {
        eprintln!(
            "{} or {} absent; skipped",
            corpus.display(),
            schema.display()
        );
        return;
    }
    let set = match SchemaSet::load_dir(&schema, Schema::builtin()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let opts = CompileOptions {
        schema: set.common(),
        schemas: Some(Arc::new(set)),
        ..CompileOptions::default()
    };
    let rules = RuleSet::load_path(&corpus);
    assert!(!rules.has_errors(), "{}", rules.render_diagnostics());
    let compiled = compile_rules(rules.rules, &opts);
    let mut failing: Vec<String> = compiled
        .failed
        .iter()
        .map(|(r, p)| {
            let why = p.first().map_or("", |p| p.diagnostic.message.as_str());
            format!("{}: {why}", r.origin.path.display())
        })
        .collect();
    failing.sort();
    let passed = compiled.rules.len();
    assert!(
        passed >= PASSED_AT_LEAST,
        "{passed} passed (was {PASSED_AT_LEAST}); failing:\n{}",
        failing.join("\n")
    );
    let warnings = compiled.warnings.len();
    assert!(
        warnings <= WARNINGS_AT_MOST,
        "{warnings} unknown-field warnings (was {WARNINGS_AT_MOST}): {:#?}",
        compiled
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.file.display(), w.diagnostic.message))
            .collect::<Vec<_>>()
    );
    // No failure is a schema type error on a field every source agrees on: schema conflicts
    // are left to run time, so a type error here would be a schema-loading regression.
    assert!(
        !failing.iter().any(|f| f.contains("not in the schema")),
        "{failing:#?}"
    );
}
