//! Rule sets from folders: recursive, sorted, every error collected, duplicate ids across files.

use eql_rules::{ErrorKind, RuleSet};
use std::fs;
use std::path::PathBuf;

const RULE: &str = "id = \"ID\"\nname = \"N\"\ndescription = \"d\"\nversion = 1\nseverity = \"low\"\nrisk_score = 1\nquery = 'process where true'\n";

/// A fresh folder under the system temp dir, unique to this test and process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eql-rules-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("b/deeper")).expect("temp dir");
    dir
}

#[test]
fn folder_load_collects_every_problem() {
    let dir = scratch("set");
    fs::write(dir.join("z.toml"), RULE.replace("ID", "one")).expect("write");
    fs::write(dir.join("b/deeper/a.yaml"), "id: one\nname: N\ndescription: d\nversion: 2\nseverity: low\nrisk_score: 1\nquery: process where true\n").expect("write");
    fs::write(dir.join("b/broken.toml"), "id = \n").expect("write");
    fs::write(
        dir.join("b/bad_severity.toml"),
        RULE.replace("ID", "two").replace("\"low\"", "\"urgent\""),
    )
    .expect("write");
    fs::write(dir.join("b/notes.txt"), "not a rule").expect("write");

    let set = RuleSet::load_path(&dir);
    let names: Vec<String> = set
        .files
        .iter()
        .map(|f| {
            f.path
                .strip_prefix(&dir)
                .unwrap_or(&f.path)
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "b/bad_severity.toml",
            "b/broken.toml",
            "b/deeper/a.yaml",
            "z.toml"
        ],
        "sorted, recursive, rule files only"
    );

    let kinds: Vec<ErrorKind> = set.diagnostics.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::InvalidSeverity,
            ErrorKind::Syntax,
            ErrorKind::DuplicateId
        ]
    );
    // the YAML file comes first in path order, so z.toml is the duplicate, naming both files
    let dup = &set.diagnostics[2];
    assert!(dup.path().ends_with("z.toml"));
    assert!(
        dup.diagnostic.message.contains("deeper/a.yaml")
            && dup.diagnostic.message.contains("z.toml"),
        "{}",
        dup.diagnostic.message
    );
    assert_eq!(set.rules.len(), 1);
    assert_eq!(set.get("one").and_then(|r| r.version), Some(2));
    assert!(set.has_errors());
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn missing_and_empty_paths() {
    let set = RuleSet::load_path("/nonexistent/eql-rules/path");
    assert_eq!(set.diagnostics.len(), 1);
    assert_eq!(
        (set.diagnostics[0].kind, set.diagnostics[0].diagnostic.code),
        (ErrorKind::Unreadable, "E0310")
    );

    let dir = scratch("empty");
    let set = RuleSet::load_path(&dir);
    assert_eq!(
        set.diagnostics.iter().map(|d| d.kind).collect::<Vec<_>>(),
        [ErrorKind::NoRules]
    );
    assert!(!set.has_errors());
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn single_file_and_non_utf8() {
    let dir = scratch("single");
    let file = dir.join("r.toml");
    fs::write(&file, RULE).expect("write");
    let set = RuleSet::load_path(&file);
    assert_eq!((set.rules.len(), set.diagnostics.len()), (1, 0));

    fs::write(&file, b"id = \"\xff\"\n").expect("write");
    let set = RuleSet::load_path(&file);
    assert_eq!(set.diagnostics[0].kind, ErrorKind::Unreadable);
    let _ = fs::remove_dir_all(&dir);
}
