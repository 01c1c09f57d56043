//! The `eqlvm` binary end to end: run (with bad lines in the stream), check, compile, query.

mod common;

use common::{eqlvm, root, text, Scratch, EVENTS};

#[test]
fn run_writes_one_alert_per_line_and_a_summary() {
    let out = eqlvm(&["run", "--rules", "rules", EVENTS]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let alerts: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(alerts.len(), stdout.lines().count(), "every line is JSON");
    assert_eq!(alerts.len(), 19);
    assert!(alerts
        .iter()
        .all(|a| a["rule"]["id"].is_string() && a["events"].is_array()));
    let err = text(&out.stderr);
    assert!(
        err.contains("2 rules, 139 events read, 19 alerts, 0 bad lines"),
        "{err}"
    );
}

/// An alert carries each of its events as the event's line held it, keys in the line's order
/// (the sample events' are not sorted, so a parse and rewrite would show).
#[test]
fn alerts_carry_each_event_as_its_line_held_it() {
    let clean = text(&std::fs::read(root().join(EVENTS)).unwrap_or_default());
    let lines: Vec<&str> = clean.lines().filter(|l| !l.trim().is_empty()).collect();
    let rewritten = |l: &str| {
        serde_json::from_str::<serde_json::Value>(l).map_or(String::new(), |v| v.to_string())
    };
    assert!(
        lines.iter().all(|l| rewritten(l) != *l),
        "lines already sorted"
    );
    let out = eqlvm(&["run", "--rules", "rules", EVENTS]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 19);
    for alert in stdout.lines() {
        let parsed: serde_json::Value = serde_json::from_str(alert).unwrap_or_default();
        let events = parsed["events"].as_array().cloned().unwrap_or_default();
        let present: Vec<&serde_json::Value> = events
            .iter()
            .filter(|e| e.get("missing").is_none())
            .collect();
        let verbatim = lines.iter().filter(|l| alert.contains(**l)).count();
        assert!(!present.is_empty(), "{alert}");
        assert_eq!(
            verbatim,
            present.len(),
            "events not as their lines held them: {alert}"
        );
    }
}

#[test]
fn bad_lines_are_reported_counted_and_lose_no_alert() {
    let s = Scratch::new();
    let clean = std::fs::read(root().join(EVENTS)).unwrap_or_default();
    let mut dirty = Vec::new();
    for (i, line) in clean.split(|b| *b == b'\n').enumerate() {
        if i == 3 {
            dirty.extend_from_slice(
                b"{\"@timestamp\": \"2024-05-21T09:00:00Z\", \"event\": {\"category\"\n",
            );
        }
        if i == 40 {
            dirty.extend_from_slice(b"not json at all\n");
            dirty.extend_from_slice(b"{\"process\": {\"name\": \"\xff\xfe\"}}\n");
        }
        dirty.extend_from_slice(line);
        dirty.push(b'\n');
    }
    let path = s.path("dirty.ndjson");
    if let Err(e) = std::fs::write(&path, &dirty) {
        panic!("{e}");
    }
    let path_s = path.to_string_lossy().into_owned();
    let good = eqlvm(&["run", "--rules", "rules", EVENTS]);
    let bad = eqlvm(&["run", "--rules", "rules", &path_s]);
    assert!(bad.status.success());
    assert_eq!(
        text(&bad.stdout),
        text(&good.stdout),
        "alerts are those of the clean run"
    );
    let err = text(&bad.stderr);
    assert!(err.contains(&format!("{path_s}:4: bad event")), "{err}");
    assert!(err.contains(&format!("{path_s}:42: bad event")), "{err}");
    assert!(err.contains(&format!("{path_s}:43: bad event")), "{err}");
    assert!(err.contains("3 bad lines"), "{err}");
}

#[test]
fn check_passes_the_shipped_rules_and_fails_a_broken_one() {
    let s = Scratch::new();
    let ok = eqlvm(&["check", "rules"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("2 passed, 0 failed"));

    // The seed document's copy of the query, with its CIDR strings lost.
    let rule = r#"id = "0b9d2a3e-1111-4222-8333-944455556666"
name = "Broken"
description = "The seed document's query"
version = 1
severity = "low"
risk_score = 21
query = '''
network where destination.ip != null and
  not cidrmatch(destination.ip, "", "", "", "::1")
'''
"#;
    let path = s.path("broken.toml");
    if let Err(e) = std::fs::write(&path, rule) {
        panic!("{e}");
    }
    let bad = eqlvm(&["check", &path.to_string_lossy()]);
    assert_eq!(bad.status.code(), Some(1));
    let stdout = text(&bad.stdout);
    assert!(
        stdout.contains("broken.toml:9:33:"),
        "points at the first empty CIDR: {stdout}"
    );
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
    let err = text(&bad.stderr);
    assert!(
        err.contains(r#"not cidrmatch(destination.ip, "", "", "", "::1")"#),
        "shows the line: {err}"
    );
    assert!(err.contains("invalid CIDR"), "labels the argument: {err}");
}

#[test]
fn compile_prints_the_disassembly() {
    let out = eqlvm(&[
        "compile",
        "--disasm",
        "rules/linux/potential_reverse_shell.toml",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert!(listing.contains("field.cidr"));
    assert!(listing.contains("sequence, maxspan 5s"));
}

#[test]
fn query_prints_events_and_sequences() {
    let out = eqlvm(&[
        "query",
        r#"process where process.name == "zsh" and process.args : "-l""#,
        EVENTS,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|e| e["process"]["name"] == "zsh"));

    let seq = r#"sequence by host.id with maxspan=5s [network where process.name : "socat"] [process where process.parent.name == "socat"]"#;
    let out = eqlvm(&["query", seq, EVENTS]);
    let first: serde_json::Value = text(&out.stdout)
        .lines()
        .next()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_default();
    assert_eq!(first["events"].as_array().map(Vec::len), Some(2));
    assert!(first["join_keys"].is_array());

    let bad = eqlvm(&["query", "process where process.name ==", EVENTS]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("E01"), "{}", text(&bad.stderr));
}

#[test]
fn query_takes_the_endpoint_dialect_on_request() {
    let q = "process where process.name == process.parent.name";
    let es = eqlvm(&["query", q, EVENTS]);
    assert_eq!(
        es.status.code(),
        Some(1),
        "Elasticsearch's dialect is the default"
    );
    assert!(text(&es.stderr).contains("E0207"), "{}", text(&es.stderr));

    let ep = eqlvm(&["query", "--dialect", "endpoint", q, EVENTS]);
    assert!(ep.status.success(), "{}", text(&ep.stderr));
    let events: Vec<serde_json::Value> = text(&ep.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(!events.is_empty());
    // The sample events spell some fields as dotted keys (`"process.name": …`), as ECS allows.
    let field = |e: &serde_json::Value, path: &str| match e.get(path) {
        Some(v) => v.clone(),
        None => path.split('.').fold(e.clone(), |v, k| v[k].clone()),
    };
    for e in &events {
        let name = field(e, "process.name");
        assert!(name.is_string(), "{e}");
        assert_eq!(name, field(e, "process.parent.name"), "{e}");
    }
}

/// `eqlvm run` reading standard input writes an event's alert while the producer is still
/// writing: alerts are buffered, but flushed whenever the input has nothing more to read, with
/// one thread and with several.
#[test]
fn alerts_come_out_while_standard_input_stays_open() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;
    let sample = text(&std::fs::read(root().join(EVENTS)).unwrap_or_default());
    // The first line that alerts on its own: a shell started with a /dev/tcp argument.
    let Some(line) = sample.lines().find(|l| l.contains("/dev/tcp")) else {
        panic!("the sample events have no /dev/tcp shell");
    };
    for threads in ["1", "2"] {
        let mut child = match Command::new(env!("CARGO_BIN_EXE_eqlvm"))
            .current_dir(root())
            .args(["run", "--threads", threads, "--rules", "rules", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => panic!("cannot start eqlvm: {e}"),
        };
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            panic!("no pipes");
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = tx.send(first);
        });
        assert!(writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .is_ok());
        // Standard input stays open until the alert is read (or the wait gives up).
        let first = rx.recv_timeout(Duration::from_secs(60));
        drop(stdin);
        let _ = child.wait();
        let Ok(first) = first else {
            panic!("{threads} thread(s): no alert while standard input was open");
        };
        let alert: serde_json::Value = serde_json::from_str(&first).unwrap_or_default();
        assert_eq!(
            alert["rule"]["name"], "Potential Reverse Shell Activity via Terminal",
            "{threads} thread(s): {first}"
        );
    }
}

/// An input that cannot be read ends the run with its name and exit status 2, and the alerts
/// found in the inputs before it are still written.
#[test]
fn a_read_error_keeps_the_alerts_found_before_it() {
    let s = Scratch::new();
    let unreadable = s.path("a-folder");
    assert!(std::fs::create_dir(&unreadable).is_ok());
    let Some(unreadable) = unreadable.to_str() else {
        panic!("scratch path is not UTF-8");
    };
    let out = eqlvm(&["run", "--rules", "rules", EVENTS, unreadable]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout).lines().count(), 19);
    let err = text(&out.stderr);
    assert!(err.contains("a-folder: read error after line 0"), "{err}");
}
