//! A small open-addressing table from JSON key text to trie node. A key is summed up by its
//! length and two 8-byte words (its first and last bytes), which are read with two loads, hashed
//! with one multiplication and compared without a call; only the middle of keys longer than 16
//! bytes is compared byte by byte. Most keys of an event lead nowhere: a 64-bit filter over
//! the keys' lengths and first bytes turns most of them away before they are hashed.

use crate::words::words;

/// One slot of a [`KeyTable`]; `len` is [`EMPTY`] when the slot is empty.
#[derive(Debug, Clone)]
struct Entry {
    first: u64,
    last: u64,
    len: u32,
    node: u32,
    /// The whole key (compared only beyond 16 bytes, whose middle the words do not cover).
    key: Box<[u8]>,
}

/// The `len` of an empty slot: no key is that long (lines are shorter than 4 GiB).
const EMPTY: u32 = u32::MAX;

impl Default for Entry {
    fn default() -> Entry {
        Entry {
            first: 0,
            last: 0,
            len: EMPTY,
            node: 0,
            key: Box::default(),
        }
    }
}

/// The keys leading out of one trie node.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    entries: Vec<Entry>,
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

impl Entry {
    /// Whether this (full) slot holds `k`, whose words are `first` and `last`.
    #[inline]
    fn holds(&self, first: u64, last: u64, k: &[u8]) -> bool {
        self.first == first
            && self.last == last
            && self.len as usize == k.len()
            && (k.len() <= 16 || *self.key == *k)
    }
}

impl KeyTable {
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
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
                node,
                key: key.into(),
            };
        } else {
            e.node = node;
        }
    }

    /// The node of `key`, if present.
    #[inline(always)]
    pub(crate) fn get(&self, key: &[u8]) -> Option<u32> {
        if self.filter & filter_bit(key) == 0 {
            return None;
        }
        let (first, last) = words(key);
        let mask = self.entries.len() - 1;
        let mut i = hash(first, last, key.len()) as usize & mask;
        loop {
            let e = self.entries.get(i)?;
            if e.holds(first, last, key) {
                return Some(e.node);
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
            let e = &self.entries[i];
            if e.len == EMPTY || e.holds(first, last, key) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.entries.len() * 2).max(16);
        let old = std::mem::replace(&mut self.entries, vec![Entry::default(); size]);
        self.len = 0;
        for e in old {
            if e.len != EMPTY {
                self.insert(&e.key, e.node);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_replace_grow() {
        let mut t = KeyTable::default();
        assert!(t.is_empty());
        assert_eq!(t.get(b"a"), None);
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
            assert_eq!(t.get(k.as_bytes()), Some(want), "{k}");
        }
        assert_eq!(t.get(b""), Some(999));
        assert_eq!(t.get(b"k.1"), None);
        assert_eq!(t.get(b"k.1.xx"), None);
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
            assert_eq!(t.get(&base[..n]), Some(n as u32), "{n}");
            for i in 0..n {
                let mut k = base[..n].to_vec();
                k[i] ^= 0x40;
                assert_eq!(t.get(&k), None, "{n} {i}");
            }
            let mut longer = base[..n].to_vec();
            longer.push(0);
            if n < 40 {
                assert_eq!(t.get(&longer), None, "{n}");
            }
        }
        // Short keys that share their sampled bytes but differ in length.
        let mut t = KeyTable::default();
        t.insert(b"ab", 1);
        assert_eq!(t.get(b"ab\0"), None);
        assert_eq!(t.get(b"a"), None);
        assert_eq!(t.get(b"ab"), Some(1));
    }

    #[test]
    fn keys_the_filter_lets_through_are_still_compared() {
        // Keys of the same first byte and length share a filter bit; keys whose bit no held
        // key has are turned away (an empty table turns every key away).
        let mut t = KeyTable::default();
        assert_eq!(t.get(b""), None);
        t.insert(b"name", 1);
        t.insert(b"pid", 2);
        assert_eq!(filter_bit(b"name"), filter_bit(b"nope"));
        assert_eq!(t.get(b"nope"), None);
        assert_eq!(t.get(b"name"), Some(1));
        assert_eq!(t.get(b"pid"), Some(2));
        assert_eq!(t.get(b""), None);
        assert_eq!(t.filter.count_ones(), 2);
        for k in [&b"names"[..], b"nam", b"xame", b"args"] {
            assert_eq!(t.get(k), None, "{k:?}");
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
            assert_eq!(t.get(k), Some(v), "{k:?}");
        }
        assert_eq!(t.len, want.len());
    }
}
