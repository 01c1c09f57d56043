//! Helpers shared by the engine tests: a match reduced to what two runs must agree on.

use eql_vm::engine::Match;

/// What a match is, for comparing: its query, its events' lines and its join keys.
pub type Seen = (u32, Vec<Option<String>>, String);

pub fn seen(m: &Match) -> Seen {
    let events = m
        .events
        .iter()
        .map(|e| e.as_ref().map(|e| e.line.to_string()))
        .collect();
    (m.query, events, format!("{:?}", m.keys))
}
