//! `eqlvm spec`: the replay of Elasticsearch's EQL QA specs. A ratchet on the shared copy of
//! the upstream specs (pass count and the exact list of failing queries), and the harness's own
//! behaviour on a small folder laid out the same way.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Queries known to fail, as `file name`. Empty: every query passes.
const EXPECTED_FAILURES: &[&str] = &[];

/// The pass count reached; it may only go up.
const MIN_PASSED: usize = 246;

fn spec(dir: &Path) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_eqlvm"))
        .arg("spec")
        .arg(dir)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot start eqlvm: {e}"),
    }
}

/// `(passed, failed, failing "file name" list)` from the command's output.
fn parse(out: &Output) -> (usize, usize, Vec<String>) {
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or("");
    let nums: Vec<usize> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        nums.len() == 2 && last.ends_with(" failed"),
        "no summary line in:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let failing = text
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL "))
        .filter_map(|l| l.split_once(':').map(|(head, _)| head.to_string()))
        .collect();
    (nums[0], nums[1], failing)
}

#[test]
fn elasticsearch_specs_ratchet() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/elasticsearch");
    if !dir.is_dir() {
        println!("note: {} is absent; nothing to replay", dir.display());
        return;
    }
    let out = spec(&dir);
    let (passed, failed, failing) = parse(&out);
    assert_eq!(
        failing,
        EXPECTED_FAILURES,
        "failing queries changed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(failed, EXPECTED_FAILURES.len());
    assert!(
        passed >= MIN_PASSED,
        "only {passed} passed (ratchet {MIN_PASSED})"
    );
    assert_eq!(out.status.success(), failed == 0);
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Err(e) = std::fs::write(&path, text) {
        panic!("cannot write {}: {e}", path.display());
    }
}

#[test]
fn reports_failures_by_name_and_exits_non_zero() {
    let dir: PathBuf = std::env::temp_dir().join(format!("eqlvm-spec-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write(
        &dir,
        "data/missing-events.mapping",
        r#"{"properties": {"@timestamp": {"type": "date"}, "event_type": {"type": "keyword"},
            "sequence": {"type": "long"},
            "event": {"properties": {"category": {"type": "alias", "path": "event_type"}}}}}"#,
    );
    write(
        &dir,
        "data/missing-events.data",
        "[\n// a comment line\n {\"@timestamp\": \"2\", \"event_type\": \"a\", \"k\": 1, \"sequence\": 2},\n \
         {\"@timestamp\": \"1\", \"event_type\": \"b\", \"k\": 1, \"sequence\": 1}\n]",
    );
    write(
        &dir,
        "test_missing_events.toml",
        "[[queries]]\nname = \"ordered\"\nquery = 'sequence by k [b where true] [a where true]'\n\
         expected_event_ids = [1, 2]\njoin_keys = [\"1\"]\n\n\
         [[queries]]\nname = \"wrong\"\nquery = 'a where true'\nexpected_event_ids = [1]\n\n\
         [[queries]]\nname = \"unknown_field\"\nquery = 'a where nope == 1'\nexpected_event_ids = []\n",
    );
    let out = spec(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let (passed, failed, failing) = parse(&out);
    assert_eq!((passed, failed), (1, 2));
    assert_eq!(
        failing,
        [
            "test_missing_events.toml wrong",
            "test_missing_events.toml unknown_field"
        ]
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("EqlSpecIT: skipped"), "{text}");
}
