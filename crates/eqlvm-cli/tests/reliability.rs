//! Reliability of `eqlvm run` through the binary: every class of bad event is reported with its
//! line and loses no alert; rule packs round-trip and refuse damage; out-of-order input within
//! the reorder window gives the alerts of a sorted stream; the state cap evicts (sequence and
//! sample keys) or releases early (sequences held back by a missing stage) and counts; a closed
//! output pipe ends the run with a clear message.

mod common;

use common::{eqlvm, first_line_then_close, root, text, Scratch, EVENTS};

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::Output;

fn write(path: &Path, bytes: &[u8]) -> String {
    if let Err(e) = std::fs::write(path, bytes) {
        panic!("{}: {e}", path.display());
    }
    path.to_string_lossy().into_owned()
}

fn clean_lines() -> Vec<Vec<u8>> {
    let clean = std::fs::read(root().join(EVENTS)).unwrap_or_default();
    clean
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn clean_run() -> Output {
    let out = eqlvm(&["run", "--rules", "rules", EVENTS]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    out
}

/// The first alert of the clean run (a sequence of the first seed rule), as JSON.
fn first_alert() -> Value {
    text(&clean_run().stdout)
        .lines()
        .next()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or(Value::Null)
}

/// Runs the rules over the clean events with `extra` lines inserted before line `at` (0-based)
/// and checks: alerts identical to the clean run, every inserted line reported by number.
fn with_inserted(name: &str, at: usize, extra: &[Vec<u8>], expect: &str) -> String {
    let s = Scratch::new();
    let mut dirty = Vec::new();
    for (i, line) in clean_lines().iter().enumerate() {
        if i == at {
            for e in extra {
                dirty.extend_from_slice(e);
                dirty.push(b'\n');
            }
        }
        dirty.extend_from_slice(line);
        dirty.push(b'\n');
    }
    let path = write(&s.path(name), &dirty);
    let good = clean_run();
    let bad = eqlvm(&["run", "--rules", "rules", &path]);
    assert!(bad.status.success(), "{}", text(&bad.stderr));
    assert_eq!(
        text(&bad.stdout),
        text(&good.stdout),
        "alerts of the clean run"
    );
    let err = text(&bad.stderr);
    for k in 0..extra.len() {
        let n = at + k + 1;
        assert!(err.contains(&format!("{path}:{n}: {expect}")), "{err}");
    }
    err
}

#[test]
fn truncated_json_is_a_bad_line() {
    let err = with_inserted(
        "trunc.ndjson",
        5,
        &[br#"{"@timestamp": "2024-05-21T09:00:00Z", "event": {"cat"#.to_vec()],
        "bad event",
    );
    assert!(err.contains("1 bad lines"), "{err}");
}

#[test]
fn invalid_utf8_is_a_bad_line() {
    let err = with_inserted(
        "utf8.ndjson",
        7,
        &[b"{\"process\": {\"name\": \"\xc3\x28\"}}".to_vec()],
        "bad event: invalid UTF-8",
    );
    assert!(err.contains("1 bad lines"), "{err}");
}

#[test]
fn nesting_100000_deep_is_a_bad_line() {
    let mut deep = b"{\"a\":".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    deep.extend(std::iter::repeat_n(b']', 100_000));
    deep.push(b'}');
    let err = with_inserted("deep.ndjson", 9, &[deep], "bad event: nesting deeper");
    assert!(err.contains("1 bad lines"), "{err}");
}

#[test]
fn a_10_mb_string_is_read_and_loses_nothing() {
    let s = Scratch::new();
    let mut big = br#"{"@timestamp":"2024-05-21T09:00:00Z","event":{"category":"process"},"process":{"name":""#.to_vec();
    big.extend(std::iter::repeat_n(b'x', 10 << 20));
    big.extend_from_slice(b"\"}}");
    let mut lines = [big.clone(), big];
    // And one that is also cut short.
    lines[1].truncate(5 << 20);
    let mut dirty = Vec::new();
    for l in lines.iter().chain(clean_lines().iter()) {
        dirty.extend_from_slice(l);
        dirty.push(b'\n');
    }
    let path = write(&s.path("big.ndjson"), &dirty);
    let bad = eqlvm(&["run", "--rules", "rules", &path]);
    assert!(bad.status.success(), "{}", text(&bad.stderr));
    assert_eq!(text(&bad.stdout), text(&clean_run().stdout));
    let err = text(&bad.stderr);
    assert!(err.contains(&format!("{path}:2: bad event")), "{err}");
    assert!(err.contains("1 bad lines"), "{err}");
}

#[test]
fn wrong_types_are_evaluated_and_match_nothing() {
    let s = Scratch::new();
    // A number where a string is expected, an object where an array is expected, an array of
    // objects where an IP is expected: valid JSON, evaluated, matching no predicate.
    let lines: Vec<Vec<u8>> = [
        r#"{"@timestamp":"2024-05-21T09:00:00Z","event":{"category":"process","type":7},"process":{"name":42,"args":{"a":1}},"host":{"id":1}}"#,
        r#"{"@timestamp":"2024-05-21T09:00:00Z","event":{"category":{"x":"network"}},"destination":{"ip":[{"a":1}]},"process":{"entity_id":[]}}"#,
        r#"{"@timestamp":12.5,"event":{"category":["network"]},"destination":{"ip":"not an ip"}}"#,
    ]
    .iter()
    .map(|l| l.as_bytes().to_vec())
    .collect();
    let mut dirty = Vec::new();
    for (i, line) in clean_lines().iter().enumerate() {
        if i == 3 {
            for l in &lines {
                dirty.extend_from_slice(l);
                dirty.push(b'\n');
            }
        }
        dirty.extend_from_slice(line);
        dirty.push(b'\n');
    }
    let path = write(&s.path("types.ndjson"), &dirty);
    let out = eqlvm(&["run", "--rules", "rules", &path]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), text(&clean_run().stdout));
    assert!(text(&out.stderr).contains("0 bad lines"));
}

#[test]
fn a_missing_timestamp_is_reported_and_skipped_by_sequences() {
    let first = first_alert();
    let mut ev = first["events"][0].clone();
    let Some(obj) = ev.as_object_mut() else {
        panic!("the first alert has events: {first}");
    };
    obj.remove("@timestamp");
    let line = serde_json::to_vec(&ev).unwrap_or_default();
    let err = with_inserted("nots.ndjson", 0, &[line], "event has no usable timestamp");
    assert!(err.contains("events without a timestamp skipped"), "{err}");
}

#[test]
fn a_pack_runs_like_its_rules() {
    let s = Scratch::new();
    let pack = s.path("rules.pack");
    let pack_s = pack.to_string_lossy().into_owned();
    let c = eqlvm(&["compile", "rules", "-o", &pack_s]);
    assert!(c.status.success(), "{}", text(&c.stderr));
    let run = eqlvm(&["run", "--pack", &pack_s, EVENTS]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let good = clean_run();
    assert!(!good.stdout.is_empty());
    assert_eq!(text(&run.stdout), text(&good.stdout));
    assert!(text(&run.stderr).contains("2 rules, 139 events read, 19 alerts"));
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn reframe(pack: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = pack[..12].to_vec();
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn refused(name: &str, bytes: &[u8], expect: &str) {
    let s = Scratch::new();
    let path = write(&s.path(name), bytes);
    let out = eqlvm(&["run", "--pack", &path, EVENTS]);
    assert!(!out.status.success(), "{name} must be refused");
    assert!(
        out.stdout.is_empty(),
        "{name}: no alert from a refused pack"
    );
    let err = text(&out.stderr);
    assert!(err.contains(expect), "{name}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn damaged_or_hand_made_packs_are_refused() {
    let s = Scratch::new();
    let path = s.path("good.pack");
    let path_s = path.to_string_lossy().into_owned();
    let c = eqlvm(&["compile", "rules", "-o", &path_s]);
    assert!(c.status.success(), "{}", text(&c.stderr));
    let good = std::fs::read(&path).unwrap_or_default();
    assert!(good.len() > 28);

    let mut v = good.clone();
    v[0] = b'X';
    refused("magic.pack", &v, "not an eqlvm rule pack");
    let mut v = good.clone();
    v[8..12].copy_from_slice(&7u32.to_le_bytes());
    refused("version.pack", &v, "format 7 is not supported");
    let mut v = good.clone();
    let mid = 28 + (v.len() - 28) / 2;
    v[mid] ^= 1;
    refused("checksum.pack", &v, "checksum mismatch");
    refused("truncated.pack", &good[..good.len() - 10], "truncated");
    refused("short.pack", &good[..10], "truncated");

    // A valid checksum over a program that points out of range: the verifier's job.
    let mut payload: Value = serde_json::from_slice(&good[28..]).unwrap_or(Value::Null);
    payload["program"]["queries"][0]["category"] = Value::from(4_000_000u32);
    let bytes = serde_json::to_vec(&payload).unwrap_or_default();
    refused(
        "range.pack",
        &reframe(&good, &bytes),
        "rejected by the verifier",
    );
    let mut payload: Value = serde_json::from_slice(&good[28..]).unwrap_or(Value::Null);
    payload["meta"] = Value::Array(Vec::new());
    let bytes = serde_json::to_vec(&payload).unwrap_or_default();
    refused("meta.pack", &reframe(&good, &bytes), "metadata entries");
    refused(
        "json.pack",
        &reframe(&good, b"{\"program\": 1}"),
        "does not decode",
    );
}

/// The clean events with neighbouring lines swapped where their timestamps differ, so every
/// event is at most one line (and a few seconds) late.
fn shuffled() -> Vec<u8> {
    let mut lines = clean_lines();
    let ts = |l: &[u8]| -> String {
        serde_json::from_slice::<Value>(l).unwrap_or(Value::Null)["@timestamp"].to_string()
    };
    let mut i = 0;
    while i + 1 < lines.len() {
        if ts(&lines[i]) != ts(&lines[i + 1]) {
            lines.swap(i, i + 1);
        }
        i += 2;
    }
    lines.concat_lines()
}

trait ConcatLines {
    fn concat_lines(&self) -> Vec<u8>;
}

impl ConcatLines for Vec<Vec<u8>> {
    fn concat_lines(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for l in self {
            out.extend_from_slice(l);
            out.push(b'\n');
        }
        out
    }
}

#[test]
fn the_reorder_window_restores_the_sorted_alerts() {
    let s = Scratch::new();
    let path = write(&s.path("shuffled.ndjson"), &shuffled());
    let good = clean_run();
    let plain = eqlvm(&["run", "--rules", "rules", &path]);
    assert_ne!(
        text(&plain.stdout),
        text(&good.stdout),
        "out-of-order input changes alerts without a window"
    );
    let fixed = eqlvm(&["run", "--rules", "rules", "--reorder-window", "10m", &path]);
    assert!(fixed.status.success(), "{}", text(&fixed.stderr));
    assert_eq!(text(&fixed.stdout), text(&good.stdout));
    assert!(!text(&fixed.stderr).contains("late events"));

    let zero = eqlvm(&["run", "--rules", "rules", "--reorder-window", "0s", &path]);
    assert!(zero.status.success(), "{}", text(&zero.stderr));
    assert!(
        text(&zero.stderr).contains("late events (beyond the reorder window)"),
        "{}",
        text(&zero.stderr)
    );
    let bad = eqlvm(&[
        "run",
        "--rules",
        "rules",
        "--reorder-window",
        "5 parsecs",
        &path,
    ]);
    assert!(!bad.status.success());
}

#[test]
fn the_state_cap_evicts_oldest_keys_and_counts_them() {
    let s = Scratch::new();
    let first = first_alert();
    let template = serde_json::to_string(&first["events"][0]).unwrap_or_default();
    let Some(entity) = first["join_keys"]
        .as_array()
        .and_then(|k| k.last())
        .and_then(Value::as_str)
    else {
        panic!("a sequence alert with join keys: {first}");
    };
    let mut flood = Vec::new();
    for i in 0..500 {
        flood.extend_from_slice(template.replace(entity, &format!("flood-{i}")).as_bytes());
        flood.push(b'\n');
    }
    let path = write(&s.path("flood.ndjson"), &flood);
    let out = eqlvm(&["run", "--rules", "rules", "--max-state", "50", &path]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("partial sequences evicted"), "{err}");
    let roomy = eqlvm(&["run", "--rules", "rules", "--max-state", "100000", &path]);
    assert!(!text(&roomy.stderr).contains("evicted"));
}

/// Writes a sequence rule with a trailing missing stage and a sample rule, and events where
/// each of `users` users completes both; user u0 also has a missing-stage event inside its
/// window, which cancels its sequence when nothing forces an early decision.
fn held_back_flood(s: &Scratch, users: usize) -> (String, String) {
    let rule = |n: u32, name: &str, query: &str| {
        format!(
            "id = \"6f0c1f6e-0000-4000-8000-00000000000{n}\"\nname = \"{name}\"\n\
             description = \"state cap probe\"\nversion = 1\nseverity = \"low\"\n\
             risk_score = 21\nquery = '{query}'\n"
        )
    };
    let dir = s.path("held_back_rules");
    let _ = std::fs::create_dir_all(&dir);
    write(
        &dir.join("held_back.toml"),
        rule(
            1,
            "held back",
            "sequence by user.id with maxspan=1h [process where true] \
             [network where true] ![file where true]",
        )
        .as_bytes(),
    );
    write(
        &dir.join("sampled.toml"),
        rule(
            2,
            "sampled",
            "sample by user.id [process where true] [network where true]",
        )
        .as_bytes(),
    );
    let ev = |s: usize, cat: &str, user: usize| {
        format!(
            r#"{{"@timestamp":"2024-05-21T09:{:02}:{:02}Z","event":{{"category":["{cat}"]}},"user":{{"id":"u{user}"}}}}"#,
            s / 60,
            s % 60
        )
    };
    let mut events = String::new();
    for u in 0..users {
        events += &ev(2 * u, "process", u);
        events.push('\n');
        events += &ev(2 * u + 1, "network", u);
        events.push('\n');
    }
    events += &ev(2 * users + 10, "file", 0);
    events.push('\n');
    (
        dir.to_string_lossy().into_owned(),
        write(&s.path("held_back.ndjson"), events.as_bytes()),
    )
}

/// Alerts per rule name.
fn alerts_of(out: &Output, name: &str) -> usize {
    text(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|a| a["rule"]["name"] == name)
        .count()
}

#[test]
fn the_state_cap_releases_held_back_sequences_early_and_evicts_sample_keys() {
    let s = Scratch::new();
    let (rules, events) = held_back_flood(&s, 20);
    let roomy = eqlvm(&["run", "--rules", &rules, &events]);
    assert!(roomy.status.success(), "{}", text(&roomy.stderr));
    // Without the cap: u0's sequence is cancelled by its file event, every user gives a sample.
    assert_eq!(alerts_of(&roomy, "held back"), 19);
    assert_eq!(alerts_of(&roomy, "sampled"), 20);
    let err = text(&roomy.stderr);
    assert!(!err.contains("state cap"), "{err}");

    let capped = eqlvm(&["run", "--rules", &rules, "--max-state", "5", &events]);
    assert!(capped.status.success(), "{}", text(&capped.stderr));
    // With 5 held back at most, each completion past the fifth releases the oldest early: no
    // sequence is lost, and u0's, released before its file event came, is an alert the
    // uncapped run does not give.
    assert_eq!(alerts_of(&capped, "held back"), 20);
    // Sample keys past the cap evict the oldest: only the last 5 users remain.
    assert_eq!(alerts_of(&capped, "sampled"), 5);
    let err = text(&capped.stderr);
    assert!(
        err.contains("15 sequences released before their missing-event window closed (state cap)"),
        "{err}"
    );
    assert!(err.contains("15 sample keys evicted (state cap)"), "{err}");
}

#[test]
fn a_closed_output_pipe_ends_the_run_with_a_message() {
    let mut args = vec!["run", "--rules", "rules"];
    args.extend(std::iter::repeat_n(EVENTS, 200));
    let (first, out) = first_line_then_close(&args);
    assert!(first.starts_with('{'), "the first alert arrived: {first}");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("broken pipe"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let _ = std::io::stderr().flush();
}
