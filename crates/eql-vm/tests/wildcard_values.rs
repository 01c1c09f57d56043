//! Wildcard tests on every shape a field's values take (missing, empty array, one string, one
//! value of another type, several strings, strings mixed with other values): the decision
//! graph tests an empty slot or a single string itself and hands the rest to its general
//! check; both must answer as EQL does, a field matching when any of its strings does.

mod common;

use common::run_lines;
use eql_vm::engine::Engine;

const QUERIES: &[&str] = &[
    "process where process.name : (\"ba?h\", \"*zsh*\", \"?*x\")",
    "process where process.name like \"py*on\"",
    "process where not process.name : \"ba?h\"",
];

fn engine() -> Engine {
    common::engine_of(QUERIES)
}

#[test]
fn every_shape_of_values_answers_as_eql_does() {
    // (the `process.name` member of the event, the queries each event must match; a field
    // missing or empty matches no pattern, so its negation holds)
    let cases: &[(&str, &[u32])] = &[
        ("", &[2]),
        ("\"name\":[],", &[2]),
        ("\"name\":\"BASH\",", &[0]),
        ("\"name\":\"sh\",", &[2]),
        ("\"name\":\"python\",", &[1, 2]),
        ("\"name\":\"Python\",", &[2]),
        ("\"name\":\"ézsh\",", &[0, 2]),
        ("\"name\":\"éx\",", &[0, 2]),
        ("\"name\":\"x\",", &[2]),
        ("\"name\":7,", &[2]),
        ("\"name\":[\"sh\",\"bAsh\"],", &[0]),
        ("\"name\":[\"sh\",\"ls\"],", &[2]),
        ("\"name\":[7,null,\"pyton\"],", &[1, 2]),
        ("\"name\":[7,null],", &[2]),
        ("\"name\":[\"bash\",\"bash\"],", &[0]),
    ];
    let lines: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            format!(
                "{{\"@timestamp\":{},\"event\":{{\"category\":\"process\"}},\"process\":{{{name}\"pid\":{i}}}}}",
                1_700_000_000_000i64 + i as i64
            )
        })
        .collect();
    let mut e = engine();
    let results = run_lines(&mut e, lines);
    for (i, (name, want)) in cases.iter().enumerate() {
        let mut got: Vec<u32> = results[i].iter().map(|m| m.0).collect();
        got.sort_unstable();
        assert_eq!(got, *want, "event {i} with {name:?}");
    }
}
