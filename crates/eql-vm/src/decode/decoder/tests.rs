//! Unit tests of the decoder's shapes, conversions and errors.

use super::*;
use crate::event::SlotKind;

/// A readable form of a decoded value.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Null,
    B(bool),
    I(i64),
    F(f64),
    S(String),
    Ip(String),
    D(i64),
    Obj,
}

fn proj(fields: &[(&str, SlotKind)]) -> Projection {
    let owned: Vec<_> = fields.iter().map(|(p, k)| (p.to_string(), *k)).collect();
    Projection::new(&owned)
}

fn plain(paths: &[&str]) -> Projection {
    let fields: Vec<_> = paths.iter().map(|p| (*p, SlotKind::Plain)).collect();
    proj(&fields)
}

fn values(buf: &EventBuf, slot: usize) -> Vec<V> {
    buf.slot(slot)
        .iter()
        .map(|v| match *v {
            Value::Null => V::Null,
            Value::Bool(b) => V::B(b),
            Value::Int(i) => V::I(i),
            Value::Float(f) => V::F(f),
            Value::Str(r) => V::S(buf.str(r).to_string()),
            Value::Ip(ip) => V::Ip(ip.to_string()),
            Value::Date(d) => V::D(d),
            Value::Object => V::Obj,
        })
        .collect()
}

fn run(p: &Projection, line: &str) -> EventBuf {
    let mut buf = EventBuf::new();
    buf.line.extend_from_slice(line.as_bytes());
    Decoder::new()
        .decode(p, &mut buf)
        .unwrap_or_else(|e| panic!("{line}: {e}"));
    buf
}

fn s(x: &str) -> V {
    V::S(x.to_string())
}

#[test]
fn scalars_of_every_type() {
    let p = plain(&["s", "i", "f", "t", "n", "big", "neg", "e"]);
    let b = run(
        &p,
        r#"{"s":"x","i":42,"f":1.5,"t":true,"n":null,"big":18446744073709551616,"neg":-7,"e":2E3}"#,
    );
    assert_eq!(values(&b, 0), [s("x")]);
    assert_eq!(values(&b, 1), [V::I(42)]);
    assert_eq!(values(&b, 2), [V::F(1.5)]);
    assert_eq!(values(&b, 3), [V::B(true)]);
    assert_eq!(values(&b, 4), [V::Null]);
    assert!(b.present(4));
    assert_eq!(values(&b, 5), [V::F(18446744073709551616.0)]);
    assert_eq!(values(&b, 6), [V::I(-7)]);
    assert_eq!(values(&b, 7), [V::F(2000.0)]);
}

#[test]
fn nested_dotted_and_mixed_keys() {
    let p = plain(&["process.parent.name"]);
    for line in [
        r#"{"process":{"parent":{"name":"x"}}}"#,
        r#"{"process.parent.name":"x"}"#,
        r#"{"process":{"parent.name":"x"}}"#,
        r#"{"process.parent":{"name":"x"}}"#,
        r#"{"a":1,"process":{"pid":3,"parent":{"pid":2,"name":"x","args":["a"]}},"z":[]}"#,
    ] {
        let b = run(&p, line);
        assert_eq!(values(&b, 0), [s("x")], "{line}");
        assert!(b.present(0));
    }
}

#[test]
fn same_field_dotted_and_nested_keeps_both() {
    let p = plain(&["host.name", "x"]);
    let b = run(&p, r#"{"host.name":"a","x":1,"host":{"name":["b","c"]}}"#);
    assert_eq!(values(&b, 0), [s("a"), s("b"), s("c")]);
    assert_eq!(values(&b, 1), [V::I(1)]);
}

#[test]
fn prefix_paths() {
    let p = plain(&["process.args", "process.args.x", "process"]);
    let b = run(&p, r#"{"process":{"args":{"x":5}}}"#);
    assert_eq!(values(&b, 0), [V::Obj]);
    assert_eq!(values(&b, 1), [V::I(5)]);
    assert_eq!(values(&b, 2), [V::Obj]);
    let b = run(&p, r#"{"process":{"args":["a","b"]}}"#);
    assert_eq!(values(&b, 0), [s("a"), s("b")]);
    assert!(!b.present(1));
    assert_eq!(values(&b, 1), []);
}

#[test]
fn arrays_flatten() {
    let p = plain(&["a", "b"]);
    let b = run(&p, r#"{"a":[1,[2,[3,[]]],"x",null,{"k":1}],"b":[]}"#);
    assert_eq!(
        values(&b, 0),
        [V::I(1), V::I(2), V::I(3), s("x"), V::Null, V::Obj]
    );
    assert!(b.present(1));
    assert_eq!(values(&b, 1), []);
}

#[test]
fn arrays_of_objects_reach_into_each_element() {
    let p = plain(&["threat.tactic.id", "threat.technique.name"]);
    let line = r#"{"threat":[{"tactic":{"id":"a"},"technique":[{"name":"n1"},{"name":"n2"}]},
        {"tactic":{"id":"b"}},"scalar",[{"tactic.id":"c"}]]}"#;
    let b = run(&p, line);
    assert_eq!(values(&b, 0), [s("a"), s("b"), s("c")]);
    assert_eq!(values(&b, 1), [s("n1"), s("n2")]);
}

#[test]
fn present_even_when_null_or_empty() {
    let p = plain(&["a", "b", "c", "d.e"]);
    let b = run(&p, r#"{"a":null,"b":[],"d":null}"#);
    assert!(b.present(0) && b.present(1));
    assert!(!b.present(2) && !b.present(3));
    assert_eq!(values(&b, 0), [V::Null]);
}

#[test]
fn objects_where_values_expected() {
    let p = plain(&["a", "b.c"]);
    let b = run(&p, r#"{"a":{"x":{"y":[1,2]}},"b":{"c":{}}}"#);
    assert_eq!(values(&b, 0), [V::Obj]);
    assert_eq!(values(&b, 1), [V::Obj]);
}

#[test]
fn escaped_strings_and_keys() {
    let p = plain(&["path", "k\"ey", "u"]);
    let b = run(
        &p,
        r#"{"path":"C:\\Windows\\cmd.exe","k\"ey":"v","\u0075":"\ud83d\ude00 \u00e9\n"}"#,
    );
    assert_eq!(values(&b, 0), [s(r"C:\Windows\cmd.exe")]);
    assert_eq!(values(&b, 1), [s("v")]);
    assert_eq!(values(&b, 2), [s("😀 é\n")]);
    assert!(matches!(b.slot(0)[0], Value::Str(r) if r.scratch));
    assert!(matches!(b.slot(1)[0], Value::Str(r) if !r.scratch));
}

#[test]
fn unicode_text_is_borrowed() {
    let p = plain(&["名前"]);
    let b = run(&p, r#"{"名前":"ユーザー ☃"}"#);
    assert_eq!(values(&b, 0), [s("ユーザー ☃")]);
}

#[test]
fn ip_slots() {
    let p = proj(&[("ip", SlotKind::Ip), ("plain", SlotKind::Plain)]);
    let b = run(
        &p,
        r#"{"ip":["10.0.0.1","::1","::ffff:192.0.2.1","fe80::1%eth0","nope",5,"1.2.3.256","\u0031.1.1.1"],"plain":"10.0.0.1"}"#,
    );
    let want = [
        V::Ip("10.0.0.1".into()),
        V::Ip("::1".into()),
        V::Ip("::ffff:192.0.2.1".into()),
        s("fe80::1%eth0"),
        s("nope"),
        V::I(5),
        s("1.2.3.256"),
        V::Ip("1.1.1.1".into()),
    ];
    assert_eq!(values(&b, 0), want);
    assert_eq!(values(&b, 1), [s("10.0.0.1")]);
    // A converted escaped string leaves nothing behind in scratch.
    assert_eq!(b.scratch, "");
}

#[test]
fn date_slots() {
    let p = proj(&[("@timestamp", SlotKind::Date)]);
    let b = run(
        &p,
        r#"{"@timestamp":["2024-05-21T10:00:00Z",1504126051000,"1504126051000.5",1.5,"junk",true,1e300,"2024\u002d05-21"]}"#,
    );
    let want = [
        V::D(1_716_285_600_000_000_000),
        V::D(1_504_126_051_000_000_000),
        V::D(1_504_126_051_000_500_000),
        V::D(1_500_000),
        s("junk"),
        V::B(true),
        V::F(1e300),
        V::D(1_716_249_600_000_000_000),
    ];
    assert_eq!(values(&b, 0), want);
}

#[test]
fn dates_of_a_minute_already_read_decode_as_in_a_fresh_decoder() {
    let p = proj(&[("@timestamp", SlotKind::Date)]);
    let mut kept = Decoder::new();
    let dates = [
        "2024-05-21T10:00:00Z",
        "2024-05-21T10:00:59.999Z",
        "2024-05-21T10:00:60Z",
        "2024-05-21T10:00:07+01:00",
        "2024-05-21T10:00:07.1234567890Z",
        "2024-05-21T10:01:07Z",
        "2024-05-21T10:00",
        "2024-05-21T10:00:0xZ",
        "2024-05-21T10:00:01.5Z",
    ];
    for d in dates {
        for line in [
            format!(r#"{{"@timestamp":"{d}"}}"#),
            format!(r#"{{"@timestamp":["{d}"]}}"#),
            format!(r#"{{"@timestamp" : "{d}" }}"#),
        ] {
            let want = run(&p, &line);
            let mut b = EventBuf::new();
            b.line.extend_from_slice(line.as_bytes());
            kept.decode(&p, &mut b)
                .unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(values(&b, 0), values(&want, 0), "{line}");
        }
    }
}

#[test]
fn duplicate_paths_fill_both_slots() {
    let p = plain(&["a", "b", "a"]);
    let b = run(&p, r#"{"a":[1,2],"b":3}"#);
    assert_eq!(values(&b, 0), [V::I(1), V::I(2)]);
    assert_eq!(values(&b, 2), [V::I(1), V::I(2)]);
    assert!(b.present(2));
}

#[test]
fn skips_unprojected_subtrees() {
    let p = plain(&["keep"]);
    let line = r#"{"skip":{"a":[1,{"b":[[],{},"}]"]},-1.5e3],"c":{"d":null}},"keep":true,"x":[{"keep":1}]}"#;
    let b = run(&p, line);
    assert_eq!(values(&b, 0), [V::B(true)]);
    assert_eq!(b.values.len(), 1);
}

#[test]
fn member_strings_convert_as_elements_do() {
    let p = proj(&[
        ("ip", SlotKind::Ip),
        ("d", SlotKind::Date),
        ("s", SlotKind::Plain),
        ("w", SlotKind::Plain),
        ("e", SlotKind::Plain),
        ("bad_ip", SlotKind::Ip),
    ]);
    let b = run(
        &p,
        r#"{"ip":"::1","d":"2024-05-21T10:00:00Z","s":"x y é","w": "spaced","e":"a\"b","bad_ip":"nope"}"#,
    );
    assert_eq!(values(&b, 0), [V::Ip("::1".into())]);
    assert_eq!(values(&b, 1), [V::D(1_716_285_600_000_000_000)]);
    assert_eq!(values(&b, 2), [s("x y é")]);
    assert_eq!(values(&b, 3), [s("spaced")]);
    assert_eq!(values(&b, 4), [s("a\"b")]);
    assert_eq!(values(&b, 5), [s("nope")]);
    let mut buf = EventBuf::new();
    buf.line.extend_from_slice(br#"{"s":"abc"#);
    let err = Decoder::new().decode(&p, &mut buf).unwrap_err();
    assert_eq!(err.to_string(), "unterminated string at byte 5");
}

#[test]
fn invalid_utf8_is_placed_at_its_first_bad_byte_and_keeps_the_line() {
    let p = plain(&["s", "n"]);
    let long = "é".repeat(70);
    // Bad bytes early, past a 64-byte block, a lone continuation byte and a cut-short sequence.
    let cases: [(Vec<u8>, usize); 4] = [
        ([&b"{\"s\":\"a"[..], b"\xff\"}"].concat(), 7),
        (
            [format!("{{\"s\":\"{long}").as_bytes(), b"\xc3\x28\"}"].concat(),
            6 + long.len(),
        ),
        ([&b"{\"n\":1,\"s\":\"\x80"[..], b"\"}"].concat(), 12),
        ([&b"{\"s\":\"ab"[..], b"\xe2\x82"].concat(), 8),
    ];
    let mut buf = EventBuf::new();
    for (line, at) in cases {
        buf.line.clear();
        buf.line.extend_from_slice(&line);
        let err = Decoder::new().decode(&p, &mut buf).unwrap_err();
        assert_eq!(err.to_string(), format!("invalid UTF-8 at byte {at}"));
        assert_eq!(buf.line, line);
        assert!(buf.slot(0).is_empty());
    }
    // The buffer still decodes a good line afterwards.
    buf.line.clear();
    buf.line.extend_from_slice("{\"s\":\"é\"}".as_bytes());
    Decoder::new()
        .decode(&p, &mut buf)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(values(&buf, 0), [s("é")]);
}

/// A line with fewer values than the projection has slots has its slots laid out in the order
/// the line first fills them (values interleaved across slots, arrays, fields in reverse slot
/// order); each slot's values, and the order of their document positions, are those a
/// projection of only the line's fields gives, whose slots the line outnumbers. One buffer and decoder serve lines of both kinds in
/// turn.
#[test]
fn slots_laid_out_by_the_pairs_read_as_by_the_slots() {
    let filled = ["x.k", "x.m", "z", "y", "w"];
    let mut wide: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
    wide.extend(filled.iter().map(|f| f.to_string()));
    let wide = plain(&wide.iter().map(String::as_str).collect::<Vec<_>>());
    let narrow = plain(&filled);
    let lines = [
        r#"{"w":"last","y":[1,2,3],"x":[{"k":"a","m":"b"},{"m":"d","k":"c"}],"z":null}"#,
        r#"{"z":[true,false],"f3":9,"x":{"k":"only"},"w":["p","q"],"f0":"first"}"#,
        r#"{"f1":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41]}"#,
    ];
    let mut d = Decoder::new();
    let mut buf = EventBuf::new();
    for round in 0..2 {
        for line in lines {
            let want = run(&narrow, line);
            buf.line.extend_from_slice(line.as_bytes());
            d.decode(&wide, &mut buf)
                .unwrap_or_else(|e| panic!("{line}: {e}"));
            // The wide projection's positions count the values of `f…` too: rank them among
            // those of the filled fields to compare with the narrow ones.
            let mut ranked: Vec<u32> = (40..40 + filled.len())
                .flat_map(|at| buf.slot_pos(at).to_vec())
                .collect();
            ranked.sort_unstable();
            let rank = |p: &u32| ranked.iter().position(|q| q == p).map(|r| r as u32);
            for (i, f) in filled.iter().enumerate() {
                let at = 40 + i;
                assert_eq!(values(&buf, at), values(&want, i), "{round} {line} {f}");
                let pos: Vec<Option<u32>> = buf.slot_pos(at).iter().map(rank).collect();
                let want_pos: Vec<Option<u32>> =
                    want.slot_pos(i).iter().map(|&p| Some(p)).collect();
                assert_eq!(pos, want_pos, "{round} {line} {f} pos");
                assert_eq!(
                    buf.present(at),
                    want.present(i),
                    "{round} {line} {f} present"
                );
            }
            let f1: Vec<V> = (1..=41).map(V::I).collect();
            let f1_want = if line.contains("\"f1\"") { f1 } else { vec![] };
            assert_eq!(values(&buf, 1), f1_want, "{round} {line} f1");
            buf.line.clear();
        }
    }
}
