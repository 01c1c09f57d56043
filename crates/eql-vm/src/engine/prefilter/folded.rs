//! A string-keyed hash table probed ASCII-case-insensitively: the probe's hash ignores the
//! ASCII case bit as it reads the bytes, so an event value is looked up as it is, without
//! being lowercased into a copy first. Keys are stored lowercased; a probe finds the key its
//! ASCII-lowercased form equals. Built once per program, probed per event value.

use crate::small_set::bit;

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
    let n = rest.len();
    if n > 0 {
        // 4-7 bytes as two overlapping words, fewer byte by byte (a copy of a length not
        // known here would be a call to `memcpy`). Every byte gets the case bit wherever it
        // lands, so folding still makes no difference.
        let w = if n >= 4 {
            u64::from(word4(rest, 0)) | (u64::from(word4(rest, n - 4)) << 32)
        } else {
            rest.iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b))
        };
        h = (h ^ (w | CASE_BITS)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// The 8 bytes of `s` from `at` on (`at + 8 <= s.len()`).
#[inline(always)]
fn word8(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(b) = s.get(at..at + 8) {
        w.copy_from_slice(b);
    }
    u64::from_le_bytes(w)
}

/// The 4 bytes of `s` from `at` on (`at + 4 <= s.len()`).
#[inline(always)]
fn word4(s: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    if let Some(b) = s.get(at..at + 4) {
        w.copy_from_slice(b);
    }
    u32::from_le_bytes(w)
}

/// `a == b`, comparing strings of up to 16 bytes as two overlapping words in place instead of
/// calling `memcmp` (event values and literals are mostly that short).
#[inline(always)]
pub(super) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

/// See the module docs.
#[derive(Debug)]
pub(super) struct FoldedMap<V> {
    /// Open addressing, linear probing: an index into `entries` plus one (0: empty).
    table: Vec<u32>,
    entries: Vec<(u64, Box<[u8]>, V)>,
    /// The lengths of the keys, a bit each (see [`crate::small_set`]): a probe of another length is
    /// answered without hashing.
    lens: u64,
}

impl<V> Default for FoldedMap<V> {
    fn default() -> Self {
        FoldedMap {
            table: vec![0; 8],
            entries: Vec::new(),
            lens: 0,
        }
    }
}

impl<V> FoldedMap<V> {
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where the probe for `s` (hashed `h`) ends: the slot of its entry, or the empty slot it
    /// would take.
    fn slot(&self, s: &[u8], h: u64) -> usize {
        let mask = self.table.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let e = self.table[i] as usize;
            match self.entries.get(e.wrapping_sub(1)) {
                None => return i,
                // Values mostly come lowercased already: a plain comparison settles them.
                Some((eh, k, _)) if *eh == h && (same_bytes(k, s) || k.eq_ignore_ascii_case(s)) => {
                    return i
                }
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    /// The value of the key `s` equals under ASCII case folding.
    #[inline]
    pub(super) fn get(&self, s: &[u8]) -> Option<&V> {
        if self.lens & bit(s.len()) == 0 {
            return None;
        }
        let h = folded_hash(s);
        // The probe of `slot`, returning the entry it ends on rather than its place.
        let mask = self.table.len().wrapping_sub(1);
        let mut i = h as usize & mask;
        loop {
            let e = *self.table.get(i)? as usize;
            let (eh, k, v) = self.entries.get(e.wrapping_sub(1))?;
            // Values mostly come lowercased already: a plain comparison settles them.
            if *eh == h && (same_bytes(k, s) || k.eq_ignore_ascii_case(s)) {
                return Some(v);
            }
            i = (i + 1) & mask;
        }
    }

    /// The value of `key` (compared case-insensitively), inserted with `make` when missing.
    pub(super) fn entry(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let k = key.as_bytes();
        let h = folded_hash(k);
        let mut i = self.slot(k, h);
        if self.table[i] == 0 {
            // At most half full, so that probes stay short and always end.
            if 2 * (self.entries.len() + 1) > self.table.len() {
                self.grow();
                i = self.slot(k, h);
            }
            self.entries
                .push((h, key.to_ascii_lowercase().into_bytes().into(), make()));
            self.lens |= bit(k.len());
            self.table[i] = self.entries.len() as u32;
        }
        let e = self.table[i] as usize - 1;
        &mut self.entries[e].2
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        self.table = vec![0; size];
        let mask = size - 1;
        for (n, (h, _, _)) in self.entries.iter().enumerate() {
            let mut i = *h as usize & mask;
            while self.table[i] != 0 {
                i = (i + 1) & mask;
            }
            self.table[i] = n as u32 + 1;
        }
    }
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

    /// `same_bytes` agrees with `==` on every length up to 20, with one byte changed at
    /// each position (each word, each overlap) and with lengths that differ.
    #[test]
    fn same_bytes_is_slice_equality() {
        for n in 0..=20usize {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
            assert!(same_bytes(&a, &a.clone()), "{n}");
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 0x01;
                assert!(!same_bytes(&a, &b), "{n} {i}");
                assert_eq!(same_bytes(&a, &b), a == b);
            }
            let mut longer = a.clone();
            longer.push(b'a');
            assert!(!same_bytes(&a, &longer), "{n}");
            assert!(!same_bytes(&longer, &a), "{n}");
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
