//! A small open-addressing table from JSON key text to trie node: a cheap word-at-a-time hash
//! and one full comparison on a hash hit, cheaper per key than a general-purpose map.

/// One slot of a [`KeyTable`]; `key` is `None` when the slot is empty.
#[derive(Debug, Clone, Default)]
struct Entry {
    hash: u64,
    node: u32,
    key: Option<Box<str>>,
}

/// The keys leading out of one trie node.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    entries: Vec<Entry>,
    len: usize,
}

const K0: u64 = 0x9E37_79B9_7F4A_7C15;
const K1: u64 = 0xD6E8_FEB8_6659_FD93;

#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

/// Up to 8 bytes folded into a word without a variable-length copy; with the length mixed in
/// separately, different tails of the same length give different words.
#[inline]
fn tail(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let lo = b.first_chunk::<4>().map_or(0, |c| u32::from_le_bytes(*c));
        let hi = b.last_chunk::<4>().map_or(0, |c| u32::from_le_bytes(*c));
        u64::from(lo) | u64::from(hi) << 32
    } else if n > 0 {
        u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16
    } else {
        0
    }
}

/// The hash of a key's bytes.
#[inline]
pub(crate) fn hash_key(k: &[u8]) -> u64 {
    let mut h = (k.len() as u64) ^ K0;
    let mut chunks = k.chunks_exact(8);
    for c in &mut chunks {
        let w = <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes);
        h = fold(h ^ w, K1);
    }
    fold(h ^ tail(chunks.remainder()), K0)
}

impl KeyTable {
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds or replaces `key`.
    pub(crate) fn insert(&mut self, key: &str, node: u32) {
        if (self.len + 1) * 2 > self.entries.len() {
            self.grow();
        }
        let hash = hash_key(key.as_bytes());
        let i = self.find(hash, key);
        let e = &mut self.entries[i];
        if e.key.is_none() {
            self.len += 1;
            *e = Entry {
                hash,
                node,
                key: Some(key.into()),
            };
        } else {
            e.node = node;
        }
    }

    /// The node of `key`, if present.
    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let e = &self.entries[self.find(hash_key(key.as_bytes()), key)];
        e.key.as_ref().map(|_| e.node)
    }

    /// The slot holding `key`, or the empty slot where it would go. The table is never full.
    #[inline]
    fn find(&self, hash: u64, key: &str) -> usize {
        let mask = self.entries.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let e = &self.entries[i];
            match &e.key {
                None => return i,
                Some(k) if e.hash == hash && **k == *key => return i,
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let size = (self.entries.len() * 2).max(8);
        let old = std::mem::replace(&mut self.entries, vec![Entry::default(); size]);
        self.len = 0;
        for e in old {
            if let Some(k) = e.key {
                self.insert(&k, e.node);
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
        assert_eq!(t.get("a"), None);
        let keys: Vec<String> = (0..300)
            .map(|i| format!("k.{i}.{}", "x".repeat(i % 20)))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            t.insert(k, i as u32);
        }
        t.insert("", 999);
        t.insert(&keys[5], 555);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(if i == 5 { 555 } else { i as u32 }), "{k}");
        }
        assert_eq!(t.get(""), Some(999));
        assert_eq!(t.get("k.1"), None);
        assert_eq!(t.get("k.1.xx"), None);
        assert_eq!(t.len, 301);
    }

    #[test]
    fn hash_depends_on_every_byte_and_the_length() {
        let base = b"process.parent.name".to_vec();
        let h = hash_key(&base);
        for i in 0..base.len() {
            let mut k = base.clone();
            k[i] ^= 1;
            assert_ne!(hash_key(&k), h, "{i}");
        }
        assert_ne!(hash_key(b"ab"), hash_key(b"ab\0"));
    }
}
