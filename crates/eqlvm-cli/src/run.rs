//! `eqlvm run` and `eqlvm query`: stream events through a compiled program and write results
//! as JSON lines, reporting bad lines with their position and counting everything.

use crate::input::{compile_options, load_rules, next_line, open_events, CmdResult, EventSource};
use crate::SchemaArgs;
use eqlvm::bytecode::Program;
use eqlvm::emit::{Emitter, QueryOptions};
use eqlvm::planner::{plan_text, Dialect, PlanOptions, UnknownFieldPolicy};
use eqlvm::vm::engine::{Engine, EngineOptions, Match};
use eqlvm::vm::reorder::Reorder;
use std::io::{ErrorKind, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Counts of one run.
#[derive(Default)]
pub(crate) struct Summary {
    pub bad_lines: u64,
    /// Events a sequence had to skip because they carry no timestamp.
    pub no_timestamp: u64,
    /// Events that arrived later than the reorder window allowed (still evaluated).
    pub late: u64,
}

/// How events are fed to the engine.
#[derive(Debug, Clone, Default)]
pub struct StreamOptions {
    /// Buffer events and release them in timestamp order, this many ns behind the latest.
    pub reorder_window_ns: Option<i64>,
}

/// The output buffer of `eqlvm run` and `eqlvm query`: as large as an input buffer, so that
/// the results of an input buffer's lines (an alert is ~3 kB with its rule's metadata) go out
/// in a write or two at its end.
pub(crate) const OUT_BUFFER: usize = 1 << 16;

/// The most lines the reorder buffer holds before it releases the oldest regardless.
const MAX_REORDER_LINES: usize = 1 << 20;

/// Where a line came from: input index and 1-based line number.
pub(crate) type Origin = (usize, u64);

/// What [`each_line`] hands its caller.
pub(crate) enum Feed<'a> {
    /// The next line to evaluate (the callee may take it) and where it came from.
    Line(&'a mut Vec<u8>, Origin),
    /// The input has nothing more buffered: the next read may wait for the producer.
    Idle,
}

/// The reorder buffer for `window_ns`, ordering by the program's timestamp fields.
pub(crate) fn reorder_for(program: &Program, window_ns: Option<i64>) -> Option<Reorder<Origin>> {
    window_ns.map(|w| {
        let mut fields: Vec<String> = Vec::new();
        for q in &program.queries {
            for s in &q.timestamp {
                if let Some(f) = program.fields.get(s.index()) {
                    if !fields.contains(&f.path) {
                        fields.push(f.path.clone());
                    }
                }
            }
        }
        Reorder::<Origin>::new(w, &fields, MAX_REORDER_LINES)
    })
}

/// Reads every source line by line and hands `f` the non-blank lines in the order they are to
/// be evaluated (through `reorder` when given). A read error ends the run with its position.
pub(crate) fn each_line(
    sources: Vec<EventSource>,
    mut reorder: Option<&mut Reorder<Origin>>,
    f: &mut dyn FnMut(Feed<'_>) -> CmdResult<()>,
) -> CmdResult<()> {
    let mut line = Vec::new();
    for (si, mut src) in sources.into_iter().enumerate() {
        let mut lineno = 0u64;
        loop {
            match next_line(&mut src.reader, &mut line) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(format!("{}: read error after line {lineno}: {e}", src.name)),
            }
            lineno += 1;
            if !line.iter().all(|b| b.is_ascii_whitespace()) {
                match &mut reorder {
                    None => f(Feed::Line(&mut line, (si, lineno)))?,
                    Some(r) => {
                        r.push(std::mem::take(&mut line), (si, lineno));
                        while let Some((mut l, origin)) = r.pop() {
                            f(Feed::Line(&mut l, origin))?;
                        }
                    }
                }
            }
            if src.reader.buffer().is_empty() {
                f(Feed::Idle)?;
            }
        }
    }
    if let Some(r) = reorder {
        while let Some((mut l, origin)) = r.drain() {
            f(Feed::Line(&mut l, origin))?;
        }
    }
    Ok(())
}

/// The message for an alert that cannot be written.
pub(crate) fn write_error(e: &std::io::Error) -> String {
    if e.kind() == ErrorKind::BrokenPipe {
        "output closed (broken pipe); stopping".to_string()
    } else {
        format!("cannot write alerts: {e}")
    }
}

/// Where [`stream`] sends its results.
trait Sink {
    /// Writes one result (buffered).
    fn write(&mut self, m: &Match) -> std::io::Result<()>;
    /// Hands what is buffered on to the output.
    fn flush(&mut self) -> std::io::Result<()>;
}

/// Feeds every event of `events` to the engine; `sink` writes each result. Results are
/// flushed whenever the input has nothing more buffered (before a read that may wait for the
/// producer) and at the end: a stream's results come out as soon as its pending lines are
/// evaluated, in one write per input buffer rather than one per result. Bad lines are
/// reported on stderr with their position and counted; the run goes on.
fn stream(
    engine: &mut Engine,
    events: &[PathBuf],
    opts: &StreamOptions,
    sink: &mut dyn Sink,
) -> CmdResult<Summary> {
    let mut summary = Summary::default();
    let mut out = Vec::new();
    let mut reorder = reorder_for(engine.program(), opts.reorder_window_ns);
    let sources = open_events(events)?;
    let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    let fed = each_line(sources, reorder.as_mut(), &mut |feed| {
        let (line, src, lineno) = match feed {
            Feed::Line(line, (src, lineno)) => (line, src, lineno),
            Feed::Idle => return sink.flush().map_err(|e| write_error(&e)),
        };
        let name = names.get(src).map_or("<input>", |n| n.as_str());
        let skipped = engine.stats.no_timestamp;
        std::mem::swap(engine.line_mut(), line);
        let result = engine.process(&mut out);
        std::mem::swap(engine.line_mut(), line);
        let no_timestamp = engine.stats.no_timestamp > skipped;
        if result.is_err() || no_timestamp {
            // The results before this line go out before its report, so that a terminal
            // showing both streams shows them in order.
            sink.flush().map_err(|e| write_error(&e))?;
        }
        if let Err(e) = result {
            summary.bad_lines += 1;
            eprintln!("{name}:{lineno}: bad event: {e}");
        }
        if no_timestamp {
            summary.no_timestamp += 1;
            eprintln!("{name}:{lineno}: event has no usable timestamp; sequences skip it");
        }
        write_all(sink, &mut out)
    });
    if let Err(e) = fed {
        // A read error ends the run, but the alerts already found still go out.
        let _ = sink.flush();
        return Err(e);
    }
    if let Some(r) = &reorder {
        summary.late = r.late;
    }
    engine.finish(&mut out);
    write_all(sink, &mut out)?;
    sink.flush().map_err(|e| write_error(&e))?;
    Ok(summary)
}

/// Writes and drops the results in `out`.
fn write_all(sink: &mut dyn Sink, out: &mut Vec<Match>) -> CmdResult<()> {
    for m in out.drain(..) {
        sink.write(&m).map_err(|e| write_error(&e))?;
    }
    Ok(())
}

/// Compiles the rules under `paths`, reporting every problem; `None` when nothing compiled.
fn compile_set(paths: &[PathBuf], schema: &SchemaArgs) -> CmdResult<eqlvm::pipeline::CompiledSet> {
    let opts = compile_options(schema)?;
    let set = load_rules(paths);
    for d in set.errors() {
        eprint!("{}", d.render());
    }
    if set.has_errors() {
        return Err(format!(
            "{} rule file error(s); nothing was run",
            set.errors().count()
        ));
    }
    let compiled = eqlvm::pipeline::compile_rules(set.rules, &opts);
    for (rule, problems) in &compiled.failed {
        for p in problems {
            eprint!("{}", p.render());
        }
        eprintln!(
            "eqlvm: rule {:?} ({}) does not compile; it is left out",
            rule.name,
            rule.origin.path.display()
        );
    }
    if compiled.rules.is_empty() {
        return Err("no rule compiled; nothing to run".into());
    }
    Ok(compiled)
}

/// `eqlvm compile PATH… -o PACK`: writes the compiled rules as a rule pack.
pub fn compile_pack(
    paths: &[PathBuf],
    schema: &SchemaArgs,
    out: &std::path::Path,
) -> CmdResult<ExitCode> {
    let compiled = compile_set(paths, schema)?;
    let bytes = eqlvm::pipeline::write_pack(&compiled)?;
    std::fs::write(out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "eqlvm: {} rules written to {} ({} bytes)",
        compiled.rules.len(),
        out.display(),
        bytes.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Where `eqlvm run` takes its rules from.
pub enum RuleSource<'a> {
    Rules(&'a [PathBuf]),
    Pack(&'a std::path::Path),
}

/// Engine and stream settings of `eqlvm run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub stream: StreamOptions,
    /// Cap on the state of each sequence and sample query and of the lineage (oldest first);
    /// with several threads, per worker engine.
    pub max_state: Option<usize>,
    /// Worker threads; 1 runs everything on the calling thread (see `parallel`).
    pub threads: usize,
}

pub fn run_rules(
    source: RuleSource<'_>,
    schema: &SchemaArgs,
    events: &[PathBuf],
    opts: &RunOptions,
) -> CmdResult<ExitCode> {
    let (program, rules) = match source {
        RuleSource::Rules(paths) => {
            let compiled = compile_set(paths, schema)?;
            let rules = compiled
                .rules
                .iter()
                .map(|r| serde_json::to_value(r.alert_rule()).map_err(|e| e.to_string()))
                .collect::<CmdResult<Vec<_>>>()?;
            (compiled.program, rules)
        }
        RuleSource::Pack(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let pack = eqlvm::pipeline::read_pack(&bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            (pack.program, pack.rules)
        }
    };
    let rules = eqlvm::pipeline::serialized_rules(&rules)?;
    let totals = if opts.threads > 1 && crate::parallel::splits(&program) {
        crate::parallel::run(program, &rules, events, opts)?
    } else {
        let mut engine = new_engine(program, opts.max_state)?;
        let mut sink = AlertSink {
            w: std::io::BufWriter::with_capacity(OUT_BUFFER, std::io::stdout().lock()),
            rules: &rules,
            alerts: 0,
        };
        let summary = stream(&mut engine, events, &opts.stream, &mut sink)?;
        let stats = engine.stats;
        Totals {
            events_read: stats.events + summary.bad_lines,
            alerts: sink.alerts,
            summary,
            evicted: stats.evicted,
            lineage_evictions: stats.lineage_evictions,
            delayed_forced: stats.delayed_forced,
            sample_evicted: stats.sample_evicted,
        }
    };
    print_summary(rules.len(), &totals);
    Ok(ExitCode::SUCCESS)
}

/// `eqlvm run`'s alerts: each match with its rule's metadata, one JSON line.
struct AlertSink<'a, W: Write> {
    w: W,
    rules: &'a [Box<serde_json::value::RawValue>],
    alerts: u64,
}

impl<W: Write> Sink for AlertSink<'_, W> {
    fn write(&mut self, m: &Match) -> std::io::Result<()> {
        let Some(rule) = self.rules.get(m.query as usize) else {
            return Ok(());
        };
        serde_json::to_writer(&mut self.w, &eqlvm::pipeline::Alert::new(&**rule, m))?;
        self.w.write_all(b"\n")?;
        self.alerts += 1;
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// `eqlvm query`'s results: a single event as it is, a sequence as its join keys and events.
struct QuerySink<W: Write>(W);

impl<W: Write> Sink for QuerySink<W> {
    fn write(&mut self, m: &Match) -> std::io::Result<()> {
        let events: Vec<serde_json::Value> = m
            .events
            .iter()
            .map(|e| match e {
                Some(e) => serde_json::from_str(&e.line).unwrap_or(serde_json::Value::Null),
                None => serde_json::json!({"missing": true}),
            })
            .collect();
        let value = match (m.keys.is_empty(), events.as_slice()) {
            (true, [one]) => one.clone(),
            _ => {
                serde_json::json!({"join_keys": m.keys.iter().map(|k| k.to_json()).collect::<Vec<_>>(), "events": events})
            }
        };
        serde_json::to_writer(&mut self.0, &value)?;
        self.0.write_all(b"\n")
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// An engine for `program` with `eqlvm run`'s state cap.
pub(crate) fn new_engine(program: Program, max_state: Option<usize>) -> CmdResult<Engine> {
    let mut engine_opts = EngineOptions::default();
    if let Some(n) = max_state {
        engine_opts.max_state = n;
    }
    let mut engine = Engine::new(program, &engine_opts).map_err(|e| e.to_string())?;
    if let Some(n) = max_state {
        // The same cap bounds the process lineage `descendant of` / `child of` keep.
        engine.set_lineage_cap(n);
    }
    Ok(engine)
}

/// What the summary line of `eqlvm run` reports.
pub(crate) struct Totals {
    /// Non-blank lines read, bad ones included.
    pub events_read: u64,
    pub alerts: u64,
    pub summary: Summary,
    pub evicted: u64,
    pub lineage_evictions: u64,
    pub delayed_forced: u64,
    pub sample_evicted: u64,
}

fn print_summary(rules: usize, t: &Totals) {
    // Counts that are only worth a word when they are not zero.
    let counts = [
        (
            t.summary.no_timestamp,
            "events without a timestamp skipped by sequences",
        ),
        (t.summary.late, "late events (beyond the reorder window)"),
        (t.evicted, "partial sequences evicted (state cap)"),
        (
            t.delayed_forced,
            "sequences released before their missing-event window closed (state cap)",
        ),
        (t.sample_evicted, "sample keys evicted (state cap)"),
        (
            t.lineage_evictions,
            "processes evicted from lineage (state cap)",
        ),
    ];
    let extra: String = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!(", {n} {what}"))
        .collect();
    eprintln!(
        "eqlvm: {rules} rules, {} events read, {} alerts, {} bad lines{extra}",
        t.events_read, t.alerts, t.summary.bad_lines,
    );
}

/// Parses a duration such as `500ms`, `30s`, `5m`, `2h` or `1d` into nanoseconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (like 500ms, 30s, 5m, 2h)"))?;
    let scale: i64 = match unit {
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" | "" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "d" => 86_400_000_000_000,
        _ => return Err(format!("{text:?}: unknown duration unit {unit:?}")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("{text:?}: duration too long"))
}

pub fn query(
    text: &str,
    events: &[PathBuf],
    schema: &SchemaArgs,
    disasm: bool,
    dialect: Dialect,
) -> CmdResult<ExitCode> {
    let opts = compile_options(schema)?;
    let policy = if opts.strict {
        UnknownFieldPolicy::Error
    } else {
        UnknownFieldPolicy::Warn
    };
    let planned = match plan_text(
        text,
        &opts.schema,
        &PlanOptions::default()
            .with_unknown_fields(policy)
            .with_dialect(dialect),
    ) {
        Ok(p) => p,
        Err(diags) => {
            for d in &diags {
                eprint!("{}", d.render("<query>", text));
            }
            return Ok(ExitCode::from(1));
        }
    };
    for w in &planned.warnings {
        eprint!("{}", w.render("<query>", text));
    }
    let mut emitter = Emitter::new();
    emitter.add(&planned.plan, &QueryOptions::new("query", text));
    let program = emitter.finish();
    if disasm {
        eprint!("{}", eqlvm::bytecode::disasm::disassemble(&program));
    }
    let mut engine = Engine::new(program, &EngineOptions::default()).map_err(|e| e.to_string())?;
    let mut sink = QuerySink(std::io::BufWriter::with_capacity(
        OUT_BUFFER,
        std::io::stdout().lock(),
    ));
    stream(&mut engine, events, &StreamOptions::default(), &mut sink)?;
    Ok(ExitCode::SUCCESS)
}
