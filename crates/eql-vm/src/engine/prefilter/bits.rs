//! Filters on categorical fields: a requirement such as `event.type == "start"` or
//! `host.os.type : ("linux", "macos")` lets through a large share of events, so it makes a poor
//! index key, but it is cheap to check once another clause has admitted a stage. Each value
//! the rule set tests such a field with gets a bit; per event one hash probe per value of each
//! such field sets the bits of the values it carries, and an admitted stage is kept only when
//! every one of its filters shares a bit with the event. A field's values are read only when a
//! filter on it is first checked: most events admit few stages, whose filters name few fields.
//! A case-insensitive literal's bit is set by any ASCII case variant of it, a case-sensitive
//! one's only by the literal itself, so a filter holds exactly when its clause does.
//! A field the literal index probes anyway is covered by it instead ([`Bits::coverable`]): the
//! index's entry of a value carries the value's bits, set as the probe finds it, and the field
//! counts as read from the start of the event ([`Bits::cover`]), so it is never hashed twice.

use super::flow::{Guard, Test};
use super::folded::FoldedMap;
use crate::event::{EventBuf, Value};
use crate::small_set::bit;
use crate::words::same_bytes;
use ahash::AHashMap;

/// Most bits (distinct tested values); values beyond are not filtered on (which is sound).
const MAX_BITS: usize = 1024;
/// Most filters per stage: the first few rule out nearly everything the rest would.
pub(super) const MAX_FILTERS: usize = 6;

/// The bits of one categorical field: strings by their ASCII-lowercased form, and integers.
#[derive(Debug, Default)]
struct SlotBits {
    slot: usize,
    strings: FoldedMap<StrBits>,
    ints: AHashMap<i64, u32>,
}

/// The bits of the strings of one ASCII-lowercased form: the bit case-insensitive literals
/// share (`u32::MAX`: none), and one per case-sensitive literal, set only by a value equal to
/// it byte for byte. A filter then holds exactly as its guards compare. The lazy reads set
/// them, and so does the literal index's probe for the fields it covers.
#[derive(Debug, Clone)]
pub(super) struct StrBits {
    folded: u32,
    exact: Vec<ExactBit>,
}

impl Default for StrBits {
    fn default() -> Self {
        StrBits {
            folded: u32::MAX,
            exact: Vec::new(),
        }
    }
}

impl StrBits {
    /// Sets in `words` the bits `value` (a string of this form) carries.
    #[inline(always)]
    pub(super) fn set(&self, value: &[u8], words: &mut [u64]) {
        set_str_bits(self.folded, &self.exact, value, words);
    }

    /// The bit of the case-insensitive literals (`u32::MAX`: none), and each case-sensitive
    /// literal with its bit, to keep elsewhere (see [`set_str_bits`]).
    pub(super) fn into_parts(self) -> (u32, Vec<ExactBit>) {
        (self.folded, self.exact)
    }
}

/// A case-sensitive literal and its bit.
pub(super) type ExactBit = (Box<[u8]>, u32);

/// Sets in `words` the bits `value` carries, of a form whose case-insensitive literals have the
/// bit `folded` and whose case-sensitive ones are `exact` (as [`StrBits`] keeps them).
#[inline(always)]
pub(super) fn set_str_bits(folded: u32, exact: &[ExactBit], value: &[u8], words: &mut [u64]) {
    set_bit(words, folded);
    for (lit, b) in exact {
        if same_bytes(lit, value) {
            set_bit(words, *b);
        }
    }
}

/// Sets bit `b` of `words`; `u32::MAX` (no bit) lands beyond every word.
#[inline(always)]
fn set_bit(words: &mut [u64], b: u32) {
    if let Some(w) = words.get_mut(b as usize / 64) {
        *w |= 1 << (b % 64);
    }
}

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct Bits {
    slots: Vec<SlotBits>,
    nbits: usize,
    words: usize,
    /// Per group of stages: its filters, each a list of bits (while building).
    pending: Vec<Vec<Vec<u32>>>,
    /// Per group: where its checks start in `checks`, how many filters it has, and the fields
    /// they read (as in `group_fields`), in one place.
    ranges: Vec<(u32, u32, u64)>,
    /// Per group: the fields its filters read, a bit per position in `slots` (the last bit
    /// standing for that position and every later one).
    group_fields: Vec<u64>,
    /// The nonzero mask words of every filter, filter after filter, group after group: a
    /// filter holds when the event's bits meet one of its masks.
    checks: Vec<Check>,
    /// The current event's bits, of the fields in `ready`.
    cur: Vec<u64>,
    /// The fields whose values are read into `cur` (as in `group_fields`).
    ready: u64,
}

/// One mask word of a filter, and whether it ends its filter or its group's filters.
#[derive(Debug, Clone, Copy)]
struct Check {
    mask: u64,
    word: u32,
    end: u8,
}

/// [`Check::end`]: more words of the same filter follow.
const MORE: u8 = 0;
/// [`Check::end`]: the last word of a filter; another filter of the group follows.
const END_OF_FILTER: u8 = 1;
/// [`Check::end`]: the last word of the group's last filter.
const END_OF_GROUP: u8 = 2;

/// The integer a value stands for, the way the prefilter's integer index reads it.
pub(super) fn int_of(v: &Value) -> Option<i64> {
    match *v {
        Value::Int(n) | Value::Date(n) => Some(n),
        Value::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(x as i64),
        _ => None,
    }
}

/// Whether `clause` can be a filter: every guard an equality on a field in `weak`.
pub(super) fn fits(clause: &[Guard], weak: impl Fn(usize) -> bool) -> bool {
    !clause.is_empty()
        && clause
            .iter()
            .all(|g| matches!(g.test, Test::Equals | Test::EqualsInt) && weak(g.slot))
}

/// The bit of `key` in `map`, a new one when it has none and fewer than [`MAX_BITS`] are
/// taken; `None` when all are.
fn bit_of<K: Eq + std::hash::Hash>(
    map: &mut AHashMap<K, u32>,
    key: K,
    nbits: &mut usize,
) -> Option<u32> {
    if let Some(&b) = map.get(&key) {
        return Some(b);
    }
    if *nbits >= MAX_BITS {
        return None;
    }
    let b = *nbits as u32;
    map.insert(key, b);
    *nbits += 1;
    Some(b)
}

impl Bits {
    /// Adds `clause` as a filter of group `group` if it [`fits`]; returns whether it did.
    pub(super) fn add_filter(
        &mut self,
        group: usize,
        clause: &[Guard],
        weak: impl Fn(usize) -> bool,
    ) -> bool {
        if self.pending.len() <= group {
            self.pending.resize(group + 1, Vec::new());
            self.group_fields.resize(group + 1, 0);
        }
        if !fits(clause, weak) || self.pending[group].len() >= MAX_FILTERS {
            return false;
        }
        let mut bits = Vec::new();
        let mut fields = 0u64;
        for g in clause {
            let i = match self.slots.iter().position(|s| s.slot == g.slot) {
                Some(i) => i,
                None => {
                    self.slots.push(SlotBits {
                        slot: g.slot,
                        ..SlotBits::default()
                    });
                    self.slots.len() - 1
                }
            };
            fields |= bit(i);
            let slot = &mut self.slots[i];
            for s in &g.strings {
                let nbits = &mut self.nbits;
                let mut take = || {
                    let b = (*nbits < MAX_BITS).then_some(*nbits as u32);
                    *nbits += usize::from(b.is_some());
                    b.unwrap_or(u32::MAX)
                };
                let e = slot.strings.entry(s, StrBits::default);
                let b = if g.case_insensitive {
                    if e.folded == u32::MAX {
                        e.folded = take();
                    }
                    e.folded
                } else {
                    match e.exact.iter().find(|(lit, _)| **lit == *s.as_bytes()) {
                        Some(&(_, b)) => b,
                        None => {
                            let b = take();
                            if b != u32::MAX {
                                e.exact.push((s.as_bytes().into(), b));
                            }
                            b
                        }
                    }
                };
                if b == u32::MAX {
                    return false;
                }
                bits.push(b);
            }
            for &n in &g.ints {
                match bit_of(&mut slot.ints, n, &mut self.nbits) {
                    Some(b) => bits.push(b),
                    None => return false,
                }
            }
        }
        self.pending[group].push(bits);
        self.group_fields[group] |= fields;
        true
    }

    /// Lays the filters out as masks once every one is added.
    pub(super) fn finish(&mut self) {
        self.words = self.nbits.div_ceil(64);
        self.cur = vec![0; self.words];
        for (g, filters) in std::mem::take(&mut self.pending).into_iter().enumerate() {
            let start = self.checks.len() as u32;
            for f in &filters {
                let mut mask = vec![0u64; self.words];
                for &b in f {
                    mask[b as usize / 64] |= 1 << (b % 64);
                }
                let nonzero = mask.iter().enumerate().filter(|(_, m)| **m != 0);
                let from = self.checks.len();
                self.checks.extend(nonzero.map(|(w, &mask)| Check {
                    mask,
                    word: w as u32,
                    end: MORE,
                }));
                // A filter without bits never holds: one check that meets nothing says so.
                if self.checks.len() == from {
                    self.checks.push(Check {
                        mask: 0,
                        word: 0,
                        end: MORE,
                    });
                }
                if let Some(last) = self.checks.last_mut() {
                    last.end = END_OF_FILTER;
                }
            }
            if let Some(last) = self.checks.last_mut().filter(|_| !filters.is_empty()) {
                last.end = END_OF_GROUP;
            }
            let fields = self.group_fields.get(g).copied().unwrap_or(u64::MAX);
            self.ranges.push((start, filters.len() as u32, fields));
        }
    }

    /// How many filters group `group` has.
    pub(super) fn filters_of(&self, group: usize) -> usize {
        self.ranges.get(group).map_or(0, |r| r.1 as usize)
    }

    /// Starts a new event (its fields are read as filters on them are checked).
    pub(super) fn begin(&mut self) {
        if self.ready != 0 {
            self.ready = 0;
            self.cur.fill(0);
        }
    }

    /// The fields an index may cover: per field of string values alone (no integer bits) in a
    /// position with a bit of its own (not the shared last one), its slot, its position's bit
    /// (as in `group_fields`) and each ASCII-lowercased form of its values with its bits.
    pub(super) fn coverable(&self) -> impl Iterator<Item = (usize, u64, Vec<(&[u8], &StrBits)>)> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(i, s)| *i < 63 && s.ints.is_empty())
            .map(|(i, s)| (s.slot, bit(i), s.strings.iter().collect()))
    }

    /// Counts the fields `fields` (as in `group_fields`) as read for the current event: a probe
    /// of every value they hold sets their bits in [`Bits::words`] before any filter is checked.
    pub(super) fn cover(&mut self, fields: u64) {
        self.ready |= fields;
    }

    /// The current event's bits, for a probe covering fields to set.
    pub(super) fn words(&mut self) -> &mut [u64] {
        &mut self.cur
    }

    /// Sets the bits of the values the event in `buf` carries in the fields `fields` (as in
    /// `group_fields`) not read yet.
    #[inline(never)]
    fn read(&mut self, buf: &EventBuf, fields: u64) {
        let mut todo = fields & !self.ready;
        self.ready |= todo;
        while todo != 0 {
            let i = todo.trailing_zeros() as usize;
            todo &= todo - 1;
            // The last bit stands for every field from its position on.
            let last = if i == 63 { self.slots.len() } else { i + 1 };
            let fields = self.slots.get(i..last).unwrap_or_default();
            for (s, v) in fields
                .iter()
                .flat_map(|s| buf.slot(s.slot).iter().map(move |v| (s, v)))
            {
                if let Some(n) = int_of(v) {
                    if let Some(&b) = s.ints.get(&n) {
                        set_bit(&mut self.cur, b);
                    }
                } else if let Value::Str(r) = v {
                    let bytes = buf.bytes(*r);
                    if let Some(e) = s.strings.get(bytes) {
                        e.set(bytes, &mut self.cur);
                    }
                }
            }
        }
    }

    /// Whether every filter of group `group` shares a bit with the event in `buf`.
    #[inline]
    #[cfg(test)]
    pub(super) fn pass(&mut self, group: usize, buf: &EventBuf) -> bool {
        match self.checks_of(group) {
            Some((start, fields)) => self.pass_checks(start, fields, buf),
            None => true,
        }
    }

    /// Where the checks of group `group` start and the fields they read (as in
    /// `group_fields`); `None` when it has no filters.
    pub(super) fn checks_of(&self, group: usize) -> Option<(u32, u64)> {
        let &(start, n, fields) = self.ranges.get(group)?;
        (n > 0).then_some((start, fields))
    }

    /// Whether every filter of the group whose checks start at `start` and read `needed` (as
    /// [`Bits::checks_of`] gives them) shares a bit with the event in `buf`.
    #[inline]
    pub(super) fn pass_checks(&mut self, start: u32, needed: u64, buf: &EventBuf) -> bool {
        if needed & !self.ready != 0 {
            self.read(buf, needed);
        }
        // One pass over the group's checks: a filter's words are or-ed, and a filter that met
        // none of them ends the pass.
        let mut met = false;
        for c in self.checks.get(start as usize..).unwrap_or_default() {
            met |= self
                .cur
                .get(c.word as usize)
                .is_some_and(|w| w & c.mask != 0);
            if c.end != MORE {
                if !met {
                    return false;
                }
                if c.end == END_OF_GROUP {
                    return true;
                }
                met = false;
            }
        }
        true
    }
}

#[cfg(test)]
#[path = "bits_tests.rs"]
mod tests;
