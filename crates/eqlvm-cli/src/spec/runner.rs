//! Running one spec query: plan it against the dataset's schema, emit it with the suite's
//! fields, stream the dataset's documents through an engine, then put the results in
//! Elasticsearch's response order and cut them to the request size.

use super::datasets::Dataset;
use super::specfile::SpecQuery;
use eqlvm::emit::{Emitter, QueryOptions};
use eqlvm::planner::{plan_text, PlanOptions, PlanQuery, UnknownFieldPolicy};
use eqlvm::vm::engine::keys::KeyVal;
use eqlvm::vm::engine::{Engine, EngineOptions, Match};

/// What a query returned, flattened as the Elasticsearch harness compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Event ids, sequence by sequence; -1 for a missing-event placeholder.
    pub ids: Vec<i64>,
    /// Join keys as text, result by result.
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Event,
    Sequence,
    Sample,
}

/// The default request `size` of the Elasticsearch spec harness.
pub const DEFAULT_SIZE: usize = 50;

/// Runs `q` over `ds`; `Err` holds the planner's or engine's complaint.
pub fn run(ds: &Dataset, q: &SpecQuery, tiebreaker: Option<&str>) -> Result<Outcome, String> {
    let opts = PlanOptions::default().with_unknown_fields(UnknownFieldPolicy::Error);
    let planned = plan_text(&q.query, &ds.schema, &opts).map_err(|diags| {
        diags
            .iter()
            .map(|d| d.render("<query>", &q.query).trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let shape = match planned.plan.query {
        PlanQuery::Event(_) => Shape::Event,
        PlanQuery::Sequence(_) => Shape::Sequence,
        PlanQuery::Sample(_) => Shape::Sample,
    };
    let mut qo = QueryOptions::new(q.name.clone(), q.query.clone());
    qo.tiebreaker_field = tiebreaker.map(str::to_string);
    let mut emitter = Emitter::new();
    emitter.add(&planned.plan, &qo);
    let eo = EngineOptions {
        max_samples_per_key: q.max_samples_per_key.unwrap_or(1),
        ..EngineOptions::default()
    };
    let mut engine = Engine::new(emitter.finish(), &eo).map_err(|e| e.to_string())?;
    let mut matches: Vec<Match> = Vec::new();
    for (i, d) in ds.docs.iter().enumerate() {
        let line = engine.line_mut();
        line.clear();
        line.extend_from_slice(d.line.as_bytes());
        engine
            .process(&mut matches)
            .map_err(|e| format!("document {i}: {e}"))?;
    }
    engine.finish(&mut matches);
    order(&mut matches, shape);
    matches.truncate(q.size.unwrap_or(DEFAULT_SIZE));
    let mut out = Outcome {
        ids: Vec::new(),
        keys: Vec::new(),
    };
    for m in &matches {
        for e in &m.events {
            out.ids.push(match e {
                // The engine numbers events in arrival order: the dataset's index.
                Some(e) => usize::try_from(e.ord.seq)
                    .ok()
                    .and_then(|i| ds.docs.get(i))
                    .and_then(|d| d.id)
                    .unwrap_or(i64::MIN),
                None => -1,
            });
        }
        out.keys
            .extend(m.keys.iter().map(|k| key_text(k, shape == Shape::Sample)));
    }
    Ok(out)
}

/// Elasticsearch's response order: events by position; sequences by their last event, then
/// their first, then key; samples by key tuple (a stable sort keeps the engine's order
/// otherwise).
fn order(matches: &mut [Match], shape: Shape) {
    match shape {
        Shape::Event => {}
        Shape::Sequence => matches.sort_by(|a, b| {
            let last = |m: &Match| {
                m.events
                    .iter()
                    .rev()
                    .flatten()
                    .next()
                    .map(|e| e.ord.clone())
            };
            let first = |m: &Match| m.events.iter().flatten().next().map(|e| e.ord.clone());
            last(a)
                .cmp(&last(b))
                .then_with(|| first(a).cmp(&first(b)))
                .then_with(|| a.keys.cmp(&b.keys))
        }),
        Shape::Sample => matches.sort_by(|a, b| a.keys.cmp(&b.keys)),
    }
}

/// A join key as the harness prints it: dates as epoch milliseconds for samples (they come
/// from an aggregation) and as formatted date text for sequences; whole doubles keep a `.0`
/// as Java prints them.
fn key_text(k: &KeyVal, sample: bool) -> String {
    match k {
        KeyVal::Date(ns) if sample => ns.div_euclid(1_000_000).to_string(),
        KeyVal::Float(x) if x.fract() == 0.0 && x.abs() < 1e7 => format!("{x:.1}"),
        other => other.to_text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_key_text() {
        let day = 1_671_235_200_000_000_000;
        assert_eq!(key_text(&KeyVal::Date(day), true), "1671235200000");
        assert_eq!(
            key_text(&KeyVal::Date(day), false),
            "2022-12-17T00:00:00.000Z"
        );
        assert_eq!(key_text(&KeyVal::Float(2.0), false), "2.0");
        assert_eq!(key_text(&KeyVal::Float(2.5), false), "2.5");
        assert_eq!(key_text(&KeyVal::Int(7), true), "7");
        assert_eq!(key_text(&KeyVal::Null, true), "null");
    }
}
