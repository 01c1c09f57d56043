//! A small cache of the IPs read from strings, kept by the decoder from line to line: a host's
//! events repeat its addresses (`host.ip` in every event, the same peers in `source.ip` and
//! `destination.ip`), and looking a string up costs a fraction of parsing it again.

use std::net::IpAddr;

use crate::words::{same_bytes, words};

/// Sets in the cache (a power of two), of two entries each: 2 048 entries of one cache line,
/// 128 kB, allocated only for a decoder that reads IP slots.
const SETS: usize = 1024;

/// The longest string the cache keeps: an IPv6 address in its longest usual forms (eight full
/// groups, 39 bytes; with an embedded IPv4 address, 45) fits, and an entry fills 64 bytes.
/// Longer strings are parsed each time.
const LONGEST: usize = 46;

/// One remembered string and what it parsed to.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Entry {
    /// Length of the string; 0 marks an empty entry (the empty string is never kept).
    len: u8,
    bytes: [u8; LONGEST],
    ip: Option<IpAddr>,
}

const EMPTY: Entry = Entry {
    len: 0,
    bytes: [0; LONGEST],
    ip: None,
};

impl Entry {
    #[inline(always)]
    fn holds(&self, b: &[u8]) -> bool {
        usize::from(self.len) == b.len()
            && self.bytes.get(..b.len()).is_some_and(|k| same_bytes(k, b))
    }
}

/// Two-way set-associative: a string can live in the two entries of the set a hash of its
/// [`words`] and length picks, the one used last first. A new string takes the first place
/// and moves the other to the second, so an address that recurs (a host's own, in each of its
/// events) survives a stream of addresses met once (the peers of outbound connections).
#[derive(Default)]
pub(crate) struct IpMemo {
    /// `2 * SETS` entries, set `i` at `2 * i` and `2 * i + 1`; allocated at the first lookup.
    table: Vec<Entry>,
}

impl std::fmt::Debug for IpMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.table.iter().filter(|e| e.len > 0).count();
        f.debug_struct("IpMemo").field("kept", &kept).finish()
    }
}

impl IpMemo {
    /// `s` parsed as an IP address, as `s.parse::<IpAddr>().ok()` would give it.
    #[inline]
    pub(crate) fn parse(&mut self, s: &str) -> Option<IpAddr> {
        let b = s.as_bytes();
        let len = b.len();
        if len == 0 || len > LONGEST {
            return s.parse().ok();
        }
        if self.table.is_empty() {
            self.table = vec![EMPTY; 2 * SETS];
        }
        let set = set_of(b);
        let Some([first, second]) = self.table.get_mut(2 * set..2 * set + 2) else {
            return s.parse().ok();
        };
        if first.holds(b) {
            return first.ip;
        }
        if second.holds(b) {
            std::mem::swap(first, second);
            return first.ip;
        }
        let ip = s.parse().ok();
        *second = *first;
        if let Some(key) = first.bytes.get_mut(..len) {
            key.copy_from_slice(b);
            // `len` is at most LONGEST, which fits in u8.
            first.len = len as u8;
            first.ip = ip;
        }
        ip
    }
}

/// The set a string of 1 to [`LONGEST`] bytes lives in.
#[inline(always)]
fn set_of(b: &[u8]) -> usize {
    let (w0, w1) = words(b);
    let h = (w0 ^ w1.rotate_left(29) ^ b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - SETS.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string, met first or again, with other strings evicting it in between, gives
    /// what parsing it gives.
    #[test]
    fn remembered_or_not_a_string_parses_as_parse_gives() {
        let mut strings: Vec<String> = vec![
            "10.0.0.1".into(),
            "10.0.0.10".into(),
            "10.0.0.1 ".into(),
            "::1".into(),
            "fe80::1326:bda9".into(),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff".into(),
            "0000:0000:0000:0000:0000:ffff:255.255.255.255".into(),
            "0000:0000:0000:0000:0000:ffff:255.255.255.2555".into(),
            "not an ip".into(),
            "1.2.3".into(),
            "".into(),
            "-".into(),
        ];
        // Many addresses, more than the table holds, so that entries are replaced.
        for i in 0..3000u32 {
            strings.push(format!("10.{}.{}.{}", i % 7, i / 256, i % 256));
            strings.push(format!("fe80::{:x}:{:x}", i * 7919, i));
        }
        let mut memo = IpMemo::default();
        for round in 0..3 {
            for (i, s) in strings.iter().enumerate() {
                // Visit in a different order each round.
                let s = if round == 1 {
                    &strings[strings.len() - 1 - i]
                } else {
                    s
                };
                assert_eq!(memo.parse(s), s.parse::<IpAddr>().ok(), "{s:?}");
                // Read twice in a row: the second read is served by the entry just made.
                assert_eq!(memo.parse(s), s.parse::<IpAddr>().ok(), "{s:?} again");
            }
        }
    }

    /// Strings that differ only past the bytes the hash reads (the middle of a long address)
    /// are told apart by their bytes.
    #[test]
    fn strings_alike_in_their_words_are_told_apart() {
        let a = "2001:0db8:0000:0000:0000:0000:0000:0001";
        let b = "2001:0db8:0000:1111:0000:0000:0000:0001";
        let mut memo = IpMemo::default();
        for _ in 0..2 {
            assert_eq!(memo.parse(a), a.parse().ok());
            assert_eq!(memo.parse(b), b.parse().ok());
        }
        assert_ne!(memo.parse(a), memo.parse(b));
    }

    /// Three strings of one set: the second place serves a string pushed there, a string read
    /// again moves back to the first place, and the third string evicts the one used least
    /// recently, which then parses anew.
    #[test]
    fn a_set_keeps_the_two_strings_used_last() {
        let all: Vec<String> = (0..20_000u32)
            .map(|i| format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255))
            .collect();
        let set = set_of(all[0].as_bytes());
        let same: Vec<&String> = all
            .iter()
            .filter(|s| set_of(s.as_bytes()) == set)
            .take(3)
            .collect();
        let [a, b, c] = same[..] else {
            panic!("fewer than three strings of one set among 20 000");
        };
        let mut memo = IpMemo::default();
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        for s in [a, b, a, a, b, c, a, c, b, a] {
            assert_eq!(memo.parse(s), ip(s), "{s}");
            let first = &memo.table[2 * set];
            assert!(first.holds(s.as_bytes()), "{s} is used last");
        }
        // The last reads were b then a: c was evicted.
        let kept: Vec<bool> = [a, b, c]
            .iter()
            .map(|s| {
                memo.table[2 * set..2 * set + 2]
                    .iter()
                    .any(|e| e.holds(s.as_bytes()))
            })
            .collect();
        assert_eq!(kept, [true, true, false]);
    }
}
