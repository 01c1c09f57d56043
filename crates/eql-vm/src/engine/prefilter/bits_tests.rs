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

/// A projection of plain (string) fields, slot `i` for `fields[i]`.
fn plain(fields: &[&str]) -> Projection {
    let owned: Vec<(String, SlotKind)> = fields
        .iter()
        .map(|f| (f.to_string(), SlotKind::Plain))
        .collect();
    Projection::new(&owned)
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
    let p = plain(&fields);
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

/// A field the index probes anyway is covered: its bits come from the probe's entries, also
/// for filter values no literal of the index has, in any case, over several values, and for
/// an event without the field, for case-sensitive filter literals (set only by a value equal
/// byte for byte) beside case-insensitive ones of the same form; a field the index does not
/// probe is still read lazily.
#[test]
fn covered_fields_give_what_lazy_reads_give() {
    use super::super::index::Index;
    let mut p = plain(&["event.type", "host.os.type", "event.action", "process.name"]);
    p.set_track_filled(true);
    let all = |_: usize| true;
    let build = || {
        let mut bits = Bits::default();
        // Group 0: event.type in (start, info); group 1: host.os.type and event.action.
        assert!(bits.add_filter(0, &[eq(0, &["start", "info"], &[])], all));
        assert!(bits.add_filter(1, &[eq(1, &["linux"], &[])], all));
        assert!(bits.add_filter(1, &[eq(2, &["exec", "fork"], &[])], all));
        // Group 2: event.type == "Start" and group 3: event.type == "end", case-sensitive.
        for (g, lit) in [(2, "Start"), (3, "end")] {
            let mut exact = eq(0, &[lit], &[]);
            exact.case_insensitive = false;
            assert!(bits.add_filter(g, &[exact], all));
        }
        bits.finish();
        bits
    };
    let (mut lazy, mut covering) = (build(), build());
    // The index probes event.type (with a literal of its own and one shared with a filter,
    // case-sensitive) and process.name, not host.os.type or event.action.
    let mut index = Index::default();
    let mut ty = eq(0, &["end", "Start"], &[]);
    ty.case_insensitive = false;
    index.add(0, &ty);
    index.add(1, &eq(3, &["bash"], &[]));
    for (slot, field, values) in covering.coverable() {
        index.cover(slot, field, &values);
    }
    index.finish(None);
    assert_eq!(index.covered(), 1, "event.type alone");
    let lines = [
        r#"{"event":{"type":"INFO"}}"#,
        r#"{"event":{"type":["end","start"],"action":"Fork"},"host":{"os":{"type":"linux"}}}"#,
        r#"{"event":{"type":"Start"},"process":{"name":"bash"}}"#,
        r#"{"event":{"type":"other","action":"exec"},"host":{"os":{"type":"LINUX"}}}"#,
        r#"{"event":{"type":["END","start"]}}"#,
        r#"{"event":{"type":7},"host":{"os":{"type":"windows"}}}"#,
        r#"{"process":{"name":"bash"}}"#,
        r#"{}"#,
    ];
    let mut seen = [[false; 2]; 4];
    for line in lines {
        let buf = event(&p, line);
        lazy.begin();
        covering.begin();
        covering.cover(index.covered());
        index.probe(&buf, covering.words(), |_| {});
        for (g, seen) in seen.iter_mut().enumerate() {
            let want = lazy.pass(g, &buf);
            seen[usize::from(want)] = true;
            assert_eq!(covering.pass(g, &buf), want, "{line}: group {g}");
        }
    }
    assert_eq!(seen, [[true, true]; 4], "each group both holds and fails");
}

/// Filters whose bits span several mask words hold when any word meets the event's bits; a
/// filter without bits never holds; a group passes only when each of its filters holds.
#[test]
fn filters_over_several_words() {
    let fields = ["event.action", "host.os.type"];
    let p = plain(&fields);
    let all = |_: usize| true;
    let actions: Vec<String> = (0..150).map(|i| format!("a{i}")).collect();
    let refs: Vec<&str> = actions.iter().map(String::as_str).collect();
    let mut bits = Bits::default();
    // Group 0: 150 actions (bits 0-149, three words) and host.os.type; group 1: host.os.type
    // then one action of the third word; group 2: a filter with no bits.
    assert!(bits.add_filter(0, &[eq(0, &refs, &[])], all));
    assert!(bits.add_filter(0, &[eq(1, &["linux", "macos"], &[])], all));
    assert!(bits.add_filter(1, &[eq(1, &["linux"], &[])], all));
    assert!(bits.add_filter(1, &[eq(0, &["a140"], &[])], all));
    assert!(bits.add_filter(2, &[eq(0, &[], &[])], all));
    bits.finish();
    let cases = [
        (
            r#"{"event":{"action":"a3"},"host":{"os":{"type":"linux"}}}"#,
            [true, false, false],
        ),
        (
            r#"{"event":{"action":"A70"},"host":{"os":{"type":"macos"}}}"#,
            [true, false, false],
        ),
        (
            r#"{"event":{"action":"a140"},"host":{"os":{"type":"linux"}}}"#,
            [true, true, false],
        ),
        (
            r#"{"event":{"action":"a140"},"host":{"os":{"type":"windows"}}}"#,
            [false, false, false],
        ),
        (
            r#"{"event":{"action":"b1"},"host":{"os":{"type":"linux"}}}"#,
            [false, false, false],
        ),
        (r#"{"host":{"os":{"type":"linux"}}}"#, [false, false, false]),
    ];
    for (line, want) in cases {
        let buf = event(&p, line);
        bits.begin();
        for (g, &w) in want.iter().enumerate() {
            assert_eq!(bits.pass(g, &buf), w, "{line}: group {g}");
        }
    }
}
