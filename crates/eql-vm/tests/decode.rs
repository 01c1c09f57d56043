//! Integration tests of the event decoder through its public API: shapes, conversions, buffer
//! reuse, a differential check against serde_json, hostile inputs and every error kind.

use eql_vm::decode::{decode, DecodeError, DecodeErrorKind, Decoder, Projection, MAX_DEPTH};
use eql_vm::event::{EventBuf, SlotKind, Value};

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

fn s(x: &str) -> V {
    V::S(x.to_string())
}

fn plain(paths: &[&str]) -> Projection {
    let fields: Vec<_> = paths
        .iter()
        .map(|p| (p.to_string(), SlotKind::Plain))
        .collect();
    Projection::new(&fields)
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

fn load(buf: &mut EventBuf, line: &[u8]) {
    buf.line.clear();
    buf.line.extend_from_slice(line);
}

fn ok(p: &Projection, line: &str) -> EventBuf {
    let mut buf = EventBuf::new();
    load(&mut buf, line.as_bytes());
    decode(p, &mut buf).unwrap_or_else(|e| panic!("{line}: {e}"));
    buf
}

fn err(p: &Projection, line: &[u8]) -> DecodeError {
    let mut buf = EventBuf::new();
    load(&mut buf, line);
    let e = decode(p, &mut buf).expect_err("the line must be rejected");
    assert!(buf.values.is_empty() && buf.slots.iter().all(|r| !r.present && r.len == 0));
    e
}

/// A Windows process start as Elastic Defend writes it.
const WINDOWS: &str = r#"{"@timestamp":"2024-05-21T10:14:07.512Z","agent":{"id":"5b1d7e2a-9c3f-4e8b-a6d0-71f2c4e9b803","type":"endpoint","version":"8.13.2"},"data_stream":{"dataset":"endpoint.events.process","namespace":"default","type":"logs"},"ecs":{"version":"8.10.0"},"elastic":{"agent":{"id":"5b1d7e2a-9c3f-4e8b-a6d0-71f2c4e9b803"}},"event":{"action":"start","agent_id_status":"verified","category":["process"],"created":"2024-05-21T10:14:07.512Z","dataset":"endpoint.events.process","id":"NSEyGb8vmT4vT3Hk+++++Bq2","ingested":"2024-05-21T10:14:09Z","kind":"event","module":"endpoint","outcome":"unknown","sequence":208127,"type":["start"]},"host":{"architecture":"x86_64","hostname":"WKS-FIN-042","id":"9c4e7b1a-2d5f-4a8e-b3c6-0f1e2d3c4b5a","ip":["10.1.42.17","fe80::8d1c:4a2b:9e3f:1c07"],"mac":["00-50-56-a1-2b-3c"],"name":"wks-fin-042","os":{"Ext":{"variant":"Windows 10 Enterprise"},"family":"windows","full":"Windows 10 Enterprise 22H2 (10.0.19045.4291)","kernel":"22H2 (10.0.19045.4291)","name":"Windows","platform":"windows","type":"windows","version":"22H2"}},"message":"Endpoint process event","process":{"Ext":{"ancestry":["MTVhZjE0OWEtNjQ1OS00OTEyLTk3NjctZmE0YjE0MjEtNjIzNi0xMzM2MDAwMDAw","MTVhZjE0OWEtNjQ1OS00OTEyLTk3NjctZmE0YjE0MjEtNTQ4LTEzMzU5MDAwMDA="],"code_signature":[{"exists":true,"status":"trusted","subject_name":"Microsoft Windows","trusted":true}],"token":{"elevation":false,"elevation_type":"limited","integrity_level_name":"medium"}},"args":["C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","-NoProfile","-ExecutionPolicy","Bypass","-EncodedCommand","SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA="],"args_count":6,"code_signature":{"exists":true,"status":"trusted","subject_name":"Microsoft Windows","trusted":true},"command_line":"\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoProfile -ExecutionPolicy Bypass -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=","entity_id":"MTVhZjE0OWEtNjQ1OS00OTEyLTk3NjctZmE0YjE0MjEtNzcxMi0xMzM2MDcyNDQ0Nw==","executable":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","hash":{"md5":"7353f60b1739074eb17c5f4dddefe239","sha1":"6cbce4a295c163791b60fc23d285e6d84f28ee4c","sha256":"de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c"},"name":"powershell.exe","parent":{"args":["C:\\Windows\\Explorer.EXE"],"args_count":1,"command_line":"C:\\Windows\\Explorer.EXE","entity_id":"MTVhZjE0OWEtNjQ1OS00OTEyLTk3NjctZmE0YjE0MjEtNjIzNi0xMzM2MDAwMDAw","executable":"C:\\Windows\\explorer.exe","name":"explorer.exe","pid":6236},"pe":{"company":"Microsoft Corporation","description":"Windows PowerShell","file_version":"10.0.19041.3996","original_file_name":"PowerShell.EXE","product":"Microsoft® Windows® Operating System"},"pid":7712,"working_directory":"C:\\Users\\j.doe\\"},"user":{"domain":"CORP","id":"S-1-5-21-1004336348-1177238915-682003330-1104","name":"j.doe"}}"#;

#[test]
fn nested_dotted_mixed_and_repeated() {
    let p = plain(&["process.parent.name", "process.parent", "event.category"]);
    let b = ok(
        &p,
        r#"{"process.parent.name":"a","process":{"parent":{"name":"b"},"parent.name":["c"]},
            "event":{"category":"x"},"event.category":["y","z"]}"#,
    );
    assert_eq!(values(&b, 0), [s("a"), s("b"), s("c")]);
    assert_eq!(values(&b, 1), [V::Obj]);
    assert_eq!(values(&b, 2), [s("x"), s("y"), s("z")]);
}

#[test]
fn elasticsearch_style_array_flattening() {
    let p = plain(&["threat.tactic.id", "threat.tactic", "dns.answers.data"]);
    let b = ok(
        &p,
        r#"{"threat":[{"tactic":{"id":"TA0002","name":"Execution"}},{"tactic":{"id":["TA0005"]}}],
            "dns":{"answers":[[{"data":"1.2.3.4"}],{"data":"5.6.7.8","ttl":30}]}}"#,
    );
    assert_eq!(values(&b, 0), [s("TA0002"), s("TA0005")]);
    assert_eq!(values(&b, 1), [V::Obj, V::Obj]);
    assert_eq!(values(&b, 2), [s("1.2.3.4"), s("5.6.7.8")]);
}

#[test]
fn whitespace_everywhere() {
    let p = plain(&["a.b", "c"]);
    let b = ok(
        &p,
        " \t{ \"a\" : { \"b\" : [ 1 , 2 ] } ,\r\n \"c\" : \"x\" , \"d\" : [ { } ] }\r\n",
    );
    assert_eq!(values(&b, 0), [V::I(1), V::I(2)]);
    assert_eq!(values(&b, 1), [s("x")]);
}

#[test]
fn ip_and_date_slots() {
    let fields = [
        ("source.ip".to_string(), SlotKind::Ip),
        ("@timestamp".to_string(), SlotKind::Date),
        ("event.created".to_string(), SlotKind::Date),
    ];
    let p = Projection::new(&fields);
    let b = ok(
        &p,
        r#"{"source":{"ip":["192.168.1.1","2001:db8::1","bogus"]},"@timestamp":"2024-05-21T10:00:00.123456789+02:00","event":{"created":1716285600000}}"#,
    );
    assert_eq!(
        values(&b, 0),
        [
            V::Ip("192.168.1.1".into()),
            V::Ip("2001:db8::1".into()),
            s("bogus")
        ]
    );
    assert_eq!(values(&b, 1), [V::D(1_716_278_400_123_456_789)]);
    assert_eq!(values(&b, 2), [V::D(1_716_285_600_000_000_000)]);
}

#[test]
fn one_buffer_across_events_of_different_shape() {
    let p = plain(&["a", "b.c", "d"]);
    let mut d = Decoder::new();
    let mut buf = EventBuf::new();
    let events: &[(&str, [Option<Vec<V>>; 3])] = &[
        (
            r#"{"a":[1,2,3],"b":{"c":"x\u00e9"},"d":null}"#,
            [
                Some(vec![V::I(1), V::I(2), V::I(3)]),
                Some(vec![s("xé")]),
                Some(vec![V::Null]),
            ],
        ),
        (r#"{"b.c":"y"}"#, [None, Some(vec![s("y")]), None]),
        (r#"{"zzz":{"a":1}}"#, [None, None, None]),
        (
            r#"{"d":[],"a":"\"q\""}"#,
            [Some(vec![s("\"q\"")]), None, Some(vec![])],
        ),
        (r#"{"a":"#, [None, None, None]),
        (
            r#"{"b":{"c":[true,false]},"a":1.5}"#,
            [
                Some(vec![V::F(1.5)]),
                Some(vec![V::B(true), V::B(false)]),
                None,
            ],
        ),
    ];
    for (line, want) in events {
        load(&mut buf, line.as_bytes());
        let res = d.decode(&p, &mut buf);
        assert_eq!(res.is_ok(), !line.ends_with(':'), "{line}");
        assert_eq!(buf.slots.len(), 3);
        for (slot, w) in want.iter().enumerate() {
            assert_eq!(buf.present(slot), w.is_some(), "{line} slot {slot}");
            assert_eq!(
                values(&buf, slot),
                w.clone().unwrap_or_default(),
                "{line} slot {slot}"
            );
        }
        let total: u32 = buf.slots.iter().map(|r| r.len).sum();
        assert_eq!(total as usize, buf.values.len(), "{line}: no stray values");
    }
}

#[test]
fn big_unprojected_subtrees_are_skipped() {
    let p = plain(&["keep", "x.keep"]);
    let mut line = String::from(r#"{"skip":["#);
    for i in 0..20_000 {
        line.push_str(&format!(
            r#"{{"k{i}":[{i},"v\"{i}",{{"deep":[[[null]]]}}],"keep":0}},"#
        ));
    }
    line.push_str(r#"{}],"x":{"other":{"keep":1},"keep":2},"keep":"yes"}"#);
    let b = ok(&p, &line);
    assert_eq!(values(&b, 0), [s("yes")]);
    assert_eq!(values(&b, 1), [V::I(2)]);
    assert_eq!(b.values.len(), 2);
}

#[test]
fn ten_megabyte_strings() {
    let big = "ab\u{e9}".repeat(10 * 1024 * 1024 / 4);
    let p = plain(&["big", "esc"]);
    let line = format!(r#"{{"skipped":"{big}","big":"{big}","esc":"\n{big}","end":1}}"#);
    let b = ok(&p, &line);
    assert_eq!(values(&b, 0), [V::S(big.clone())]);
    assert_eq!(values(&b, 1), [V::S(format!("\n{big}"))]);
}

#[test]
fn nesting_limit_without_stack_overflow() {
    let p = plain(&["a.a.a", "a"]);
    for (open, close) in [("[", "]"), (r#"{"a":"#, "}")] {
        for key in ["a", "zzz"] {
            let n = 100_000;
            let line = format!(r#"{{"{key}":{}1{}}}"#, open.repeat(n), close.repeat(n));
            let e = err(&p, line.as_bytes());
            assert_eq!(
                e.kind,
                DecodeErrorKind::TooDeep { limit: MAX_DEPTH },
                "{key} {open}"
            );
        }
    }
    // Exactly at the limit decodes (the top-level object is level 1); one more level does not.
    let depth = MAX_DEPTH - 1;
    let line = format!(r#"{{"a":{}7{}}}"#, "[".repeat(depth), "]".repeat(depth));
    assert_eq!(values(&ok(&p, &line), 1), [V::I(7)]);
    let line = format!(r#"{{"z":{}7{}}}"#, "[".repeat(depth), "]".repeat(depth));
    assert!(ok(&p, &line).values.is_empty());
    let line = format!(
        r#"{{"a":{}7{}}}"#,
        "[".repeat(depth + 1),
        "]".repeat(depth + 1)
    );
    assert!(matches!(
        err(&p, line.as_bytes()).kind,
        DecodeErrorKind::TooDeep { .. }
    ));
}

#[test]
fn error_kinds_and_offsets() {
    use DecodeErrorKind as K;
    let p = plain(&["a", "b.c"]);
    let cases: &[(&[u8], usize, DecodeErrorKind)] = &[
        (b"{\"a\":\"x\xff\"}", 7, K::InvalidUtf8),
        (
            b"",
            0,
            K::Truncated {
                expected: "an object",
            },
        ),
        (
            b"   ",
            3,
            K::Truncated {
                expected: "an object",
            },
        ),
        (b"[1]", 0, K::NotAnObject { found: "'['" }),
        (b"\"str\"", 0, K::NotAnObject { found: "a string" }),
        (b"42", 0, K::NotAnObject { found: "a number" }),
        (b"{\"a\":1} x", 8, K::TrailingData),
        (b"{\"a\":1}{}", 7, K::TrailingData),
        (
            b"{\"a\":1",
            6,
            K::Truncated {
                expected: "',' or '}'",
            },
        ),
        (b"{\"a\"", 4, K::Truncated { expected: "':'" }),
        (
            b"{\"a\":[1,",
            8,
            K::Truncated {
                expected: "a value",
            },
        ),
        (
            b"{\"z\":[1,{",
            9,
            K::Truncated {
                expected: "a closing bracket",
            },
        ),
        (b"{\"a\":\"abc", 5, K::UnterminatedString),
        (b"{\"z\":\"abc", 5, K::UnterminatedString),
        (b"{\"z\":[\"ab\\", 6, K::UnterminatedString),
        (b"{\"a\":\"a\\qb\"}", 7, K::InvalidEscape),
        (b"{\"a\\x\":1}", 3, K::InvalidEscape),
        (b"{\"a\":tru}", 5, K::InvalidToken),
        (
            b"{\"a\":01}",
            6,
            K::Unexpected {
                found: "a number",
                expected: "',' or '}'",
            },
        ),
        (
            b"{\"a\" 1}",
            5,
            K::Unexpected {
                found: "a number",
                expected: "':'",
            },
        ),
        (
            b"{\"a\":1 \"b\":2}",
            7,
            K::Unexpected {
                found: "a string",
                expected: "',' or '}'",
            },
        ),
        (
            b"{\"a\":1,}",
            7,
            K::Unexpected {
                found: "'}'",
                expected: "a key",
            },
        ),
        (
            b"{\"a\":[1,]}",
            8,
            K::Unexpected {
                found: "']'",
                expected: "a value",
            },
        ),
        (
            b"{\"a\":[1}",
            7,
            K::Unexpected {
                found: "'}'",
                expected: "',' or ']'",
            },
        ),
        (
            b"{1:2}",
            1,
            K::Unexpected {
                found: "a number",
                expected: "a key",
            },
        ),
        (
            b"{\"a\":}",
            5,
            K::Unexpected {
                found: "'}'",
                expected: "a value",
            },
        ),
        (
            b"{\"z\":[1}",
            7,
            K::Unexpected {
                found: "'}'",
                expected: "']'",
            },
        ),
        (
            b"{\"z\":{\"q\":]}",
            10,
            K::Unexpected {
                found: "']'",
                expected: "'}'",
            },
        ),
    ];
    for (line, offset, kind) in cases {
        let e = err(&p, line);
        let shown = String::from_utf8_lossy(line);
        assert_eq!((&e.kind, e.offset), (kind, *offset), "{shown}: {e}");
    }
    let e = err(&p, b"{\"a\":\"x\xff\"}");
    assert_eq!(e.to_string(), "invalid UTF-8 at byte 7");
}

#[test]
fn every_truncation_of_a_real_event_is_an_error() {
    let p = sample_projection();
    let line = WINDOWS.trim_end();
    let mut d = Decoder::new();
    let mut buf = EventBuf::new();
    for cut in 0..line.len() {
        if !line.is_char_boundary(cut) {
            continue;
        }
        load(&mut buf, &line.as_bytes()[..cut]);
        assert!(
            d.decode(&p, &mut buf).is_err(),
            "prefix of {cut} bytes accepted"
        );
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let p = sample_projection();
    let line = WINDOWS.trim_end().as_bytes();
    let mut d = Decoder::new();
    let mut buf = EventBuf::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = (seed % line.len() as u64) as usize;
        let bytes = b"{}[]\":,\\ 0-eE.u\xc3\xff";
        let byte = bytes[(seed >> 32) as usize % bytes.len()];
        load(&mut buf, line);
        buf.line[at] = byte;
        if (seed >> 40) % 3 == 1 {
            buf.line.truncate(at + 1);
        }
        if d.decode(&p, &mut buf).is_ok() {
            let total: u32 = buf.slots.iter().map(|r| r.len).sum();
            assert_eq!(total as usize, buf.values.len());
        }
    }
}

fn sample_projection() -> Projection {
    let paths = [
        "@timestamp",
        "event.category",
        "event.type",
        "event.action",
        "host.os.type",
        "host.ip",
        "host.name",
        "user.name",
        "user.domain",
        "process.name",
        "process.executable",
        "process.args",
        "process.args_count",
        "process.command_line",
        "process.pid",
        "process.hash.sha256",
        "process.code_signature.trusted",
        "process.Ext.code_signature",
        "process.Ext.token",
        "process.parent.name",
        "process.parent.args",
        "process.pe.product",
        "process",
        "message",
        "host.os.Ext.variant",
        "event.sequence",
    ];
    plain(&paths)
}

/// The values Elasticsearch would index under `path`, read from serde_json's tree.
fn reference(v: &serde_json::Value, path: &str, out: &mut Vec<V>) {
    use serde_json::Value as J;
    match v {
        J::Array(items) => items.iter().for_each(|i| reference(i, path, out)),
        J::Object(map) => {
            for (k, child) in map {
                if k == path {
                    leaf(child, out);
                } else if let Some(rest) = path
                    .strip_prefix(k.as_str())
                    .and_then(|r| r.strip_prefix('.'))
                {
                    reference(child, rest, out);
                }
            }
        }
        _ => {}
    }
}

fn leaf(v: &serde_json::Value, out: &mut Vec<V>) {
    use serde_json::Value as J;
    match v {
        J::Null => out.push(V::Null),
        J::Bool(b) => out.push(V::B(*b)),
        J::Number(n) => out.push(
            n.as_i64()
                .map_or_else(|| V::F(n.as_f64().unwrap_or(f64::NAN)), V::I),
        ),
        J::String(x) => out.push(s(x)),
        J::Array(items) => items.iter().for_each(|i| leaf(i, out)),
        J::Object(_) => out.push(V::Obj),
    }
}

#[test]
fn matches_serde_json_on_a_real_event() {
    let p = sample_projection();
    let b = ok(&p, WINDOWS);
    let tree: serde_json::Value = serde_json::from_str(WINDOWS).expect("valid JSON");
    let mut nonempty = 0;
    for slot in 0..p.len() {
        let path = p.path(slot).expect("slot path");
        let mut want = Vec::new();
        reference(&tree, path, &mut want);
        assert_eq!(values(&b, slot), want, "{path}");
        nonempty += usize::from(!want.is_empty());
    }
    assert!(nonempty >= 24, "only {nonempty} fields found");
}

/// Found by the `decode` fuzz target (its `{}` seed) after the line moved into `text` on
/// success: decoding the same buffer again needs the line put back, and then decodes alike.
#[test]
fn a_decoded_line_moves_to_text_and_can_be_decoded_again() {
    let p = plain(&["a"]);
    let mut d = Decoder::new();
    let mut buf = EventBuf::new();
    load(&mut buf, br#"{"a":"x"}"#);
    d.decode(&p, &mut buf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(buf.text(), r#"{"a":"x"}"#);
    assert!(buf.line.is_empty(), "the line now lives in text");
    // Without the line, there is nothing to decode: a clear error, not the old values.
    let e = d.decode(&p, &mut buf).expect_err("an empty line");
    assert_eq!(
        e.to_string(),
        "truncated document, expected an object at byte 0"
    );
    assert!(buf.slot(0).is_empty() && buf.text().is_empty());
    // A failed line stays in `line`; put back, a good line decodes as before.
    load(&mut buf, b"{");
    assert!(d.decode(&p, &mut buf).is_err());
    assert_eq!(buf.take_line(), b"{");
    load(&mut buf, br#"{"a":"x"}"#);
    d.decode(&p, &mut buf).unwrap_or_else(|e| panic!("{e}"));
    let line = buf.take_line();
    assert_eq!(line, br#"{"a":"x"}"#);
    buf.line = line;
    d.decode(&p, &mut buf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(values(&buf, 0), vec![V::S("x".into())]);
}
