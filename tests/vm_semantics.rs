//! VM semantics per operator, against Elasticsearch's rules: case sensitivity, wildcards,
//! "any element" on arrays, missing fields and null, functions, and the sequence engine
//! (keys, maxspan, until, ordering).

mod common;

use common::{matches, results};
use serde_json::json;

fn proc(extra: serde_json::Value) -> serde_json::Value {
    let mut e = json!({"@timestamp": "2024-01-01T00:00:00Z", "event": {"category": ["process"], "type": ["start"]}});
    if let (Some(o), Some(x)) = (e.as_object_mut(), extra.as_object()) {
        for (k, v) in x {
            o.insert(k.clone(), v.clone());
        }
    }
    e
}

#[test]
fn case_rules_per_operator() {
    let e = || proc(json!({"process": {"name": "Bash"}}));
    assert!(matches(r#"process where process.name == "Bash""#, e()));
    assert!(
        !matches(r#"process where process.name == "bash""#, e()),
        "== is case-sensitive"
    );
    assert!(
        matches(r#"process where process.name : "bash""#, e()),
        ": is case-insensitive"
    );
    assert!(
        !matches(r#"process where process.name in ("bash", "sh")"#, e()),
        "in is case-sensitive"
    );
    assert!(matches(
        r#"process where process.name in~ ("bash", "sh")"#,
        e()
    ));
    assert!(
        !matches(r#"process where process.name like "ba*""#, e()),
        "like is case-sensitive"
    );
    assert!(matches(r#"process where process.name like~ "ba*""#, e()));
    assert!(
        !matches(r#"process where process.name regex "ba.h""#, e()),
        "regex is case-sensitive"
    );
    assert!(matches(r#"process where process.name regex~ "ba.h""#, e()));
    assert!(matches(
        r#"process where startsWith~(process.name, "BA")"#,
        e()
    ));
    assert!(!matches(
        r#"process where startsWith(process.name, "ba")"#,
        e()
    ));
}

#[test]
fn wildcards_match_the_whole_value() {
    let e = || proc(json!({"process": {"executable": "/usr/bin/bash"}}));
    assert!(matches(
        r#"process where process.executable : "/usr/*""#,
        e()
    ));
    assert!(matches(
        r#"process where process.executable : "*bash""#,
        e()
    ));
    assert!(matches(
        r#"process where process.executable : "*/bin/*""#,
        e()
    ));
    assert!(matches(
        r#"process where process.executable : "/usr/bin/b?sh""#,
        e()
    ));
    assert!(
        !matches(r#"process where process.executable : "/usr/bin/b?""#, e()),
        "? is exactly one character"
    );
    assert!(
        !matches(r#"process where process.executable : "bin""#, e()),
        "no implicit contains"
    );
    assert!(
        !matches(r#"process where process.executable == "/usr/*""#, e()),
        "== does not expand wildcards"
    );
    assert!(
        matches(r#"process where process.executable : ("x*", "*sh")"#, e()),
        "a list is any of"
    );
}

#[test]
fn arrays_match_when_any_element_does() {
    let e = || proc(json!({"process": {"args": ["bash", "-i"], "pid": 7}}));
    assert!(matches(r#"process where process.args : "-i""#, e()));
    assert!(matches(r#"process where process.args == "bash""#, e()));
    assert!(matches(
        r#"process where process.args in ("-x", "-i")"#,
        e()
    ));
    assert!(
        !matches(r#"process where not process.args : "-i""#, e()),
        "not: no element may match"
    );
    assert!(
        matches(r#"process where event.type == "start""#, e()),
        "event.type is an ECS array"
    );
    assert!(
        matches(r#"process where length(process.args) == 2"#, e()),
        "functions test each element"
    );
    assert!(!matches(r#"process where length(process.args) == 3"#, e()));
}

#[test]
fn missing_fields_and_null() {
    let e = || proc(json!({"process": {"name": "bash", "parent": {"name": null}}}));
    assert!(
        matches(r#"process where process.parent.name == null"#, e()),
        "explicit null is null"
    );
    assert!(
        matches(r#"process where process.command_line == null"#, e()),
        "missing is null"
    );
    assert!(!matches(
        r#"process where process.command_line != null"#,
        e()
    ));
    assert!(matches(r#"process where process.name != null"#, e()));
    assert!(
        matches(r#"process where process.command_line != "x""#, e()),
        "!= is true on a missing field"
    );
    assert!(
        matches(r#"process where not process.command_line : "*x*""#, e()),
        "not is true on a missing field"
    );
    assert!(
        !matches(r#"process where process.command_line : "*""#, e()),
        "nothing matches a missing field"
    );
    assert!(
        !matches(r#"process where length(process.command_line) > 0"#, e()),
        "null comparisons are not true"
    );
    assert!(
        !matches(
            r#"process where not (length(process.command_line) > 0)"#,
            e()
        ),
        "not null is null"
    );
    assert!(
        matches(
            r#"process where length(process.command_line) > 0 or process.name == "bash""#,
            e()
        ),
        "null or true"
    );
}

#[test]
fn numbers_and_arithmetic() {
    let e = || proc(json!({"process": {"pid": 82, "exit_code": -1}}));
    assert!(
        matches("process where process.pid / 2 == 41", e()),
        "integer division truncates"
    );
    assert!(matches("process where process.pid % 5 == 2", e()));
    assert!(
        matches("process where process.pid < 82.5", e()),
        "int and float compare numerically"
    );
    assert!(matches("process where -process.exit_code == 1", e()));
    assert!(matches("process where process.pid + 1 >= 83", e()));
    assert!(!matches("process where process.pid * 2 > 200", e()));
}

#[test]
fn cidr_and_ip() {
    let e = |ip: &str| json!({"@timestamp": "2024-01-01T00:00:00Z", "event": {"category": "network"}, "destination": {"ip": ip}});
    let q = r#"network where cidrmatch(destination.ip, "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "::1")"#;
    assert!(matches(q, e("127.0.0.53")));
    assert!(matches(q, e("::1")));
    assert!(matches(q, e("239.255.255.250")));
    assert!(!matches(q, e("8.8.8.8")));
    assert!(!matches(q, e("not an ip")));
    assert!(matches(
        r#"network where destination.ip == "10.1.2.3""#,
        e("10.1.2.3")
    ));
}

#[test]
fn string_functions() {
    let e = || proc(json!({"process": {"command_line": "bash -c 'id'", "name": "bash"}}));
    assert!(matches(
        r#"process where between(process.command_line, "'", "'") == "id""#,
        e()
    ));
    assert!(matches(
        r#"process where concat(process.name, "-", 5) == "bash-5""#,
        e()
    ));
    assert!(matches(
        r#"process where indexOf(process.command_line, "-c") == 5"#,
        e()
    ));
    assert!(matches(
        r#"process where substring(process.name, -2) == "sh""#,
        e()
    ));
    assert!(matches(
        r#"process where stringContains~(process.command_line, "BASH")"#,
        e()
    ));
    assert!(matches(
        r#"process where endsWith(process.name, "sh")"#,
        e()
    ));
    assert!(matches(r#"process where number("0x10") == 16"#, e()));
    assert!(matches(
        r#"process where string(length(process.name)) == "4""#,
        e()
    ));
}

fn ev(ts_ms: i64, cat: &str, host: &str, id: &str, name: &str) -> serde_json::Value {
    json!({"@timestamp": ts_ms, "event": {"category": [cat]}, "host": {"id": host}, "process": {"entity_id": id, "name": name}})
}

const SEQ: &str = r#"sequence by host.id with maxspan=5s
  [network where process.name == "bash"] by process.entity_id
  [process where process.name == "sh"] by process.entity_id"#;

#[test]
fn sequences_join_on_keys() {
    let events = [
        ev(1000, "network", "h1", "p1", "bash"),
        ev(1500, "network", "h2", "p1", "bash"),
        ev(2000, "process", "h1", "p2", "sh"),
        ev(3000, "process", "h1", "p1", "sh"),
        ev(3500, "process", "h2", "p1", "sh"),
    ];
    assert_eq!(
        results(SEQ, &events),
        vec![vec![Some(0), Some(3)], vec![Some(1), Some(4)]]
    );
}

#[test]
fn maxspan_is_inclusive() {
    let at = |t| {
        [
            ev(0, "network", "h", "p", "bash"),
            ev(t, "process", "h", "p", "sh"),
        ]
    };
    assert_eq!(results(SEQ, &at(5000)).len(), 1, "exactly maxspan apart");
    assert!(results(SEQ, &at(5001)).is_empty(), "one millisecond over");
}

#[test]
fn sequences_need_order_and_the_latest_pending_advances() {
    let rev = [
        ev(2000, "process", "h", "p", "sh"),
        ev(3000, "network", "h", "p", "bash"),
    ];
    assert!(results(SEQ, &rev).is_empty(), "stage 2 before stage 1");
    let two = [
        ev(0, "network", "h", "p", "bash"),
        ev(1000, "network", "h", "p", "bash"),
        ev(2000, "process", "h", "p", "sh"),
        ev(2500, "process", "h", "p", "sh"),
    ];
    assert_eq!(
        results(SEQ, &two),
        vec![vec![Some(1), Some(2)]],
        "the newer pending sequence replaces the older; a completed one is gone"
    );
}

#[test]
fn until_ends_pending_sequences() {
    let q = r#"sequence by host.id [network where true] [process where process.name == "sh"] until [process where process.name == "exit"]"#;
    let events = [
        ev(0, "network", "h", "p", "x"),
        ev(1, "process", "h", "p", "exit"),
        ev(2, "process", "h", "p", "sh"),
    ];
    assert!(results(q, &events).is_empty());
    let other_host = [
        ev(0, "network", "h", "p", "x"),
        ev(1, "process", "g", "p", "exit"),
        ev(2, "process", "h", "p", "sh"),
    ];
    assert_eq!(results(q, &other_host).len(), 1, "until is per key");
}

#[test]
fn missing_keys_cannot_join_unless_optional() {
    let q = r#"sequence [network where true] by user.name [process where true] by user.name"#;
    let events = [
        ev(0, "network", "h", "p", "x"),
        ev(1, "process", "h", "p", "y"),
    ];
    assert!(results(q, &events).is_empty());
    let q = r#"sequence [network where true] by ?user.name [process where true] by ?user.name"#;
    assert_eq!(
        results(q, &events).len(),
        1,
        "optional keys join null to null"
    );
}

#[test]
fn head_and_tail_pipes() {
    let events: Vec<_> = (0..6).map(|i| ev(i, "process", "h", "p", "sh")).collect();
    let ids = |q: &str| {
        results(q, &events)
            .into_iter()
            .flatten()
            .flatten()
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("process where true | head 2"), vec![0, 1]);
    assert_eq!(ids("process where true | tail 2"), vec![4, 5]);
    assert_eq!(ids("process where true | head 4 | tail 2"), vec![2, 3]);
}
