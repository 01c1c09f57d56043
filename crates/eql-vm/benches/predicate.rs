//! The predicate VM against a hand-written Rust function for the same predicate (the second
//! seed rule, "Potential Reverse Shell Activity via Terminal") over the same decoded events.
//! Events: `EQLVM_BENCH_EVENTS` (an NDJSON file, e.g. from `eqlvm gen`) or the sample events.
//! As in a real run, each predicate meets events just decoded: the events are decoded in
//! batches (`EQLVM_BENCH_BATCH`, default 64) outside the timer, then both predicates run over
//! the same batch, still in cache. (Over 20 000 events decoded up front, both would mostly
//! wait for memory.) Smaller batches come closer to a run, where each event is evaluated
//! right after it is decoded, but add the timer's own cost to both sides.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use eql_emit::{Emitter, QueryOptions};
use eql_planner::{plan_text, PlanOptions, Schema};
use eql_vm::decode::{Decoder, Projection};
use eql_vm::event::{EventBuf, Value};
use eql_vm::machine::{Loaded, Machine};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Events decoded per batch, unless `EQLVM_BENCH_BATCH` says otherwise.
const BATCH: usize = 64;

const QUERY: &str = r#"process where event.type in ("start", "process_started") and
  process.name in ("sh", "bash", "zsh", "dash", "zmodload") and
  process.args : ("*/dev/tcp/*", "*/dev/udp/*", "*zsh/net/tcp*", "*zsh/net/udp*") and
  not (process.parent.name : "timeout" and process.executable : "/var/lib/docker/overlay*") and
  not process.command_line : ("*/dev/tcp/sirh_db/*", "*/dev/tcp/remoteiot.com/*", "*dev/tcp/elk.stag.one/*", "*dev/tcp/kafka/*", "*/dev/tcp/$0/$1*", "*/dev/tcp/127.*", "*/dev/udp/127.*", "*/dev/tcp/localhost/*") and
  not process.parent.command_line : "runc init""#;

/// Slot numbers of the fields the hand-written predicate reads.
struct Slots {
    ty: usize,
    name: usize,
    args: usize,
    parent_name: usize,
    exe: usize,
    cmd: usize,
    parent_cmd: usize,
}

fn strs<'a>(ev: &'a EventBuf, slot: usize) -> impl Iterator<Item = &'a str> + 'a {
    ev.slot(slot).iter().filter_map(move |v| match v {
        Value::Str(s) => Some(ev.str(*s)),
        _ => None,
    })
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// The rule's predicate written by hand, with the same "any element" semantics.
fn by_hand(ev: &EventBuf, s: &Slots) -> bool {
    let any = |slot, f: &dyn Fn(&str) -> bool| strs(ev, slot).any(f);
    any(s.ty, &|v| v == "start" || v == "process_started")
        && any(s.name, &|v| {
            ["sh", "bash", "zsh", "dash", "zmodload"].contains(&v)
        })
        && any(s.args, &|v| {
            ["/dev/tcp/", "/dev/udp/", "zsh/net/tcp", "zsh/net/udp"]
                .iter()
                .any(|n| contains_ci(v, n))
        })
        && !(any(s.parent_name, &|v| v.eq_ignore_ascii_case("timeout"))
            && any(s.exe, &|v| {
                v.as_bytes()
                    .get(..23)
                    .is_some_and(|p| p.eq_ignore_ascii_case(b"/var/lib/docker/overlay"))
            }))
        && !any(s.cmd, &|v| {
            [
                "/dev/tcp/sirh_db/",
                "/dev/tcp/remoteiot.com/",
                "dev/tcp/elk.stag.one/",
                "dev/tcp/kafka/",
                "/dev/tcp/$0/$1",
                "/dev/tcp/127.",
                "/dev/udp/127.",
                "/dev/tcp/localhost/",
            ]
            .iter()
            .any(|n| contains_ci(v, n))
        })
        && !any(s.parent_cmd, &|v| v.eq_ignore_ascii_case("runc init"))
}

fn events() -> Vec<Vec<u8>> {
    let path = std::env::var("EQLVM_BENCH_EVENTS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/data/reverse_shell_events.ndjson"
        )
        .into()
    });
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .take(20_000)
        .map(<[u8]>::to_vec)
        .collect()
}

fn bench_predicate(c: &mut Criterion) {
    let planned = plan_text(QUERY, &Schema::builtin(), &PlanOptions::default()).expect("plans");
    let mut emitter = Emitter::new();
    emitter.add(&planned.plan, &QueryOptions::new("q", QUERY));
    let program = emitter.finish();
    let slot = |path: &str| {
        program
            .fields
            .iter()
            .position(|f| f.path == path)
            .unwrap_or(usize::MAX)
    };
    let slots = Slots {
        ty: slot("event.type"),
        name: slot("process.name"),
        args: slot("process.args"),
        parent_name: slot("process.parent.name"),
        exe: slot("process.executable"),
        cmd: slot("process.command_line"),
        parent_cmd: slot("process.parent.command_line"),
    };
    let fields: Vec<_> = program
        .fields
        .iter()
        .map(|f| (f.path.clone(), f.kind))
        .collect();
    let proj = Projection::new(&fields);
    let block = match &program.queries[0].kind {
        eql_bytecode::QueryKind::Event(s) => s.predicate,
        _ => panic!("an event query"),
    };
    let loaded = Loaded::new(program).expect("loads");
    let lines = events();
    let batch = std::env::var("EQLVM_BENCH_BATCH")
        .ok()
        .and_then(|b| b.parse::<usize>().ok())
        .filter(|&b| b > 0)
        .unwrap_or(BATCH);
    let mut decoder = Decoder::new();
    let mut bufs: Vec<EventBuf> = (0..batch).map(|_| EventBuf::new()).collect();
    // Runs `f` over every batch of events just decoded; returns the hits and the time `f` took.
    let mut timed = |f: &mut dyn FnMut(&[EventBuf]) -> usize| {
        let (mut hits, mut took) = (0, Duration::ZERO);
        for chunk in lines.chunks(batch) {
            for (b, line) in bufs.iter_mut().zip(chunk) {
                b.line.clear();
                b.line.extend_from_slice(line);
                decoder.decode(&proj, b).expect("decodes");
            }
            let t = Instant::now();
            hits += f(&bufs[..chunk.len()]);
            took += t.elapsed();
        }
        (hits, took)
    };
    let mut machine = Machine::new();
    let mut vm = |evs: &[EventBuf]| {
        evs.iter()
            .filter(|e| machine.run(&loaded, block, black_box(e)).is_true())
            .count()
    };
    let mut hand = |evs: &[EventBuf]| evs.iter().filter(|e| by_hand(black_box(e), &slots)).count();
    let (vm_hits, _) = timed(&mut vm);
    let (hand_hits, _) = timed(&mut hand);
    assert_eq!(
        vm_hits, hand_hits,
        "the VM and the hand-written predicate disagree"
    );
    assert!(
        vm_hits > 0,
        "no event matches; the comparison would be one-sided"
    );
    let mut group = c.benchmark_group("predicate_reverse_shell_via_terminal");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("vm", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| timed(&mut vm).1).sum())
    });
    group.bench_function("hand_written", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| timed(&mut hand).1).sum())
    });
    group.finish();
}

criterion_group!(benches, bench_predicate);
criterion_main!(benches);
