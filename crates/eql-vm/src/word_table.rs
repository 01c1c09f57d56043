//! A perfect-hash table of short strings, each summed up by its length and [`words`]: the key
//! of a string picks exactly one entry with a multiply and a shift, and one comparison of the
//! entry's words says whether the string is there. No probing and no loop, so that a lookup
//! costs the same whatever the string, and its only branch (found or not) follows the data
//! rather than the members' order. String lists of several members use it.

use crate::words::{words, SHORT};

/// One entry: a member's length and words, and its index among the members. An empty entry
/// has a length no string of at most [`SHORT`] bytes has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    head: u64,
    tail: u64,
    len: u32,
    index: u32,
}

const EMPTY: Entry = Entry {
    head: 0,
    tail: 0,
    len: u32::MAX,
    index: u32::MAX,
};

/// Multipliers tried per table size before a larger one.
const TRIES: u64 = 32;

/// The `i`-th multiplier tried: odd, its bits well mixed (splitmix64 of `i`).
fn multiplier(i: u64) -> u64 {
    let mut z = (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) | 1
}

/// Most members a table is built for (more are left to a hash map).
pub(crate) const MAX_MEMBERS: usize = 32;

/// See the module docs.
#[derive(Debug, Clone)]
pub(crate) struct WordTable {
    mult: u64,
    /// 64 minus the number of index bits.
    shift: u32,
    entries: Box<[Entry]>,
}

/// The key of a string of length `len` with words `head` and `tail`, before the multiply:
/// strings of different lengths or words give different keys unless their words collide
/// under the xor, which the builder then sees as a clash.
#[inline(always)]
fn key(len: usize, head: u64, tail: u64) -> u64 {
    head ^ tail.rotate_left(31) ^ (len as u64).rotate_right(8)
}

impl WordTable {
    /// The table of `members` (each at most [`SHORT`] bytes, no two equal; a member's index
    /// is its position), or `None` when there are none, too many, one too long, or no
    /// multiplier tried spreads them over distinct entries of a table up to 16 times their
    /// number (for 32 members, each multiplier tried at that size succeeds about a third of the
    /// time).
    pub(crate) fn new(members: &[&[u8]]) -> Option<WordTable> {
        if members.is_empty() || members.len() > MAX_MEMBERS {
            return None;
        }
        if members.iter().any(|m| m.len() > SHORT) {
            return None;
        }
        let keys: Vec<(u64, Entry)> = members
            .iter()
            .zip(0u32..)
            .map(|(m, index)| {
                let (head, tail) = words(m);
                let e = Entry {
                    head,
                    tail,
                    len: m.len() as u32,
                    index,
                };
                (key(m.len(), head, tail), e)
            })
            .collect();
        let least = members.len().next_power_of_two().trailing_zeros().max(1);
        for bits in least..=least + 4 {
            for mult in (0..TRIES).map(multiplier) {
                let shift = 64 - bits;
                let mut entries = vec![EMPTY; 1 << bits];
                let fits = keys.iter().all(|&(k, e)| {
                    let slot = &mut entries[(k.wrapping_mul(mult) >> shift) as usize];
                    let free = *slot == EMPTY;
                    *slot = e;
                    free
                });
                if fits {
                    return Some(WordTable {
                        mult,
                        shift,
                        entries: entries.into(),
                    });
                }
            }
        }
        None
    }

    /// The index of the member of length `len` with words `head` and `tail`, if there is one.
    #[inline(always)]
    pub(crate) fn find(&self, len: usize, head: u64, tail: u64) -> Option<u32> {
        let at = key(len, head, tail).wrapping_mul(self.mult) >> self.shift;
        let e = self.entries.get(at as usize)?;
        // One test of all three, so that a miss in any part costs no extra branch.
        let differ = (u64::from(e.len) ^ len as u64) | (e.head ^ head) | (e.tail ^ tail);
        (differ == 0).then_some(e.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl WordTable {
        /// The index of member `s`, if it is one.
        fn get(&self, s: &[u8]) -> Option<u32> {
            if s.len() > SHORT {
                return None;
            }
            let (head, tail) = words(s);
            self.find(s.len(), head, tail)
        }
    }

    /// Every member is found at its index, and strings one byte away from a member, or one
    /// byte longer or shorter, are not.
    #[test]
    fn finds_members_and_nothing_else() {
        let members: Vec<Vec<u8>> = [
            "",
            "a",
            "sh",
            "bash",
            "dash",
            "zsh",
            "ksh",
            "fish",
            "socat",
            "network",
            "process",
            "library",
            "registry",
            "authentication",
            "0123456789abcdef",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        let refs: Vec<&[u8]> = members.iter().map(|m| m.as_slice()).collect();
        let t = WordTable::new(&refs).unwrap_or_else(|| panic!("no table"));
        for (i, m) in members.iter().enumerate() {
            assert_eq!(t.get(m), Some(i as u32), "{m:?}");
            for at in 0..m.len() {
                let mut near = m.clone();
                near[at] ^= 0x20;
                if !members.contains(&near) {
                    assert_eq!(t.get(&near), None, "{near:?}");
                }
            }
            for other in [
                [m.as_slice(), b"x"].concat(),
                m[..m.len().saturating_sub(1)].to_vec(),
            ] {
                if !members.contains(&other) {
                    assert_eq!(t.get(&other), None, "{other:?}");
                }
            }
        }
        assert_eq!(t.get(b"0123456789abcdefg"), None);
    }

    /// Random sets of every size up to the most a table takes get a table, and it agrees with
    /// a search of the members.
    #[test]
    fn agrees_with_searching_the_members() {
        let mut seed = 11u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for n in 1..=MAX_MEMBERS {
            let mut members: Vec<Vec<u8>> = Vec::new();
            while members.len() < n {
                let len = next() % (SHORT + 1);
                let m: Vec<u8> = (0..len).map(|_| b"abcsh-_."[next() % 8]).collect();
                if !members.contains(&m) {
                    members.push(m);
                }
            }
            let refs: Vec<&[u8]> = members.iter().map(|m| m.as_slice()).collect();
            let t = WordTable::new(&refs).unwrap_or_else(|| panic!("no table for {n}"));
            for _ in 0..200 {
                let len = next() % (SHORT + 2);
                let probe: Vec<u8> = (0..len).map(|_| b"abcsh-_."[next() % 8]).collect();
                let want = members.iter().position(|m| *m == probe).map(|i| i as u32);
                assert_eq!(t.get(&probe), want, "{probe:?}");
            }
        }
    }

    #[test]
    fn refuses_what_it_cannot_hold() {
        assert!(WordTable::new(&[]).is_none());
        assert!(WordTable::new(&[b"0123456789abcdefg".as_slice()]).is_none());
        let many: Vec<Vec<u8>> = (0..=MAX_MEMBERS)
            .map(|i| i.to_string().into_bytes())
            .collect();
        let refs: Vec<&[u8]> = many.iter().map(|m| m.as_slice()).collect();
        assert!(WordTable::new(&refs).is_none());
    }
}
