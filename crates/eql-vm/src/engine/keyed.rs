//! Join keys with state under a cap, for sequences and samples alike: a hash table of each key
//! beside its hash (which the caller computes once per event, and which the table never
//! computes again as it grows), and the keys' arrival order, so that the oldest key goes first
//! when the cap is reached.

use super::keys::KeyTuple;
use hashbrown::HashTable;
use std::collections::VecDeque;

/// A key and its state.
#[derive(Debug)]
pub(super) struct Keyed<S> {
    hash: u64,
    /// When the key arrived: names this state in [`KeyedTable::order`] (a key that left and
    /// came back has a new number, so its old entry there finds nothing).
    born: u64,
    pub(super) key: KeyTuple,
    pub(super) state: S,
}

/// See the module docs.
#[derive(Debug)]
pub(super) struct KeyedTable<S> {
    table: HashTable<Keyed<S>>,
    hasher: ahash::RandomState,
    /// Keys in arrival order, as hash and `born` number (stale entries are skipped, and
    /// dropped when they come to outnumber the keys).
    order: VecDeque<(u64, u64)>,
    born: u64,
    /// Most keys with state.
    max_keys: usize,
}

impl<S> KeyedTable<S> {
    pub(super) fn new() -> KeyedTable<S> {
        KeyedTable {
            table: HashTable::new(),
            hasher: ahash::RandomState::new(),
            order: VecDeque::new(),
            born: 0,
            max_keys: usize::MAX,
        }
    }

    /// Caps the keys at `max_keys` (at least 1).
    pub(super) fn set_max_keys(&mut self, max_keys: usize) {
        self.max_keys = max_keys.max(1);
    }

    /// The hash the other methods take with a key.
    pub(super) fn hash(&self, key: &KeyTuple) -> u64 {
        self.hasher.hash_one(key)
    }

    pub(super) fn len(&self) -> usize {
        self.table.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The state of `key` (whose hash is `hash`), if it has one.
    pub(super) fn get(&self, key: &KeyTuple, hash: u64) -> Option<&S> {
        self.table.find(hash, |e| e.key == *key).map(|e| &e.state)
    }

    /// The entry of `key` (whose hash is `hash`), made with `make` when the key has none;
    /// making one evicts the oldest keys while the cap is reached, counting them in `evicted`.
    pub(super) fn get_or_admit(
        &mut self,
        key: KeyTuple,
        hash: u64,
        evicted: &mut u64,
        make: impl FnOnce() -> S,
    ) -> Option<&mut Keyed<S>> {
        // A key is looked up twice (admitting may evict others first), never hashed here.
        if self.table.find(hash, |e| e.key == key).is_some() {
            return self.table.find_mut(hash, |e| e.key == key);
        }
        while self.table.len() >= self.max_keys {
            let Some((h, born)) = self.order.pop_front() else {
                break;
            };
            if let Ok(e) = self.table.find_entry(h, |e| e.born == born) {
                e.remove();
                *evicted += 1;
            }
        }
        if self.order.len() > 2 * self.table.len() + 64 {
            let table = &self.table;
            self.order
                .retain(|&(h, b)| table.find(h, |e| e.born == b).is_some());
        }
        self.born += 1;
        self.order.push_back((hash, self.born));
        let e = Keyed {
            hash,
            born: self.born,
            key,
            state: make(),
        };
        Some(self.table.insert_unique(hash, e, |e| e.hash).into_mut())
    }

    /// Lets `f` change the state of `key` (whose hash is `hash`), if it has one, and drops the
    /// key when `f` returns false.
    pub(super) fn update(&mut self, key: &KeyTuple, hash: u64, f: impl FnOnce(&mut S) -> bool) {
        if let Ok(mut e) = self.table.find_entry(hash, |e| e.key == *key) {
            if !f(&mut e.get_mut().state) {
                e.remove();
            }
        }
    }

    /// Keeps the keys whose state `f` (which may change it) returns true for.
    pub(super) fn retain(&mut self, mut f: impl FnMut(&mut S) -> bool) {
        self.table.retain(|e| f(&mut e.state));
    }

    /// Takes every key and its state out.
    pub(super) fn drain(&mut self) -> impl Iterator<Item = (KeyTuple, S)> + '_ {
        self.order.clear();
        self.table.drain().map(|e| (e.key, e.state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::keys::KeyVal;

    /// A table under a cap against a plain model: keys in arrival order, the oldest evicted
    /// to admit one at the cap, keys leaving (as `until` ends them) and coming back fresh.
    #[test]
    fn keys_are_found_admitted_and_evicted_as_a_plain_model_says() {
        for cap in [3, 5, 100] {
            let mut t: KeyedTable<u32> = KeyedTable::new();
            t.set_max_keys(cap);
            // (key, times seen since it arrived), oldest first.
            let mut model: Vec<(i64, u32)> = Vec::new();
            let (mut evicted, mut model_evicted) = (0, 0);
            let mut x = 7u64;
            for round in 0..3000 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let k = (x >> 33) as i64 % 9;
                let key: KeyTuple = std::iter::once(KeyVal::Int(k)).collect();
                let h = t.hash(&key);
                if round % 5 == 0 {
                    // The key leaves.
                    t.update(&key, h, |_| false);
                    model.retain(|&(mk, _)| mk != k);
                    continue;
                }
                let e = t.get_or_admit(key.clone(), h, &mut evicted, || 0);
                let e = e.expect("a key is always admitted");
                e.state += 1;
                match model.iter_mut().find(|(mk, _)| *mk == k) {
                    Some((_, n)) => *n += 1,
                    None => {
                        if model.len() >= cap {
                            model.remove(0);
                            model_evicted += 1;
                        }
                        model.push((k, 1));
                    }
                }
                assert_eq!(t.len(), model.len(), "round {round}");
                for &(mk, n) in &model {
                    let key: KeyTuple = std::iter::once(KeyVal::Int(mk)).collect();
                    assert_eq!(t.get(&key, t.hash(&key)), Some(&n), "round {round}");
                }
                // Stale arrivals are dropped once they outnumber the keys (nine at most).
                assert!(t.order.len() <= 2 * cap.min(9) + 65, "{}", t.order.len());
            }
            assert_eq!(evicted, model_evicted);
        }
    }
}
