//! Fuzz target: the event decoder on arbitrary bytes, with a projection that covers plain,
//! IP and date slots, nested and dotted paths. A decoded event's slots must be readable.
#![no_main]

use eqlvm::bytecode::SlotKind;
use eqlvm::vm::decode::{Decoder, Projection};
use eqlvm::vm::event::{EventBuf, Value};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static PROJ: OnceLock<Projection> = OnceLock::new();

fn projection() -> Projection {
    let fields: Vec<(String, SlotKind)> = [
        ("@timestamp", SlotKind::Date),
        ("event.category", SlotKind::Plain),
        ("process.name", SlotKind::Plain),
        ("process.args", SlotKind::Plain),
        ("source.ip", SlotKind::Ip),
        ("a", SlotKind::Plain),
        ("a.b", SlotKind::Plain),
        ("a.b.c", SlotKind::Date),
        ("event.category", SlotKind::Plain),
    ]
    .into_iter()
    .map(|(p, k)| (p.to_string(), k))
    .collect();
    Projection::new(&fields)
}

fuzz_target!(|data: &[u8]| {
    let proj = PROJ.get_or_init(projection);
    let mut buf = EventBuf::new();
    buf.line.extend_from_slice(data);
    let mut dec = Decoder::new();
    let ok = dec.decode(proj, &mut buf).is_ok();
    for slot in 0..proj.len() {
        let values = buf.slot(slot);
        if !ok {
            assert!(values.is_empty(), "a failed decode leaves no values");
        }
        for v in values {
            if let Value::Str(s) = v {
                let _ = buf.str(*s);
            }
        }
    }
    // A successful decode moves the line into `text`; a failed one leaves it in `line`.
    if ok {
        assert_eq!(buf.text().as_bytes(), data, "the decoded text is the line");
        assert!(buf.line.is_empty());
    } else {
        assert_eq!(buf.line, data, "a failed line stays where it was");
    }
    // The same buffers decode the line again (reuse after an error or a success), once it is
    // put back in `line`.
    let line = buf.take_line();
    assert_eq!(line, data);
    buf.line = line;
    let again = dec.decode(proj, &mut buf).is_ok();
    assert_eq!(ok, again, "decoding is deterministic");
});
