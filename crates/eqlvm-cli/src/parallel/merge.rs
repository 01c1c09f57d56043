//! The merge: takes every worker's report of each batch (all workers see every batch, so the
//! k-th reports of all workers cover the same lines), puts the alerts in the order one engine
//! would have written them and writes them to stdout, and the line reports to stderr.

use super::worker::{Alert, Note, NoteKind, Report};
use crate::input::CmdResult;
use crate::run::write_error;
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::io::Write;
use std::sync::mpsc::Receiver;

/// What the merge counted.
#[derive(Debug, Default)]
pub struct Merged {
    pub alerts: u64,
    pub bad_lines: u64,
    pub no_timestamp: u64,
    pub evicted: u64,
    pub lineage_evictions: u64,
    pub delayed_forced: u64,
    pub sample_evicted: u64,
}

/// One engine's order: by line; within a line, results of the stages (by query) before those
/// of the clock; end-of-input results last, by query. Results of one query from several
/// groups go by their tie (first event, then key); otherwise a worker's own order stands.
fn output_order(a: &Alert, b: &Alert) -> Ordering {
    a.n.cmp(&b.n)
        .then(a.phase.cmp(&b.phase))
        .then(a.query.cmp(&b.query))
        .then_with(|| match (&a.tie, &b.tie) {
            (Some(x), Some(y)) => x.cmp(y),
            _ => Ordering::Equal,
        })
}

/// Runs the merge until every worker is done; `workers` is how many report.
pub fn merge(reports: Receiver<(usize, Report)>, workers: usize) -> CmdResult<Merged> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(crate::run::OUT_BUFFER, stdout.lock());
    let mut merged = Merged::default();
    let mut pending: Vec<VecDeque<(Vec<Alert>, Vec<Note>)>> =
        (0..workers).map(|_| VecDeque::new()).collect();
    let mut done: Vec<Option<Vec<Alert>>> = (0..workers).map(|_| None).collect();
    while let Ok((id, report)) = reports.recv() {
        match report {
            Report::Batch { alerts, notes } => match pending.get_mut(id) {
                Some(q) => q.push_back((alerts, notes)),
                None => return Err(format!("internal: report from unknown worker {id}")),
            },
            Report::Done {
                alerts,
                evicted,
                lineage_evictions,
                delayed_forced,
                sample_evicted,
            } => {
                merged.evicted += evicted;
                merged.lineage_evictions += lineage_evictions;
                merged.delayed_forced += delayed_forced;
                merged.sample_evicted += sample_evicted;
                if let Some(d) = done.get_mut(id) {
                    *d = Some(alerts);
                }
            }
        }
        while pending.iter().all(|q| !q.is_empty()) {
            let mut alerts = Vec::new();
            let mut notes = Vec::new();
            for q in pending.iter_mut() {
                if let Some((a, n)) = q.pop_front() {
                    alerts.extend(a);
                    notes.extend(n);
                }
            }
            write_batch(&mut w, alerts, notes, &mut merged)?;
        }
    }
    if pending.iter().any(|q| !q.is_empty()) || done.iter().any(Option::is_none) {
        return Err("a worker thread stopped before the end of input".into());
    }
    let alerts: Vec<Alert> = done.into_iter().flatten().flatten().collect();
    write_batch(&mut w, alerts, Vec::new(), &mut merged)?;
    Ok(merged)
}

/// Writes one batch's alerts and reports in order (a line's reports before its alerts).
fn write_batch(
    w: &mut impl Write,
    mut alerts: Vec<Alert>,
    mut notes: Vec<Note>,
    merged: &mut Merged,
) -> CmdResult<()> {
    alerts.sort_by(output_order);
    notes.sort_by_key(|n| (n.n, n.kind));
    // Several engines may find the same line without a timestamp; it is reported once.
    notes.dedup_by_key(|n| (n.n, n.kind));
    let mut notes = notes.into_iter().peekable();
    // Alerts are flushed once a batch, and before a report, so that a terminal showing both
    // streams shows them in order.
    let mut unflushed = false;
    for a in alerts {
        while let Some(note) = notes.next_if(|note| note.n <= a.n) {
            if std::mem::take(&mut unflushed) {
                w.flush().map_err(|e| write_error(&e))?;
            }
            report(&note, merged);
        }
        let json = a.json?;
        w.write_all(json.as_bytes())
            .and_then(|()| w.write_all(b"\n"))
            .map_err(|e| write_error(&e))?;
        unflushed = true;
        merged.alerts += 1;
    }
    w.flush().map_err(|e| write_error(&e))?;
    for note in notes {
        report(&note, merged);
    }
    Ok(())
}

fn report(note: &Note, merged: &mut Merged) {
    match note.kind {
        NoteKind::BadLine => merged.bad_lines += 1,
        NoteKind::NoTimestamp => merged.no_timestamp += 1,
    }
    eprintln!("{}", note.text);
}
