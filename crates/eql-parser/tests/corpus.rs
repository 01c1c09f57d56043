//! Every rule query of the shared corpora (Elastic detection-rules and Elastic Defend
//! protections-artifacts) must parse.

use std::path::{Path, PathBuf};

const CORPUS: &str = "/work/shared/corpus";

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

fn rule_query(text: &str) -> Option<String> {
    let value: toml::Value = toml::from_str(text).ok()?;
    value.get("rule")?.get("query")?.as_str().map(str::to_string)
}

#[test]
fn every_corpus_rule_parses() {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        println!("note: {CORPUS} is absent; corpus test skipped");
        return;
    }
    let mut files = Vec::new();
    toml_files(root, &mut files);
    files.sort();
    let mut parsed = 0;
    let mut failures = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Some(query) = rule_query(&text) else {
            continue;
        };
        match eql_parser::parse(&query) {
            Ok(_) => parsed += 1,
            Err(errs) => {
                let shown: Vec<String> = errs.iter().map(|d| d.render("<query>", &query)).collect();
                failures.push(format!("{}:\n{}", f.display(), shown.join("\n")));
            }
        }
    }
    println!("parsed {parsed} corpus queries");
    assert!(failures.is_empty(), "{} corpus queries failed:\n{}", failures.len(), failures.join("\n"));
    assert!(parsed > 2000, "only {parsed} queries found");
}
