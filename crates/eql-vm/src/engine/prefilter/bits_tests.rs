//! Filters read their fields lazily: whichever group is checked first, and however many
//! fields an event carries, each check gives what comparing the event's values gives, folded
//! or exactly as each literal compares.

use super::*;
use crate::decode::{Decoder, Projection};
use crate::event::SlotKind;

fn eq(slot: usize, strings: &[&str], ints: &[i64]) -> Guard {
    Guard {
        slot,
        test: if ints.is_empty() {
            Test::Equals
        } else {
            Test::EqualsInt
        },
        strings: strings.iter().map(|s| s.to_string()).collect(),
        ints: ints.to_vec(),
        case_insensitive: true,
    }
}

fn event(p: &Projection, line: &str) -> EventBuf {
    let mut buf = EventBuf::new();
    buf.line.extend_from_slice(line.as_bytes());
    if let Err(e) = Decoder::new().decode(p, &mut buf) {
        panic!("{line}: {e}");
    }
    buf
}

#[test]
fn lazy_reads_give_what_the_values_give() {
    let fields = ["event.type", "host.os.type", "event.action", "event.code"];
    let owned: Vec<(String, SlotKind)> = fields
        .iter()
        .map(|f| (f.to_string(), SlotKind::Plain))
        .collect();
    let p = Projection::new(&owned);
    let all = |_: usize| true;
    let mut bits = Bits::default();
    // Group 0: one filter on event.type; group 1: two, on host.os.type and on event.action
    // or event.code (one clause, two fields); group 2: none.
    assert!(bits.add_filter(0, &[eq(0, &["start"], &[])], all));
    assert!(bits.add_filter(1, &[eq(1, &["linux"], &[])], all));
    assert!(bits.add_filter(1, &[eq(2, &["exec"], &[]), eq(3, &[], &[4688])], all));
    bits.add_filter(2, &[], all);
    // Group 3: event.type compared exactly, beside group 0's folded literal of the same form.
    let exact = Guard {
        case_insensitive: false,
        ..eq(0, &["start"], &[])
    };
    assert!(bits.add_filter(3, &[exact], all));
    bits.finish();
    let cases = [
        (
            r#"{"event":{"type":"start"},"host":{"os":{"type":"linux"}},"action":1}"#,
            [true, false, true, true],
        ),
        (
            r#"{"event":{"type":["end","START"],"action":"exec"},"host":{"os":{"type":"Linux"}}}"#,
            [true, true, true, false],
        ),
        (
            r#"{"event":{"type":"end","code":4688},"host":{"os":{"type":"linux"}}}"#,
            [false, true, true, false],
        ),
        (
            r#"{"event":{"code":"4688"},"host":{"os":{"type":"windows"}}}"#,
            [false, false, true, false],
        ),
        (
            r#"{"event":{"type":"start","action":"exec"}}"#,
            [true, false, true, true],
        ),
        (r#"{}"#, [false, false, true, false]),
    ];
    for (line, want) in cases {
        let buf = event(&p, line);
        for order in [[0, 1, 2, 3], [1, 2, 3, 0], [3, 2, 0, 1]] {
            bits.begin();
            for g in order {
                assert_eq!(bits.pass(g, &buf), want[g], "{line}: group {g}");
                // A second check reads nothing new and agrees.
                assert_eq!(bits.pass(g, &buf), want[g], "{line}: group {g} again");
            }
        }
    }
}
