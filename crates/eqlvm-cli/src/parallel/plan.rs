//! Which queries may run on engines that each see only some hosts' events, and which host
//! group each event belongs to. A query qualifies when nothing it reports depends on events of
//! other hosts: an event query without pipes, or a sequence or sample without pipes whose
//! every stage joins on `host.id` (at one key position), reading no process lineage and, for a
//! sequence, with no trailing missing stage (their clock moves with every event).

use eqlvm::bytecode::{BlockId, Inst, KeyDef, KeySource, Program, QueryKind, SlotKind, StageDef};
use eqlvm::vm::decode::{Decoder, Projection};
use eqlvm::vm::engine::keys::KeyVal;
use eqlvm::vm::engine::subset::uses_lineage;
use eqlvm::vm::event::{EventBuf, Value};
use eqlvm::vm::machine::value_scalar;
use std::hash::{DefaultHasher, Hash, Hasher};

/// The field events are grouped by.
pub const JOIN_FIELD: &str = "host.id";

/// Where a query runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// It needs every event: the one global engine runs it.
    Global,
    /// An event query: each result depends on its one event.
    PerEvent,
    /// A sequence or sample whose join key at this position is `host.id` in every stage.
    ByKey(usize),
}

/// Where each query of a program runs.
pub fn places(p: &Program) -> Vec<Place> {
    p.queries
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            if !q.pipes.is_empty() || uses_lineage(p, qi) {
                return Place::Global;
            }
            let stages: Vec<&StageDef> = match &q.kind {
                QueryKind::Event(_) => return Place::PerEvent,
                QueryKind::Sequence { stages, until, .. } => {
                    if stages.last().is_some_and(|s| s.missing) {
                        return Place::Global;
                    }
                    stages.iter().chain(until).collect()
                }
                QueryKind::Sample { stages } => stages.iter().collect(),
            };
            common_key(p, &stages).map_or(Place::Global, Place::ByKey)
        })
        .collect()
}

/// The first key position that is `host.id` in every stage.
fn common_key(p: &Program, stages: &[&StageDef]) -> Option<usize> {
    let width = stages.first()?.keys.len();
    (0..width).find(|&i| {
        stages
            .iter()
            .all(|s| s.keys.get(i).is_some_and(|k| is_join_field(p, k)))
    })
}

/// True when the key's value is the join field's: its slot, or a block that only loads and
/// returns that slot (then a null value must not join, as the block's value for a
/// multi-valued field need not be one of its values).
fn is_join_field(p: &Program, k: &KeyDef) -> bool {
    let path_of = |slot: usize| p.fields.get(slot).map(|f| f.path.as_str());
    match k.source {
        KeySource::Slot(s) => path_of(s.index()) == Some(JOIN_FIELD),
        KeySource::Block(b) => {
            !k.optional && loaded_slot(p, b).is_some_and(|s| path_of(s) == Some(JOIN_FIELD))
        }
    }
}

/// The slot a block loads and returns, when that is all it does.
fn loaded_slot(p: &Program, b: BlockId) -> Option<usize> {
    let block = p.blocks.get(b.index())?;
    let start = block.entry as usize;
    let code = p.code.get(start..start.checked_add(block.len as usize)?)?;
    match code {
        [Inst::LoadField { dst, slot }, Inst::Return { src }] if dst == src => Some(slot.index()),
        _ => None,
    }
}

/// The group of one key value among `parts` groups (the same in every thread of a run).
pub fn part_of(k: &KeyVal, parts: usize) -> usize {
    let mut h = DefaultHasher::new();
    k.hash(&mut h);
    (h.finish() % parts.max(1) as u64) as usize
}

/// Which groups an event goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The group that reports the event's per-event results and its decoding errors.
    pub primary: usize,
    /// Bit `i` set: group `i` evaluates the event (a multi-valued `host.id` can name several).
    pub mask: u64,
}

/// The groups of an event among `parts` from its decoded `host.id` values in `slot` (after a
/// failed decode every slot is empty). Every value names a group, the way each makes its own
/// join key; an event without one goes to the group of the null key (the key an optional
/// join key takes), and so does a line that does not decode (that group reports the error).
pub fn route_event(buf: &EventBuf, slot: usize, parts: usize) -> Route {
    let mut route: Option<Route> = None;
    for v in buf.slot(slot) {
        if matches!(v, Value::Null | Value::Object) {
            continue;
        }
        let g = part_of(&KeyVal::from_scalar(value_scalar(*v, buf)), parts);
        match &mut route {
            Some(r) => r.mask |= 1 << g,
            None => {
                route = Some(Route {
                    primary: g,
                    mask: 1 << g,
                })
            }
        }
    }
    route.unwrap_or_else(|| {
        let g = part_of(&KeyVal::Null, parts);
        Route {
            primary: g,
            mask: 1 << g,
        }
    })
}

/// The slot of the join field in `p`'s field table (a path listed twice fills every one of
/// its slots alike, so the first will do).
pub fn join_slot(p: &Program) -> Option<usize> {
    p.fields.iter().position(|f| f.path == JOIN_FIELD)
}

/// Routes lines nobody else decodes: reads `host.id` with a one-field projection.
pub struct Router {
    parts: usize,
    /// `None` when no query joins on the field: events are dealt out in turn.
    projection: Option<Projection>,
    decoder: Decoder,
    buf: EventBuf,
}

impl Router {
    /// A router over `parts` groups (at most 64) for program `p`.
    pub fn new(p: &Program, places: &[Place], parts: usize) -> Router {
        let joins = places.iter().any(|pl| matches!(pl, Place::ByKey(_)));
        // A path listed twice gets its first listing's kind in every slot: use that kind.
        let kind = join_slot(p)
            .and_then(|s| p.fields.get(s))
            .map_or(SlotKind::Plain, |f| f.kind);
        Router {
            parts: parts.clamp(1, 64),
            projection: joins.then(|| Projection::new(&[(JOIN_FIELD.to_string(), kind)])),
            decoder: Decoder::new(),
            buf: EventBuf::new(),
        }
    }

    /// The groups of the event in `line`, the `n`-th of the run (see [`route_event`]).
    pub fn route(&mut self, line: &mut Vec<u8>, n: u64) -> Route {
        let Some(projection) = &self.projection else {
            return dealt(n, self.parts);
        };
        std::mem::swap(&mut self.buf.line, line);
        // A failed decode leaves every slot empty.
        let _ = self.decoder.decode(projection, &mut self.buf);
        let route = route_event(&self.buf, 0, self.parts);
        // A decoded line has moved to the buffer's text: give it back, keep the spare memory.
        let mut spare = self.buf.take_line();
        std::mem::swap(line, &mut spare);
        spare.clear();
        self.buf.line = spare;
        route
    }
}

/// The group of the `n`-th event when events are dealt out in turn.
pub fn dealt(n: u64, parts: usize) -> Route {
    let g = (n % parts.max(1) as u64) as usize;
    Route {
        primary: g,
        mask: 1 << g,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eqlvm::emit::{Emitter, QueryOptions};
    use eqlvm::planner::{plan_text, PlanOptions, Schema};

    fn program(queries: &[&str]) -> Program {
        let mut emitter = Emitter::new();
        for (i, q) in queries.iter().enumerate() {
            let planned = match plan_text(q, &Schema::builtin(), &PlanOptions::default()) {
                Ok(p) => p,
                Err(d) => panic!("{q}: {d:?}"),
            };
            emitter.add(&planned.plan, &QueryOptions::new(format!("q{i}"), *q));
        }
        emitter.finish()
    }

    #[test]
    fn queries_are_placed_by_what_their_results_depend_on() {
        let p = program(&[
            "process where process.name == \"bash\"",
            "process where true | head 5",
            "sequence by host.id [process where true] [network where true]",
            "sequence by user.name, host.id [process where true] [file where true] until [network where true]",
            "sequence by user.name [process where true] [network where true]",
            "sequence [process where true] by host.id [network where true] by user.name",
            "sequence by host.id with maxspan=5s [process where true] ![network where true]",
            "sequence by host.id with maxspan=5s ![network where true] [process where true]",
            "sample by host.id [process where true] [network where true]",
            "sequence by host.id [process where true] [network where true] | tail 2",
        ]);
        assert_eq!(
            places(&p),
            [
                Place::PerEvent,
                Place::Global,
                Place::ByKey(0),
                Place::ByKey(1),
                Place::Global,
                Place::Global,
                Place::Global,
                Place::ByKey(0),
                Place::ByKey(0),
                Place::Global,
            ]
        );
    }

    #[test]
    fn every_host_id_value_names_a_group_and_none_names_the_null_group() {
        let p = program(&["sequence by host.id [process where true] [network where true]"]);
        let mut router = Router::new(&p, &places(&p), 8);
        let route = |router: &mut Router, text: &str| {
            let mut line = text.as_bytes().to_vec();
            let r = router.route(&mut line, 0);
            assert_eq!(line, text.as_bytes(), "the line is given back");
            r
        };
        let key = |s: &str| part_of(&KeyVal::Str(s.into()), 8);
        let one = route(&mut router, r#"{"host":{"id":"a"}}"#);
        assert_eq!(one.primary, key("a"));
        assert_eq!(one.mask, 1 << key("a"));
        let two = route(&mut router, r#"{"host.id":["a","b"]}"#);
        assert_eq!(two.primary, key("a"));
        assert_eq!(two.mask, (1 << key("a")) | (1 << key("b")));
        let null = part_of(&KeyVal::Null, 8);
        assert_eq!(route(&mut router, r#"{"host":{}}"#).mask, 1 << null);
        assert_eq!(route(&mut router, r#"{"host":"#).primary, null);
    }
}
