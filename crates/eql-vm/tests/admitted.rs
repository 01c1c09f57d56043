//! A guarded stage's predicate skips the tests its admission by the prefilter proves. The
//! results must be those of running every test: the same queries with the prefilter on and
//! off, over fields holding arrays, case variants of the literals, non-strings and nulls, with
//! two tests on one field, negations, `or`s, sets too large for a string list, and
//! categorical filters of both kinds of literal on one field.

mod common;

use common::{run_lines, Seen};
use eql_vm::engine::Engine;

/// Twenty names and `bash`: a set too large for a string list.
const MANY: &str =
    "\"n01\", \"n02\", \"n03\", \"n04\", \"n05\", \"n06\", \"n07\", \"n08\", \"n09\", \"n10\", \
    \"n11\", \"n12\", \"n13\", \"n14\", \"n15\", \"n16\", \"n17\", \"n18\", \"n19\", \"n20\"";

fn queries() -> Vec<String> {
    let fixed = [
        // Filters on small-domain fields: `START` meets neither `==` literal, `Linux` only `:`.
        r#"process where event.type == "start" and host.os.type == "linux" and process.name == "bash""#,
        // Two tests on one field, folded and exact.
        r#"process where process.name : "BASH" and process.name == "bash""#,
        // The index holds a set; the test in the `or` holds only one of its strings.
        r#"process where process.name in ("bash", "sh") and (process.name == "bash" or user.name == "root")"#,
        r#"process where event.type : "START" and process.name : "BASH""#,
        // Arrays: the value admitting the stage says nothing of the other values.
        r#"process where process.args == "-i" and process.args == "-c""#,
        r#"process where process.name == "bash" and not process.name == "sh""#,
        r#"process where process.name in ("bash", "sh") and not process.name in ("sh", "zsh")"#,
        r#"process where (event.type == "start" or event.action == "exec") and process.name == "sh""#,
        r#"process where process.name : ("bash", "sh") and host.os.type : "LINUX" and user.name == "root""#,
        r#"sequence by host.id [process where process.name == "bash"] [process where process.name : "sh" and event.type == "start"]"#,
    ];
    let mut q: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    q.push(format!(
        r#"process where event.type == "start" and process.name in ({MANY}, "bash")"#
    ));
    q.push(format!(
        r#"process where event.type == "start" and process.name : ({MANY}, "BASH") and not process.name in ({MANY}, "sh")"#
    ));
    q
}

fn engine(prefilter: bool) -> Engine {
    let mut e = common::engine_of(&queries());
    e.set_prefilter(prefilter);
    e
}

/// Events cycling through value shapes of coprime counts, so that every combination occurs.
fn events() -> Vec<String> {
    let types = [
        "\"start\"",
        "\"START\"",
        "[\"end\",\"start\"]",
        "[\"Start\"]",
        "null",
        "\"end\"",
        "[]",
    ];
    let os = [
        "\"linux\"",
        "\"Linux\"",
        "[\"windows\",\"linux\"]",
        "\"windows\"",
        "3",
    ];
    let names = [
        "\"bash\"",
        "\"BASH\"",
        "\"Bash\"",
        "\"sh\"",
        "[\"sh\",\"bash\"]",
        "[\"BASH\",\"zsh\"]",
        "[\"zsh\",\"sh\"]",
        "7",
        "null",
        "\"n07\"",
        "[\"n20\",\"SH\"]",
    ];
    let args = [
        "[\"-i\"]",
        "[\"-c\",\"-i\"]",
        "[\"-I\",\"-c\"]",
        "\"-i\"",
        "[\"-c\"]",
        "[1,\"-c\",\"-i\"]",
    ];
    let users = ["\"root\"", "\"alice\"", "[\"alice\",\"root\"]"];
    let actions = ["\"exec\"", "\"fork\""];
    (0..4620)
        .map(|i| {
            format!(
                "{{\"@timestamp\":{},\"event\":{{\"category\":\"process\",\"type\":{},\"action\":{}}},\"host\":{{\"id\":\"h{}\",\"os\":{{\"type\":{}}}}},\"process\":{{\"name\":{},\"args\":{}}},\"user\":{{\"name\":{}}}}}",
                1_700_000_000_000i64 + (i as i64) * 100,
                types[i % types.len()],
                actions[i / 7 % actions.len()],
                i % 3,
                os[i % os.len()],
                names[i % names.len()],
                args[i % args.len()],
                users[i / 11 % users.len()],
            )
        })
        .collect()
}

/// The same results event by event (a difference named by its event and queries).
fn same(a: &[Vec<Seen>], b: &[Vec<Seen>]) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let queries = |r: &[Seen]| r.iter().map(|m| m.0).collect::<Vec<u32>>();
        assert!(
            x == y,
            "event {i}: {:?} against {:?}",
            queries(x),
            queries(y)
        );
    }
}

#[test]
fn skipping_what_admission_proves_changes_no_result() {
    let (mut with, mut without) = (engine(true), engine(false));
    assert!(with.prefilter().is_some(), "the prefilter is not used");
    // Most queries' stages skip some test.
    assert!(with.assumed_stages() >= 9, "{}", with.assumed_stages());
    assert_eq!(without.assumed_stages(), 0);
    let a = run_lines(&mut with, events());
    let b = run_lines(&mut without, events());
    same(&a, &b);
    let n = queries().len() as u32;
    for q in 0..n {
        assert!(
            a.iter().flatten().any(|m: &Seen| m.0 == q),
            "query {q} never matched"
        );
    }
    assert!(with.stats.stages_run < without.stats.stages_run);
}

/// Switching the prefilter off and on again drops the skipped tests and brings them back.
#[test]
fn assumptions_follow_the_prefilter() {
    let mut e = engine(true);
    let on = e.assumed_stages();
    assert!(on > 0);
    e.set_prefilter(false);
    assert_eq!(e.assumed_stages(), 0);
    let mut plain = engine(false);
    same(
        &run_lines(&mut e, events()),
        &run_lines(&mut plain, events()),
    );
    e.set_prefilter(true);
    assert_eq!(e.assumed_stages(), on);
}
