//! Every active `[[queries]]` query of Elasticsearch's EQL spec files must parse, except the
//! few listed below that use syntax Elasticsearch itself rejects.

use std::path::Path;

const SPECS: &str = "/work/shared/conformance/elasticsearch";

/// Spec queries that are rejected on purpose, with the reason.
const REJECTED: &[(&str, &str)] = &[];

/// Some spec files write `join_keys = [null, "x"]`, which is not TOML; quote those nulls.
fn tolerant(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if line.trim_start().starts_with("join_keys") {
            out.push_str(&quote_bare_nulls(line));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Replaces `null` outside double-quoted strings with `"null"`.
fn quote_bare_nulls(line: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if !in_string && rest.starts_with("null") {
            out.push_str("\"null\"");
            rest = &rest[4..];
            continue;
        }
        if c == '"' {
            in_string = !in_string;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[test]
fn every_spec_query_parses() {
    let dir = Path::new(SPECS);
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("note: {SPECS} is absent; conformance parse test skipped");
        return;
    };
    let mut files: Vec<_> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    files.sort();
    let mut parsed = 0;
    let mut rejected_seen = Vec::new();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let value: toml::Value = match toml::from_str(&tolerant(&text)) {
            Ok(v) => v,
            Err(e) => panic!("{}: {e}", f.display()),
        };
        let queries = value.get("queries").and_then(|q| q.as_array()).cloned().unwrap_or_default();
        for q in queries {
            let name = q.get("name").and_then(|n| n.as_str()).unwrap_or("?").to_string();
            let Some(query) = q.get("query").and_then(|n| n.as_str()) else {
                continue;
            };
            let result = eql_parser::parse(query);
            match (REJECTED.iter().find(|(n, _)| *n == name), result) {
                (None, Ok(_)) => parsed += 1,
                (Some(_), Err(_)) => rejected_seen.push(name),
                (Some((_, why)), Ok(_)) => failures.push(format!("{name}: expected a rejection ({why})")),
                (None, Err(errs)) => {
                    let shown: Vec<String> = errs.iter().map(|d| d.render(&name, query)).collect();
                    failures.push(shown.join("\n"));
                }
            }
        }
    }
    println!("parsed {parsed} spec queries; {} rejected as listed", rejected_seen.len());
    assert!(failures.is_empty(), "{} spec queries failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(rejected_seen.len(), REJECTED.len(), "listed rejections not all found: {rejected_seen:?}");
    assert!(parsed >= 246, "only {parsed} spec queries found");
}
