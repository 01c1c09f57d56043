//! `eqlvm bench`: throughput of a compiled rule set (or one query) over an NDJSON file held in
//! memory — (a) decoding only the fields the rules reference, (b) full evaluation, (c) the
//! evaluation part of (b) alone (events decoded in small batches outside the timer) — each run
//! several times, reported as medians, with the ratio b/a and the peak resident memory. The file
//! is held as read, in one buffer; the timed loops copy each line into the event buffer, as a
//! reader would, and ask the CPU to fetch the next line while the current one is worked on.

use crate::input::{load_rules, CmdResult};
use eqlvm::bytecode::Program;
use eqlvm::emit::{Emitter, QueryOptions};
use eqlvm::pipeline::{compile_rules, CompileOptions};
use eqlvm::planner::{plan_text, PlanOptions};
use eqlvm::vm::decode::{Decoder, Projection};
use eqlvm::vm::engine::{Engine, EngineOptions};
use eqlvm::vm::event::EventBuf;
use eqlvm::vm::reorder::prefetch;
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
    stages_skipped: u64,
    guarded: u64,
}

/// The non-blank lines of an NDJSON file, without line endings, held in one buffer (the file
/// as read, so that the lines lie one after the other in memory, as in a reader's buffer).
struct Lines {
    data: Vec<u8>,
    /// Where each line starts and ends in `data`.
    spans: Vec<(usize, usize)>,
}

impl Lines {
    fn len(&self) -> usize {
        self.spans.len()
    }

    /// The lines in order.
    fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.spans
            .iter()
            .map(|&(start, end)| self.data.get(start..end).unwrap_or_default())
    }

    /// The lines in order, each handed out once the CPU was asked to load the next one
    /// ([`prefetch`]), as the timed loops read them.
    fn iter_prefetching(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut next = self.iter().skip(1);
        self.iter().inspect(move |_| {
            if let Some(n) = next.next() {
                prefetch(n);
            }
        })
    }
}

fn read_lines(path: &Path) -> CmdResult<(Lines, u64)> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes = data.len() as u64;
    let mut spans = Vec::new();
    let mut start = 0;
    for piece in data.split(|&b| b == b'\n') {
        let end = start + piece.len();
        let line = piece.strip_suffix(b"\r").unwrap_or(piece);
        if !line.iter().all(u8::is_ascii_whitespace) {
            spans.push((start, start + line.len()));
        }
        start = end + 1;
    }
    Ok((Lines { data, spans }, bytes))
}

/// Kept out of line so that profilers can measure the whole decode-only loop
/// (`--toggle-collect='*decode_pass*'`).
#[inline(never)]
fn decode_pass(proj: &Projection, lines: &Lines) -> Pass {
    let mut decoder = Decoder::new();
    let mut buf = EventBuf::new();
    let mut bad = 0;
    let t = Instant::now();
    for l in lines.iter_prefetching() {
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

fn full_pass(engine: &mut Engine, lines: &Lines) -> Pass {
    let mut out = Vec::new();
    let mut bad = 0;
    let mut matches = 0u64;
    let t = Instant::now();
    for l in lines.iter_prefetching() {
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
        stages_skipped: engine.stats.stages_skipped,
        guarded: engine.stats.guarded,
    }
}

/// Events decoded per batch in pass (c): few enough that a batch stays in cache, as an event
/// does between decoding and evaluation in a real run.
const BATCH: usize = 64;

/// Pass (c): decodes the lines in batches (not timed) and times only their evaluation.
fn evaluate_pass(engine: &mut Engine, lines: &Lines) -> Pass {
    let mut decoder = Decoder::new();
    let mut bufs: Vec<EventBuf> = (0..BATCH).map(|_| EventBuf::new()).collect();
    let mut out = Vec::new();
    let mut matches = 0u64;
    let mut secs = 0.0;
    let lines: Vec<&[u8]> = lines.iter().collect();
    for chunk in lines.chunks(BATCH) {
        let mut ready = 0;
        for &l in chunk {
            let buf = &mut bufs[ready];
            buf.line.clear();
            buf.line.extend_from_slice(l);
            if decoder.decode(engine.projection(), buf).is_ok() {
                ready += 1;
            }
        }
        let t = Instant::now();
        for b in &mut bufs[..ready] {
            engine.process_decoded(b, &mut out);
            matches += out.len() as u64;
            out.clear();
        }
        secs += t.elapsed().as_secs_f64();
    }
    let t = Instant::now();
    engine.finish(&mut out);
    secs += t.elapsed().as_secs_f64();
    matches += out.len() as u64;
    Pass {
        secs,
        matches,
        stages_run: engine.stats.stages_run,
        stages_skipped: engine.stats.stages_skipped,
        ..Pass::default()
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

/// What to measure: rule files, or one query.
pub enum Subject<'a> {
    Rules(&'a [PathBuf]),
    Query(&'a str),
}

/// The program of the subject, and a line describing it.
fn compile(subject: &Subject<'_>, opts: &CompileOptions) -> CmdResult<(Program, String)> {
    match subject {
        Subject::Rules(paths) => {
            let set = load_rules(paths);
            let load_errors = set.errors().count();
            let compiled = compile_rules(set.rules, opts);
            if compiled.rules.is_empty() {
                return Err("no rule compiled; nothing to measure".into());
            }
            let what = format!(
                "{} rules ({} failed to compile, {load_errors} file errors)",
                compiled.rules.len(),
                compiled.failed.len()
            );
            Ok((compiled.program, what))
        }
        Subject::Query(text) => {
            let planned = plan_text(text, &opts.schema, &PlanOptions::default()).map_err(|d| {
                d.iter()
                    .map(|d| d.render("<query>", text))
                    .collect::<String>()
            })?;
            let mut emitter = Emitter::new();
            emitter.add(&planned.plan, &QueryOptions::new("query", *text));
            Ok((emitter.finish(), "1 query".to_string()))
        }
    }
}

/// `eqlvm bench (--rules PATH… | --query TEXT) EVENTS [--runs N]`.
pub fn bench(
    subject: &Subject<'_>,
    opts: &CompileOptions,
    events: &Path,
    runs: usize,
    stage_stats: usize,
) -> CmdResult<ExitCode> {
    let (program, what) = compile(subject, opts)?;
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
        "eqlvm bench: {what}, {} fields, {} events, {:.1} MB",
        fields.len(),
        lines.len(),
        mb
    );
    let runs = runs.max(1);
    let probe =
        Engine::new(program.clone(), &EngineOptions::default()).map_err(|e| e.to_string())?;
    let stages = program.stage_count();
    match probe.prefilter() {
        Some(p) => eprintln!(
            "eqlvm bench: the literal prefilter guards {} of {stages} stages",
            p.guarded_stages()
        ),
        None => eprintln!(
            "eqlvm bench: no literal prefilter ({stages} stage{}: too few can be guarded to pay \
             for probing){}",
            if stages == 1 { "" } else { "s" },
            if probe.front_guarded() {
                "; the union of the stages' first tests is tried before the category"
            } else {
                ""
            }
        ),
    }
    let (mut dec, mut full, mut eval) = (Vec::new(), Vec::new(), Vec::new());
    let (mut bad, mut matches, mut stages_run, mut skipped, mut guarded) = (0, 0, 0, 0, 0);
    let new_engine =
        || Engine::new(program.clone(), &EngineOptions::default()).map_err(|e| e.to_string());
    // Alternate the measurements so that machine noise hits them alike.
    for _ in 0..runs {
        let a = decode_pass(&proj, &lines);
        dec.push(a.secs);
        let b = full_pass(&mut new_engine()?, &lines);
        full.push(b.secs);
        let c = evaluate_pass(&mut new_engine()?, &lines);
        eval.push(c.secs);
        if c.matches != b.matches {
            return Err(format!(
                "evaluation of decoded events found {} matches, the full run {}",
                c.matches, b.matches
            ));
        }
        bad = a.bad.max(b.bad);
        matches = b.matches;
        stages_run = b.stages_run;
        skipped = b.stages_skipped;
        guarded = b.guarded;
    }
    let (a, b, c) = (median(dec), median(full), median(eval));
    let row = |name: &str, secs: f64| {
        println!(
            "{name:<22} {:>12.0} events/s {:>9.1} MB/s  (median of {runs}: {:.4} s)",
            n / secs,
            mb / secs,
            secs
        );
    };
    row("(a) decode only", a);
    row("(b) full evaluation", b);
    row("(c) evaluation only", c);
    println!(
        "b/a throughput ratio   {:.3}   (full evaluation runs at {:.1}% of decode-only speed)",
        a / b,
        100.0 * a / b
    );
    println!(
        "matches {matches}, bad lines {bad}, stage predicates run {:.1} per event \
         ({:.1} more not run: sequence stages with no state to change; {:.1}% of events \
         settled by first tests alone)",
        stages_run as f64 / n.max(1.0),
        skipped as f64 / n.max(1.0),
        100.0 * guarded as f64 / n.max(1.0)
    );
    match peak_rss_kb() {
        Some(kb) => println!("peak memory (VmHWM) {:.1} MB", kb as f64 / 1024.0),
        None => println!("peak memory (VmHWM) unavailable"),
    }
    if stage_stats > 0 {
        let mut engine = new_engine()?;
        engine.set_stage_profile(true);
        full_pass(&mut engine, &lines);
        print_stage_stats(&engine, stage_stats, n);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `top` stages by predicate runs, with their rule and what the prefilter indexed.
fn print_stage_stats(engine: &Engine, top: usize, n: f64) {
    let p = engine.program();
    let prof = engine.stage_profile();
    let total: u64 = prof.iter().map(|s| s.runs).sum();
    println!(
        "stage predicate runs: {:.2} per event over {} stages; the top {top}:",
        total as f64 / n.max(1.0),
        prof.len()
    );
    println!(
        "{:>8} {:>7} {:>7}  rule [stage]: indexed",
        "runs/ev", "true %", "cum %"
    );
    let mut cum = 0;
    for s in prof.iter().take(top) {
        cum += s.runs;
        let name = p
            .queries
            .get(s.query as usize)
            .map_or("?", |q| q.name.as_str());
        let stage = if s.stage == u32::MAX {
            "until".to_string()
        } else {
            s.stage.to_string()
        };
        let indexed = if s.indexed.is_empty() {
            "(not guarded)".to_string()
        } else {
            format!("{} (+{} filters)", s.indexed.join(" AND "), s.filters)
        };
        let others: Vec<&String> = s.known.iter().filter(|k| !s.indexed.contains(k)).collect();
        let others = match others.len() {
            0 => String::new(),
            _ => format!(
                " | also required: {}",
                others
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" AND ")
            ),
        };
        println!(
            "{:>8.4} {:>7.2} {:>7.1}  {name} [{stage}]: {indexed}{others}",
            s.runs as f64 / n.max(1.0),
            100.0 * s.trues as f64 / s.runs.max(1) as f64,
            100.0 * cum as f64 / total.max(1) as f64,
        );
    }
}
