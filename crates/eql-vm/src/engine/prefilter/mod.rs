//! The literal prefilter: most stages of a large rule set require some field to equal one of a
//! few strings (`process.name in (…)`, `event.action == "…"`) or to match wildcard patterns,
//! each of which contains a literal atom (`"*\\system32\\dns.exe"`). Those required conjuncts
//! are read off each stage's predicate block ([`flow`]), the most selective one or two per
//! stage are indexed by their strings, and per event one hash probe per indexed field value
//! (and one Aho-Corasick pass over the fields with atoms) tells which guarded stages can still
//! be true; the others are not run at all. Skipping a stage whose predicate would be false
//! changes nothing.

mod atoms;
mod bits;
mod flow;
mod folded;
mod index;
mod regex_lits;

pub use flow::{anchored_atom, atom, block_requirements, Guard, Test, MIN_ATOM};
pub use regex_lits::regex_atoms;

use super::dispatch::stages_of;
use crate::domains::small_domain;
use crate::event::EventBuf;
use ahash::{AHashMap, AHashSet};
use bits::Bits;
use eql_bytecode::Program;
use index::Index;

/// Per-event admission of stages; see the module docs.
#[derive(Debug, Default)]
pub struct Prefilter {
    /// Dense id of stage 0 of each query; a query's until stage follows its stages.
    offsets: Vec<u32>,
    stage_counts: Vec<u32>,
    /// Per dense stage: how many indexed clauses must hold (0: not guarded).
    needed: Vec<u8>,
    /// Stages with the same indexed clauses and filters form one group, probed once: the
    /// stages of every group, group after group (see [`Prefilter::group_ranges`]).
    group_stages: Vec<u32>,
    /// Per group: the range of its stages in `group_stages`.
    group_ranges: Vec<(u32, u32)>,
    /// Per dense stage: its group (`u32::MAX`: none).
    stage_group: Vec<u32>,
    /// A bit per clause, set once it holds for the current event (all clear between events).
    marked: Vec<u64>,
    /// The index of the clauses of each partition's stages: [`ANY_PART`] for stages of any
    /// category, then one per category (a category field and a value of it), which holds the
    /// clauses of the stages of any category too.
    parts: Vec<Index>,
    /// The partition of each category that has guarded stages.
    part_ids: AHashMap<(usize, Box<str>), u32>,
    /// Guarded stages whose every indexed clause holds for the current event.
    admitted: Vec<u32>,
    /// A bit per dense stage, all clear between events: sorts long admitted lists.
    seen: Vec<u64>,
    /// The groups of the current event whose clauses hold and whose filters are checked once
    /// the probe has set the bits of the fields it covers (each as its last clause's hit).
    filtered: Vec<Hit>,
    /// Per dense stage: the clauses indexed for it (for profiles and listings).
    indexed: Vec<Vec<Vec<Guard>>>,
    /// Per dense stage: every clause read off its predicate (for profiles and listings).
    known: Vec<Vec<Vec<Guard>>>,
    /// Checks of categorical requirements on the stages the index admits.
    bits: Bits,
    /// Per group: the clauses its categorical filters check.
    group_filters: Vec<Vec<Vec<Guard>>>,
}

/// The partition of the stages of any category. Every category's partition holds their
/// clauses too, so that an event of a category with guarded stages probes that category's
/// partition alone (its values are hashed and scanned once), and only an event of no such
/// category probes this one.
pub const ANY_PART: u32 = 0;

/// Indexed clauses per stage: the best, and a second one when the best lets through more than
/// this share of events and the second does not let through most of them.
const SECOND_CLAUSE_ABOVE: f64 = 0.01;
const SECOND_CLAUSE_BELOW: f64 = 0.5;
/// The distinct values assumed for a field that [`small_domain`] does not know: most event
/// fields (names, paths, ids, ports) take many values in real data, however few of them the
/// rules mention.
const MANY_VALUES: usize = 1000;

/// A clause estimated to let through more than this share of events is not worth indexing.
const USELESS: f64 = 0.9;
/// A clause not on categorical fields is preferred to those on them up to this estimate.
const STRONG_ENOUGH: f64 = 0.5;

/// Estimates of how often a guard holds, without event statistics: an equality with `n`
/// literals on a field of `d` values holds for about `n / d` of the events, where `d` is the
/// field's known small domain ([`small_domain`]) or else [`MANY_VALUES`], and never fewer than
/// the distinct literals the rule set tests it with; an atom of `l` units holds for about
/// `2^-(l-2)` of them, an ASCII byte being one unit and a rarer non-ASCII character six.
struct Selectivity {
    distinct: AHashMap<usize, usize>,
}

impl Selectivity {
    fn new(p: &Program, guards: impl Iterator<Item = Guard>) -> Selectivity {
        let mut sets: AHashMap<usize, AHashSet<String>> = AHashMap::new();
        for g in guards.filter(|g| matches!(g.test, Test::Equals | Test::EqualsInt)) {
            let d = sets.entry(g.slot).or_default();
            d.extend(g.strings.iter().map(|s| s.to_ascii_lowercase()));
            d.extend(g.ints.iter().map(|i| i.to_string()));
        }
        let domain = |slot: usize| {
            p.fields
                .get(slot)
                .and_then(|f| small_domain(&f.path))
                .unwrap_or(MANY_VALUES)
        };
        Selectivity {
            distinct: sets
                .into_iter()
                .map(|(k, v)| (k, v.len().max(domain(k))))
                .collect(),
        }
    }

    fn guard(&self, g: &Guard) -> f64 {
        match g.test {
            Test::Equals | Test::EqualsInt => {
                let d = self.distinct.get(&g.slot).copied().unwrap_or(MANY_VALUES);
                (g.strings.len() + g.ints.len()) as f64 / d as f64
            }
            Test::Contains | Test::StartsWith | Test::EndsWith => g
                .strings
                .iter()
                .map(|a| {
                    let units: usize = a.chars().map(|c| if c.is_ascii() { 1 } else { 6 }).sum();
                    0.5f64.powi(units.saturating_sub(2).min(60) as i32)
                })
                .sum(),
        }
    }

    fn clause(&self, c: &[Guard]) -> f64 {
        c.iter().map(|g| self.guard(g)).sum::<f64>().min(1.0)
    }
}

impl Prefilter {
    /// Reads the guards of every stage of `p` and indexes the most selective clause of each
    /// (and a second one when that helps).
    pub fn new(p: &Program) -> Prefilter {
        let mut pf = Prefilter::default();
        let mut per_stage: Vec<Vec<Vec<Guard>>> = Vec::new();
        // Per dense stage: its category (the query's category field and the stage's value of
        // it), `None` for a stage of any category.
        let mut categories: Vec<Option<(usize, Box<str>)>> = Vec::new();
        for q in &p.queries {
            pf.offsets.push(per_stage.len() as u32);
            let st = stages_of(&q.kind);
            pf.stage_counts
                .push(st.iter().filter(|(i, _)| *i != u32::MAX).count() as u32);
            for (_, s) in st {
                per_stage.push(block_requirements(p, s.predicate.index()));
                let c = s.category.as_ref();
                categories.push(c.map(|c| (q.category.index(), c.as_str().into())));
            }
        }
        // Per group, how many indexed clauses must hold, and its stages; per clause, the group
        // it guards.
        let mut group_needed: Vec<u8> = Vec::new();
        let mut group_stages: Vec<Vec<u32>> = Vec::new();
        let mut clause_group: Vec<u32> = Vec::new();
        pf.parts.push(Index::default());
        let mut any_clauses: Vec<(u32, Guard)> = Vec::new();
        let sel = Selectivity::new(p, per_stage.iter().flatten().flatten().cloned());
        pf.needed = vec![0; per_stage.len()];
        pf.indexed = vec![Vec::new(); per_stage.len()];
        // A group per partition, chosen clauses and filters (the clauses borrowed from
        // `per_stage`).
        type GroupKey<'g> = (u32, Vec<&'g Vec<Guard>>, Vec<&'g Vec<Guard>>);
        let mut groups: AHashMap<GroupKey<'_>, u32> = AHashMap::new();
        pf.stage_group = vec![u32::MAX; per_stage.len()];
        let weak = |slot: usize| {
            p.fields
                .get(slot)
                .is_some_and(|f| small_domain(&f.path).is_some())
        };
        for (id, clauses) in per_stage.iter().enumerate() {
            // Clauses on categorical fields only are weak: their estimates are the least
            // reliable (a few values dominate), so another clause is indexed when there is one
            // that is not estimated to let through most events.
            let (mut ranked, unranked): (Vec<_>, Vec<_>) = clauses
                .iter()
                .filter(|c| !c.is_empty())
                .map(|c| {
                    let est = sel.clause(c);
                    let weak_clause = c.iter().all(|g| weak(g.slot));
                    (weak_clause || est > STRONG_ENOUGH, est, c)
                })
                .partition(|(_, p, _)| *p <= USELESS);
            ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut chosen: Vec<&Vec<Guard>> = ranked.iter().take(1).map(|r| r.2).collect();
            if let (Some(first), Some(second)) = (ranked.first(), ranked.get(1)) {
                if first.1 > SECOND_CLAUSE_ABOVE && second.1 < SECOND_CLAUSE_BELOW && !second.0 {
                    chosen.push(second.2);
                }
            }
            // A stage guarded by categorical fields alone runs on a large share of events.
            // Beside such a guard, a clause on another field estimated useless alone (a long
            // list of short atoms) still holds only for events carrying that field: index it
            // too, the least useless one.
            let categorical = |c: &Vec<Guard>| c.iter().all(|g| weak(g.slot));
            if chosen.len() == 1 && chosen.iter().all(|c| categorical(c)) {
                let fallback = unranked
                    .iter()
                    .filter(|r| !categorical(r.2))
                    .min_by(|a, b| a.1.total_cmp(&b.1));
                if let Some(f) = fallback {
                    chosen.push(f.2);
                }
            }
            pf.needed[id] = chosen.len() as u8;
            pf.indexed[id] = chosen.iter().map(|c| (*c).clone()).collect();
            if chosen.is_empty() {
                continue;
            }
            let filters: Vec<&Vec<Guard>> = ranked
                .iter()
                .map(|r| r.2)
                .filter(|c| !chosen.contains(c) && bits::fits(c, weak))
                .take(bits::MAX_FILTERS)
                .collect();
            // A group's stages share a category, so that its clauses are in one partition.
            let part = match categories.get(id).cloned().flatten() {
                Some(key) => {
                    let next = pf.parts.len() as u32;
                    let part = *pf.part_ids.entry(key).or_insert(next);
                    if part == next {
                        pf.parts.push(Index::default());
                    }
                    part
                }
                None => ANY_PART,
            };
            let signature = (part, chosen.clone(), filters.clone());
            let group = match groups.get(&signature) {
                Some(&g) => g,
                None => {
                    let g = group_needed.len() as u32;
                    group_needed.push(chosen.len() as u8);
                    group_stages.push(Vec::new());
                    for clause in &chosen {
                        let c = clause_group.len() as u32;
                        clause_group.push(g);
                        for guard in clause.iter() {
                            pf.parts[part as usize].add(c, guard);
                            if part == ANY_PART {
                                any_clauses.push((c, guard.clone()));
                            }
                        }
                    }
                    let mut checked = Vec::new();
                    for f in filters {
                        if pf.bits.add_filter(g as usize, f, weak) {
                            checked.push(f.clone());
                        }
                    }
                    pf.group_filters.push(checked);
                    groups.insert(signature, g);
                    g
                }
            };
            group_stages[group as usize].push(id as u32);
            pf.stage_group[id] = group;
        }
        pf.bits.finish();
        pf.seen = vec![0; per_stage.len().div_ceil(64)];
        pf.known = per_stage;
        for index in pf.parts.iter_mut().skip(1) {
            for (c, guard) in &any_clauses {
                index.add(*c, guard);
            }
        }
        for (slot, field, values) in pf.bits.coverable() {
            for index in &mut pf.parts {
                index.cover(slot, field, &values);
            }
        }
        // The any-category partition first: the others share its automata where their atoms
        // of a field are its own.
        let (any, rest) = pf.parts.split_at_mut(1);
        let mut lost = any.first_mut().map(|a| a.finish(None)).unwrap_or_default();
        for index in rest {
            lost.extend(index.finish(any.first()));
        }
        // Without an automaton the atoms' clauses could never hold: unguard them.
        for c in lost {
            let g = clause_group[c as usize] as usize;
            for &s in group_stages.get(g).into_iter().flatten() {
                if let Some(n) = pf.needed.get_mut(s as usize) {
                    *n = 0;
                }
                if let Some(x) = pf.indexed.get_mut(s as usize) {
                    x.clear();
                }
            }
        }
        for stages in &group_stages {
            let start = pf.group_stages.len() as u32;
            pf.group_stages.extend_from_slice(stages);
            pf.group_ranges.push((start, pf.group_stages.len() as u32));
        }
        // What marking each clause takes, copied into the index's lists: the group's other clause
        // when it needs two, and its stages (the one stage itself when it has one).
        let mut group_clauses: Vec<Vec<u32>> = vec![Vec::new(); group_needed.len()];
        for (c, &g) in clause_group.iter().enumerate() {
            group_clauses[g as usize].push(c as u32);
        }
        // A stage has at most two indexed clauses; the stages of a group of more (which the
        // marking cannot count) would be unguarded, which is sound.
        for (g, clauses) in group_clauses.iter().enumerate() {
            if clauses.len() > 2 {
                for &s in group_stages.get(g).into_iter().flatten() {
                    if let Some(n) = pf.needed.get_mut(s as usize) {
                        *n = 0;
                    }
                    if let Some(x) = pf.indexed.get_mut(s as usize) {
                        x.clear();
                    }
                }
            }
        }
        let hit = |c: u32| {
            let g = clause_group[c as usize];
            let (start, end) = pf.group_ranges[g as usize];
            let len = end - start;
            let partner = match group_clauses[g as usize].as_slice() {
                [a, b] => {
                    if *a == c {
                        *b
                    } else {
                        *a
                    }
                }
                _ => u32::MAX,
            };
            let checks = pf.bits.checks_of(g as usize);
            Hit {
                clause: c,
                partner,
                first: if len == 1 {
                    pf.group_stages[start as usize]
                } else {
                    start
                },
                len,
                checks: checks.map_or(0, |c| c.0),
                fields: checks.map_or(0, |c| c.1),
                filtered: checks.is_some(),
            }
        };
        let mut parts = std::mem::take(&mut pf.parts);
        for index in &mut parts {
            index.seal(&hit);
        }
        pf.parts = parts;
        pf.marked = vec![0; clause_group.len().div_ceil(64)];
        pf
    }

    /// The dense id of stage `stage` of query `query` (`u32::MAX`: its until stage).
    pub fn dense(&self, query: u32, stage: u32) -> Option<usize> {
        let q = query as usize;
        let (base, count) = (*self.offsets.get(q)?, *self.stage_counts.get(q)?);
        Some((base + if stage == u32::MAX { count } else { stage }) as usize)
    }

    /// Whether the stage with dense id `id` is guarded (run only when admitted).
    pub fn is_guarded(&self, id: usize) -> bool {
        self.needed.get(id).is_some_and(|&n| n > 0)
    }

    /// The clauses indexed for the stage with dense id `id` (empty: not guarded).
    pub fn indexed(&self, id: usize) -> &[Vec<Guard>] {
        self.indexed.get(id).map_or(&[], Vec::as_slice)
    }

    /// How many categorical filters the stage with dense id `id` has beside its index.
    pub fn filter_count(&self, id: usize) -> usize {
        let g = self.stage_group.get(id).copied().unwrap_or(u32::MAX);
        self.bits.filters_of(g as usize)
    }

    /// The clauses the categorical filters of the stage with dense id `id` check: each holds,
    /// as its guards compare, for every event the stage is admitted for.
    pub fn filters(&self, id: usize) -> &[Vec<Guard>] {
        let g = self.stage_group.get(id).copied().unwrap_or(u32::MAX);
        self.group_filters
            .get(g as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// Every clause read off the predicate of the stage with dense id `id`.
    pub fn known(&self, id: usize) -> &[Vec<Guard>] {
        self.known.get(id).map_or(&[], Vec::as_slice)
    }

    /// How many stages have an indexed guard.
    pub fn guarded_stages(&self) -> usize {
        self.needed.iter().filter(|&&n| n > 0).count()
    }

    /// True when no stage is guarded (the prefilter has nothing to do).
    pub fn is_empty(&self) -> bool {
        self.guarded_stages() == 0
    }

    /// The partition of the guarded stages of category `name` of the category field in slot
    /// `slot` (`None`: no such stage).
    pub fn part(&self, slot: usize, name: &str) -> Option<u32> {
        self.part_ids.get(&(slot, name.into())).copied()
    }

    /// Finds the guarded stages of partitions `parts` (see [`Prefilter::part`] and
    /// [`ANY_PART`]) the event in `buf` lets through; see [`Prefilter::admitted`]. Stages of
    /// other partitions are not admitted, except those of any category, which every
    /// partition holds.
    pub fn begin(&mut self, buf: &EventBuf, parts: &[u32]) {
        self.marked.fill(0);
        self.admitted.clear();
        self.filtered.clear();
        self.bits.begin();
        for &p in parts {
            if let Some(index) = self.parts.get(p as usize) {
                self.bits.cover(index.covered());
            }
        }
        let mut marks = Marks {
            marked: &mut self.marked,
            group_stages: &self.group_stages,
            admitted: &mut self.admitted,
            filtered: &mut self.filtered,
        };
        let words = self.bits.words();
        for &p in parts {
            if let Some(index) = self.parts.get(p as usize) {
                index.probe(buf, words, |ids| marks.all(ids));
            }
        }
        for h in &self.filtered {
            if self.bits.pass_checks(h.checks, h.fields, buf) {
                admit(h, &self.group_stages, &mut self.admitted);
            }
        }
        sort_small(&mut self.admitted, &mut self.seen);
    }

    /// The dense ids of the guarded stages the event given to the last [`Prefilter::begin`]
    /// lets through (each once, in increasing order: by query, then stage).
    pub fn admitted(&self) -> &[u32] {
        &self.admitted
    }
}

/// Sorts `v`: by insertion when it is short (an event admits about ten stages, which the
/// standard sort's setup costs more than sorting), else through `seen` (a bit per id, all
/// clear, left clear): the ids' bits set, then read back in order, a few instructions an id
/// and a word. Repeated ids, or ids beyond `seen`, which the bits cannot hold, fall back to the
/// standard sort.
fn sort_small(v: &mut Vec<u32>, seen: &mut [u64]) {
    if v.len() > 24 {
        let mut distinct = true;
        for &x in v.iter() {
            let (w, b) = (x as usize / 64, 1u64 << (x % 64));
            match seen.get_mut(w) {
                Some(word) if *word & b == 0 => *word |= b,
                _ => distinct = false,
            }
        }
        if !distinct {
            seen.fill(0);
            v.sort_unstable();
            return;
        }
        v.clear();
        for (w, word) in seen.iter_mut().enumerate() {
            let mut bits = std::mem::take(word);
            while bits != 0 {
                v.push((w * 64) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        return;
    }
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// What marking one indexed clause takes, kept in the index's lists beside the clause, so
/// that a probe reads nothing else of it: the clause, the other clause of its group when the
/// group needs two (`u32::MAX`: none), the group's stages (`len` of them from `first` in
/// `group_stages`, or, when `len == 1`, `first` is the stage) and whether it has categorical
/// filters, and where their checks are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hit {
    pub(super) clause: u32,
    partner: u32,
    first: u32,
    len: u32,
    /// Where the group's filter checks start, and the fields they read (see
    /// [`bits::Bits::checks_of`]), when it has filters.
    checks: u32,
    fields: u64,
    filtered: bool,
}

impl Hit {
    /// Clause `c`, while the index is built ([`index::Index::seal`] fills in the rest).
    pub(super) fn of(c: u32) -> Hit {
        Hit {
            clause: c,
            partner: u32::MAX,
            checks: 0,
            fields: 0,
            first: 0,
            len: 0,
            filtered: false,
        }
    }
}

/// Admits the stages of the group of `h`.
#[inline(always)]
fn admit(h: &Hit, group_stages: &[u32], admitted: &mut Vec<u32>) {
    if h.len == 1 {
        admitted.push(h.first);
    } else if let Some(stages) = group_stages.get(h.first as usize..(h.first + h.len) as usize) {
        admitted.extend_from_slice(stages);
    }
}

/// The marking state of one [`Prefilter::begin`].
struct Marks<'a> {
    marked: &'a mut [u64],
    group_stages: &'a [u32],
    admitted: &'a mut Vec<u32>,
    filtered: &'a mut Vec<Hit>,
}

impl Marks<'_> {
    /// Records that the clauses of `hits` hold.
    #[inline]
    fn all(&mut self, hits: &[Hit]) {
        for h in hits {
            let c = h.clause as usize;
            let Some(word) = self.marked.get_mut(c / 64) else {
                continue;
            };
            let bit = 1u64 << (c % 64);
            if *word & bit != 0 {
                continue;
            }
            *word |= bit;
            // A group of two clauses holds once the second of them does (each is marked
            // once, so only that one gets here with the other marked).
            if h.partner != u32::MAX {
                let p = h.partner as usize;
                let held = self
                    .marked
                    .get(p / 64)
                    .is_some_and(|w| w & (1u64 << (p % 64)) != 0);
                if !held {
                    continue;
                }
            }
            if h.filtered {
                self.filtered.push(*h);
            } else {
                admit(h, self.group_stages, self.admitted);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sort_small;

    /// Short lists (insertion) and long ones (through the bits, or the standard sort when ids
    /// repeat or lie beyond the bits) of every shape end sorted, and the bits end clear.
    #[test]
    fn sort_small_sorts_any_length() {
        for n in [0usize, 1, 2, 3, 10, 24, 25, 60, 200] {
            let m = n as u32;
            let shapes: [Vec<u32>; 6] = [
                (0..m).collect(),
                (0..m).rev().map(|i| i * 3 + 63).collect(),
                (0..m).map(|i| (i * 7919) % 13).collect(),
                (0..m).map(|i| (i * 7919) % 211).collect(),
                vec![5; n],
                (0..m).map(|i| if i == m / 2 { 640 } else { i }).collect(),
            ];
            for mut v in shapes {
                let mut want = v.clone();
                want.sort();
                let mut seen = vec![0u64; 10];
                sort_small(&mut v, &mut seen);
                assert_eq!(v, want, "{n}");
                assert!(seen.iter().all(|&w| w == 0), "{n}");
            }
        }
    }
}
