//! The optimistic pass against the exact parser: random documents (escapes and backslash runs
//! at every offset around 16-, 32- and 64-byte boundaries, unicode, nested arrays and objects,
//! numbers of every shape, whitespace) and damaged copies of them must decode to the same
//! values, slots and errors with and without it; valid ones also agree with `serde_json`.

use super::*;
use crate::event::SlotKind;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next(from.len())]
    }
}

const KEYS: &[&str] = &[
    "a",
    "b",
    "c",
    "a.b",
    "b.c",
    "a.b.c",
    "ip",
    "ts",
    "n",
    "long_key_name_x",
    "x",
    "é",
    // Unprojected keys of the same first byte and length as projected ones (they pass the key
    // tables' filter and are told apart by the comparison).
    "tx",
    "iq",
    "long_key_name_y",
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "7",
    "-42",
    "1.5",
    "-2.25e3",
    "1e5",
    "1E-2",
    "0.5e+1",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "1715000000000",
    "1715000000000.25",
    "1.0e400",
];

const PIECES: &[&str] = &[
    "a",
    "\\\\",
    "\\\"",
    "\\n",
    "\\u00e9",
    "\\ud83d\\ude00",
    "{",
    "]",
    "é",
    " ",
    ",",
    ":",
    "\\/",
    "10.0.0.1",
    "2024-05-21T10:00:00Z",
];

fn space(r: &mut Rng, out: &mut String) {
    if r.next(8) == 0 {
        out.push_str([" ", "\t", "  ", "\r\n"][r.next(4)]);
    }
}

fn string(r: &mut Rng, out: &mut String) {
    out.push('"');
    // Plain runs of every length put the escapes on every offset of the blocks.
    let n = r.next(4);
    for _ in 0..n {
        for _ in 0..r.next(70) {
            out.push('x');
        }
        out.push_str(r.pick(PIECES));
    }
    out.push('"');
}

fn value(r: &mut Rng, depth: usize, out: &mut String) {
    let pick = if depth >= 5 { 2 + r.next(4) } else { r.next(7) };
    match pick {
        0 => object(r, depth + 1, out),
        1 => {
            out.push('[');
            space(r, out);
            for i in 0..r.next(4) {
                if i > 0 {
                    out.push(',');
                    space(r, out);
                }
                value(r, depth + 1, out);
                space(r, out);
            }
            out.push(']');
        }
        2 | 3 => string(r, out),
        4 => out.push_str(r.pick(NUMBERS)),
        _ => out.push_str(r.pick(&["true", "false", "null"])),
    }
}

fn object(r: &mut Rng, depth: usize, out: &mut String) {
    out.push('{');
    space(r, out);
    for i in 0..r.next(6) {
        if i > 0 {
            out.push(',');
            space(r, out);
        }
        out.push('"');
        out.push_str(r.pick(KEYS));
        out.push('"');
        space(r, out);
        out.push(':');
        space(r, out);
        value(r, depth, out);
        space(r, out);
    }
    out.push('}');
}

/// What a decode gave: the error, or every output of the buffer.
type Outcome = Result<(Vec<SlotRange>, Vec<Value>, Vec<u32>, String, String), DecodeError>;

fn decode(p: &Projection, line: &[u8], fast: bool) -> Outcome {
    decode_counted(p, line, fast, &mut 0)
}

/// [`decode`], adding 1 to `taken` when the optimistic pass decoded the line.
fn decode_counted(p: &Projection, line: &[u8], fast: bool, taken: &mut usize) -> Outcome {
    let mut buf = EventBuf::new();
    buf.line.extend_from_slice(line);
    let mut d = Decoder::new();
    let r = d.decode_with(p, &mut buf, fast);
    *taken += d.fast_taken;
    r?;
    Ok((buf.slots, buf.values, buf.pos, buf.scratch, buf.text))
}

fn projections() -> Vec<Projection> {
    let sets: [&[(&str, SlotKind)]; 4] = [
        &[
            ("a", SlotKind::Plain),
            ("b.c", SlotKind::Plain),
            ("n", SlotKind::Plain),
        ],
        &[
            ("a.b", SlotKind::Plain),
            ("a.b.c", SlotKind::Plain),
            ("ip", SlotKind::Ip),
            ("ts", SlotKind::Date),
            ("x", SlotKind::Plain),
            ("é", SlotKind::Plain),
        ],
        &[
            ("a", SlotKind::Date),
            ("b", SlotKind::Ip),
            ("c", SlotKind::Plain),
            ("a", SlotKind::Plain),
            ("long_key_name_x", SlotKind::Plain),
        ],
        &[],
    ];
    sets.iter()
        .map(|s| {
            let owned: Vec<_> = s.iter().map(|(p, k)| (p.to_string(), *k)).collect();
            Projection::new(&owned)
        })
        .collect()
}

#[test]
fn the_optimistic_pass_agrees_with_the_exact_parser() {
    let projs = projections();
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    let (mut lines, mut valid, mut taken) = (0, 0, 0);
    for _ in 0..4000 {
        let mut doc = String::new();
        space(&mut r, &mut doc);
        object(&mut r, 0, &mut doc);
        space(&mut r, &mut doc);
        let mut variants = vec![doc.clone().into_bytes()];
        let b = doc.as_bytes();
        // Damaged copies: cut short, a byte replaced or inserted, something appended.
        let at = r.next(b.len());
        variants.push(b[..at].to_vec());
        let mut v = b.to_vec();
        v[at] = b"\"\\{}[],: x0\t\xff"[r.next(13)];
        variants.push(v);
        let mut v = b.to_vec();
        v.insert(at, b"\"\\{}[],:-.e0"[r.next(12)]);
        variants.push(v);
        let mut v = b.to_vec();
        v.extend_from_slice([&b"x"[..], b"{}", b" ", b","][r.next(4)]);
        variants.push(v);
        for line in &variants {
            for p in &projs {
                let fast = decode_counted(p, line, true, &mut taken);
                let exact = decode(p, line, false);
                assert_eq!(fast, exact, "{}", String::from_utf8_lossy(line));
                lines += 1;
                valid += usize::from(exact.is_ok());
            }
        }
    }
    assert!(lines > 50_000, "{lines}");
    // Most valid lines are decoded by the optimistic pass (it declines escaped keys and
    // escaped strings after whitespace, and never takes an invalid line).
    assert!(
        taken * 10 > valid * 8 && taken <= valid,
        "{taken} of {valid}"
    );
}

#[test]
fn deep_nesting_gives_the_same_errors() {
    let p = &projections()[0];
    for d in [62, 63, 64, 65, 100, 509, 510, 511, 512, 513] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let inner = format!("{}1{}", open.repeat(d), close.repeat(d));
            for line in [
                format!("{{\"a\":{inner}}}"),
                format!("{{\"zz\":{inner}}}"),
                format!("{{\"b\":{{\"c\":{inner}}}}}"),
            ] {
                let (fast, exact) = (
                    decode(p, line.as_bytes(), true),
                    decode(p, line.as_bytes(), false),
                );
                assert_eq!(fast, exact, "{d} {line}");
            }
        }
    }
}

/// The JSON text of a kept value, to compare with `serde_json`'s reading of the same line.
fn json_of(v: Value, text: &str, scratch: &str) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => b.into(),
        Value::Int(i) => (i as f64 + 0.0).into(),
        Value::Float(f) => (f + 0.0).into(),
        Value::Str(s) => {
            let src = if s.scratch { scratch } else { text };
            let (a, n) = (s.start as usize, s.len as usize);
            src.get(a..a + n).unwrap_or("<bad range>").into()
        }
        other => format!("{other:?}").into(),
    }
}

/// Every scalar reached by `path` (dotted keys not split, arrays flattened), in document order.
fn serde_values(v: &serde_json::Value, path: &[&str], out: &mut Vec<serde_json::Value>) {
    match v {
        serde_json::Value::Array(a) => a.iter().for_each(|e| serde_values(e, path, out)),
        serde_json::Value::Object(m) => {
            if let Some((first, rest)) = path.split_first() {
                if let Some(next) = m.get(*first) {
                    serde_values(next, rest, out);
                }
            }
        }
        // Numbers as f64 (without the sign of zero), as the decoder's integers compare.
        serde_json::Value::Number(n) if path.is_empty() => out.push(
            n.as_f64()
                .map_or(serde_json::Value::Null, |f| (f + 0.0).into()),
        ),
        scalar if path.is_empty() => out.push(scalar.clone()),
        _ => {}
    }
}

#[test]
fn valid_documents_agree_with_serde_json() {
    // Nested keys only, no duplicates (serde_json keeps the last), plain slots.
    let p = Projection::new(&[
        ("a".to_string(), SlotKind::Plain),
        ("b.c".to_string(), SlotKind::Plain),
    ]);
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut checked = 0;
    for _ in 0..3000 {
        let mut doc = String::new();
        object(&mut r, 0, &mut doc);
        let Ok(parsed) = serde_json::from_str::<serde_json::Value>(&doc) else {
            continue;
        };
        let keys = |v: &serde_json::Value| v.as_object().map_or(0, |m| m.len());
        let Ok((slots, values, _, scratch, text)) = decode(&p, doc.as_bytes(), true) else {
            panic!("{doc}");
        };
        // Skip documents with repeated keys (serde_json keeps only the last of them).
        // and documents with dotted keys (the decoder splits them, serde_json does not).
        let dotted = doc.contains("\"a.b") || doc.contains("\"b.c");
        if dotted
            || doc.matches("\"a\"").count() > 1
            || doc.matches("\"b\"").count() > 1
            || keys(&parsed) == 0
        {
            continue;
        }
        for (slot, path) in [(0, &["a"][..]), (1, &["b", "c"][..])] {
            let mut want = Vec::new();
            serde_values(&parsed, path, &mut want);
            let r = slots[slot];
            let got: Vec<_> = values[r.start as usize..(r.start + r.len) as usize]
                .iter()
                .filter(|v| !matches!(v, Value::Object))
                .map(|&v| json_of(v, &text, &scratch))
                .collect();
            assert_eq!(got, want, "{doc}");
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked}");
}

/// One decoder and one buffer serve random lines (valid and damaged) under projections of
/// several sizes in turn, the wide one twice with the same slots reordered, so that slots are
/// reset both all at once and only those the line before named, and keys are checked against
/// hints that lines before left (and another projection's): every decode gives what the exact
/// parser gives in a fresh buffer, slots, values, positions, text and the bitmap of filled
/// slots.
#[test]
fn a_reused_buffer_decodes_as_a_fresh_one() {
    let mut projs = projections();
    let mut wide: Vec<(String, SlotKind)> = (0..60)
        .map(|i| (format!("f{i}"), SlotKind::Plain))
        .collect();
    for p in [
        "a", "b.c", "a.b", "a.b.c", "ip", "ts", "x", "é", "a", "n", "c",
    ] {
        let kind = match p {
            "ip" => SlotKind::Ip,
            "ts" => SlotKind::Date,
            _ => SlotKind::Plain,
        };
        wide.push((p.to_string(), kind));
    }
    let mut tracked = Projection::new(&wide);
    tracked.set_track_filled(true);
    assert!(tracked.hinted());
    projs.push(tracked);
    wide.reverse();
    projs.push(Projection::new(&wide));
    let mut r = Rng(0xD1B5_4A32_D192_ED03);
    let mut d = Decoder::new();
    let mut buf = EventBuf::new();
    let mut listed = 0;
    for i in 0..6000 {
        let mut doc = String::new();
        object(&mut r, 0, &mut doc);
        let mut line = doc.into_bytes();
        if i % 5 == 4 {
            let at = r.next(line.len());
            line.truncate(at);
        }
        let p = &projs[if i % 3 == 0 {
            r.next(projs.len())
        } else {
            4 + i % 2
        }];
        listed += usize::from(
            buf.slots.len() == p.len() && buf.reset.slot_of.len() + buf.reset.bare.len() < p.len(),
        );
        // The exact parser, in a fresh buffer (the wide projections' optimistic pass checks
        // keys against the hints the lines before left).
        let mut fresh = EventBuf::new();
        fresh.line.extend_from_slice(&line);
        let want = Decoder::new().decode_with(p, &mut fresh, false);
        buf.line.clear();
        buf.line.extend_from_slice(&line);
        let got = d.decode(p, &mut buf);
        let text = String::from_utf8_lossy(&line);
        assert_eq!(got, want, "{text}");
        assert_eq!(buf.slots, fresh.slots, "{text}");
        assert_eq!(buf.values, fresh.values, "{text}");
        assert_eq!(buf.pos, fresh.pos, "{text}");
        assert_eq!(buf.scratch, fresh.scratch, "{text}");
        assert_eq!(buf.text, fresh.text, "{text}");
        assert_eq!(buf.filled, fresh.filled, "{text}");
    }
    assert!(listed > 2000, "{listed}");
}
