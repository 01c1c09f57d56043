//! Small sets of strings tested against event strings without hashing: a mask of the members'
//! lengths rejects most strings at once, and a string of at most 16 bytes is then read as two
//! words (case folded in the words for a case-insensitive set) and compared with each member's
//! precomputed words, a few instructions a member; from three short members on, with the one
//! member a [`WordTable`] names for those words.

use crate::small_set::bit;
use crate::word_table::{self, WordTable};
use crate::words::{unwords, words, SHORT};
use eql_bytecode::{ConstSet, ConstVal};

/// Most members a set may have to be tested by [`StrList`].
const LIST_MAX: usize = 16;

/// Every byte of a word set to 1.
const ONES: u64 = u64::MAX / 0xff;

/// A small set of strings (see the module docs). Only for sets of strings alone (a value
/// that is not a string goes to the set's [`crate::matchers::RtSet`]). Kept small (40 bytes),
/// as a decision graph's node holds one: a one-string list reads no other memory.
#[derive(Debug, Clone)]
pub(crate) struct StrList {
    /// The words of the first member of at most [`SHORT`] bytes (of the lower-cased member
    /// when case-insensitive).
    head: u64,
    tail: u64,
    /// That member's length, or [`NO_LEN`] when there is none.
    len: u32,
    case_insensitive: bool,
    /// Bit `n` (`n` < 63) is set when some member is `n` bytes long; bit 63 for longer ones.
    lens: u64,
    /// The other members, when there are any.
    more: Option<Box<More>>,
}

/// Fewest short members for which a list looks them up in a [`WordTable`] rather than
/// comparing them one by one.
const TABLE_FROM: usize = 3;

/// The members of a [`StrList`] after its first short one.
#[derive(Debug, Clone, Default)]
struct More {
    /// The other members of at most [`SHORT`] bytes, as their keys.
    rest: Vec<Key>,
    /// All members of at most [`SHORT`] bytes (the first one too), when there are at least
    /// [`TABLE_FROM`] and a table could be built: then `rest` is not searched.
    table: Option<WordTable>,
    /// Longer members (lower-cased when case-insensitive).
    long: Vec<Box<[u8]>>,
}

/// A short string's length and words: with equal lengths, equal words mean equal bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    len: usize,
    head: u64,
    tail: u64,
}

/// The length of a list's first member when it has no member of at most [`SHORT`] bytes
/// (no string is that long there).
const NO_LEN: u32 = u32::MAX;

/// `w` with its ASCII upper-case bytes lower-cased (as [`u8::to_ascii_lowercase`] does to
/// each byte). Per byte, without carries across bytes: `h` (the low 7 bits) plus 0x3f
/// reaches 0x80 when `h` >= 'A', plus 0x25 when `h` > 'Z'; the bytes where exactly one
/// reaches it and whose top bit is clear are the upper-case letters, which gain 0x20.
#[inline(always)]
pub(crate) fn fold(w: u64) -> u64 {
    let h = w & (0x7f * ONES);
    let from_a = h + (0x80 - u64::from(b'A')) * ONES;
    let past_z = h + (0x80 - u64::from(b'Z') - 1) * ONES;
    let upper = (from_a ^ past_z) & !w & (0x80 * ONES);
    w | (upper >> 2)
}

impl StrList {
    /// The list for `set`, when it holds only strings, and few of them.
    pub(crate) fn new(set: &ConstSet) -> Option<StrList> {
        if set.items.len() > LIST_MAX {
            return None;
        }
        let members = set
            .items
            .iter()
            .map(|v| match v {
                ConstVal::Str(s) => Some(s.as_bytes()),
                _ => None,
            })
            .collect::<Option<Vec<&[u8]>>>()?;
        Some(StrList::of(&members, set.case_insensitive))
    }

    /// The list holding `s` alone.
    pub(crate) fn one(s: &[u8], case_insensitive: bool) -> StrList {
        StrList::of(&[s], case_insensitive)
    }

    fn of(members: &[&[u8]], case_insensitive: bool) -> StrList {
        let mut list = StrList {
            head: 0,
            tail: 0,
            len: NO_LEN,
            case_insensitive,
            lens: 0,
            more: None,
        };
        let mut short: Vec<Box<[u8]>> = Vec::new();
        for m in members {
            let m: Box<[u8]> = if case_insensitive {
                m.to_ascii_lowercase().into()
            } else {
                (*m).into()
            };
            if m.len() <= SHORT && !short.contains(&m) {
                short.push(m.clone());
            }
            list.lens |= bit(m.len());
            if m.len() <= SHORT {
                let (head, tail) = words(&m);
                if list.len == NO_LEN {
                    (list.head, list.tail, list.len) = (head, tail, m.len() as u32);
                } else {
                    let key = Key {
                        len: m.len(),
                        head,
                        tail,
                    };
                    list.more.get_or_insert_default().rest.push(key);
                }
            } else {
                list.more.get_or_insert_default().long.push(m);
            }
        }
        if short.len() >= TABLE_FROM {
            let refs: Vec<&[u8]> = short.iter().map(|m| &**m).collect();
            list.more.get_or_insert_default().table = WordTable::new(&refs);
        }
        list
    }

    /// The members (lower-cased when case-insensitive), each once.
    pub(crate) fn members(&self) -> Vec<Vec<u8>> {
        let mut all: Vec<Vec<u8>> = Vec::new();
        if self.len != NO_LEN {
            all.extend(unwords(self.len as usize, self.head, self.tail));
        }
        if let Some(more) = &self.more {
            all.extend(
                more.rest
                    .iter()
                    .filter_map(|k| unwords(k.len, k.head, k.tail)),
            );
            all.extend(more.long.iter().map(|m| m.to_vec()));
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// A list holding every string some list of `lists` holds: case-insensitive when any of
    /// them is (it then also holds strings that differ from a case-sensitive list's member in
    /// case alone, so only its "no" is exact for each list). `None` when `lists` is empty or
    /// the union has more short members than a [`WordTable`] takes.
    pub(crate) fn union(lists: &[&StrList]) -> Option<StrList> {
        let ci = lists.iter().any(|l| l.case_insensitive);
        let mut all: Vec<Vec<u8>> = lists
            .iter()
            .flat_map(|l| l.members())
            .map(|m| if ci { m.to_ascii_lowercase() } else { m })
            .collect();
        all.sort_unstable();
        all.dedup();
        let short = all.iter().filter(|m| m.len() <= SHORT).count();
        if lists.is_empty() || short > word_table::MAX_MEMBERS {
            return None;
        }
        let refs: Vec<&[u8]> = all.iter().map(|m| m.as_slice()).collect();
        Some(StrList::of(&refs, ci))
    }

    /// Whether `s` is a member (ASCII case folded when the set is case-insensitive, as
    /// [`crate::matchers::RtSet`] compares).
    #[inline(always)]
    pub(crate) fn contains(&self, s: &[u8]) -> bool {
        self.may_have_len(s.len()) && self.contains_sized(s)
    }

    /// Whether members are compared ignoring ASCII case.
    pub(crate) fn is_case_insensitive(&self) -> bool {
        self.case_insensitive
    }

    /// Whether some member is `n` bytes long (for a string longer than 62 bytes: whether
    /// some member is that long too). A string whose length fails this is not a member, so
    /// a caller holding only the length can skip reading its bytes.
    #[inline(always)]
    pub(crate) fn may_have_len(&self, n: usize) -> bool {
        self.lens & bit(n) != 0
    }

    /// [`StrList::contains`] for a string whose length passed [`StrList::may_have_len`].
    #[inline(always)]
    pub(crate) fn contains_sized(&self, s: &[u8]) -> bool {
        let n = s.len();
        if n > SHORT {
            return self.contains_long(s);
        }
        let (head, tail) = words(s);
        // Below 8 bytes the second word is 0, and stays 0 folded: only the first is folded
        // (most strings a list's length mask lets through are that short).
        match (self.case_insensitive, n < 8) {
            (true, true) => self.has_key(n, fold(head), 0),
            (true, false) => self.has_key(n, fold(head), fold(tail)),
            (false, _) => self.has_key(n, head, tail),
        }
    }

    /// Whether some short member has length `n` and words `head` and `tail`.
    #[inline(always)]
    fn has_key(&self, n: usize, head: u64, tail: u64) -> bool {
        let first = || self.len as usize == n && self.head == head && self.tail == tail;
        let Some(more) = &self.more else {
            return first();
        };
        if let Some(t) = &more.table {
            return t.find(n, head, tail).is_some();
        }
        if first() {
            return true;
        }
        for k in &more.rest {
            if k.len == n && k.head == head && k.tail == tail {
                return true;
            }
        }
        false
    }

    /// [`StrList::contains`] for a string longer than [`SHORT`].
    #[cold]
    fn contains_long(&self, s: &[u8]) -> bool {
        let Some(more) = &self.more else {
            return false;
        };
        if self.case_insensitive {
            more.long.iter().any(|m| m.eq_ignore_ascii_case(s))
        } else {
            more.long.iter().any(|m| **m == *s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes around the edges of the folding: the letters' bounds, their neighbours, and the
    /// same with the top bit set.
    const ALPHABET: &[u8] = b"@AZ[`az{a0\x00\x7f\xc1\xda\xe1\xfa\x80\xff";

    fn strings(seed: &mut u64, count: usize) -> Vec<Vec<u8>> {
        let mut next = || {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (*seed >> 33) as usize
        };
        (0..count)
            .map(|_| {
                let n = next() % 20;
                (0..n).map(|_| ALPHABET[next() % ALPHABET.len()]).collect()
            })
            .collect()
    }

    #[test]
    fn fold_lower_cases_ascii_letters_alone() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let w = u64::from(b) << (8 * at) | 0x4061_7a5b_0041_5a60 & !(0xff << (8 * at));
                let want = u64::from_le_bytes(w.to_le_bytes().map(|x| x.to_ascii_lowercase()));
                assert_eq!(fold(w), want, "byte {b:#x} at {at}");
            }
        }
    }

    /// A list gives back its members, and a union holds what any of its lists holds: exactly
    /// that when every list is case-sensitive, and up to case otherwise.
    #[test]
    fn members_and_unions() {
        let mut seed = 3;
        for round in 0..300 {
            let a = strings(&mut seed, 1 + round % LIST_MAX);
            let b = strings(&mut seed, 1 + round % 5);
            let (ci_a, ci_b) = (round % 3 == 1, round % 3 == 2);
            let ra: Vec<&[u8]> = a.iter().map(|m| m.as_slice()).collect();
            let rb: Vec<&[u8]> = b.iter().map(|m| m.as_slice()).collect();
            let (la, lb) = (StrList::of(&ra, ci_a), StrList::of(&rb, ci_b));
            let mut want: Vec<Vec<u8>> = a
                .iter()
                .map(|m| {
                    if ci_a {
                        m.to_ascii_lowercase()
                    } else {
                        m.clone()
                    }
                })
                .collect();
            want.sort_unstable();
            want.dedup();
            assert_eq!(la.members(), want, "{a:?} ci={ci_a}");
            let u = StrList::union(&[&la, &lb]).unwrap_or_else(|| panic!("no union"));
            let probes = strings(&mut seed, 40);
            for s in probes.iter().chain(&a).chain(&b) {
                let upper = s.to_ascii_uppercase();
                for v in [s, &upper] {
                    let any = la.contains(v) || lb.contains(v);
                    if ci_a || ci_b {
                        let folded =
                            |l: &[Vec<u8>], v: &[u8]| l.iter().any(|m| m.eq_ignore_ascii_case(v));
                        assert_eq!(u.contains(v), folded(&a, v) || folded(&b, v), "{v:?}");
                        assert!(!any || u.contains(v), "{v:?}");
                    } else {
                        assert_eq!(u.contains(v), any, "{v:?}");
                    }
                }
            }
        }
        assert!(StrList::union(&[]).is_none());
    }

    #[test]
    fn contains_agrees_with_comparing_bytes() {
        let mut seed = 7;
        for round in 0..400 {
            let members = strings(&mut seed, 1 + round % LIST_MAX);
            let probes = strings(&mut seed, 60);
            for ci in [false, true] {
                let refs: Vec<&[u8]> = members.iter().map(|m| m.as_slice()).collect();
                let list = StrList::of(&refs, ci);
                for s in probes.iter().chain(&members) {
                    let mut variants = vec![s.clone(), s.to_ascii_uppercase()];
                    variants.push(s.to_ascii_lowercase());
                    // One byte changed, at each end and in the middle.
                    for at in [0, s.len() / 2, s.len().saturating_sub(1)] {
                        let mut m = s.clone();
                        if let Some(b) = m.get_mut(at) {
                            *b = ALPHABET[(round + at) % ALPHABET.len()];
                        }
                        variants.push(m);
                    }
                    for v in &variants {
                        let want = members.iter().any(|m| {
                            if ci {
                                m.eq_ignore_ascii_case(v)
                            } else {
                                m == v
                            }
                        });
                        assert_eq!(list.contains(v), want, "{members:?} {v:?} ci={ci}");
                    }
                }
            }
        }
    }
}
