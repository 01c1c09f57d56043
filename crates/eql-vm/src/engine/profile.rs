//! Per-stage counts for tuning the prefilter: how often each stage's predicate ran and how
//! often it was true, with the requirements the prefilter indexed for it. Off by default (it
//! costs a hash update per predicate run); `eqlvm bench --stage-stats N` prints the top stages.

use super::dispatch::StageRef;
use super::prefilter::{Guard, Test};
use super::Engine;
use ahash::AHashMap;
use eql_bytecode::Program;

/// The counts of one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageProfile {
    pub query: u32,
    /// The stage index (`u32::MAX`: a sequence's until stage).
    pub stage: u32,
    /// How often its predicate ran.
    pub runs: u64,
    /// How often it was true.
    pub trues: u64,
    /// The clauses the prefilter indexed for it, rendered (`[]`: not guarded).
    pub indexed: Vec<String>,
    /// Every clause the prefilter read off its predicate, rendered.
    pub known: Vec<String>,
    /// How many of `known` are checked as categorical filters once the index admits it.
    pub filters: usize,
}

/// Stage counts by stage.
pub(super) type Counts = AHashMap<StageRef, [u64; 2]>;

/// Renders a guard as `field == {a, b, …}` (at most a few strings).
pub fn render_guard(p: &Program, g: &Guard) -> String {
    let field = p.fields.get(g.slot).map_or("?", |f| f.path.as_str());
    let op = match (g.test, g.case_insensitive) {
        (Test::Equals | Test::EqualsInt, false) => "==",
        (Test::Equals | Test::EqualsInt, true) => ":",
        (Test::Contains, _) => "contains",
        (Test::StartsWith, _) => "starts with",
        (Test::EndsWith, _) => "ends with",
    };
    let mut items: Vec<String> = g.strings.iter().map(|s| format!("{s:?}")).collect();
    items.extend(g.ints.iter().map(i64::to_string));
    let n = items.len();
    items.truncate(4);
    let more = if n > 4 {
        format!(", … {n} in all")
    } else {
        String::new()
    };
    format!("{field} {op} {{{}{more}}}", items.join(", "))
}

impl Engine {
    /// Starts (or stops, discarding them) counting predicate runs per stage.
    pub fn set_stage_profile(&mut self, on: bool) {
        self.profile = on.then(Counts::default);
        self.refresh_front();
    }

    /// The counts since [`Engine::set_stage_profile`], most runs first.
    pub fn stage_profile(&self) -> Vec<StageProfile> {
        let p = &self.loaded.program;
        let mut v: Vec<StageProfile> = self
            .profile
            .iter()
            .flatten()
            .map(|(r, c)| {
                let pf = self.prefilter.as_ref();
                let id = pf.and_then(|pf| pf.dense(r.query, r.stage));
                let render = |clauses: &[Vec<Guard>]| -> Vec<String> {
                    clauses
                        .iter()
                        .map(|c| {
                            let g: Vec<String> = c.iter().map(|g| render_guard(p, g)).collect();
                            g.join(" or ")
                        })
                        .collect()
                };
                let indexed = render(pf.zip(id).map_or(&[], |(pf, id)| pf.indexed(id)));
                let known = render(pf.zip(id).map_or(&[], |(pf, id)| pf.known(id)));
                StageProfile {
                    query: r.query,
                    stage: r.stage,
                    runs: c[0],
                    trues: c[1],
                    indexed,
                    known,
                    filters: pf.zip(id).map_or(0, |(pf, id)| pf.filter_count(id)),
                }
            })
            .collect();
        v.sort_by(|a, b| {
            b.runs
                .cmp(&a.runs)
                .then((a.query, a.stage).cmp(&(b.query, b.stage)))
        });
        v
    }
}
