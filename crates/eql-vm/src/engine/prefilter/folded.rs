//! A string-keyed hash table probed ASCII-case-insensitively: the probe's hash ignores the
//! ASCII case bit as it reads the bytes, so an event value is looked up as it is, without
//! being lowercased into a copy first. Keys are stored lowercased; a probe finds the key its
//! ASCII-lowercased form equals. Built once per program, probed per event value.

use crate::small_set::bit;
use crate::words::same_bytes;

/// Multiplier of the hash (the 64-bit golden ratio).
const K: u64 = 0x9E37_79B9_7F4A_7C15;
/// Set in every byte: makes an ASCII uppercase letter and its lowercase hash alike (other
/// bytes change too, consistently, which a hash may do).
const CASE_BITS: u64 = 0x2020_2020_2020_2020;

/// A hash of `s` equal for any two strings equal under ASCII case folding.
fn folded_hash(s: &[u8]) -> u64 {
    let mut h = (s.len() as u64).wrapping_mul(K);
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ (u64::from_le_bytes(w) | CASE_BITS)).wrapping_mul(K);
        h = h.rotate_left(23);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // 4-7 bytes as two overlapping half-words, fewer byte by byte (a copy of a length not
        // known here would be a call to `memcpy`). Every byte gets the case bit wherever it
        // lands, so folding still makes no difference.
        let w = match (rest.first_chunk::<4>(), rest.last_chunk::<4>()) {
            (Some(a), Some(b)) => {
                u64::from(u32::from_le_bytes(*a)) | u64::from(u32::from_le_bytes(*b)) << 32
            }
            _ => rest
                .iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b)),
        };
        h = (h ^ (w | CASE_BITS)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// A key's hash, the key (lowercased) and its value.
type Entry<V> = (u64, Box<[u8]>, V);

/// The probe for `s` (hashed `h`) in the table of `mask + 1` slots (a power of two) from
/// `start` in `tables`, whose slots name entries of `entries`: the slot where it ends (counted
/// from `start`), and the entry there when that is `s`'s (else the slot is empty: where `s`
/// would go).
#[inline(always)]
fn probe_in<'a, E: Keyed>(
    tables: &[u64],
    start: usize,
    mask: usize,
    entries: &'a [E],
    s: &[u8],
    h: u64,
) -> (usize, Option<&'a E>) {
    let mut i = h as usize & mask;
    let tag = h >> 32;
    loop {
        let Some(&t) = tables.get(start + i) else {
            return (i, None);
        };
        if t == 0 {
            return (i, None);
        }
        if t >> 32 == tag {
            match entries.get((t as u32 as usize).wrapping_sub(1)) {
                Some(e) if e.is(s) => return (i, Some(e)),
                _ => {}
            }
        }
        i = (i + 1) & mask;
    }
}

/// An entry with a key.
trait Keyed {
    /// Whether `s` equals the key (lowercased) under ASCII case folding.
    fn is(&self, s: &[u8]) -> bool;
}

impl<V> Keyed for Entry<V> {
    #[inline(always)]
    fn is(&self, s: &[u8]) -> bool {
        // Values mostly come lowercased already: a plain comparison settles them.
        same_bytes(&self.1, s) || self.1.eq_ignore_ascii_case(s)
    }
}

/// Key bytes kept in a [`FlatEntry`] itself.
const HEAD: usize = 16;

/// An entry of flattened maps ([`FoldedMap::flatten`]), one cache line: its key's length and
/// first [`HEAD`] bytes inline (the rest boxed), so that a probe of a key of up to 16 bytes
/// reads nothing else, and a value of up to 28 bytes.
#[derive(Debug)]
#[repr(C, align(64))]
pub(super) struct FlatEntry<V> {
    len: u32,
    head: [u8; HEAD],
    pub(super) value: V,
    /// The key's bytes after the first [`HEAD`].
    rest: Box<[u8]>,
}

impl<V> FlatEntry<V> {
    fn new(key: &[u8], value: V) -> FlatEntry<V> {
        let mut head = [0u8; HEAD];
        let n = key.len().min(HEAD);
        head[..n].copy_from_slice(&key[..n]);
        FlatEntry {
            len: key.len() as u32,
            head,
            value,
            rest: key.get(HEAD..).unwrap_or_default().into(),
        }
    }
}

impl<V> Keyed for FlatEntry<V> {
    #[inline(always)]
    fn is(&self, s: &[u8]) -> bool {
        if self.len as usize != s.len() {
            return false;
        }
        match s.split_at_checked(HEAD) {
            // Values mostly come lowercased already: a plain comparison settles them.
            None => {
                let head = self.head.get(..s.len()).unwrap_or_default();
                same_bytes(head, s) || head.eq_ignore_ascii_case(s)
            }
            Some((h, r)) => {
                (self.head == *h || self.head.eq_ignore_ascii_case(h))
                    && (same_bytes(&self.rest, r) || self.rest.eq_ignore_ascii_case(r))
            }
        }
    }
}

/// A [`FoldedMap`] whose table and entries were moved into arrays shared with other maps
/// ([`FoldedMap::flatten`]): what a probe reads first, 16 bytes, so that the maps of several
/// fields share a cache line.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Flat {
    /// The keys' lengths (as [`FoldedMap::lens`]; 0: no keys).
    lens: u64,
    /// Where the table starts in the shared tables, and its length less one.
    start: u32,
    mask: u32,
}

impl Flat {
    /// The value of the key `s` equals under ASCII case folding, in the shared `tables` and
    /// `entries` this map was flattened into.
    #[inline(always)]
    pub(super) fn get<'a, V>(
        &self,
        tables: &[u64],
        entries: &'a [FlatEntry<V>],
        s: &[u8],
    ) -> Option<&'a V> {
        if self.lens & bit(s.len()) == 0 {
            return None;
        }
        let (start, mask) = (self.start as usize, self.mask as usize);
        probe_in(tables, start, mask, entries, s, folded_hash(s))
            .1
            .map(|e| &e.value)
    }
}

/// See the module docs.
#[derive(Debug)]
pub(super) struct FoldedMap<V> {
    /// Open addressing, linear probing: per slot, the high half of its key's hash above an
    /// index into `entries` plus one (0: empty), so that a probe of a value no key has mostly
    /// ends in the table, without reading an entry.
    table: Box<[u64]>,
    entries: Vec<Entry<V>>,
    /// The lengths of the keys, a bit each (see [`crate::small_set`]): a probe of another length is
    /// answered without hashing.
    lens: u64,
}

impl<V> Default for FoldedMap<V> {
    fn default() -> Self {
        FoldedMap {
            table: vec![0; 8].into(),
            entries: Vec::new(),
            lens: 0,
        }
    }
}

impl<V> FoldedMap<V> {
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The probe for `s` (hashed `h`): see [`probe_in`].
    #[inline(always)]
    fn probe(&self, s: &[u8], h: u64) -> (usize, Option<&Entry<V>>) {
        let mask = self.table.len().wrapping_sub(1);
        probe_in(&self.table, 0, mask, &self.entries, s, h)
    }

    /// The value of the key `s` equals under ASCII case folding.
    #[inline(always)]
    pub(super) fn get(&self, s: &[u8]) -> Option<&V> {
        if self.lens & bit(s.len()) == 0 {
            return None;
        }
        self.probe(s, folded_hash(s)).1.map(|(_, _, v)| v)
    }

    /// Every key (lowercased) and its value.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&[u8], &V)> {
        self.entries.iter().map(|(_, k, v)| (&**k, v))
    }

    /// The value of `key` (compared case-insensitively), inserted with `make` when missing.
    pub(super) fn entry(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let k = key.as_bytes();
        let h = folded_hash(k);
        let mut i = self.probe(k, h).0;
        if self.table[i] == 0 {
            // At most half full, so that probes stay short and always end.
            if 2 * (self.entries.len() + 1) > self.table.len() {
                self.grow();
                i = self.probe(k, h).0;
            }
            self.entries
                .push((h, key.to_ascii_lowercase().into_bytes().into(), make()));
            self.lens |= bit(k.len());
            self.table[i] = slot(h, self.entries.len());
        }
        let e = self.table[i] as u32 as usize - 1;
        &mut self.entries[e].2
    }

    /// Moves the table to the end of `tables` and the entries, each made over by `make`, to
    /// the end of `entries` (the table's slots renumbered to name them there), leaving this
    /// map empty: what is left to probe them there. Shared arrays hold far fewer than 2^32
    /// entries.
    pub(super) fn flatten<W>(
        &mut self,
        tables: &mut Vec<u64>,
        entries: &mut Vec<FlatEntry<W>>,
        mut make: impl FnMut(V) -> W,
    ) -> Flat {
        let base = entries.len() as u64;
        let start = tables.len() as u32;
        let mask = self.table.len().wrapping_sub(1) as u32;
        tables.extend(
            self.table
                .iter()
                .map(|&t| if t == 0 { 0 } else { t.wrapping_add(base) }),
        );
        let lens = self.lens;
        let old = std::mem::take(self);
        entries.extend(
            old.entries
                .into_iter()
                .map(|(_, k, v)| FlatEntry::new(&k, make(v))),
        );
        Flat { lens, start, mask }
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        self.table = vec![0; size].into();
        let mask = size - 1;
        for (n, (h, _, _)) in self.entries.iter().enumerate() {
            let mut i = *h as usize & mask;
            while self.table[i] != 0 {
                i = (i + 1) & mask;
            }
            self.table[i] = slot(*h, n + 1);
        }
    }
}

/// The table's slot of the key hashed `h` whose entry is number `n` counting from one.
fn slot(h: u64, n: usize) -> u64 {
    (h >> 32) << 32 | n as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys of every length up to 24 (every tail length of the hash, 4-7 as overlapping
    /// words) are found in either case and not with one letter changed at any position.
    #[test]
    fn keys_of_every_tail_length_are_found() {
        let mut m: FoldedMap<usize> = FoldedMap::default();
        let keys: Vec<String> = (1..=24usize)
            .map(|n| {
                (0..n)
                    .map(|i| (b'a' + (i * 7 % 26) as u8) as char)
                    .collect()
            })
            .collect();
        for (i, k) in keys.iter().enumerate() {
            *m.entry(k, || 0) += i;
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(m.get(k.as_bytes()), Some(&i), "{k}");
            assert_eq!(m.get(k.to_uppercase().as_bytes()), Some(&i), "{k}");
            for p in 0..k.len() {
                let mut b = k.clone().into_bytes();
                b[p] = if b[p] == b'z' { b'y' } else { b[p] + 1 };
                assert_eq!(m.get(&b), None, "{k} {p}");
            }
        }
    }

    /// Maps flattened one after the other into shared arrays answer every probe as they did:
    /// keys of every length around [`HEAD`] (the inline bytes and the boxed rest), in either
    /// case, not with one byte changed at any position, nor a prefix or an extension of them,
    /// and the values made over.
    #[test]
    fn flattened_maps_answer_as_before() {
        let keys: Vec<String> = (0..=40usize)
            .map(|n| {
                (0..n)
                    .map(|i| (b'a' + (i * 11 % 26) as u8) as char)
                    .collect()
            })
            .collect();
        let (mut tables, mut entries) = (Vec::new(), Vec::new());
        let mut flats = Vec::new();
        let mut maps = Vec::new();
        for round in 0..3usize {
            let mut m: FoldedMap<usize> = FoldedMap::default();
            for (i, k) in keys.iter().enumerate().skip(round) {
                *m.entry(&format!("{k}{round}"), || 0) += i;
            }
            let mut copy: FoldedMap<usize> = FoldedMap::default();
            for (k, v) in m.iter() {
                let k = std::str::from_utf8(k).unwrap_or_default();
                *copy.entry(k, || 0) += v;
            }
            flats.push(m.flatten(&mut tables, &mut entries, |v| v * 10));
            assert!(m.iter().next().is_none());
            maps.push(copy);
        }
        let get = |f: &Flat, s: &[u8]| f.get(&tables, &entries, s).copied();
        for (round, (f, m)) in flats.iter().zip(&maps).enumerate() {
            for k in &keys {
                let k = format!("{k}{round}");
                let want = m.get(k.as_bytes()).map(|v| v * 10);
                assert!(want.is_some() || k.len() <= round + 1, "{k}");
                assert_eq!(get(f, k.as_bytes()), want, "{k}");
                assert_eq!(get(f, k.to_uppercase().as_bytes()), want, "{k}");
                for p in 0..k.len() {
                    let mut b = k.clone().into_bytes();
                    b[p] = if b[p] == b'z' { b'y' } else { b[p] + 1 };
                    assert_eq!(get(f, &b), m.get(&b).map(|v| v * 10), "{k} {p}");
                }
                let longer = format!("{k}a");
                assert_eq!(
                    get(f, longer.as_bytes()),
                    m.get(longer.as_bytes()).map(|v| v * 10)
                );
                let shorter = &k.as_bytes()[..k.len() - 1];
                assert_eq!(get(f, shorter), m.get(shorter).map(|v| v * 10), "{k}");
            }
        }
    }

    #[test]
    fn probes_ignore_ascii_case_only() {
        let mut m: FoldedMap<usize> = FoldedMap::default();
        assert!(m.is_empty());
        let keys: Vec<String> = (0..300).map(|i| format!("Key-{i}.EXE")).collect();
        for (i, k) in keys.iter().enumerate() {
            *m.entry(k, || 0) += i;
        }
        *m.entry("KEY-7.exe", || 0) += 1000;
        for (i, k) in keys.iter().enumerate() {
            let extra = if i == 7 { 1000 } else { 0 };
            assert_eq!(m.get(k.as_bytes()), Some(&(i + extra)), "{k}");
            assert_eq!(m.get(k.to_lowercase().as_bytes()), Some(&(i + extra)));
        }
        assert_eq!(m.get(b"key-300.exe"), None);
        assert_eq!(m.get(b"key-1.ex"), None);
        assert_eq!(m.get(b""), None);
        // `@` and a backtick differ only in the case bit but are not letters.
        *m.entry("a@b", || 0) += 1;
        assert_eq!(m.get(b"A@B"), Some(&1));
        assert_eq!(m.get(b"a`b"), None);
        // Keys of 63 bytes and more share a length bit; each is still found only by itself.
        let long = "x".repeat(70);
        *m.entry(&long, || 0) += 5;
        assert_eq!(m.get(long.to_uppercase().as_bytes()), Some(&5));
        assert_eq!(m.get("x".repeat(100).as_bytes()), None);
        assert_eq!(m.get("x".repeat(63).as_bytes()), None);
        // Folding is ASCII only.
        *m.entry("é", || 0) += 1;
        assert_eq!(m.get("É".as_bytes()), None);
        assert_eq!(m.get("é".as_bytes()), Some(&1));
    }
}
