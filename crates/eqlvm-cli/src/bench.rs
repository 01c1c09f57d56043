//! `eqlvm bench`: throughput of a compiled rule set over an NDJSON file held in memory —
//! (a) decoding only the fields the rules reference, (b) full evaluation — each run several
//! times, reported as medians, with the ratio b/a and the peak resident memory.

use crate::input::{load_rules, CmdResult};
use eqlvm::pipeline::{compile_rules, CompileOptions};
use eqlvm::vm::decode::{Decoder, Projection};
use eqlvm::vm::engine::{Engine, EngineOptions};
use eqlvm::vm::event::EventBuf;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// What one timed pass saw.
#[derive(Debug, Clone, Copy, Default)]
struct Pass {
    secs: f64,
    bad: u64,
    matches: u64,
    stages_run: u64,
}

/// The non-blank lines of an NDJSON file, without line endings.
fn read_lines(path: &Path) -> CmdResult<(Vec<Vec<u8>>, u64)> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes = data.len() as u64;
    let lines = data
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(<[u8]>::to_vec)
        .collect();
    Ok((lines, bytes))
}

fn decode_pass(proj: &Projection, lines: &[Vec<u8>]) -> Pass {
    let mut decoder = Decoder::new();
    let mut buf = EventBuf::new();
    let mut bad = 0;
    let t = Instant::now();
    for l in lines {
        buf.line.clear();
        buf.line.extend_from_slice(l);
        if decoder.decode(proj, &mut buf).is_err() {
            bad += 1;
        }
    }
    Pass {
        secs: t.elapsed().as_secs_f64(),
        bad,
        ..Pass::default()
    }
}

fn full_pass(engine: &mut Engine, lines: &[Vec<u8>]) -> Pass {
    let mut out = Vec::new();
    let mut bad = 0;
    let mut matches = 0u64;
    let t = Instant::now();
    for l in lines {
        let line = engine.line_mut();
        line.clear();
        line.extend_from_slice(l);
        if engine.process(&mut out).is_err() {
            bad += 1;
        }
        matches += out.len() as u64;
        out.clear();
    }
    engine.finish(&mut out);
    matches += out.len() as u64;
    Pass {
        secs: t.elapsed().as_secs_f64(),
        bad,
        matches,
        stages_run: engine.stats.stages_run,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Peak resident set size in kB (`VmHWM` of /proc/self/status), when the system tells.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `eqlvm bench --rules PATH… EVENTS [--runs N]`.
pub fn bench(
    rules: &[PathBuf],
    opts: &CompileOptions,
    events: &Path,
    runs: usize,
) -> CmdResult<ExitCode> {
    let set = load_rules(rules);
    let load_errors = set.errors().count();
    let compiled = compile_rules(set.rules, opts);
    if compiled.rules.is_empty() {
        return Err("no rule compiled; nothing to measure".into());
    }
    let program = compiled.program;
    let fields: Vec<_> = program
        .fields
        .iter()
        .map(|f| (f.path.clone(), f.kind))
        .collect();
    let proj = Projection::new(&fields);
    let (lines, bytes) = read_lines(events)?;
    let n = lines.len() as f64;
    let mb = bytes as f64 / 1e6;
    eprintln!(
        "eqlvm bench: {} rules ({} failed to compile, {load_errors} file errors), {} fields, {} events, {:.1} MB",
        compiled.rules.len(),
        compiled.failed.len(),
        fields.len(),
        lines.len(),
        mb
    );
    let runs = runs.max(1);
    let (mut dec, mut full) = (Vec::new(), Vec::new());
    let (mut bad, mut matches, mut stages_run) = (0, 0, 0);
    // Alternate the two measurements so that machine noise hits both alike.
    for _ in 0..runs {
        let a = decode_pass(&proj, &lines);
        dec.push(a.secs);
        let mut engine =
            Engine::new(program.clone(), &EngineOptions::default()).map_err(|e| e.to_string())?;
        let b = full_pass(&mut engine, &lines);
        full.push(b.secs);
        bad = a.bad.max(b.bad);
        matches = b.matches;
        stages_run = b.stages_run;
    }
    let (a, b) = (median(dec), median(full));
    let row = |name: &str, secs: f64| {
        println!(
            "{name:<22} {:>12.0} events/s {:>9.1} MB/s  (median of {runs}: {:.3} s)",
            n / secs,
            mb / secs,
            secs
        );
    };
    row("(a) decode only", a);
    row("(b) full evaluation", b);
    println!(
        "b/a throughput ratio   {:.3}   (full evaluation runs at {:.1}% of decode-only speed)",
        a / b,
        100.0 * a / b
    );
    println!(
        "matches {matches}, bad lines {bad}, stage predicates run {:.1} per event",
        stages_run as f64 / n.max(1.0)
    );
    match peak_rss_kb() {
        Some(kb) => println!("peak memory (VmHWM) {:.1} MB", kb as f64 / 1024.0),
        None => println!("peak memory (VmHWM) unavailable"),
    }
    Ok(ExitCode::SUCCESS)
}
