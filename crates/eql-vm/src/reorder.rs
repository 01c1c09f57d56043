//! Reordering out-of-order input: raw NDJSON lines are buffered in a min-heap by timestamp and
//! released once the watermark (the latest timestamp seen minus the window) has passed them, so
//! events that arrive late by less than the window reach the engine in timestamp order. Lines
//! later than that are counted as late and released at once (still evaluated). Lines without a
//! timestamp (or that do not decode) pass straight through. A line whose first key is the
//! preferred timestamp field, holding a date string, has its timestamp read off its first bytes
//! instead of decoding the line (which the engine will do anyway): such a line is ordered by
//! that timestamp even if it later proves malformed, and the engine then reports it.

use crate::decode::timestamp::parse_date;
use crate::decode::{Decoder, Projection};
use crate::event::{EventBuf, SlotKind, Value};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// A buffered line with its timestamp, arrival number and caller's tag (e.g. its origin).
#[derive(Debug)]
struct Pending<T> {
    ts: i64,
    seq: u64,
    line: Vec<u8>,
    tag: T,
}

impl<T> PartialEq for Pending<T> {
    fn eq(&self, o: &Self) -> bool {
        (self.ts, self.seq) == (o.ts, o.seq)
    }
}
impl<T> Eq for Pending<T> {}
impl<T> PartialOrd for Pending<T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<T> Ord for Pending<T> {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.ts, self.seq).cmp(&(o.ts, o.seq))
    }
}

/// The reorder buffer.
#[derive(Debug)]
pub struct Reorder<T> {
    window_ns: i64,
    max_pending: usize,
    heap: BinaryHeap<Reverse<Pending<T>>>,
    /// Lines released without waiting (no timestamp, late, or over the buffer cap).
    now: Vec<(Vec<u8>, T)>,
    max_seen: Option<i64>,
    last_released: Option<i64>,
    seq: u64,
    proj: Projection,
    /// The preferred timestamp field when it is a top-level name (no dots), for
    /// [`leading_timestamp`].
    leading: Option<String>,
    decoder: Decoder,
    buf: EventBuf,
    /// Lines that arrived after a later-stamped line had already been released.
    pub late: u64,
}

impl<T> Reorder<T> {
    /// A buffer of `window_ns` nanoseconds reading the timestamp from the first present of
    /// `ts_fields` (ISO-8601 or epoch milliseconds), holding at most `max_pending` lines.
    pub fn new(window_ns: i64, ts_fields: &[String], max_pending: usize) -> Reorder<T> {
        let fields: Vec<(String, SlotKind)> = ts_fields
            .iter()
            .map(|f| (f.clone(), SlotKind::Date))
            .collect();
        Reorder {
            window_ns: window_ns.max(0),
            max_pending: max_pending.max(1),
            heap: BinaryHeap::new(),
            now: Vec::new(),
            max_seen: None,
            last_released: None,
            seq: 0,
            proj: Projection::new(&fields),
            leading: ts_fields.first().filter(|f| !f.contains('.')).cloned(),
            decoder: Decoder::new(),
            buf: EventBuf::new(),
            late: 0,
        }
    }

    /// The line's timestamp in epoch ns, if it decodes and has one.
    fn timestamp(&mut self, line: Vec<u8>) -> (Option<i64>, Vec<u8>) {
        if let Some(ts) = self
            .leading
            .as_deref()
            .and_then(|f| leading_timestamp(&line, f))
        {
            return (Some(ts), line);
        }
        self.buf.line = line;
        let ts = match self.decoder.decode(&self.proj, &mut self.buf) {
            Ok(()) => (0..self.proj.len()).find_map(|s| {
                self.buf.slot(s).iter().find_map(|v| match v {
                    Value::Date(ns) => Some(*ns),
                    Value::Int(ms) => ms.checked_mul(1_000_000),
                    _ => None,
                })
            }),
            Err(_) => None,
        };
        (ts, self.buf.take_line())
    }

    /// Takes a line in; call [`Reorder::pop`] until it returns `None` to get what is ready.
    pub fn push(&mut self, line: Vec<u8>, tag: T) {
        let (ts, line) = self.timestamp(line);
        let Some(ts) = ts else {
            self.now.push((line, tag));
            return;
        };
        if self.last_released.is_some_and(|r| ts < r) {
            self.late += 1;
            self.now.push((line, tag));
            return;
        }
        self.max_seen = Some(self.max_seen.map_or(ts, |m| m.max(ts)));
        self.seq += 1;
        self.heap.push(Reverse(Pending {
            ts,
            seq: self.seq,
            line,
            tag,
        }));
    }

    fn release(&mut self, p: Pending<T>) -> (Vec<u8>, T) {
        self.last_released = Some(self.last_released.map_or(p.ts, |r| r.max(p.ts)));
        (p.line, p.tag)
    }

    /// The next line ready to run, in timestamp order.
    pub fn pop(&mut self) -> Option<(Vec<u8>, T)> {
        if let Some(x) = self.now.pop() {
            return Some(x);
        }
        let watermark = self.max_seen?.saturating_sub(self.window_ns);
        let ready = self.heap.peek().is_some_and(|Reverse(p)| p.ts <= watermark)
            || self.heap.len() > self.max_pending;
        if !ready {
            return None;
        }
        let Reverse(p) = self.heap.pop()?;
        // The line released next has waited for the window in memory, out of the caches:
        // start loading it now, so that it arrives while this one is evaluated.
        if let Some(Reverse(next)) = self.heap.peek() {
            prefetch(&next.line);
        }
        Some(self.release(p))
    }

    /// End of input: every buffered line, in timestamp order.
    pub fn drain(&mut self) -> Option<(Vec<u8>, T)> {
        if let Some(x) = self.now.pop() {
            return Some(x);
        }
        let Reverse(p) = self.heap.pop()?;
        Some(self.release(p))
    }

    /// Lines held back.
    pub fn pending(&self) -> usize {
        self.heap.len() + self.now.len()
    }
}

/// Asks the CPU to start loading `bytes` into its caches (a hint: nothing is read, nothing
/// can fail).
#[inline]
pub fn prefetch(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    for at in (0..bytes.len()).step_by(64) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint that never faults; the address lies inside `bytes`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(bytes.as_ptr().wrapping_add(at).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
}

/// The date of a line that opens with `{"FIELD": "<date>"` (JSON whitespace allowed between
/// tokens, no escapes in the key or the date), read without decoding the rest; `None` for any
/// other line. When the whole line decodes, the decoder finds the same first value in that
/// field's slot, so the timestamp is the one a full decode gives.
fn leading_timestamp(line: &[u8], field: &str) -> Option<i64> {
    fn token<'a>(rest: &'a [u8], t: &[u8]) -> Option<&'a [u8]> {
        let ws = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        rest.get(ws..)?.strip_prefix(t)
    }
    let rest = token(line, b"{")?;
    let rest = token(rest, b"\"")?
        .strip_prefix(field.as_bytes())?
        .strip_prefix(b"\"")?;
    let rest = token(token(rest, b":")?, b"\"")?;
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    if rest.get(end) != Some(&b'"') {
        return None;
    }
    parse_date(std::str::from_utf8(rest.get(..end)?).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ts: &str, id: u32) -> Vec<u8> {
        format!(r#"{{"@timestamp":"{ts}","id":{id}}}"#).into_bytes()
    }

    fn run(window_ns: i64, lines: &[(&str, u32)]) -> (Vec<u32>, u64) {
        let mut r = Reorder::new(window_ns, &["@timestamp".to_string()], 1000);
        let mut out = Vec::new();
        for (ts, id) in lines {
            r.push(line(ts, *id), *id);
            while let Some((_, id)) = r.pop() {
                out.push(id);
            }
        }
        while let Some((_, id)) = r.drain() {
            out.push(id);
        }
        (out, r.late)
    }

    #[test]
    fn late_within_window_is_sorted() {
        let s = 1_000_000_000;
        let (order, late) = run(
            5 * s,
            &[
                ("2024-01-01T00:00:02Z", 2),
                ("2024-01-01T00:00:01Z", 1),
                ("2024-01-01T00:00:09Z", 4),
                ("2024-01-01T00:00:05Z", 3),
            ],
        );
        assert_eq!(order, vec![1, 2, 3, 4]);
        assert_eq!(late, 0);
    }

    #[test]
    fn later_than_window_is_counted_and_kept() {
        let s = 1_000_000_000;
        let (order, late) = run(
            2 * s,
            &[
                ("2024-01-01T00:00:01Z", 1),
                ("2024-01-01T00:00:10Z", 2),
                ("2024-01-01T00:00:20Z", 3),
                ("2024-01-01T00:00:05Z", 4),
            ],
        );
        assert_eq!(order, vec![1, 2, 4, 3]);
        assert_eq!(late, 1);
    }

    /// The full decode's timestamp of `line` (what `Reorder` used for every line before).
    fn decoded(line: &str) -> Option<i64> {
        let mut r: Reorder<()> = Reorder::new(0, &["@timestamp".to_string()], 10);
        r.leading = None;
        r.timestamp(line.as_bytes().to_vec()).0
    }

    #[test]
    fn a_leading_timestamp_is_the_decoded_one() {
        let lines = [
            r#"{"@timestamp":"2024-01-01T00:00:02Z","id":1}"#,
            r#"  { "@timestamp" :  "2024-01-01T00:00:02.123456789+02:00" , "a":{"b":[1,2]}}"#,
            r#"{"@timestamp":"2024-01-01T00:00:02Z","@timestamp":"2025-01-01T00:00:00Z"}"#,
            r#"{"@timestamp":"2024-13-01T00:00:02Z","id":1}"#,
            r#"{"@timestamp":"2024-01-01","id":1}"#,
            r#"{"@timestamp":"not a date","id":1}"#,
            r#"{"@timestamp":"2024-01-01T00:00:0\u0032Z"}"#,
            r#"{"@timestamp":1704067200000}"#,
            r#"{"@timestampx":"2024-01-01T00:00:02Z"}"#,
            r#"{"x":1,"@timestamp":"2024-01-01T00:00:02Z"}"#,
            r#"{"\u0040timestamp":"2024-01-01T00:00:02Z"}"#,
            r#"["@timestamp","2024-01-01T00:00:02Z"]"#,
            "",
        ];
        let mut taken = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if let Some(ts) = leading_timestamp(line.as_bytes(), "@timestamp") {
                taken.push(i);
                assert_eq!(Some(ts), decoded(line), "{line}");
            }
        }
        // Date-only strings are dates too; escapes, numbers, other first keys are left to the
        // decoder.
        assert_eq!(taken, vec![0, 1, 2, 4]);
        // Malformed after the timestamp: ordered by it anyway (see the module docs), while the
        // full decode finds none.
        let cut = r#"{"@timestamp":"2024-01-01T00:00:02Z""#;
        assert_eq!(decoded(cut), None);
        assert_eq!(
            leading_timestamp(cut.as_bytes(), "@timestamp"),
            parse_date("2024-01-01T00:00:02Z")
        );
    }

    #[test]
    fn lines_without_timestamp_pass_through() {
        let mut r: Reorder<u32> = Reorder::new(10, &["@timestamp".to_string()], 10);
        r.push(b"not json".to_vec(), 7);
        assert_eq!(r.pop().map(|x| x.1), Some(7));
        assert_eq!(r.pending(), 0);
    }
}
