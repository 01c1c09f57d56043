//! The sequence engine on the first seed rule's shape ("Potential Reverse Shell": a shell's
//! outbound connection, then an interactive shell it spawns, by host and process): (a) matching
//! alone over events decoded beforehand, (b) decoding and matching. Events are made here: a
//! deterministic mix over 200 hosts of shell connections, interactive shells (some of them the
//! children of those connections, some strays), other processes, other connections and file
//! events.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use eql_emit::{Emitter, QueryOptions};
use eql_planner::{plan_text, PlanOptions, Schema};
use eql_vm::engine::{Engine, EngineOptions};
use eql_vm::event::EventBuf;

const QUERY: &str = r#"sequence by host.id with maxspan=5s
  [network where event.type == "start" and host.os.type == "linux" and
     event.action in ("connection_attempted", "connection_accepted") and
     process.name : ("bash", "dash", "sh", "tcsh", "csh", "zsh", "ksh", "fish", "socat") and
     destination.ip != null and not cidrmatch(destination.ip, "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "::1")]
   by process.entity_id
  [process where event.type == "start" and host.os.type == "linux" and event.action in ("exec", "fork") and
     process.name in ("bash", "dash", "sh", "tcsh", "csh", "zsh", "ksh", "fish") and
     (process.args : ("-i", "-l") or (process.parent.name == "socat" and process.parent.args : "*exec*"))]
   by process.parent.entity_id"#;

const EVENTS: usize = 50_000;

/// Event `i` of the stream, as an NDJSON line.
fn event(i: usize) -> String {
    // Ten consecutive events per host, so a host's connection and its child come close.
    let host = (i / 10) % 200;
    let ts = format!(
        "2024-05-21T{:02}:{:02}:{:02}.{:03}Z",
        (i / 3_600_000) % 24,
        (i / 60_000) % 60,
        (i / 1000) % 60,
        i % 1000
    );
    let head =
        format!(r#"{{"@timestamp":"{ts}","host":{{"id":"h{host}","os":{{"type":"linux"}}}},"#);
    // A third of the interactive shells are children of the shell that connected two events
    // (2 ms) earlier on the same host; the others have an unrelated parent.
    let shell = if (i / 10).is_multiple_of(3) {
        format!("p{}", i.saturating_sub(2))
    } else {
        format!("q{i}")
    };
    match i % 10 {
        0 => format!(
            r#"{head}"event":{{"category":["network"],"type":["start"],"action":"connection_attempted"}},"process":{{"name":"bash","entity_id":"p{i}"}},"destination":{{"ip":"203.0.113.{}"}}}}"#,
            i % 250
        ),
        2 => format!(
            r#"{head}"event":{{"category":["process"],"type":["start"],"action":"exec"}},"process":{{"name":"bash","args":["bash","-i"],"entity_id":"c{i}","parent":{{"entity_id":"{shell}","name":"bash"}}}}}}"#
        ),
        3 | 5 => format!(
            r#"{head}"event":{{"category":["process"],"type":["start"],"action":"exec"}},"process":{{"name":"python3","args":["python3","job.py"],"entity_id":"c{i}","parent":{{"entity_id":"x{i}","name":"systemd"}}}}}}"#
        ),
        4 | 7 => format!(
            r#"{head}"event":{{"category":["network"],"type":["start"],"action":"connection_attempted"}},"process":{{"name":"curl","entity_id":"n{i}"}},"destination":{{"ip":"10.1.2.{}"}}}}"#,
            i % 250
        ),
        _ => format!(
            r#"{head}"event":{{"category":["file"],"type":["change"],"action":"modification"}},"file":{{"path":"/var/log/app/{i}.log"}},"process":{{"name":"app","entity_id":"f{i}"}}}}"#
        ),
    }
}

fn engine() -> Engine {
    let planned = plan_text(QUERY, &Schema::builtin(), &PlanOptions::default())
        .unwrap_or_else(|d| panic!("{d:?}"));
    let mut emitter = Emitter::new();
    emitter.add(&planned.plan, &QueryOptions::new("seed", QUERY));
    Engine::new(emitter.finish(), &EngineOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn bench_sequence(c: &mut Criterion) {
    let lines: Vec<String> = (0..EVENTS).map(event).collect();
    let proto = engine();
    let mut decoder = eql_vm::decode::Decoder::new();
    let decoded: Vec<EventBuf> = lines
        .iter()
        .map(|l| {
            let mut b = EventBuf::new();
            b.line.extend_from_slice(l.as_bytes());
            decoder
                .decode(proto.projection(), &mut b)
                .unwrap_or_else(|e| panic!("{e}: {l}"));
            b
        })
        .collect();
    // Both ways find the same, non-trivial number of sequences.
    let count = |e: &mut Engine, bufs: &mut [EventBuf]| {
        let mut out = Vec::new();
        let mut n = 0;
        for b in bufs.iter_mut() {
            e.process_decoded(b, &mut out);
            n += out.len();
            out.clear();
        }
        e.finish(&mut out);
        n + out.len()
    };
    let mut bufs = decoded;
    let found = count(&mut engine(), &mut bufs);
    assert!(found > 100, "{found} sequences");
    let mut group = c.benchmark_group("sequence_reverse_shell");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("match_decoded", |b| {
        b.iter_batched(
            engine,
            |mut e| assert_eq!(count(&mut e, &mut bufs), found),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("decode_and_match", |b| {
        b.iter_batched(
            engine,
            |mut e| {
                let mut out = Vec::new();
                let mut n = 0;
                for l in &lines {
                    let line = e.line_mut();
                    line.clear();
                    line.extend_from_slice(l.as_bytes());
                    if e.process(&mut out).is_ok() {
                        n += out.len();
                        out.clear();
                    }
                }
                e.finish(&mut out);
                assert_eq!(n + out.len(), found);
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_sequence);
criterion_main!(benches);
