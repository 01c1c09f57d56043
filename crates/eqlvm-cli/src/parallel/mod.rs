//! `eqlvm run --threads N`: the events are split by host (`host.id`) among N engines that run
//! the queries whose results never combine events of different hosts; one more engine runs the
//! other queries over every event. The calling thread reads and routes lines in batches; a
//! merge thread writes the alerts in exactly the order, and with exactly the reports and
//! counts, of the single-threaded run.

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
use worker::{Batch, Role, Worker};

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

/// Runs `program` over `events` with `opts.threads` host groups (see the module docs).
pub fn run(
    program: Program,
    rules: &[serde_json::Value],
    events: &[PathBuf],
    opts: &RunOptions,
) -> CmdResult<Totals> {
    let parts = opts.threads.clamp(1, MAX_THREADS);
    let places = plan::places(&program);
    let grouped: Vec<bool> = places.iter().map(|p| *p != Place::Global).collect();
    let global: Vec<bool> = grouped.iter().map(|g| !g).collect();
    let mut router = Router::new(&program, &places, parts);
    let mut reorder = reorder_for(&program, opts.stream.reorder_window_ns);
    let sources = open_events(events)?;
    let names: Arc<Vec<String>> = Arc::new(sources.iter().map(|s| s.name.clone()).collect());
    let places = Arc::new(places);
    let rules = Arc::new(rules.to_vec());
    let aborted = Arc::new(AtomicBool::new(false));

    let mut roles: Vec<Role> = (0..parts).map(|i| Role::Group { i, parts }).collect();
    if global.iter().any(|g| *g) {
        roles.push(Role::Global);
    }
    let mut workers = Vec::new();
    for (id, role) in roles.iter().enumerate() {
        let mut engine = new_engine(program.clone(), opts.max_state)?;
        engine.retain_queries(match role {
            Role::Group { .. } => &grouped,
            Role::Global => &global,
        });
        workers.push(Worker {
            id,
            engine,
            role: *role,
            places: places.clone(),
            rules: rules.clone(),
            names: names.clone(),
            aborted: aborted.clone(),
        });
    }
    drop(program);

    let nworkers = workers.len();
    let (report_tx, report_rx) = channel();
    let merger = thread::spawn(move || merge::merge(report_rx, nworkers));
    let mut senders: Vec<SyncSender<Arc<Batch>>> = Vec::new();
    let mut handles = Vec::new();
    for w in workers {
        let (tx, rx) = sync_channel(QUEUE_BATCHES);
        senders.push(tx);
        let reports = report_tx.clone();
        handles.push(thread::spawn(move || w.run(rx, reports)));
    }
    drop(report_tx);

    // Read and route; a failed send means the merge stopped (its error says why).
    let mut batch = Batch::default();
    let mut n = 0u64;
    let send = |batch: &mut Batch| -> Result<(), ()> {
        let b = Arc::new(std::mem::take(batch));
        senders
            .iter()
            .try_for_each(|tx| tx.send(b.clone()).map_err(|_| ()))
    };
    let mut stopped = false;
    let read = each_line(sources, reorder.as_mut(), &mut |feed| {
        match feed {
            Feed::Line(line, origin) => {
                let route = router.route(line, n);
                batch.push(line, n, origin, route);
                n += 1;
                if batch.len() < BATCH_LINES {
                    return Ok(());
                }
            }
            Feed::Idle if !batch.is_empty() => {}
            Feed::Idle => return Ok(()),
        }
        send(&mut batch).map_err(|()| {
            stopped = true;
            String::new()
        })
    });
    if !stopped && !batch.is_empty() && send(&mut batch).is_err() {
        stopped = true;
    }
    if read.is_err() {
        // Like the single-threaded run: what was read is evaluated, then the run stops
        // without end-of-input results.
        aborted.store(true, Ordering::SeqCst);
    }
    drop(senders);
    let mut worker_failed = false;
    for h in handles {
        worker_failed |= h.join().is_err();
    }
    let merged = match merger.join() {
        Ok(r) => r?,
        Err(_) => return Err("the alert writer thread failed".into()),
    };
    if worker_failed {
        return Err("a worker thread failed".into());
    }
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
    })
}
