//! A lane: an engine restricted to some queries, turning what each line produces into alerts
//! (already as JSON text, with what the merge needs to put them in the single-threaded order)
//! and stderr reports; and the worker thread that runs a lane over batches of lines.

use super::plan::{part_of, Place, Route};
use crate::run::Origin;
use eqlvm::vm::engine::keys::{KeyTuple, Ordinal};
use eqlvm::vm::engine::{Engine, Match};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;

/// Lines read together, shared by every host engine's thread (each evaluates those routed to
/// it).
#[derive(Default)]
pub struct Batch {
    text: Vec<u8>,
    lines: Vec<LineRec>,
}

struct LineRec {
    /// Where the line ends in `text` (it starts where the previous one ends).
    end: usize,
    info: LineInfo,
}

impl Batch {
    pub fn push(&mut self, line: &[u8], info: LineInfo) {
        self.text.extend_from_slice(line);
        self.lines.push(LineRec {
            end: self.text.len(),
            info,
        });
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// When, within its line, an engine produced a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// While evaluating the line's stages (in query order).
    Stages,
    /// Moving the clock of sequences with a trailing missing stage, after every query.
    Clock,
    /// At the end of input.
    Finish,
}

/// One alert as written, with its place in the output order.
pub struct Alert {
    /// The line that produced it (`u64::MAX` at the end of input).
    pub n: u64,
    pub phase: Phase,
    pub query: u32,
    /// For queries split across groups: what orders results of one query that several groups
    /// produce for the same line (the first event's ordinal, then the join key), as one
    /// engine orders them; at the end of input, the key alone.
    pub tie: Option<(Option<Ordinal>, KeyTuple)>,
    /// The alert line, or why it could not be made.
    pub json: Result<String, String>,
}

/// What a line report says (bad lines first when a line has both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKind {
    BadLine,
    NoTimestamp,
}

/// A stderr report about one line, as it is printed.
pub struct Note {
    pub n: u64,
    pub kind: NoteKind,
    pub text: String,
}

/// What a worker sends per batch, then once at the end.
pub enum Report {
    Batch {
        alerts: Vec<Alert>,
        notes: Vec<Note>,
    },
    Done {
        alerts: Vec<Alert>,
        evicted: u64,
        lineage_evictions: u64,
        delayed_forced: u64,
        sample_evicted: u64,
    },
}

/// Which events a worker evaluates.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    /// Group `i` of `parts`: the events routed to it, for the queries that split by host.
    Group { i: usize, parts: usize },
    /// Every event, for the queries that need them all.
    Global,
}

/// An engine restricted to some queries and what it needs to turn results into reports.
pub struct Lane {
    pub engine: Engine,
    pub role: Role,
    pub places: Arc<Vec<Place>>,
    /// Alert metadata per query.
    pub rules: Arc<Vec<Box<serde_json::value::RawValue>>>,
    /// Input names, for reports.
    pub names: Arc<Vec<String>>,
    out: Vec<Match>,
}

/// Where a line sits in the run.
#[derive(Debug, Clone, Copy)]
pub struct LineInfo {
    /// Its place in the evaluation order.
    pub n: u64,
    pub origin: Origin,
    pub route: Route,
}

impl Lane {
    pub fn new(
        mut engine: Engine,
        role: Role,
        places: Arc<Vec<Place>>,
        rules: Arc<Vec<Box<serde_json::value::RawValue>>>,
        names: Arc<Vec<String>>,
    ) -> Lane {
        engine.defer_clock();
        Lane {
            engine,
            role,
            places,
            rules,
            names,
            out: Vec::new(),
        }
    }

    /// True when this lane evaluates lines with `route`.
    pub fn evaluates(&self, route: Route) -> bool {
        match self.role {
            Role::Group { i, .. } => route.mask & (1 << i) != 0,
            Role::Global => true,
        }
    }

    /// Evaluates the line in `line` (left behind as [`Engine::process`] leaves it), adding its
    /// alerts and reports. Returns whether it decoded; its fields are then in
    /// [`Engine::event`].
    pub fn eval(
        &mut self,
        line: &mut Vec<u8>,
        info: &LineInfo,
        alerts: &mut Vec<Alert>,
        notes: &mut Vec<Note>,
    ) -> bool {
        // Arrival numbers order events of equal timestamps: use the run's numbering so that
        // results of different engines compare as one engine's would.
        self.engine.stats.events = info.n;
        let skipped = self.engine.stats.no_timestamp;
        std::mem::swap(self.engine.line_mut(), line);
        let mut out = std::mem::take(&mut self.out);
        let mut stages_end = 0;
        let decoded = match self.engine.process(&mut out) {
            Ok(()) => {
                stages_end = out.len();
                self.engine.tick(&mut out);
                true
            }
            Err(e) => {
                if self.reports_for(info.route) {
                    notes.push(self.note(info, NoteKind::BadLine, &format!("bad event: {e}")));
                }
                false
            }
        };
        std::mem::swap(self.engine.line_mut(), line);
        if self.engine.stats.no_timestamp > skipped {
            let what = "event has no usable timestamp; sequences skip it";
            notes.push(self.note(info, NoteKind::NoTimestamp, what));
        }
        for (k, m) in out.drain(..).enumerate() {
            let phase = if k < stages_end {
                Phase::Stages
            } else {
                Phase::Clock
            };
            if let Some(a) = self.alert(&m, info.n, phase, info.route) {
                alerts.push(a);
            }
        }
        self.out = out;
        decoded
    }

    /// End of input (unless `aborted`): the last results and the engine's counts.
    pub fn finish(&mut self, aborted: bool) -> Report {
        let mut alerts = Vec::new();
        if !aborted {
            let mut out = std::mem::take(&mut self.out);
            self.engine.finish(&mut out);
            let route = Route {
                primary: usize::MAX,
                mask: 0,
            };
            for m in out.drain(..) {
                if let Some(a) = self.alert(&m, u64::MAX, Phase::Finish, route) {
                    alerts.push(a);
                }
            }
        }
        let stats = self.engine.stats;
        Report::Done {
            alerts,
            evicted: stats.evicted,
            lineage_evictions: stats.lineage_evictions,
            delayed_forced: stats.delayed_forced,
            sample_evicted: stats.sample_evicted,
        }
    }

    /// Whether this lane reports the line's decoding errors (its primary group does).
    fn reports_for(&self, route: Route) -> bool {
        matches!(self.role, Role::Group { i, .. } if i == route.primary)
    }

    fn note(&self, info: &LineInfo, kind: NoteKind, what: &str) -> Note {
        let (src, lineno) = info.origin;
        let name = self.names.get(src).map_or("<input>", |n| n.as_str());
        Note {
            n: info.n,
            kind,
            text: format!("{name}:{lineno}: {what}"),
        }
    }

    /// The alert for `m`, or `None` when it is not this lane's to report: a group reports
    /// per-event results of the events it is primary for, and joined results of the keys it
    /// owns (an event with several `host.id` values also reaches groups that do not own
    /// every key it joins under there).
    fn alert(&self, m: &Match, n: u64, phase: Phase, route: Route) -> Option<Alert> {
        let rule = self.rules.get(m.query as usize)?;
        let place = self.places.get(m.query as usize).copied()?;
        let tie = match (self.role, place) {
            (Role::Global, _) | (_, Place::Global) => None,
            (Role::Group { i, .. }, Place::PerEvent) => {
                if route.primary != i {
                    return None;
                }
                None
            }
            (Role::Group { i, parts }, Place::ByKey(pos)) => {
                if m.keys.get(pos).map(|k| part_of(k, parts)) != Some(i) {
                    return None;
                }
                let first = match phase {
                    Phase::Finish => None,
                    _ => m.events.iter().flatten().next().map(|e| e.ord.clone()),
                };
                Some((first, m.keys.clone()))
            }
        };
        let json = serde_json::to_string(&eqlvm::pipeline::Alert::new(&**rule, m))
            .map_err(|e| format!("cannot write alerts: {e}"));
        Some(Alert {
            n,
            phase,
            query: m.query,
            tie,
            json,
        })
    }
}

/// Runs `lane` on its own thread over the lines of each batch routed to it, until the reader
/// hangs up; then finishes (unless `aborted` is set). Stops early when the merge is gone.
pub fn work(
    mut lane: Lane,
    id: usize,
    aborted: Arc<AtomicBool>,
    batches: Receiver<Arc<Batch>>,
    reports: Sender<(usize, Report)>,
) {
    let mut line = Vec::new();
    while let Ok(batch) = batches.recv() {
        let mut alerts = Vec::new();
        let mut notes = Vec::new();
        let mut start = 0;
        for rec in &batch.lines {
            let text = batch.text.get(start..rec.end).unwrap_or_default();
            start = rec.end;
            if !lane.evaluates(rec.info.route) {
                continue;
            }
            line.clear();
            line.extend_from_slice(text);
            lane.eval(&mut line, &rec.info, &mut alerts, &mut notes);
        }
        if reports.send((id, Report::Batch { alerts, notes })).is_err() {
            return;
        }
    }
    // Nothing is left to do when the merge is gone.
    let _ = reports.send((id, lane.finish(aborted.load(Ordering::SeqCst))));
}
