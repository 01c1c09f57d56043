//! What a stage's admission proves: the prefilter admits a guarded stage only for events that
//! satisfy each of its indexed clauses and pass each of its categorical filters, so a guarded
//! stage's predicate may skip the tests those settle ([`Loaded::assume`]).
//!
//! An indexed clause of string equalities holds as compared: a case-sensitive literal matched
//! the value byte for byte, a case-insensitive one under ASCII case folding (the string index
//! compares the bytes after finding the folded key), and so does a categorical filter's (a
//! case-sensitive literal has a bit of its own, set by that literal alone). Atoms (wildcards,
//! regexes) and integers prove nothing here: an atom only narrows the values a pattern may
//! match, and no string test follows from a number. A clause naming several fields proves nothing about
//! any one of them and is left out.

use super::dispatch::stages_of;
use super::prefilter::{Guard, Prefilter, Test};
use crate::machine::{Fact, Loaded};
use eql_bytecode::{KeySource, Program};

/// The facts clause `c` proves when it holds (compared as each guard says): one per guard, at
/// least one of which holds. Empty when it proves nothing.
fn facts(c: &[Guard]) -> Vec<Fact> {
    let usable = c.first().is_some_and(|first| {
        c.iter().all(|g| {
            g.slot == first.slot
                && g.test == Test::Equals
                && g.ints.is_empty()
                && !g.strings.is_empty()
        })
    });
    if !usable {
        return Vec::new();
    }
    c.iter()
        .map(|g| Fact {
            slot: g.slot,
            strings: g.strings.clone(),
            folded: g.case_insensitive,
        })
        .collect()
}

/// How many times each block of `p` is referenced (stage predicates and joins, key blocks,
/// lineage filters).
fn uses(p: &Program) -> Vec<u32> {
    let mut n = vec![0u32; p.blocks.len()];
    let mut note = |b: eql_bytecode::BlockId| {
        if let Some(c) = n.get_mut(b.index()) {
            *c += 1;
        }
    };
    for q in &p.queries {
        for (_, s) in stages_of(&q.kind) {
            note(s.predicate);
            s.join.into_iter().for_each(&mut note);
            for k in &s.keys {
                if let KeySource::Block(b) = k.source {
                    note(b);
                }
            }
        }
    }
    for f in &p.lineage.filters {
        note(f.predicate);
    }
    n
}

/// Settles how the stage predicates run: every stage tests its leading `and` chain most
/// selective cheap test first (the load-time order, [`Loaded::keep_written_order`]), and
/// those `pf` guards skip what their admission proves. Undoes what an earlier call did (the
/// prefilter may have been switched off since).
pub(super) fn order_tests(loaded: &mut Loaded, pf: Option<&Prefilter>) {
    loaded.drop_assumptions();
    let mut blocks = Vec::new();
    for q in &loaded.program.queries {
        blocks.extend(stages_of(&q.kind).into_iter().map(|(_, s)| s.predicate));
    }
    for b in blocks {
        loaded.keep_written_order(b, false);
    }
    if let Some(pf) = pf {
        assume_admissions(loaded, pf);
    }
}

/// Lets the predicate of every stage `pf` guards skip what its admission proves. A block
/// referenced anywhere else as well is left as it is (it may run without the admission).
fn assume_admissions(loaded: &mut Loaded, pf: &Prefilter) {
    let uses = uses(&loaded.program);
    let mut todo = Vec::new();
    for (qi, q) in loaded.program.queries.iter().enumerate() {
        for (si, s) in stages_of(&q.kind) {
            let Some(id) = pf.dense(qi as u32, si).filter(|&id| pf.is_guarded(id)) else {
                continue;
            };
            // A stage whose category has no partition is dispatched unguarded (see
            // `Dispatch::new`).
            let part = s
                .category
                .as_ref()
                .is_none_or(|c| pf.part(q.category.index(), c).is_some());
            if !part || uses.get(s.predicate.index()) != Some(&1) {
                continue;
            }
            let known: Vec<Vec<Fact>> = pf
                .indexed(id)
                .iter()
                .chain(pf.filters(id))
                .map(|c| facts(c))
                .filter(|f| !f.is_empty())
                .collect();
            if !known.is_empty() {
                todo.push((s.predicate, known));
            }
        }
    }
    for (b, known) in todo {
        loaded.assume(b, &known);
    }
}
