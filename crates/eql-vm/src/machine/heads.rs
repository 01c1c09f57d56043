//! A string list whose members are all at most 7 bytes long, looked up by one word: a string
//! of such a length is summed up by its first 8 bytes as they lie in the event's buffer
//! (masked to its length, case folded when the list is, its length in the top byte), and a
//! perfect-hash table of 32 words says whether it is a member with one multiply and one
//! comparison. No branch on the string's length, which the union of the guards' strings vary
//! in from one event to the next.

use super::strlist::{fold, StrList};
use crate::event::{EventBuf, StrRef};

/// Longest member a [`Heads`] takes: the top byte of a word holds the length.
const HEAD: usize = 7;

/// Entries of a table (a power of two).
const SLOTS: usize = 32;

/// Bits of an entry's index.
const BITS: u32 = SLOTS.trailing_zeros();

/// Most members a table is built for (at most half full, so that some multiplier tried
/// spreads them).
const MAX_MEMBERS: usize = SLOTS / 2;

/// Multipliers tried before giving up (for 16 members, about 2% of them fit).
const TRIES: u64 = 4096;

/// An empty entry: no key has a top byte above [`HEAD`].
const EMPTY: u64 = u64::MAX;

/// Every byte of a word set to 0x20, the bit that tells ASCII lower-case letters from
/// upper-case ones.
const CASE: u64 = u64::MAX / 0xff * 0x20;

/// By length (below 8): the low bytes of a word that a string of that length fills.
const MASKS: [u64; 8] = {
    let mut m = [0u64; 8];
    let mut n = 0;
    while n < 8 {
        m[n] = (1u64 << (8 * n)) - 1;
        n += 1;
    }
    m
};

/// See the module docs.
#[derive(Debug, Clone)]
pub(crate) struct Heads {
    mult: u64,
    /// ORed into a string's word before the mask: [`CASE`] for a case-insensitive list whose
    /// members are all lower-case ASCII letters (a byte ORed with 0x20 then equals such a
    /// letter exactly when it is the letter in either case), else 0.
    or: u64,
    /// A case-insensitive list with some other byte in a member: the word is [`fold`]ed.
    fold: bool,
    entries: Box<[u64; SLOTS]>,
}

/// The `i`-th multiplier tried: odd, its bits well mixed (splitmix64 of `i`).
fn multiplier(i: u64) -> u64 {
    let mut z = (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) | 1
}

impl Heads {
    /// The table of `list`'s members, when there are at most 16, each at most 7 bytes long,
    /// and some multiplier tried spreads them over distinct entries.
    pub(crate) fn new(list: &StrList) -> Option<Heads> {
        let members = list.members();
        if members.is_empty()
            || members.len() > MAX_MEMBERS
            || members.iter().any(|m| m.len() > HEAD)
        {
            return None;
        }
        let ci = list.is_case_insensitive();
        let letters = members.iter().flatten().all(u8::is_ascii_lowercase);
        let mut heads = Heads {
            mult: 0,
            or: if ci && letters { CASE } else { 0 },
            fold: ci && !letters,
            entries: Box::new([EMPTY; SLOTS]),
        };
        // The members are lower-cased when the list is case-insensitive: their keys are what
        // `key` makes of them.
        let keys: Vec<u64> = members.iter().map(|m| heads.key_of(m)).collect();
        for mult in (0..TRIES).map(multiplier) {
            let mut entries = [EMPTY; SLOTS];
            let fits = keys.iter().all(|&k| {
                let e = &mut entries[index(k, mult)];
                let free = *e == EMPTY;
                *e = k;
                free
            });
            if fits {
                heads.mult = mult;
                *heads.entries = entries;
                return Some(heads);
            }
        }
        None
    }

    /// The key of the `n`-byte string whose first bytes (and whatever follows them) are the
    /// little-endian word `w`.
    #[inline(always)]
    fn key(&self, w: u64, n: usize) -> u64 {
        let w = if self.fold { fold(w) } else { w | self.or };
        w & MASKS[n & HEAD] | (n as u64) << 56
    }

    /// [`Heads::key`] of a string at most [`HEAD`] bytes long, read byte by byte.
    fn key_of(&self, s: &[u8]) -> u64 {
        let mut b = [0u8; 8];
        if let Some(to) = b.get_mut(..s.len()) {
            to.copy_from_slice(s);
        }
        self.key(u64::from_le_bytes(b), s.len())
    }

    /// Whether the string `r` of `ev` is a member, as [`StrList::contains`] says of its bytes,
    /// when the 8 bytes from the string's start lie in its buffer (`None` when they do not:
    /// then the caller asks the list itself, out of line, with the registers it needs).
    #[inline(always)]
    pub(crate) fn lookup(&self, ev: &EventBuf, r: StrRef) -> Option<bool> {
        let n = r.len as usize;
        if n > HEAD {
            return Some(false);
        }
        let backing = if r.scratch { &ev.scratch } else { &ev.text };
        let at = r.start as usize;
        let k = match backing
            .as_bytes()
            .get(at..at + 8)
            .and_then(|b| b.first_chunk::<8>())
        {
            Some(b) => self.key(u64::from_le_bytes(*b), n),
            // Fewer than 8 bytes from the string to the end of its buffer.
            None => return None,
        };
        Some(self.entries[index(k, self.mult)] == k)
    }
}

/// The entry of key `k` under multiplier `mult`.
#[inline(always)]
fn index(k: u64, mult: u64) -> usize {
    (k.wrapping_mul(mult) >> (64 - BITS)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{SlotRange, Value};

    /// Members of every length up to 7, with bytes around the letters' bounds.
    const MEMBERS: &[&str] = &["", "a", "sh", "zsh", "bash", "socat", "Tcsh-x", "a[Z@`z{"];

    /// Strings near the members: each member, in upper case, one byte changed (by the case
    /// bit and otherwise), one byte shorter and longer, and other strings.
    fn probes(members: &[&str]) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = Vec::new();
        for m in members {
            let m = m.as_bytes();
            v.push(m.to_vec());
            v.push(m.to_ascii_uppercase());
            v.push([m, b"x"].concat());
            v.push([m, b"\0"].concat());
            for at in 0..m.len() {
                for flip in [0x20, 0x01, 0x40] {
                    let mut near = m.to_vec();
                    near[at] ^= flip;
                    v.push(near);
                }
            }
            if let Some((_, rest)) = m.split_first() {
                v.push(rest.to_vec());
            }
            if let Some((_, rest)) = m.split_last() {
                v.push(rest.to_vec());
            }
        }
        for s in [
            "1234567",
            "12345678",
            "bash-and-more",
            "Z",
            "SOCAT",
            "[",
            "`",
            "\0",
            "bäsh",
        ] {
            v.push(s.as_bytes().to_vec());
        }
        v
    }

    /// An event whose buffer (line or scratch) holds `s` after a prefix and followed by
    /// `after`; slot 0 holds `s`.
    fn event(s: &[u8], scratch: bool, after: &str) -> (EventBuf, StrRef) {
        let mut ev = EventBuf::new();
        let mut text = String::from("{\"name\":\"");
        let start = text.len() as u32;
        text.push_str(std::str::from_utf8(s).unwrap_or_else(|_| panic!("{s:?}")));
        text.push_str(after);
        if scratch {
            ev.scratch = text;
        } else {
            ev.text = text;
        }
        let r = StrRef {
            start,
            len: s.len() as u32,
            scratch,
        };
        ev.values.push(Value::Str(r));
        ev.slots.push(SlotRange {
            start: 0,
            len: 1,
            present: true,
        });
        (ev, r)
    }

    /// `Heads::lookup` says what `StrList::contains` says (or leaves it to the list when the
    /// string lies near its buffer's end), case-sensitive or not, members all
    /// letters or not, for strings in the line and in the scratch buffer, with plenty of
    /// bytes after them and with none.
    #[test]
    fn agrees_with_the_list() {
        let letters: Vec<&str> = vec!["bash", "sh", "zsh", "socat", "fish", "ksh", "a"];
        for members in [MEMBERS, letters.as_slice()] {
            for ci in [false, true] {
                let refs: Vec<&[u8]> = members.iter().map(|m| m.as_bytes()).collect();
                let lists: Vec<StrList> = refs.iter().map(|m| StrList::one(m, ci)).collect();
                let lrefs: Vec<&StrList> = lists.iter().collect();
                let list = StrList::union(&lrefs).unwrap_or_else(|| panic!("no union"));
                let heads = Heads::new(&list).unwrap_or_else(|| panic!("no heads"));
                assert_eq!(heads.or != 0, ci && members == letters.as_slice());
                assert_eq!(heads.fold, ci && members == MEMBERS);
                let (mut found, mut near_end) = (0, 0);
                for p in probes(members) {
                    for (scratch, after) in [
                        (false, ""),
                        (false, "\",\"more\":\"bytes\"}"),
                        (true, ""),
                        (true, "xyzxyzxyz"),
                    ] {
                        let (ev, r) = event(&p, scratch, after);
                        let want = list.contains(ev.bytes(r));
                        match heads.lookup(&ev, r) {
                            Some(got) => assert_eq!(got, want, "{p:?} ci {ci} {scratch} {after}"),
                            // Fewer than 8 bytes from the string to its buffer's end.
                            None => {
                                let left = ev.bytes(r).len() + after.len();
                                assert!(left < 8, "{p:?} {scratch} {after}");
                                near_end += 1;
                            }
                        }
                        found += usize::from(want);
                    }
                }
                assert!(found >= 4 * members.len(), "{found}");
                assert!(near_end > 0);
            }
        }
    }

    /// Lists with a longer member, or too many, get no table.
    #[test]
    fn only_short_and_few() {
        let list = |ms: &[&str]| {
            let refs: Vec<&[u8]> = ms.iter().map(|m| m.as_bytes()).collect();
            let lists: Vec<StrList> = refs.iter().map(|m| StrList::one(m, true)).collect();
            let lrefs: Vec<&StrList> = lists.iter().collect();
            StrList::union(&lrefs).unwrap_or_else(|| panic!("no union"))
        };
        assert!(Heads::new(&list(&["bash", "12345678"])).is_none());
        assert!(Heads::new(&list(&["bash", "1234567"])).is_some());
        let many: Vec<String> = (0..17).map(|i| format!("m{i}")).collect();
        let many: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
        assert!(Heads::new(&list(&many)).is_none());
        assert!(Heads::new(&list(&many[..16])).is_some());
    }
}
