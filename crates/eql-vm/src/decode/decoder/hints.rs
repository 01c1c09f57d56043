//! Hints of the key an object's next member has. Lines of one source list their keys in the
//! same order, so each object of the projection trie remembers the key its last object started
//! with, and each key the key that followed it last (the next projected one: unprojected keys
//! in between are passed over). The optimistic pass checks the hinted key against the line's
//! bytes first ([`KeyTable::hinted`](crate::decode::keys::KeyTable::hinted): its length, its
//! two words and the closing quote) and only when that fails scans for the closing quote and
//! hashes the key. A hint is only ever a guess: a wrong or stale one (another projection's)
//! costs one failed check, never a wrong key.

/// No hint.
pub(super) const NONE: u32 = u32::MAX;

/// A decoder's hints: at `node` the index (in its node's key table) of the first key of that
/// node's last object, at [`Node::hint_of`](crate::decode::projection::Node::hint_of) that of
/// the key that followed the entry's key last.
#[derive(Debug, Default)]
pub(super) struct Hints {
    next: Vec<u32>,
}

impl Hints {
    /// Makes room for `n` hints (all of them forgotten when the count changes).
    #[inline]
    pub(super) fn fit(&mut self, n: usize) {
        if self.next.len() != n {
            self.next.clear();
            self.next.resize(n, NONE);
        }
    }

    /// Hint `i` ([`NONE`] beyond the hints).
    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> u32 {
        self.next.get(i).copied().unwrap_or(NONE)
    }

    /// Sets hint `i` to `entry`.
    #[inline(always)]
    pub(super) fn set(&mut self, i: usize, entry: u32) {
        if let Some(h) = self.next.get_mut(i) {
            *h = entry;
        }
    }
}
