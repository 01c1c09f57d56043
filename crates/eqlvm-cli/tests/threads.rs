//! `eqlvm run --threads N` against the single-threaded run: the same alerts in the same order
//! (byte for byte), the same line reports and the same summary, on the shipped rules and on a
//! rule set mixing queries that split by host with queries that need every event.

mod common;

use common::{eqlvm, first_line_then_close, root, text, Scratch, EVENTS};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn write(path: &Path, bytes: &[u8]) -> String {
    if let Err(e) = std::fs::write(path, bytes) {
        panic!("{}: {e}", path.display());
    }
    path.to_string_lossy().into_owned()
}

/// Runs `eqlvm run` with `threads` and the other arguments; it must succeed.
fn run(threads: &str, args: &[&str]) -> (String, String) {
    let mut all = vec!["run", "--threads", threads];
    all.extend_from_slice(args);
    let out = eqlvm(&all);
    assert!(out.status.success(), "{all:?}: {}", text(&out.stderr));
    (text(&out.stdout), text(&out.stderr))
}

/// Runs with one thread and with each of `threads`; every run must print exactly what the
/// single-threaded one printed, on stdout and on stderr. Returns the single-threaded stdout.
fn same_as_one_thread(threads: &[&str], args: &[&str]) -> String {
    let (out1, err1) = run("1", args);
    for t in threads {
        let (out, err) = run(t, args);
        assert!(
            out == out1,
            "--threads {t}: alerts differ from one thread's"
        );
        assert_eq!(err, err1, "--threads {t}: stderr differs from one thread's");
    }
    out1
}

/// Alerts per rule name.
fn per_rule(alerts: &str) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for line in alerts.lines() {
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => panic!("alert is not JSON ({e}): {line}"),
        };
        let name = v["rule"]["name"].as_str().unwrap_or("?").to_string();
        *n.entry(name).or_default() += 1;
    }
    n
}

/// A scratch rule folder: the shipped rules and extra queries (name, query), among them
/// sequences and samples joined on host.id (split by host) and queries that need every event
/// (another join key, pipes, a trailing missing stage).
fn mixed_rules(s: &Scratch, dir: &str) -> PathBuf {
    let dir = s.path(dir);
    let _ = std::fs::create_dir_all(&dir);
    for f in [
        "potential_reverse_shell.toml",
        "reverse_shell_activity_via_terminal.yaml",
    ] {
        if let Err(e) = std::fs::copy(root().join("rules/linux").join(f), dir.join(f)) {
            panic!("{f}: {e}");
        }
    }
    let extra = [
        ("by user", "sequence by user.name with maxspan=30s [process where event.type == \"start\"] [network where true]"),
        ("first starts", "process where event.type == \"start\" | head 5"),
        ("last files", "file where true | tail 3"),
        ("bash starts", "process where process.name == \"bash\""),
        ("process then network", "sequence by host.id [process where true] [network where true]"),
        ("two keys", "sequence by host.id, user.name with maxspan=1m [process where true] [file where true] until [network where event.type == \"end\"]"),
        ("sample", "sample by host.id [process where true] [network where true]"),
        ("quiet after start", "sequence by host.id with maxspan=5s [process where event.type == \"start\"] ![network where true]"),
    ];
    for (i, (name, query)) in extra.iter().enumerate() {
        let rule = format!(
            "id = \"0b9d2a3e-1111-4222-8333-9444555560{i:02}\"\nname = \"{name}\"\n\
             description = \"threads test\"\nversion = 1\nseverity = \"low\"\nrisk_score = 21\n\
             query = '''\n{query}\n'''\n"
        );
        write(&dir.join(format!("extra_{i}.toml")), rule.as_bytes());
    }
    dir
}

/// `eqlvm gen` output in a scratch file.
fn generated(s: &Scratch, name: &str, events: &str, seed: &str) -> String {
    let path = s.path(name);
    let p = path.to_string_lossy().into_owned();
    let out = eqlvm(&["gen", "--events", events, "--seed", seed, "--out", &p]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    p
}

#[test]
fn shipped_rules_on_the_sample_events() {
    let alerts = same_as_one_thread(&["2", "3"], &["--rules", "rules", EVENTS]);
    assert!(!alerts.is_empty(), "the sample events raise alerts");
    // Event queries only: no join key, the events are dealt out in turn.
    let rule = "rules/linux/reverse_shell_activity_via_terminal.yaml";
    let alerts = same_as_one_thread(&["3"], &["--rules", rule, EVENTS]);
    assert!(!alerts.is_empty(), "the event rule raises alerts");
}

#[test]
fn a_closed_output_pipe_ends_a_threaded_run_with_a_message() {
    let mut args = vec!["run", "--threads", "2", "--rules", "rules"];
    args.extend(std::iter::repeat_n(EVENTS, 200));
    let (first, out) = first_line_then_close(&args);
    assert!(first.starts_with('{'), "the first alert arrived: {first}");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("output closed (broken pipe); stopping"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_mixed_rule_set_on_generated_events() {
    let s = Scratch::new();
    let rules = mixed_rules(&s, "mixed-rules");
    let rules = rules.to_string_lossy();
    let events = generated(&s, "gen3.ndjson", "20000", "3");
    let alerts = same_as_one_thread(&["3"], &["--rules", &rules, &events]);
    let n = per_rule(&alerts);
    for name in [
        "by user",
        "first starts",
        "last files",
        "bash starts",
        "process then network",
        "two keys",
        "sample",
        "quiet after start",
    ] {
        assert!(
            n.get(name).is_some_and(|c| *c > 0),
            "no alert of {name:?}: {n:?}"
        );
    }
    assert_eq!(n.get("first starts"), Some(&5));
    assert_eq!(n.get("last files"), Some(&3));
}

#[test]
fn bad_lines_and_odd_hosts_are_reported_as_with_one_thread() {
    let s = Scratch::new();
    let events = generated(&s, "gen7.ndjson", "4000", "7");
    let clean = std::fs::read_to_string(&events).unwrap_or_default();
    let mut dirty = String::new();
    for (i, line) in clean.lines().enumerate() {
        match i % 97 {
            // A line that is not JSON, and a blank one (skipped, not counted).
            5 => dirty.push_str("{\"host\": {\"id\": \"h1\"}, \"event\":\n\n"),
            // No host.id: all such events form one group.
            11 => dirty.push_str(&line.replace("\"host\":{\"id\":", "\"host\":{\"xid\":")),
            // Several host.id values: each makes its own join key.
            23 => dirty.push_str(&line.replace(
                "\"host\":{\"id\":",
                "\"host\":{\"id\":[\"0b9d2a3e-aaaa\",\"0b9d2a3e-bbbb\"],\"old_id\":",
            )),
            // No timestamp.
            31 => dirty.push_str(&line.replace("\"@timestamp\":", "\"@time\":")),
            _ => dirty.push_str(line),
        }
        dirty.push('\n');
    }
    let path = write(&s.path("dirty.ndjson"), dirty.as_bytes());
    let rules = mixed_rules(&s, "mixed-rules-dirty");
    let rules = rules.to_string_lossy();
    let alerts = same_as_one_thread(&["2", "3"], &["--rules", &rules, &path]);
    assert!(!alerts.is_empty());
    let (_, err) = run("3", &["--rules", &rules, &path]);
    assert!(err.contains("dirty.ndjson:6: bad event"), "{err}");
    assert!(err.contains("event has no usable timestamp"), "{err}");
    let multi = alerts
        .lines()
        .filter(|l| l.contains("0b9d2a3e-aaaa") || l.contains("0b9d2a3e-bbbb"))
        .count();
    assert!(multi > 0, "events with several host.id values joined");
}

#[test]
fn the_reorder_window_works_with_threads() {
    let s = Scratch::new();
    let events = generated(&s, "gen5.ndjson", "3000", "5");
    let clean = std::fs::read_to_string(&events).unwrap_or_default();
    let mut lines: Vec<&str> = clean.lines().collect();
    // Swap neighbours: out of order by one event, well within the window.
    for pair in lines.chunks_mut(2) {
        pair.reverse();
    }
    let path = write(&s.path("swapped.ndjson"), lines.join("\n").as_bytes());
    let rules = mixed_rules(&s, "mixed-rules-reorder");
    let rules = rules.to_string_lossy();
    let alerts = same_as_one_thread(
        &["3"],
        &["--reorder-window", "1m", "--rules", &rules, &path],
    );
    assert!(!alerts.is_empty());
}

#[test]
fn a_pack_runs_split_too() {
    let s = Scratch::new();
    let rules = mixed_rules(&s, "mixed-rules-pack");
    let pack = s.path("mixed.pack");
    let pack = pack.to_string_lossy();
    let out = eqlvm(&["compile", &rules.to_string_lossy(), "-o", &pack]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let alerts = same_as_one_thread(&["2"], &["--pack", &pack, EVENTS]);
    assert!(!alerts.is_empty());
}

#[test]
fn the_detection_rules_corpus_when_present() {
    let s = Scratch::new();
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/detection-rules");
    if !corpus.is_dir() {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    }
    let corpus = corpus.to_string_lossy();
    let events = generated(&s, "gen-corpus.ndjson", "3000", "11");
    let alerts = same_as_one_thread(&["2"], &["--rules", &corpus, &events]);
    assert!(
        !alerts.is_empty(),
        "the corpus raises alerts on generated events"
    );
}

#[test]
fn zero_threads_is_refused() {
    let out = eqlvm(&["run", "--threads", "0", "--rules", "rules", EVENTS]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--threads"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn results_of_one_line_in_several_groups_keep_the_one_engine_order() {
    let s = Scratch::new();
    // Per pair of hosts: a process event on each at the same time (the second host's name
    // sorts first), then one network event carrying both hosts, which completes a sequence in
    // each host's group on the same line. One engine orders the two by first event (arrival
    // breaks the timestamp tie), not by key.
    let mut lines = Vec::new();
    for i in 0..12 {
        let ts = 1_700_000_000_000u64 + i * 10_000;
        let (z, a) = (format!("z-host-{i}"), format!("a-host-{i}"));
        for h in [&z, &a] {
            lines.push(format!(
                "{{\"@timestamp\":{ts},\"event\":{{\"category\":\"process\"}},\"host\":{{\"id\":\"{h}\"}}}}"
            ));
        }
        lines.push(format!(
            "{{\"@timestamp\":{},\"event\":{{\"category\":\"network\"}},\"host\":{{\"id\":[\"{z}\",\"{a}\"]}}}}",
            ts + 1000
        ));
    }
    let path = write(&s.path("ties.ndjson"), lines.join("\n").as_bytes());
    let dir = s.path("tie-rules");
    let _ = std::fs::create_dir_all(&dir);
    let rule = "id = \"0b9d2a3e-1111-4222-8333-944455557777\"\nname = \"ties\"\n\
                description = \"threads test\"\nversion = 1\nseverity = \"low\"\nrisk_score = 21\n\
                query = '''\nsequence by host.id [process where true] [network where true]\n'''\n";
    write(&dir.join("ties.toml"), rule.as_bytes());
    let alerts = same_as_one_thread(
        &["2", "3", "5"],
        &["--rules", &dir.to_string_lossy(), &path],
    );
    assert_eq!(alerts.lines().count(), 24);
    let first = alerts.lines().next().unwrap_or_default();
    assert!(first.contains("\"join_keys\":[\"z-host-0\"]"), "{first}");
}
