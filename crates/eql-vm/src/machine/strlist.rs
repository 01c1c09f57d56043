//! Small sets of strings tested against event strings without hashing: a mask of the members'
//! lengths rejects most strings at once, and a string of at most 16 bytes is then read as two
//! words (case folded in the words for a case-insensitive set) and compared with each member's
//! precomputed words, a few instructions a member; from three short members on, with the one
//! member a [`WordTable`] names for those words.

use crate::small_set::bit;
use crate::word_table::WordTable;
use crate::words::{words, SHORT};
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
fn fold(w: u64) -> u64 {
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
        if self.case_insensitive {
            self.has_key(n, fold(head), fold(tail))
        } else {
            self.has_key(n, head, tail)
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
