//! `eqlvm run --threads N`: the events are split by host (`host.id`) among N engines on their
//! own threads that run the queries whose results never combine events of different hosts.
//! The calling thread reads the lines, runs the other queries over every event on one more
//! engine (whose decoding of the line also gives its `host.id`) and hands the lines out in
//! batches; a merge thread writes the alerts in exactly the order, and with exactly the
//! reports and counts, of the single-threaded run.

mod merge;
mod plan;
mod worker;

use crate::input::{open_events, CmdResult};
use crate::run::{each_line, new_engine, reorder_for, Feed, RunOptions, Summary, Totals};
use eqlvm::bytecode::Program;
use plan::{Place, Router};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, SyncSender};
use std::sync::Arc;
use std::thread;
use worker::{Alert, Batch, Lane, LineInfo, Note, Report, Role};

/// Lines per batch (fewer when the input has nothing more buffered).
const BATCH_LINES: usize = 512;
/// Batches a worker may have waiting; bounds how far the reader (and so any worker) runs
/// ahead of the slowest worker.
const QUEUE_BATCHES: usize = 4;
/// The most groups (a route is a 64-bit mask).
pub const MAX_THREADS: usize = 64;

/// True when some query of `p` can be split by host, so that more threads can help.
pub fn splits(p: &Program) -> bool {
    plan::places(p).iter().any(|pl| *pl != Place::Global)
}

/// The engine for the queries that need every event, run by the reading thread: it decodes
/// every line anyway, and its decoded `host.id` routes the line.
struct GlobalLane {
    lane: Lane,
    id: usize,
    alerts: Vec<Alert>,
    notes: Vec<Note>,
}

/// Runs `program` over `events` with `opts.threads` host groups (see the module docs).
pub fn run(
    program: Program,
    rules: &[Box<serde_json::value::RawValue>],
    events: &[PathBuf],
    opts: &RunOptions,
) -> CmdResult<Totals> {
    let parts = opts.threads.clamp(1, MAX_THREADS);
    let places = plan::places(&program);
    let grouped: Arc<Vec<bool>> = Arc::new(places.iter().map(|p| *p != Place::Global).collect());
    let global: Vec<bool> = grouped.iter().map(|g| !g).collect();
    let joins = places.iter().any(|p| matches!(p, Place::ByKey(_)));
    let join_slot = plan::join_slot(&program).filter(|_| joins);
    let mut reorder = reorder_for(&program, opts.stream.reorder_window_ns);
    let sources = open_events(events)?;
    let names: Arc<Vec<String>> = Arc::new(sources.iter().map(|s| s.name.clone()).collect());
    let places = Arc::new(places);
    let rules = Arc::new(rules.to_vec());
    let aborted = Arc::new(AtomicBool::new(false));

    let mut global_lane = None;
    let mut router = None;
    if global.iter().any(|g| *g) {
        let mut engine = new_engine(program.clone(), opts.max_state)?;
        engine.retain_queries(&global);
        global_lane = Some(GlobalLane {
            lane: Lane::new(
                engine,
                Role::Global,
                places.clone(),
                rules.clone(),
                names.clone(),
            ),
            id: parts,
            alerts: Vec::new(),
            notes: Vec::new(),
        });
    } else {
        router = Some(Router::new(&program, &places, parts));
    }
    let nworkers = parts + usize::from(global_lane.is_some());
    let (report_tx, report_rx) = channel();
    let merger = thread::spawn(move || merge::merge(report_rx, nworkers));
    let program = Arc::new(program);
    let mut senders: Vec<SyncSender<Arc<Batch>>> = Vec::new();
    let mut handles = Vec::new();
    for i in 0..parts {
        let (tx, rx) = sync_channel(QUEUE_BATCHES);
        senders.push(tx);
        let reports = report_tx.clone();
        let (program, grouped, max_state) = (program.clone(), grouped.clone(), opts.max_state);
        let (places, rules, names) = (places.clone(), rules.clone(), names.clone());
        let aborted = aborted.clone();
        handles.push(thread::spawn(move || -> CmdResult<()> {
            // Each thread builds its own engine, so that they are built side by side.
            let mut engine = new_engine((*program).clone(), max_state)?;
            drop(program);
            engine.retain_queries(&grouped);
            let lane = Lane::new(engine, Role::Group { i, parts }, places, rules, names);
            worker::work(lane, i, aborted, rx, reports);
            Ok(())
        }));
    }
    drop(program);

    // Read, evaluate the global queries and route; a failed send means the merge stopped
    // (its error says why).
    let mut batch = Batch::default();
    let mut n = 0u64;
    let mut stopped = false;
    let send = |batch: &mut Batch, global: &mut Option<GlobalLane>| -> Result<(), ()> {
        let b = Arc::new(std::mem::take(batch));
        senders
            .iter()
            .try_for_each(|tx| tx.send(b.clone()).map_err(|_| ()))?;
        if let Some(g) = global {
            let report = Report::Batch {
                alerts: std::mem::take(&mut g.alerts),
                notes: std::mem::take(&mut g.notes),
            };
            report_tx.send((g.id, report)).map_err(|_| ())?;
        }
        Ok(())
    };
    let read = each_line(sources, reorder.as_mut(), &mut |feed| {
        match feed {
            Feed::Line(line, origin) => {
                let mut info = LineInfo {
                    n,
                    origin,
                    route: plan::dealt(n, parts),
                };
                n += 1;
                match (&mut global_lane, &mut router) {
                    (Some(g), _) => {
                        let decoded = g.lane.eval(line, &info, &mut g.alerts, &mut g.notes);
                        let event = g.lane.engine.event();
                        if let Some(slot) = join_slot {
                            info.route = plan::route_event(event, slot, parts);
                        }
                        // A decoded line has moved into the engine's event.
                        let text = if decoded {
                            event.text().as_bytes()
                        } else {
                            line.as_slice()
                        };
                        batch.push(text, info);
                    }
                    (None, Some(r)) => {
                        info.route = r.route(line, info.n);
                        batch.push(line, info);
                    }
                    (None, None) => batch.push(line, info),
                }
                if batch.len() < BATCH_LINES {
                    return Ok(());
                }
            }
            Feed::Idle if !batch.is_empty() => {}
            Feed::Idle => return Ok(()),
        }
        send(&mut batch, &mut global_lane).map_err(|()| {
            stopped = true;
            String::new()
        })
    });
    if !stopped && !batch.is_empty() && send(&mut batch, &mut global_lane).is_err() {
        stopped = true;
    }
    if read.is_err() {
        // Like the single-threaded run: what was read is evaluated, then the run stops
        // without end-of-input results.
        aborted.store(true, Ordering::SeqCst);
    }
    if let Some(g) = &mut global_lane {
        // Nothing is left to do when the merge is gone.
        let _ = report_tx.send((g.id, g.lane.finish(read.is_err())));
    }
    drop(senders);
    drop(report_tx);
    let mut worker_error = None;
    for h in handles {
        match h.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => worker_error = Some(e),
            Err(_) => worker_error = Some("a worker thread failed".into()),
        }
    }
    let merged = match merger.join() {
        Ok(r) => r,
        Err(_) => return Err("the alert writer thread failed".into()),
    };
    if let Some(e) = worker_error {
        return Err(e);
    }
    let merged = merged?;
    if stopped {
        return Err("the workers stopped before the end of input".into());
    }
    read?;
    Ok(Totals {
        events_read: n,
        alerts: merged.alerts,
        summary: Summary {
            bad_lines: merged.bad_lines,
            no_timestamp: merged.no_timestamp,
            late: reorder.map_or(0, |r| r.late),
        },
        evicted: merged.evicted,
        lineage_evictions: merged.lineage_evictions,
        delayed_forced: merged.delayed_forced,
        sample_evicted: merged.sample_evicted,
    })
}
