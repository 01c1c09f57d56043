//! The decoder's bitmap of filled slots and the probe that walks it: the bitmap says exactly
//! which slots have values (over several words, for repeated paths, arrays, nulls, failed
//! and reused decodes), and a probe through it marks what a walk of every indexed field marks.

use super::*;
use crate::decode::{Decoder, Projection};
use crate::event::SlotKind;

/// 150 fields `f0` … `f149` (three bitmap words), then `f3` again (a repeated path).
fn projection() -> (Projection, usize) {
    let mut fields: Vec<(String, SlotKind)> = (0..150)
        .map(|i| (format!("f{i}"), SlotKind::Plain))
        .collect();
    fields.push(("f3".to_string(), SlotKind::Plain));
    let mut p = Projection::new(&fields);
    p.set_track_filled(true);
    (p, fields.len())
}

fn decode(d: &mut Decoder, p: &Projection, buf: &mut EventBuf, line: &str) -> bool {
    buf.line.clear();
    buf.line.extend_from_slice(line.as_bytes());
    d.decode(p, buf).is_ok()
}

fn guard(slot: usize, test: Test, strings: &[&str], ints: &[i64], ci: bool) -> Guard {
    Guard {
        slot,
        test,
        strings: strings.iter().map(|s| s.to_string()).collect(),
        ints: ints.to_vec(),
        case_insensitive: ci,
    }
}

/// The clauses `index` marks for the event in `buf`, sorted (with repeats).
fn marked(index: &Index, buf: &EventBuf) -> Vec<u32> {
    let mut out = Vec::new();
    index.probe(buf, &mut [], |ids| out.extend(ids.iter().map(|h| h.clause)));
    out.sort_unstable();
    out
}

#[test]
fn the_bitmap_names_the_slots_with_values() {
    let (p, n) = projection();
    let mut d = Decoder::new();
    let mut buf = EventBuf::new();
    let lines = [
        r#"{"f0":"a","f63":1,"f64":[1,2],"f127":"x","f128":{"y":1},"f149":true}"#,
        r#"{"f3":"rep","f70":[],"f71":null,"f72":{}}"#,
        r#"{}"#,
        r#"{"f1":[[1],[2,[3]]],"f65":"v","f149":[null]}"#,
        r#"{"f2":"#,
        r#"{"f140":"only"}"#,
    ];
    for line in lines {
        let ok = decode(&mut d, &p, &mut buf, line);
        assert_eq!(ok, !line.ends_with(':'), "{line}");
        let Some(filled) = buf.filled() else {
            panic!("{line}: no bitmap")
        };
        assert_eq!(filled.len(), n.div_ceil(64), "{line}");
        for slot in 0..n {
            let bit = filled[slot / 64] >> (slot % 64) & 1 == 1;
            assert_eq!(bit, !buf.slot(slot).is_empty(), "{line}: slot {slot}");
        }
        // No bit past the last slot.
        let spare = filled.len() * 64 - n;
        assert_eq!(filled[filled.len() - 1] >> (64 - spare), 0, "{line}");
    }
    // The repeated path's second slot is filled like its first.
    decode(&mut d, &p, &mut buf, r#"{"f3":["a","b"]}"#);
    assert_eq!(buf.filled(), Some(&[1 << 3, 0, 1 << (150 - 128)][..]));
    // A buffer without the bitmap says so.
    buf.filled.clear();
    assert_eq!(buf.filled(), None);
    // A projection that does not ask for the bitmap leaves none, even in a buffer that held one.
    decode(&mut d, &p, &mut buf, r#"{"f3":"x"}"#);
    assert!(buf.filled().is_some());
    let mut untracked = p;
    untracked.set_track_filled(false);
    assert!(decode(
        &mut d,
        &untracked,
        &mut buf,
        r#"{"f3":"x","f140":1}"#
    ));
    assert_eq!(buf.filled(), None);
    assert_eq!(buf.slot(140).len(), 1);
}

#[test]
fn a_probe_through_the_bitmap_marks_what_every_field_marks() {
    let (p, _) = projection();
    let mut index = Index::default();
    // Clause 0: f0 == "Start" (case-sensitive) or f70 == 4; clause 1: f0 : "start" or f64
    // contains "needle"; clause 2: f129 : "start" and clause 3: f129 == "start" (clause lists
    // that share one value); clause 4: f149 contains "dle" (an atom inside clause 1's);
    // clause 5: f3 : "rep" (the repeated path's first slot), clause 6 its second slot.
    index.add(0, &guard(0, Test::Equals, &["Start"], &[], false));
    index.add(0, &guard(70, Test::EqualsInt, &[], &[4], false));
    index.add(1, &guard(0, Test::Equals, &["start"], &[], true));
    index.add(1, &guard(64, Test::Contains, &["needle"], &[], true));
    index.add(2, &guard(129, Test::Equals, &["start"], &[], true));
    index.add(3, &guard(129, Test::Equals, &["start"], &[], false));
    index.add(4, &guard(149, Test::Contains, &["dle"], &[], false));
    index.add(5, &guard(3, Test::Equals, &["rep"], &[], true));
    index.add(6, &guard(150, Test::Equals, &["rep"], &[], true));
    assert!(index.finish(None).is_empty());
    let cases: [(&str, &[u32]); 8] = [
        (r#"{}"#, &[]),
        (r#"{"f1":"Start","f2":4}"#, &[]),
        (r#"{"f0":"Start"}"#, &[0, 1]),
        (r#"{"f0":"START","f70":[3,4.0]}"#, &[0, 1]),
        (r#"{"f0":["x","start"],"f129":"START"}"#, &[1, 2]),
        (r#"{"f129":["start","Start"]}"#, &[2, 2, 3]),
        (
            r#"{"f64":"a NEEDLE and a needle","f149":"needle","f3":"REP"}"#,
            &[1, 1, 4, 5, 6],
        ),
        (r#"{"f70":4,"f149":["x","middle"],"f148":"dle"}"#, &[0, 4]),
    ];
    let mut d = Decoder::new();
    let mut buf = EventBuf::new();
    for (line, want) in cases {
        assert!(decode(&mut d, &p, &mut buf, line), "{line}");
        assert_eq!(marked(&index, &buf), want, "{line}");
        // Without the bitmap every indexed field is looked at, with the same marks.
        let filled = std::mem::take(&mut buf.filled);
        assert_eq!(marked(&index, &buf), want, "{line}: every field");
        buf.filled = filled;
    }
    // An index of no fields marks nothing.
    let mut empty = Index::default();
    assert!(empty.finish(None).is_empty());
    assert!(marked(&empty, &buf).is_empty());
}

#[test]
fn atoms_count_only_where_their_patterns_hold_them() {
    let (p, _) = projection();
    let mut index = Index::default();
    // f0: clause 0 starts with "c:\\win", clause 1 ends with ".exe", clause 2 starts with
    // "exe", clause 3 ends with "c:\\".
    // f1: anchored atoms beside an atom anywhere are all found anywhere.
    index.add(0, &guard(0, Test::StartsWith, &["C:\\Win"], &[], true));
    index.add(1, &guard(0, Test::EndsWith, &[".EXE"], &[], false));
    index.add(2, &guard(0, Test::StartsWith, &["exe"], &[], true));
    index.add(3, &guard(0, Test::EndsWith, &["c:\\"], &[], true));
    index.add(4, &guard(1, Test::StartsWith, &["abc"], &[], true));
    index.add(5, &guard(1, Test::Contains, &["xyz"], &[], true));
    // f2: the walk for "abcd" passes the state of "abc", which also names "bc" (a suffix of
    // its path): that is no start.
    index.add(6, &guard(2, Test::StartsWith, &["abcd"], &[], true));
    index.add(7, &guard(2, Test::StartsWith, &["bc"], &[], true));
    assert!(index.finish(None).is_empty());
    let cases: [(&str, &[u32]); 11] = [
        (r#"{"f0":"c:\\windows\\cmd.exe"}"#, &[0, 1]),
        (r#"{"f0":"C:\\WINDOWS"}"#, &[0]),
        (r#"{"f0":"x c:\\windows\\cmd.exe x"}"#, &[]),
        (r#"{"f0":"exe.exe"}"#, &[1, 2]),
        (r#"{"f0":"a.exe.c:\\"}"#, &[3]),
        (r#"{"f0":["c:\\","tool.Exe"]}"#, &[1, 3]),
        (r#"{"f0":".ex"}"#, &[]),
        (r#"{"f1":"xx abc yy"}"#, &[4]),
        (r#"{"f1":"abcxyz"}"#, &[4, 5]),
        (r#"{"f2":"abcdef"}"#, &[6]),
        (r#"{"f2":["bcd","xbc"]}"#, &[7]),
    ];
    let mut d = Decoder::new();
    let mut buf = EventBuf::new();
    for (line, want) in cases {
        assert!(decode(&mut d, &p, &mut buf, line), "{line}");
        assert_eq!(marked(&index, &buf), want, "{line}");
    }
}
