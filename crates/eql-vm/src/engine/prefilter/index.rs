//! One partition of the literal index: per field, its string and integer literals in hash
//! tables and its atoms in one Aho-Corasick automaton, each naming the clauses it satisfies.
//! The prefilter keeps one such index per event category (and one for stages of any
//! category), so that an event is probed only for the clauses of stages that can take it.

use super::atoms::FieldAtoms;
use super::bits::{int_of, set_str_bits, ExactBit, StrBits};
use super::flow::{Guard, Test};
use super::folded::{Flat, FlatEntry, FoldedMap};
use super::Hit;
use crate::event::{EventBuf, Value};
use crate::words::same_bytes;
use ahash::AHashMap;
use std::sync::Arc;

/// What a probe reads of one field first, 32 bytes, two fields to a cache line: its string
/// table's header, its atoms' automata and the shortest atom, whether it has integers. The
/// rest of the field's index ([`SlotIndex`]) is read only for integer values and atom matches.
#[derive(Debug, Default)]
#[repr(C, align(32))]
struct Hot {
    /// The field's string table (see [`SlotIndex::strings`]), in [`Index::tables`] and
    /// [`Index::entries`].
    strings: Flat,
    /// The automata of the field's atoms, shared by the partitions whose atoms and clauses of
    /// this field are the same (those of the stages of any category, which every partition
    /// holds), so that each is built once.
    atoms: Option<Arc<FieldAtoms>>,
    /// The length of the shortest atom (`u32::MAX`: none): shorter values are not searched.
    shortest: u32,
    /// Whether the field has integer literals.
    has_ints: bool,
}

/// The index of one field's literals: value → the clauses it satisfies.
#[derive(Debug, Default)]
struct SlotIndex {
    /// String equalities, keyed by the literal compared ASCII-case-insensitively: one probe
    /// with the value serves the case-insensitive literals and the case-sensitive ones alike.
    /// Moved into the index's shared arrays once built ([`Index::finish`]).
    strings: FoldedMap<StrClauses>,
    /// The automata of `atoms` (see [`Hot::atoms`]).
    atoms_ac: Option<Arc<FieldAtoms>>,
    slot: usize,
    /// Integers; probed with integer values and with floats that are integers.
    ints: AHashMap<i64, Vec<Hit>>,
    /// The clauses each atom satisfies, by its place (see [`FieldAtoms::find`]: anywhere, at
    /// the start, at the end) and its index in `atoms`.
    atom_clauses: [Vec<Vec<Hit>>; 3],
    /// Atoms (ASCII-lowercased) by their place, found with `atoms_ac`.
    atoms: [Vec<Box<str>>; 3],
    /// Each atom's position in `atoms`, while building.
    atom_ids: AHashMap<(usize, Box<str>), u32>,
}

/// The clauses of the literals that share one ASCII-lowercased form.
#[derive(Debug, Default)]
struct StrClauses {
    /// Case-insensitive equalities: any value of this lowercased form satisfies them.
    folded: Vec<Hit>,
    /// Case-sensitive equalities: each literal as written, and the clauses only it satisfies.
    exact: Vec<(Box<str>, Vec<Hit>)>,
    /// The categorical filters' bits of this form, on a field the index covers for them.
    bits: StrBits,
}

/// A run of an index's shared list: where it starts and how long it is.
#[derive(Debug, Default, Clone, Copy)]
struct Run {
    start: u32,
    len: u32,
}

impl Run {
    /// Appends `items` to `list`: their run there.
    fn push<T>(list: &mut Vec<T>, items: impl IntoIterator<Item = T>) -> Run {
        let start = list.len();
        list.extend(items);
        Run {
            start: start as u32,
            len: (list.len() - start) as u32,
        }
    }

    /// The items of this run of `list`.
    #[inline(always)]
    fn of<T>(self, list: &[T]) -> &[T] {
        let start = self.start as usize;
        list.get(start..start + self.len as usize)
            .unwrap_or_default()
    }
}

/// [`StrClauses`] once the index is built, 28 bytes, which a [`FlatEntry`] holds beside its key
/// in one cache line: its lists are runs of the index's shared lists.
#[derive(Debug, Default)]
struct FoundClauses {
    /// Case-insensitive equalities' clauses, in [`Index::hits`].
    folded: Run,
    /// Case-sensitive equalities, in [`Index::exacts`].
    exact: Run,
    /// The bit of the categorical filters' case-insensitive literals of this form
    /// (`u32::MAX`: none), and the case-sensitive ones in [`Index::bit_exacts`].
    bits_folded: u32,
    bits_exact: Run,
}

// What a probe reads of a field, and of a value found in its string table, one cache line or
// less each.
const _: () = assert!(std::mem::size_of::<Hot>() == 32);
const _: () = assert!(std::mem::size_of::<FlatEntry<FoundClauses>>() == 64);

impl StrClauses {
    /// The clauses of case-sensitive literal `lit` (a new list for a new literal).
    fn exact_mut(&mut self, lit: &str) -> &mut Vec<Hit> {
        let i = match self.exact.iter().position(|(l, _)| &**l == lit) {
            Some(i) => i,
            None => {
                self.exact.push((lit.into(), Vec::new()));
                self.exact.len() - 1
            }
        };
        &mut self.exact[i].1
    }
}

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct Index {
    /// The slot of each field's tables, in increasing order.
    slot_ids: Vec<usize>,
    /// Parallel to `slot_ids`: each field's tables.
    slots: Vec<SlotIndex>,
    /// Parallel to `slot_ids`: what a probe reads of each field first.
    hot: Vec<Hot>,
    /// The fields' string tables, one after the other (see [`FoldedMap::flatten`]).
    tables: Vec<u64>,
    /// The entries of the fields' string tables.
    entries: Vec<FlatEntry<FoundClauses>>,
    /// The clauses of the entries' lists, list after list.
    hits: Vec<Hit>,
    /// The entries' case-sensitive literals, each with its run of `hits`.
    exacts: Vec<(Box<[u8]>, Run)>,
    /// The entries' case-sensitive filter literals, each with its bit.
    bit_exacts: Vec<ExactBit>,
    /// The slots of `slot_ids` as a bitmap (as [`EventBuf::filled`]): met with the event's
    /// filled slots, it names the fields to probe without a look at the others.
    mask: Vec<u64>,
    /// Per slot up to the last indexed one: its position in `slots` (`u32::MAX`: none).
    position: Vec<u32>,
    /// The categorical filters' fields whose bits the probe sets (see [`Index::cover`]).
    covered: u64,
}

impl Index {
    /// Lets clause `c` hold when slot `g.slot` satisfies `g`.
    pub(super) fn add(&mut self, c: u32, g: &Guard) {
        let i = match self.slot_ids.binary_search(&g.slot) {
            Ok(i) => i,
            Err(i) => {
                self.slot_ids.insert(i, g.slot);
                let index = SlotIndex {
                    slot: g.slot,
                    ..SlotIndex::default()
                };
                self.slots.insert(i, index);
                i
            }
        };
        let index = &mut self.slots[i];
        let add = |ids: &mut Vec<Hit>| {
            if ids.last().map(|h| h.clause) != Some(c) {
                ids.push(Hit::of(c));
            }
        };
        for &n in &g.ints {
            add(index.ints.entry(n).or_default());
        }
        for s in &g.strings {
            match (g.test, g.case_insensitive) {
                // Integer guards carry no strings.
                (Test::EqualsInt, _) => {}
                (Test::Equals, false) => {
                    add(index.strings.entry(s, StrClauses::default).exact_mut(s))
                }
                (Test::Equals, true) => {
                    add(&mut index.strings.entry(s, StrClauses::default).folded)
                }
                (Test::Contains | Test::StartsWith | Test::EndsWith, _) => {
                    let place = match g.test {
                        Test::StartsWith => 1,
                        Test::EndsWith => 2,
                        _ => 0,
                    };
                    let key: Box<str> = s.to_ascii_lowercase().into();
                    let (atoms, clauses) = (&mut index.atoms[place], &mut index.atom_clauses);
                    let a = *index
                        .atom_ids
                        .entry((place, key.clone()))
                        .or_insert_with(|| {
                            atoms.push(key);
                            clauses[place].push(Vec::new());
                            atoms.len() as u32 - 1
                        });
                    add(&mut index.atom_clauses[place][a as usize]);
                }
            }
        }
    }

    /// Lets the probe set the categorical filters' bits of the field in slot `slot`, at
    /// position `field` of the filters' fields, whose values' forms have the bits `forms`: when
    /// the index already probes that field, every form with bits gets an entry (one with no
    /// clauses when no literal has that form) and the field is covered.
    pub(super) fn cover(&mut self, slot: usize, field: u64, forms: &[(&[u8], &StrBits)]) {
        let Ok(i) = self.slot_ids.binary_search(&slot) else {
            return;
        };
        let Some(index) = self.slots.get_mut(i) else {
            return;
        };
        for &(key, bits) in forms {
            // Keys come from the rules' strings: a key that is not UTF-8 cannot be met.
            let Ok(key) = std::str::from_utf8(key) else {
                return;
            };
            index.strings.entry(key, StrClauses::default).bits = bits.clone();
        }
        self.covered |= field;
    }

    /// The categorical filters' fields this index covers (see [`Index::cover`]).
    pub(super) fn covered(&self) -> u64 {
        self.covered
    }

    /// Builds the automata once every clause is added, taking those of `shared` (a finished
    /// index) for the fields whose atoms and clauses are the same there. Returns the clauses
    /// of the atoms no automaton could be built for (they can never be marked: their stages
    /// must be unguarded).
    pub(super) fn finish(&mut self, shared: Option<&Index>) -> Vec<u32> {
        let end = self.slot_ids.last().map_or(0, |&s| s + 1);
        self.mask = vec![0; end.div_ceil(64)];
        self.position = vec![u32::MAX; end];
        for (i, &s) in self.slot_ids.iter().enumerate() {
            self.mask[s / 64] |= 1 << (s % 64);
            self.position[s] = i as u32;
        }
        let mut lost = Vec::new();
        for index in &mut self.slots {
            index.atom_ids = AHashMap::new();
            if index.atoms.iter().all(Vec::is_empty) {
                continue;
            }
            // A field scanned for atoms anywhere finds its anchored atoms in the same pass
            // (wherever they are, which lets a few more values through): walking other
            // automata too would cost more than the longer scan saves.
            if !index.atoms[0].is_empty() {
                for place in 1..3 {
                    let atoms = std::mem::take(&mut index.atoms[place]);
                    index.atoms[0].extend(atoms);
                    let clauses = std::mem::take(&mut index.atom_clauses[place]);
                    index.atom_clauses[0].extend(clauses);
                }
            }
            let same = shared
                .and_then(|t| t.slots.iter().find(|s| s.slot == index.slot))
                .filter(|t| t.atoms == index.atoms && t.atom_clauses == index.atom_clauses);
            if let Some(t) = same {
                index.atoms_ac = t.atoms_ac.clone();
                continue;
            }
            let [a, b, c] = &index.atoms;
            let (atoms, failed) = FieldAtoms::build([a, b, c]);
            for (place, _) in failed.iter().enumerate().filter(|f| *f.1) {
                let clauses = index.atom_clauses[place].iter().flatten();
                lost.extend(clauses.map(|h| h.clause));
            }
            index.atoms_ac = Some(Arc::new(atoms));
        }
        let (hits, exacts, bit_exacts) = (&mut self.hits, &mut self.exacts, &mut self.bit_exacts);
        let mut found = |c: StrClauses| {
            let exact: Vec<(Box<[u8]>, Run)> = c
                .exact
                .into_iter()
                .map(|(lit, hs)| (lit.into_boxed_bytes(), Run::push(hits, hs)))
                .collect();
            let (bits_folded, bit_lits) = c.bits.into_parts();
            FoundClauses {
                folded: Run::push(hits, c.folded),
                exact: Run::push(exacts, exact),
                bits_folded,
                bits_exact: Run::push(bit_exacts, bit_lits),
            }
        };
        self.hot = self
            .slots
            .iter_mut()
            .map(|index| Hot {
                strings: index
                    .strings
                    .flatten(&mut self.tables, &mut self.entries, &mut found),
                atoms: index.atoms_ac.clone(),
                shortest: index
                    .atoms_ac
                    .as_ref()
                    .map_or(u32::MAX, |a| a.shortest().try_into().unwrap_or(u32::MAX)),
                has_ints: !index.ints.is_empty(),
            })
            .collect();
        lost
    }

    /// Replaces every clause id with what marking its clause takes (`hit`), once the groups
    /// are laid out.
    pub(super) fn seal(&mut self, hit: &impl Fn(u32) -> Hit) {
        let fill = |hs: &mut Vec<Hit>| hs.iter_mut().for_each(|h| *h = hit(h.clause));
        for index in &mut self.slots {
            index.ints.values_mut().for_each(fill);
            index.atom_clauses.iter_mut().flatten().for_each(fill);
        }
        fill(&mut self.hits);
    }

    /// Calls `mark` with the clauses each value of the event in `buf` satisfies, and sets in
    /// `bits` the categorical filters' bits of the values of the fields it covers.
    #[inline]
    pub(super) fn probe(&self, buf: &EventBuf, bits: &mut [u64], mut mark: impl FnMut(&[Hit])) {
        let Some(filled) = buf.filled() else {
            // A buffer without the bitmap: every indexed field in turn.
            for (i, &slot) in self.slot_ids.iter().enumerate() {
                self.probe_field(i, buf.slot(slot), buf, bits, &mut mark);
            }
            return;
        };
        // Only the indexed fields the event fills. Slots past the bitmap's end have no values.
        for (w, (&m, &f)) in self.mask.iter().zip(filled).enumerate() {
            let mut todo = m & f;
            while todo != 0 {
                let slot = w * 64 + todo.trailing_zeros() as usize;
                todo &= todo - 1;
                let i = self.position.get(slot).copied().unwrap_or(u32::MAX);
                self.probe_field(i as usize, buf.slot(slot), buf, bits, &mut mark);
            }
        }
    }

    /// Calls `mark` with the clauses each of `values` (the event's values of the field at
    /// position `i`) satisfies, and sets in `bits` the categorical filters' bit of each.
    #[inline(always)]
    fn probe_field(
        &self,
        i: usize,
        values: &[Value],
        buf: &EventBuf,
        bits: &mut [u64],
        mark: &mut impl FnMut(&[Hit]),
    ) {
        let Some(hot) = self.hot.get(i) else {
            return;
        };
        for v in values {
            let Value::Str(r) = v else {
                if hot.has_ints {
                    if let Some(ids) =
                        int_of(v).and_then(|n| self.slots.get(i).and_then(|x| x.ints.get(&n)))
                    {
                        mark(ids);
                    }
                }
                continue;
            };
            let s = buf.bytes(*r);
            if let Some(e) = hot.strings.get(&self.tables, &self.entries, s) {
                // Most entries have no case-sensitive literals: their lists are not looked up.
                let bit_lits = match e.bits_exact.len {
                    0 => &[],
                    _ => e.bits_exact.of(&self.bit_exacts),
                };
                set_str_bits(e.bits_folded, bit_lits, s, bits);
                if e.folded.len != 0 {
                    mark(e.folded.of(&self.hits));
                }
                if e.exact.len != 0 {
                    for (lit, ids) in e.exact.of(&self.exacts) {
                        if same_bytes(lit, s) {
                            mark(ids.of(&self.hits));
                        }
                    }
                }
            }
            if s.len() >= hot.shortest as usize {
                if let Some(ac) = hot.atoms.as_ref() {
                    ac.find(s, |place, a| {
                        let clauses = self.slots.get(i).and_then(|x| x.atom_clauses.get(place));
                        if let Some(ids) = clauses.and_then(|c| c.get(a)) {
                            mark(ids);
                        }
                    });
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod probe_tests;
