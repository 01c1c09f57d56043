//! Fuzz target: the rule-pack loader on arbitrary bytes. Even bytes are read as a whole pack
//! (header, checksum); odd ones have their tail framed with a valid header so the fuzzer reaches
//! the payload decoder and the verifier with hand-made programs. Whatever loads is run.
#![no_main]

use eqlvm::bytecode::pack;
use eqlvm::vm::engine::{Engine, EngineOptions};
use libfuzzer_sys::fuzz_target;

const EVENTS: &[&[u8]] = &[
    br#"{"@timestamp":"2024-05-21T09:00:00Z","event":{"category":"process","type":"start"},"process":{"name":"bash","args":["-i"],"pid":1},"host":{"id":"h"}}"#,
    br#"{"@timestamp":"2024-05-21T09:00:01Z","event":{"category":"network","type":"start"},"process":{"name":"nc","pid":1},"destination":{"ip":"10.0.0.1"},"host":{"id":"h"}}"#,
    br#"{"@timestamp":1716282002000,"event":{"category":["process","network"]},"process":{"name":null,"args":[1,"x",{"a":[]}]}}"#,
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let loaded = if mode % 2 == 0 {
        pack::read(rest)
    } else {
        pack::read(&pack::frame(rest))
    };
    let Ok(p) = loaded else {
        return;
    };
    let Ok(mut engine) = Engine::new(p.program, &EngineOptions::default()) else {
        return;
    };
    let mut out = Vec::new();
    for e in EVENTS {
        engine.line_mut().clear();
        engine.line_mut().extend_from_slice(e);
        let _ = engine.process(&mut out);
    }
    engine.finish(&mut out);
});
