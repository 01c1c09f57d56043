//! A small open-addressing table from JSON key text to trie node. A key is summed up by its
//! length and two 8-byte words (its first and last bytes), which are read with two loads, hashed
//! with one multiplication and compared without a call; only the middle of keys longer than 16
//! bytes is compared byte by byte. Most keys of an event lead nowhere: a 64-bit filter over
//! the keys' lengths and first bytes turns most of them away before they are hashed. A found
//! key gives its node's slot with it ([`Target`]), so that no node is looked up after it.

use crate::event::SlotKind;
use crate::words::{words, SHORT};

/// Where a key leads: its node, and what a decoder needs of that node at once (its slot and
/// kind, whether projected paths continue below it), kept beside the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) node: u32,
    /// The slot filled by values found at the node, [`NO_SLOT`] when none.
    pub(crate) slot: u32,
    pub(crate) kind: SlotKind,
    /// Whether some projected path continues below the node.
    pub(crate) children: bool,
    /// Whether the key can be met by [`KeyTable::hinted`]: at most [`SHORT`] bytes (its words
    /// then determine it) and no quote or backslash (so that in a line it ends at the first
    /// of those, as a key found by scanning does).
    hintable: bool,
}

/// The [`Target::slot`] of a node without a slot.
pub(crate) const NO_SLOT: u32 = u32::MAX;

impl Target {
    /// A target of `node` whose slot and children are not known yet.
    pub(crate) fn bare(node: u32) -> Target {
        Target {
            node,
            slot: NO_SLOT,
            kind: SlotKind::Plain,
            children: false,
            hintable: false,
        }
    }

    /// This target with `slot`, `kind` and `children` from its node.
    pub(crate) fn with(self, slot: u32, kind: SlotKind, children: bool) -> Target {
        Target {
            slot,
            kind,
            children,
            ..self
        }
    }
}

/// One slot of a [`KeyTable`]; `len` is [`EMPTY`] when the slot is empty.
#[derive(Debug, Clone)]
struct Entry {
    first: u64,
    last: u64,
    len: u32,
    target: Target,
}

/// The `len` of an empty slot: no key is that long (lines are shorter than 4 GiB).
const EMPTY: u32 = u32::MAX;

impl Default for Entry {
    fn default() -> Entry {
        Entry {
            first: 0,
            last: 0,
            len: EMPTY,
            target: Target::bare(0),
        }
    }
}

/// The keys leading out of one trie node.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    entries: Vec<Entry>,
    /// The whole key of each entry (compared only beyond 16 bytes, whose middle the words do
    /// not cover), empty for empty entries.
    keys: Vec<Box<[u8]>>,
    len: usize,
    /// The [`filter_bit`]s of the keys held (0 when empty).
    filter: u64,
}

const K0: u64 = 0x9E37_79B9_7F4A_7C15;

/// The bit of a key in [`KeyTable::filter`]: its first byte and its length folded into 6 bits.
#[inline(always)]
fn filter_bit(k: &[u8]) -> u64 {
    let first = usize::from(k.first().copied().unwrap_or(0));
    1u64 << ((first ^ k.len() << 2) & 63)
}

/// The hash of a key from its words and length: the words and the length folded into one word
/// and multiplied by an odd constant, of which the upper half (mixed from every input bit) is
/// kept.
#[inline]
fn hash(first: u64, last: u64, len: usize) -> u64 {
    (first ^ last.rotate_left(29) ^ len as u64).wrapping_mul(K0) >> 32
}

impl KeyTable {
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether entry `i` holds `k`, whose words are `first` and `last`.
    #[inline(always)]
    fn holds(&self, i: usize, first: u64, last: u64, k: &[u8]) -> bool {
        let Some(e) = self.entries.get(i) else {
            return false;
        };
        e.first == first
            && e.last == last
            && e.len as usize == k.len()
            && (k.len() <= 16 || self.keys.get(i).is_some_and(|w| **w == *k))
    }

    /// Adds or replaces `key`.
    pub(crate) fn insert(&mut self, key: &[u8], node: u32) {
        // At most a quarter full, so that a key that is not there (most keys of an event) meets
        // an empty slot after one or two probes.
        if (self.len + 1) * 4 > self.entries.len() {
            self.grow();
        }
        self.filter |= filter_bit(key);
        let i = self.find(key);
        let e = &mut self.entries[i];
        if e.len == EMPTY {
            self.len += 1;
            let (first, last) = words(key);
            *e = Entry {
                first,
                last,
                len: key.len() as u32,
                target: Target {
                    hintable: key.len() <= SHORT && !key.iter().any(|&c| c == b'"' || c == b'\\'),
                    ..Target::bare(node)
                },
            };
            self.keys[i] = key.into();
        } else {
            e.target.node = node;
        }
    }

    /// Completes each key's target from its node (`of(target)`), once every key is in.
    pub(crate) fn set_targets(&mut self, of: impl Fn(Target) -> Target) {
        for e in &mut self.entries {
            if e.len != EMPTY {
                e.target = of(e.target);
            }
        }
    }

    /// The number of entries (full or empty): an entry's index is below it.
    pub(crate) fn capacity(&self) -> usize {
        self.entries.len()
    }

    /// The key of entry `i` when `b[at..]` starts with it and the quote that closes it (a
    /// hint's check: `i` may name any entry, or none): the index of that quote, `i` and the
    /// key's target. Only keys [`Target::hintable`] are met, so a key met here is the one
    /// [`KeyTable::find_key`] finds between `at` and the first quote or backslash.
    #[inline(always)]
    pub(crate) fn hinted(&self, i: u32, b: &[u8], at: usize) -> Option<(usize, u32, &Target)> {
        let e = self.entries.get(i as usize)?;
        if !e.target.hintable {
            return None;
        }
        let end = at + e.len as usize;
        if b.get(end) != Some(&b'"') {
            return None;
        }
        let (first, last) = words(b.get(at..end)?);
        (first == e.first && last == e.last).then_some((end, i, &e.target))
    }

    /// The target of `key`, if present.
    #[inline(always)]
    pub(crate) fn get(&self, key: &[u8]) -> Option<&Target> {
        self.find_key(key).map(|(_, t)| t)
    }

    /// The index of `key`'s entry and its target, if present.
    #[inline(always)]
    pub(crate) fn find_key(&self, key: &[u8]) -> Option<(u32, &Target)> {
        if self.filter & filter_bit(key) == 0 {
            return None;
        }
        let (first, last) = words(key);
        let mask = self.entries.len() - 1;
        let mut i = hash(first, last, key.len()) as usize & mask;
        loop {
            let e = self.entries.get(i)?;
            if self.holds(i, first, last, key) {
                return Some((i as u32, &e.target));
            }
            if e.len == EMPTY {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot holding `key`, or the empty slot where it would go. The table is never full.
    #[inline]
    fn find(&self, key: &[u8]) -> usize {
        let (first, last) = words(key);
        let mask = self.entries.len() - 1;
        let mut i = hash(first, last, key.len()) as usize & mask;
        loop {
            if self.entries[i].len == EMPTY || self.holds(i, first, last, key) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.entries.len() * 2).max(16);
        let old = std::mem::replace(&mut self.entries, vec![Entry::default(); size]);
        let keys = std::mem::replace(&mut self.keys, vec![Box::default(); size]);
        // Each entry moves whole, its target (completed or not) with it.
        for (e, key) in old.into_iter().zip(keys) {
            if e.len != EMPTY {
                let i = self.find(&key);
                self.entries[i] = e;
                self.keys[i] = key;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(t: &KeyTable, k: &[u8]) -> Option<u32> {
        t.get(k).map(|t| t.node)
    }

    #[test]
    fn a_hint_meets_only_its_own_key_and_its_closing_quote() {
        let mut t = KeyTable::default();
        let long = b"a_key_longer_than_sixteen_bytes";
        for (i, k) in [&b"name"[..], b"pid", b"a.b", b"q\"x", b"b\\s", long, b""]
            .iter()
            .enumerate()
        {
            t.insert(k, i as u32);
        }
        let entry = |k: &[u8]| t.find_key(k).map(|(i, _)| i);
        let name = entry(b"name").unwrap_or(u32::MAX);
        let line = br#""name":1,"names":2,"nam":3,"nime":4,"name\"x":5,"pid":6"#;
        let met = |i: u32, at: usize| t.hinted(i, line, at).map(|(end, j, t)| (end, j, t.node));
        assert_eq!(met(name, 1), Some((5, name, 0)));
        // A longer key, a shorter one, one byte changed, an escape after the key.
        for at in [10, 20, 28, 37] {
            assert_eq!(met(name, at), None, "{at}");
        }
        // Another entry's key, an empty entry, no hint, an index beyond the table.
        let pid = entry(b"pid").unwrap_or(u32::MAX);
        assert_eq!(met(pid, 1), None);
        assert_eq!(met(pid, 49), Some((52, pid, 1)));
        let empty = (0..t.capacity() as u32)
            .find(|&i| t.entries[i as usize].len == EMPTY)
            .unwrap_or(0);
        assert_eq!(met(empty, 1), None);
        assert_eq!(met(u32::MAX, 1), None);
        assert_eq!(met(t.capacity() as u32, 1), None);
        // Keys with a quote or a backslash, and keys beyond 16 bytes, are never met (a hint
        // cannot tell where they end in a line, or compare them in two words).
        for (k, text) in [
            (&b"q\"x"[..], &br#""q"x":1"#[..]),
            (b"b\\s", br#""b\s":1"#),
            (long, br#""a_key_longer_than_sixteen_bytes":1"#),
        ] {
            let i = entry(k).unwrap_or(u32::MAX);
            assert_ne!(i, u32::MAX);
            assert_eq!(t.hinted(i, text, 1).map(|(e, _, _)| e), None);
        }
        // The empty key.
        let e = entry(b"").unwrap_or(u32::MAX);
        assert_eq!(
            t.hinted(e, br#""":1"#, 1).map(|(end, _, t)| (end, t.node)),
            Some((1, 6))
        );
    }

    #[test]
    fn targets_are_completed_from_their_nodes() {
        let mut t = KeyTable::default();
        let long = b"a_key_longer_than_sixteen_bytes";
        t.insert(b"name", 3);
        t.insert(long, 5);
        t.set_targets(|t| t.with(t.node * 10, SlotKind::Ip, t.node == 5));
        let name = t.get(b"name").copied();
        assert_eq!(
            name,
            Some(Target {
                node: 3,
                slot: 30,
                kind: SlotKind::Ip,
                children: false,
                hintable: true,
            })
        );
        assert_eq!(t.get(long).map(|t| (t.slot, t.children)), Some((50, true)));
        // Growing keeps the long key's whole text beside its entry, and completed targets.
        for i in 0..40u32 {
            t.insert(format!("k{i}").as_bytes(), 100 + i);
        }
        assert_eq!(node(&t, long), Some(5));
        assert_eq!(t.get(long).map(|t| (t.slot, t.children)), Some((50, true)));
        assert_eq!(t.get(b"name").copied(), name);
        assert_eq!(node(&t, b"a_key_longer_than_sixteen_bytez"), None);
        assert_eq!(node(&t, b"a_key_longer_xhan_sixteen_bytes"), None);
    }

    #[test]
    fn insert_get_replace_grow() {
        let mut t = KeyTable::default();
        assert!(t.is_empty());
        assert_eq!(node(&t, b"a"), None);
        let keys: Vec<String> = (0..300)
            .map(|i| format!("k.{i}.{}", "x".repeat(i % 20)))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            t.insert(k.as_bytes(), i as u32);
        }
        t.insert(b"", 999);
        t.insert(keys[5].as_bytes(), 555);
        for (i, k) in keys.iter().enumerate() {
            let want = if i == 5 { 555 } else { i as u32 };
            assert_eq!(node(&t, k.as_bytes()), Some(want), "{k}");
        }
        assert_eq!(node(&t, b""), Some(999));
        assert_eq!(node(&t, b"k.1"), None);
        assert_eq!(node(&t, b"k.1.xx"), None);
        assert_eq!(t.len, 301);
    }

    #[test]
    fn every_byte_and_the_length_tell_keys_apart() {
        // Keys of every length up to 40, and each of them with one byte changed: a changed key
        // is never found, whichever of the words (or the middle) the byte falls in.
        let base: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        let mut t = KeyTable::default();
        for n in 0..=40 {
            t.insert(&base[..n], n as u32);
        }
        for n in 0..=40 {
            assert_eq!(node(&t, &base[..n]), Some(n as u32), "{n}");
            for i in 0..n {
                let mut k = base[..n].to_vec();
                k[i] ^= 0x40;
                assert_eq!(node(&t, &k), None, "{n} {i}");
            }
            let mut longer = base[..n].to_vec();
            longer.push(0);
            if n < 40 {
                assert_eq!(node(&t, &longer), None, "{n}");
            }
        }
        // Short keys that share their sampled bytes but differ in length.
        let mut t = KeyTable::default();
        t.insert(b"ab", 1);
        assert_eq!(node(&t, b"ab\0"), None);
        assert_eq!(node(&t, b"a"), None);
        assert_eq!(node(&t, b"ab"), Some(1));
    }

    #[test]
    fn keys_the_filter_lets_through_are_still_compared() {
        // Keys of the same first byte and length share a filter bit; keys whose bit no held
        // key has are turned away (an empty table turns every key away).
        let mut t = KeyTable::default();
        assert_eq!(node(&t, b""), None);
        t.insert(b"name", 1);
        t.insert(b"pid", 2);
        assert_eq!(filter_bit(b"name"), filter_bit(b"nope"));
        assert_eq!(node(&t, b"nope"), None);
        assert_eq!(node(&t, b"name"), Some(1));
        assert_eq!(node(&t, b"pid"), Some(2));
        assert_eq!(node(&t, b""), None);
        assert_eq!(t.filter.count_ones(), 2);
        for k in [&b"names"[..], b"nam", b"xame", b"args"] {
            assert_eq!(node(&t, k), None, "{k:?}");
        }
    }

    #[test]
    fn growing_keeps_every_key_of_every_length() {
        let mut t = KeyTable::default();
        let keys: Vec<Vec<u8>> = (0..200usize)
            .map(|i| {
                (0..i % 37)
                    .map(|j| b'0' + ((i * 7 + j) % 64) as u8)
                    .collect()
            })
            .collect();
        let mut want = std::collections::HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            t.insert(k, i as u32);
            want.insert(k.clone(), i as u32);
        }
        for (k, &v) in &want {
            assert_eq!(node(&t, k), Some(v), "{k:?}");
        }
        assert_eq!(t.len, want.len());
    }
}
