//! The engine: runs a whole program over a stream of NDJSON events. Each event is decoded once
//! (only the projected fields), offered only to the stages whose category it carries (a hash
//! lookup per category value), and the stage hits drive the event, sequence and sample
//! machinery of each query; results pass through the query's pipes.

mod admitted;
mod dispatch;
mod front;
mod keyed;
pub mod keys;
pub mod lineage;
pub mod pipes;
pub mod prefilter;
pub mod profile;
pub mod sample;
pub mod sequence;
mod stages;
pub mod subset;

use crate::decode::{DecodeError, Decoder, Projection};
use crate::event::{EventBuf, Value};
use crate::machine::{value_scalar, Guard, LineageView, LoadError, Loaded, Machine, RunCtx};
use dispatch::{Cand, Direct, Dispatch, StageRef, UNTIL};
use eql_bytecode::{Program, QueryKind, StageDef};
use keys::{key_tuples, KeyTuple, KeyVal, Ordinal, StoredEvent};
use pipes::PipeChain;
use prefilter::Prefilter;
use sample::SampleState;
use sequence::{Hits, SequenceState};
use stages::{StageRunner, TrueStages};
use std::sync::Arc;

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Samples built per join key (Elasticsearch's `max_samples_per_key`).
    pub max_samples_per_key: usize,
    /// Most join keys each sequence query keeps partial sequences for; the oldest key is
    /// evicted (and counted in [`Stats::evicted`]) to admit a new one. It also caps each
    /// sequence's completed sequences held back by a trailing missing stage
    /// ([`Stats::delayed_forced`]) and each sample query's join keys ([`Stats::sample_evicted`]).
    pub max_state: usize,
}

/// The default of [`EngineOptions::max_state`].
pub const DEFAULT_MAX_STATE: usize = 100_000;

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            max_samples_per_key: 1,
            max_state: DEFAULT_MAX_STATE,
        }
    }
}

/// A result of one query: its events in stage order (`None` marks a missing-event stage) and
/// its join keys.
#[derive(Debug, Clone)]
pub struct Match {
    pub query: u32,
    pub events: Vec<Option<Arc<StoredEvent>>>,
    pub keys: KeyTuple,
}

/// Counters a run reports.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub events: u64,
    /// Events a sequence query could not place in time (no timestamp field).
    pub no_timestamp: u64,
    pub matches: u64,
    /// Join keys whose partial sequences were evicted by the state cap.
    pub evicted: u64,
    /// Processes the lineage tracker forgot to stay within its cap (`descendant of`).
    pub lineage_evictions: u64,
    /// Stage predicates evaluated (what dispatch, the prefilter and the direct path's guards
    /// left to run).
    pub stages_run: u64,
    /// Events the direct path's guards settled: the first test of every stage they could meet
    /// fails, so no predicate ran (see `engine/dispatch.rs`). Their stages are not counted in
    /// `stages_run`. Never counted while stage profiling is on (guards are not used then).
    pub guarded: u64,
    /// Predicates of sequence stages left to run but not run, as no hit of them could change
    /// the sequence's state (see `StageRunner::idle` in `engine/stages.rs`).
    pub stages_skipped: u64,
    /// Sequences released before their trailing missing stage's window closed, to keep the
    /// held-back ones within the state cap (totalled by [`Engine::finish`]).
    pub delayed_forced: u64,
    /// Sample join keys whose candidates were evicted by the state cap (totalled by
    /// [`Engine::finish`]).
    pub sample_evicted: u64,
}

#[derive(Debug)]
enum State {
    Event,
    Sequence(SequenceState),
    Sample(SampleState),
}

#[derive(Debug)]
struct QueryRt {
    state: State,
    pipes: PipeChain<Match>,
}

/// Fewest guarded stages for which the literal prefilter is used. Below, the few stages of an
/// event's category run directly: most fail at their first field test, which costs less than
/// probing the prefilter's indexes (a hash per indexed value, an automaton pass per field).
const PREFILTER_FROM: usize = 8;

/// Whether probing `pf` per event costs less than running the stages it guards.
fn pays(pf: &Prefilter) -> bool {
    pf.guarded_stages() >= PREFILTER_FROM
}

/// The timestamp of the event in `buf` for query `def` (epoch nanoseconds): its first
/// timestamp field holding a date or integer milliseconds; `None` when it has none.
fn query_timestamp(def: &eql_bytecode::QueryDef, buf: &EventBuf) -> Option<i64> {
    def.timestamp.iter().find_map(|s| {
        buf.slot(s.index()).iter().find_map(|v| match v {
            Value::Date(ns) => Some(*ns),
            Value::Int(ms) => ms.checked_mul(1_000_000),
            _ => None,
        })
    })
}

/// Runs a program over events.
#[derive(Debug)]
pub struct Engine {
    loaded: Loaded,
    machine: Machine,
    projection: Projection,
    decoder: Decoder,
    buf: EventBuf,
    dispatch: Dispatch,
    queries: Vec<QueryRt>,
    /// Sequence queries whose clock must move on every event (trailing missing stages).
    clocked: Vec<u32>,
    refs: Vec<Cand>,
    /// Whether the merging path leaves idle sequence stages unrun ([`Engine::set_stage_gating`]).
    gate: bool,
    tuples: Vec<KeyTuple>,
    /// Rules out stages whose required literals the event lacks (`None`: switched off).
    prefilter: Option<Prefilter>,
    /// The process tree, when some rule uses `descendant of` / `child of`.
    lineage: Option<lineage::Lineage>,
    /// Events of a partial sequence, re-decoded to check a stage's join condition (aliases).
    alias_bufs: Vec<EventBuf>,
    /// The queries this engine runs, when restricted (see `subset.rs`).
    keep: Option<Vec<bool>>,
    /// Clocked queries whose clock the caller moves with `Engine::tick` (see `subset.rs`).
    deferred_clock: Vec<u32>,
    /// Predicate runs and trues per stage, when counting (see `profile.rs`).
    profile: Option<profile::Counts>,
    /// The dispatch's union of the guards, when an event it rules out needs nothing else (no
    /// lineage to track, no clocks to move, no stage profiling): one test in
    /// [`Engine::evaluate`] instead of four. Kept by [`Engine::refresh_front`].
    front: Option<Guard>,
    pub stats: Stats,
}

/// The stage runner over an engine's fields (a macro rather than a method, so that the
/// candidates it runs can stay borrowed from other fields of the engine).
macro_rules! stage_runner {
    ($e:expr) => {
        StageRunner {
            machine: &mut $e.machine,
            loaded: &$e.loaded,
            queries: &$e.queries,
            lineage: $e.lineage.as_ref().map(|l| l as &dyn LineageView),
            profile: $e.profile.as_mut(),
            stages_run: &mut $e.stats.stages_run,
            stages_skipped: &mut $e.stats.stages_skipped,
        }
    };
}

impl Engine {
    pub fn new(program: Program, opts: &EngineOptions) -> Result<Engine, LoadError> {
        let loaded = Loaded::new(program)?;
        let p = &loaded.program;
        let lineage = (!p.lineage.filters.is_empty())
            .then(|| lineage::Lineage::new(lineage::DEFAULT_MAX_PROCESSES));
        let fields: Vec<(String, eql_bytecode::SlotKind)> =
            p.fields.iter().map(|f| (f.path.clone(), f.kind)).collect();
        let mut projection = Projection::new(&fields);
        let prefilter = Some(Prefilter::new(p)).filter(pays);
        // The prefilter probes only the indexed fields an event fills, read off this bitmap.
        projection.set_track_filled(prefilter.is_some());
        let mut queries = Vec::new();
        let mut clocked = Vec::new();
        for (qi, q) in p.queries.iter().enumerate() {
            let state = match &q.kind {
                QueryKind::Event(_) => State::Event,
                QueryKind::Sequence {
                    stages, maxspan_ns, ..
                } => {
                    let missing: Vec<bool> = stages.iter().map(|s| s.missing).collect();
                    if missing.last() == Some(&true) {
                        clocked.push(qi as u32);
                    }
                    State::Sequence(
                        SequenceState::new(&missing, *maxspan_ns).with_max_keys(opts.max_state),
                    )
                }
                QueryKind::Sample { stages } => State::Sample(
                    SampleState::new(stages.len(), opts.max_samples_per_key)
                        .with_max_keys(opts.max_state),
                ),
            };
            queries.push(QueryRt {
                state,
                pipes: PipeChain::new(&q.pipes),
            });
        }
        let mut loaded = loaded;
        // The test order first: the dispatch's guards are the blocks' first tests.
        admitted::order_tests(&mut loaded, prefilter.as_ref());
        let dispatch = Dispatch::new(&loaded, prefilter.as_ref(), None);
        let mut engine = Engine {
            loaded,
            machine: Machine::new(),
            projection,
            decoder: Decoder::new(),
            buf: EventBuf::new(),
            dispatch,
            queries,
            clocked,
            refs: Vec::new(),
            gate: true,
            tuples: Vec::new(),
            prefilter,
            lineage,
            alias_bufs: Vec::new(),
            keep: None,
            deferred_clock: Vec::new(),
            profile: None,
            front: None,
            stats: Stats::default(),
        };
        engine.refresh_front();
        Ok(engine)
    }

    /// Caps the number of processes the lineage tracker remembers (oldest forgotten first).
    pub fn set_lineage_cap(&mut self, cap: usize) {
        if self.lineage.is_some() {
            self.lineage = Some(lineage::Lineage::new(cap));
        }
    }

    /// Records the event's process in the lineage tracker with the lineage filters it matches.
    #[inline(never)]
    fn track_lineage(&mut self, buf: &EventBuf) {
        let Some(tracker) = self.lineage.as_mut() else {
            return;
        };
        let l = &self.loaded.program.lineage;
        let first_str = |slot: Option<eql_bytecode::Slot>| {
            slot.and_then(|s| {
                buf.slot(s.index()).iter().find_map(|v| match v {
                    Value::Str(r) => Some(buf.str(*r)),
                    _ => None,
                })
            })
        };
        let Some(entity) = first_str(l.entity) else {
            return;
        };
        let has_category = |c: &str| {
            l.category.is_some_and(|s| {
                buf.slot(s.index())
                    .iter()
                    .any(|v| matches!(v, Value::Str(r) if buf.str(*r) == c))
            })
        };
        let mut seen = false;
        let mut matched: smallvec::SmallVec<[u32; 4]> = smallvec::SmallVec::new();
        for (i, f) in l.filters.iter().enumerate() {
            if !f.category.as_deref().is_none_or(has_category) {
                continue;
            }
            seen = true;
            if self.machine.run(&self.loaded, f.predicate, buf).is_true() {
                matched.push(i as u32);
            }
        }
        if seen {
            tracker.record(entity, first_str(l.parent), &matched);
            self.stats.lineage_evictions = tracker.evictions;
        }
    }

    /// Switches the literal prefilter on (the default) or off; results are the same either way.
    pub fn set_prefilter(&mut self, on: bool) {
        self.prefilter = Some(Prefilter::new(&self.loaded.program)).filter(|pf| on && pays(pf));
        self.projection.set_track_filled(self.prefilter.is_some());
        admitted::order_tests(&mut self.loaded, self.prefilter.as_ref());
        self.dispatch = Dispatch::new(&self.loaded, self.prefilter.as_ref(), self.keep.as_deref());
        self.refresh_front();
    }

    /// Lets the predicates of sequence stages whose hits could change no state go unrun (the
    /// default), or runs them all. Results for events in timestamp order are the same either
    /// way; [`Stats::stages_skipped`] counts what was left unrun.
    pub fn set_stage_gating(&mut self, on: bool) {
        self.gate = on;
    }

    /// How many stage predicates skip tests their admission by the prefilter proves.
    #[doc(hidden)]
    pub fn assumed_stages(&self) -> usize {
        self.loaded.assumed_blocks()
    }

    /// The prefilter in use, if any.
    pub fn prefilter(&self) -> Option<&Prefilter> {
        self.prefilter.as_ref()
    }

    pub fn program(&self) -> &Program {
        &self.loaded.program
    }

    /// The buffer the next event's line goes into (then call [`Engine::process`]).
    pub fn line_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf.line
    }

    /// Decodes and runs the line in [`Engine::line_mut`]; results go to `out`.
    pub fn process(&mut self, out: &mut Vec<Match>) -> Result<(), DecodeError> {
        self.decoder.decode(&self.projection, &mut self.buf)?;
        // Lent out for the evaluation (which borrows the rest of the engine mutably), then put
        // back for `Engine::event` and `Engine::tick`.
        let buf = std::mem::take(&mut self.buf);
        self.evaluate(&buf, out);
        self.buf = buf;
        Ok(())
    }

    /// Whether the direct dispatch tests one union of its categories' guards before reading
    /// an event's category (every category with stages has guards, all on one field): most
    /// events of a small rule set are then settled by one string lookup.
    pub fn front_guarded(&self) -> bool {
        self.dispatch.front_guarded()
    }

    /// The fields the engine decodes, in slot order.
    pub fn projection(&self) -> &Projection {
        &self.projection
    }

    /// Runs an event already decoded with this engine's [`Engine::projection`] (decoded with
    /// another, it sees the wrong fields); results go to `out`. For measuring evaluation apart
    /// from decoding, and for callers that decode elsewhere.
    pub fn process_decoded(&mut self, buf: &EventBuf, out: &mut Vec<Match>) {
        self.evaluate(buf, out);
    }

    /// [`Engine::evaluate`] for an event not settled before it: with `front_tried`, the union
    /// of the guards was tested and did not rule the event out.
    #[inline(never)]
    fn evaluate_rest(&mut self, buf: &EventBuf, out: &mut Vec<Match>, front_tried: bool) {
        let seq = self.stats.events;
        self.stats.events += 1;
        if self.lineage.is_some() {
            self.track_lineage(buf);
        }
        match self
            .dispatch
            .settle(buf, self.profile.is_none(), front_tried)
        {
            // Every stage's first test fails: each would have run and been false.
            Some(Direct::Settled) => self.stats.guarded += 1,
            // No stage takes the event's category: only the clocks can move.
            Some(Direct::Stages(c)) if c.stages.is_empty() => {}
            Some(Direct::Stages(c)) => {
                let hits = stage_runner!(self).run_direct(&c.stages, buf);
                if !hits.is_empty() {
                    self.after_hits(&hits, seq, buf, out);
                }
            }
            None => self.stages_merged(seq, buf, out),
        }
        if !self.clocked.is_empty() {
            self.move_clocks(buf, out);
        }
    }

    /// [`Engine::evaluate`]'s predicate runs for an event the direct dispatch does not serve,
    /// out of line so that the direct path keeps few registers live.
    #[inline(never)]
    fn stages_merged(&mut self, seq: u64, buf: &EventBuf, out: &mut Vec<Match>) {
        self.dispatch
            .candidates(buf, self.prefilter.as_mut(), &mut self.refs);
        let mut hits = TrueStages::new();
        if self.gate {
            stage_runner!(self).run::<true>(&self.refs, buf, &mut hits);
        } else {
            stage_runner!(self).run::<false>(&self.refs, buf, &mut hits);
        }
        if !hits.is_empty() {
            self.after_hits(&hits, seq, buf, out);
        }
    }

    /// The work after the predicates when some stage was true: each query's hits, in query
    /// order. (Out of line, as are the clocks, so that `evaluate` stays small for the events
    /// that need neither.)
    #[inline(never)]
    fn after_hits(&mut self, hits: &[StageRef], seq: u64, buf: &EventBuf, out: &mut Vec<Match>) {
        // Query by query, as the hits are sorted: a query's results and state changes never
        // bear on another query's predicates, so running them all first is the same.
        // The event as last stored, which queries placing it alike share.
        let mut last: Option<Arc<StoredEvent>> = None;
        let mut i = 0;
        while let Some(first) = hits.get(i) {
            let q = first.query;
            let mut stages: smallvec::SmallVec<[u32; 4]> = smallvec::SmallVec::new();
            while let Some(r) = hits.get(i).filter(|r| r.query == q) {
                stages.push(r.stage);
                i += 1;
            }
            self.on_hits(q, &stages, seq, buf, &mut last, out);
        }
    }

    /// Moves the clocks of the sequences with a trailing missing stage.
    #[inline(never)]
    fn move_clocks(&mut self, buf: &EventBuf, out: &mut Vec<Match>) {
        let queries = &self.loaded.program.queries;
        for &qi in &self.clocked {
            let Some(ts) = queries
                .get(qi as usize)
                .and_then(|def| query_timestamp(def, buf))
            else {
                continue;
            };
            let Some(QueryRt {
                state: State::Sequence(s),
                ..
            }) = self.queries.get_mut(qi as usize)
            else {
                continue;
            };
            if !s.tick(ts) {
                advance_emit(&mut self.queries, &mut self.stats, qi, ts, out);
            }
        }
    }

    /// The event's timestamp for query `q` (epoch nanoseconds), or `None` when it has none.
    fn timestamp(&self, q: u32, buf: &EventBuf) -> Option<i64> {
        query_timestamp(self.loaded.program.queries.get(q as usize)?, buf)
    }

    /// The event's position for query `q`, or `None` when it has no timestamp.
    fn ordinal(&self, q: u32, seq: u64, buf: &EventBuf) -> Option<Ordinal> {
        let def = self.loaded.program.queries.get(q as usize)?;
        let ts = self.timestamp(q, buf)?;
        let tiebreak = match def
            .tiebreaker
            .and_then(|t| buf.slot(t.index()).first().copied())
        {
            Some(v) if !matches!(v, Value::Null) => {
                (false, KeyVal::from_scalar(value_scalar(v, buf)))
            }
            _ => (true, KeyVal::Null),
        };
        Some(Ordinal { ts, tiebreak, seq })
    }

    /// An event whose stage hits change no state of sequence `q`: only its clock moves (or the
    /// event is counted as having no timestamp).
    fn clock_only(&mut self, q: u32, buf: &EventBuf, out: &mut Vec<Match>) {
        match self.timestamp(q, buf) {
            Some(ts) => self.advance(q, ts, out),
            None => self.stats.no_timestamp += 1,
        }
    }

    /// The event stored for query `q`: `last` (the event as stored for an earlier query) when
    /// it places the event identically, else a new one sharing `last`'s copy of the line.
    fn stored(
        &self,
        q: u32,
        seq: u64,
        buf: &EventBuf,
        last: &mut Option<Arc<StoredEvent>>,
    ) -> Arc<StoredEvent> {
        let ord = self.ordinal(q, seq, buf).unwrap_or(Ordinal {
            ts: i64::MIN,
            tiebreak: (true, KeyVal::Null),
            seq,
        });
        if let Some(e) = last.as_ref().filter(|e| e.ord.same_as(&ord)) {
            return e.clone();
        }
        let line = match last {
            Some(e) => e.line.clone(),
            None => Arc::from(buf.text()),
        };
        let ev = Arc::new(StoredEvent { line, ord });
        *last = Some(ev.clone());
        ev
    }

    fn emit(&mut self, m: Match, out: &mut Vec<Match>) {
        emit_to(&mut self.queries, &mut self.stats, m, out);
    }

    /// The work after the predicates for query `q`, whose stages `true_stages` (in stage
    /// order) the event in `buf` satisfies: join keys, sequence and sample state, results.
    #[inline(never)]
    fn on_hits(
        &mut self,
        q: u32,
        true_stages: &[u32],
        seq: u64,
        buf: &EventBuf,
        last: &mut Option<Arc<StoredEvent>>,
        out: &mut Vec<Match>,
    ) {
        let Some(def) = self.loaded.program.queries.get(q as usize) else {
            return;
        };
        let stage_def = |s: u32| -> Option<&StageDef> {
            match (&def.kind, s) {
                (QueryKind::Event(st), 0) => Some(st),
                (QueryKind::Sequence { until, .. }, UNTIL) => until.as_ref(),
                (QueryKind::Sequence { stages, .. }, s) | (QueryKind::Sample { stages }, s) => {
                    stages.get(s as usize)
                }
                _ => None,
            }
        };
        let is_event = matches!(def.kind, QueryKind::Event(_));
        if true_stages.is_empty() {
            return;
        }
        // Missing-stage hits with nothing to block change nothing but the clock: no state, no
        // stored copy of the line. When no stage hit can change any key's state, the join keys
        // are not even built.
        if let State::Sequence(s) = &self.queries[q as usize].state {
            let may = |&st: &u32| s.may_want((st != UNTIL).then_some(st as usize));
            if !true_stages.iter().any(may) {
                self.clock_only(q, buf, out);
                return;
            }
        }
        // Gather (key, hits) for sequences and samples.
        let mut hits: smallvec::SmallVec<[(KeyTuple, Hits); 2]> = smallvec::SmallVec::new();
        for &stage in true_stages.iter().filter(|_| !is_event) {
            let Some(st) = stage_def(stage) else {
                continue;
            };
            key_tuples(
                &st.keys,
                &self.loaded,
                &mut self.machine,
                buf,
                &mut self.tuples,
            );
            for t in self.tuples.drain(..) {
                let h = match hits.iter_mut().find(|(k, _)| *k == t) {
                    Some((_, h)) => h,
                    None => {
                        hits.push((t, Hits::default()));
                        let last = hits.len() - 1;
                        &mut hits[last].1
                    }
                };
                if stage == UNTIL {
                    h.until = true;
                } else {
                    h.stages.push(stage as usize);
                }
            }
        }
        // Each key's hash for the sequence's table, taken once.
        let mut hashes: smallvec::SmallVec<[u64; 2]> = smallvec::SmallVec::new();
        if let State::Sequence(s) = &self.queries[q as usize].state {
            hashes.extend(hits.iter().map(|(k, _)| s.key_hash(k)));
            if !hits
                .iter()
                .zip(&hashes)
                .any(|((k, h), &hash)| s.wants(k, hash, h))
            {
                self.clock_only(q, buf, out);
                return;
            }
        }
        let ev = self.stored(q, seq, buf, last);
        if is_event {
            self.emit(
                Match {
                    query: q,
                    events: vec![Some(ev)],
                    keys: KeyTuple::new(),
                },
                out,
            );
            return;
        }
        let mut found = Vec::new();
        match &mut self.queries[q as usize].state {
            State::Sequence(s) => {
                if ev.ord.ts == i64::MIN {
                    self.stats.no_timestamp += 1;
                    return;
                }
                if !s.tick(ev.ord.ts) {
                    s.advance(ev.ord.ts, &mut found);
                }
                // What the clock released comes first, then what this event completes.
                let from = found.len();
                let QueryKind::Sequence { stages, .. } = &def.kind else {
                    return;
                };
                let machine = &mut self.machine;
                let loaded = &self.loaded;
                let decoder = &mut self.decoder;
                let projection = &self.projection;
                let alias_bufs = &mut self.alias_bufs;
                let lineage = self.lineage.as_ref().map(|l| l as &dyn LineageView);
                let mut join = |stage: usize, events: &[Arc<StoredEvent>], written: &[usize]| {
                    let Some(block) = stages.get(stage).and_then(|st| st.join) else {
                        return true;
                    };
                    check_join(
                        JoinCx {
                            machine: &mut *machine,
                            loaded,
                            decoder: &mut *decoder,
                            projection,
                            bufs: &mut *alias_bufs,
                            lineage,
                        },
                        block,
                        buf,
                        events,
                        written,
                        stages.len(),
                    )
                };
                // Drained in place: moving the inline list into an iterator copies all of it.
                for ((key, h), &hash) in hits.drain(..).zip(&hashes) {
                    s.on_event(key, hash, &h, &ev, &mut found, &mut join);
                }
                self.stats.evicted += std::mem::take(&mut s.evicted);
                if let Some(batch) = found.get_mut(from..).filter(|b| b.len() > 1) {
                    batch.sort_by(|a, b| {
                        let first = |m: &sequence::SeqMatch| {
                            m.events.iter().flatten().next().map(|e| e.ord.clone())
                        };
                        first(a).cmp(&first(b)).then_with(|| a.keys.cmp(&b.keys))
                    });
                }
            }
            State::Sample(s) => {
                for (key, h) in hits.drain(..) {
                    s.on_hit(key, &h.stages, &ev);
                }
            }
            State::Event => {}
        }
        self.emit_sequences(q, found, out);
    }

    fn emit_sequences(&mut self, q: u32, found: Vec<sequence::SeqMatch>, out: &mut Vec<Match>) {
        if found.is_empty() {
            return;
        }
        for m in found {
            self.emit(
                Match {
                    query: q,
                    events: m.events,
                    keys: m.keys,
                },
                out,
            );
        }
    }

    /// Moves sequence `q`'s clock to `ts`, emitting what that releases.
    fn advance(&mut self, q: u32, ts: i64, out: &mut Vec<Match>) {
        if let Some(QueryRt {
            state: State::Sequence(s),
            ..
        }) = self.queries.get_mut(q as usize)
        {
            if !s.tick(ts) {
                advance_emit(&mut self.queries, &mut self.stats, q, ts, out);
            }
        }
    }

    /// End of input: releases delayed sequences, builds samples, flushes tails.
    pub fn finish(&mut self, out: &mut Vec<Match>) {
        for qi in 0..self.queries.len() {
            let mut found: Vec<Match> = Vec::new();
            match &mut self.queries[qi].state {
                State::Sequence(s) => {
                    let mut v = Vec::new();
                    s.finish(&mut v);
                    self.stats.delayed_forced += s.take_forced();
                    found.extend(v.into_iter().map(|m| Match {
                        query: qi as u32,
                        events: m.events,
                        keys: m.keys,
                    }));
                }
                State::Sample(s) => {
                    let mut v = Vec::new();
                    s.finish(&mut v);
                    self.stats.sample_evicted += std::mem::take(&mut s.evicted);
                    found.extend(v.into_iter().map(|m| Match {
                        query: qi as u32,
                        events: m.events.into_iter().map(Some).collect(),
                        keys: m.keys,
                    }));
                }
                State::Event => {}
            }
            for m in found {
                self.emit(m, out);
            }
            let before = out.len();
            self.queries[qi].pipes.finish(out);
            self.stats.matches += (out.len() - before) as u64;
        }
    }
}

/// [`SequenceState::advance`] for sequence `q` when [`SequenceState::tick`] declined (something
/// may be released, or the sweep is due), and what it releases through the query's pipes.
#[cold]
#[inline(never)]
fn advance_emit(queries: &mut [QueryRt], stats: &mut Stats, q: u32, ts: i64, out: &mut Vec<Match>) {
    let mut found = Vec::new();
    if let Some(QueryRt {
        state: State::Sequence(s),
        ..
    }) = queries.get_mut(q as usize)
    {
        s.advance(ts, &mut found);
    }
    for m in found {
        let m = Match {
            query: q,
            events: m.events,
            keys: m.keys,
        };
        emit_to(queries, stats, m, out);
    }
}

/// Sends `m` through its query's pipes into `out`, counting the matches that come out (the
/// engine's fields apart, for callers that hold others).
fn emit_to(queries: &mut [QueryRt], stats: &mut Stats, m: Match, out: &mut Vec<Match>) {
    let before = out.len();
    if let Some(q) = queries.get_mut(m.query as usize) {
        q.pipes.push(m, out);
    }
    stats.matches += (out.len() - before) as u64;
}

/// What checking a join condition needs from the engine.
struct JoinCx<'a> {
    machine: &'a mut Machine,
    loaded: &'a Loaded,
    decoder: &'a mut Decoder,
    projection: &'a Projection,
    bufs: &'a mut Vec<EventBuf>,
    lineage: Option<&'a dyn LineageView>,
}

/// Runs a stage's join block over the current event with the partial's events (re-decoded
/// into reusable buffers) readable by stage index. An event that no longer decodes joins
/// nothing.
fn check_join(
    cx: JoinCx<'_>,
    block: eql_bytecode::BlockId,
    buf: &EventBuf,
    events: &[Arc<StoredEvent>],
    written: &[usize],
    nstages: usize,
) -> bool {
    if cx.bufs.len() < events.len() {
        cx.bufs.resize_with(events.len(), EventBuf::new);
    }
    for (b, e) in cx.bufs.iter_mut().zip(events) {
        b.line.clear();
        b.line.extend_from_slice(e.line.as_bytes());
        if cx.decoder.decode(cx.projection, b).is_err() {
            return false;
        }
    }
    let mut by_stage: smallvec::SmallVec<[Option<&EventBuf>; 8]> =
        smallvec::smallvec![None; nstages];
    for (i, b) in cx.bufs.iter().take(events.len()).enumerate() {
        if let Some(slot) = written.get(i).and_then(|&w| by_stage.get_mut(w)) {
            *slot = Some(b);
        }
    }
    let rc = RunCtx {
        stages: &by_stage,
        lineage: cx.lineage,
    };
    cx.machine.run_in(cx.loaded, block, buf, rc).is_true()
}
