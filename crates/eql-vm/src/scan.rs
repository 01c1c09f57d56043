//! Up to 64 needles found in one pass over a string: the inner literals of a wildcard set's
//! general patterns (`*a*b*`), so that a string holding none of them turns every such pattern
//! away after one look at each of its bytes, where searching each literal costs a search
//! set up per pattern. A table gives each byte the needles that can start there; only those
//! are compared.

use crate::lits::eq;

/// Most needles one scan finds.
pub(crate) const MAX: usize = 64;

/// A few dozen distinct non-empty needles, ASCII case folded when asked.
#[derive(Debug)]
pub(crate) struct Scan {
    /// By byte: its group in `groups` (0: no needle starts with it).
    class: Box<[u8; 256]>,
    /// By group: the needles (bits) starting with the group's bytes; group 0 is empty.
    groups: Vec<u64>,
    /// Lower-cased when folding.
    needles: Vec<Box<[u8]>>,
    /// By needle: its first (up to) 8 bytes as a word, compared first where 8 bytes follow.
    heads: Vec<Head>,
    shortest: usize,
    /// Every needle's bit.
    all: u64,
    case_insensitive: bool,
}

/// A needle's first (up to) 8 bytes, for comparing with 8 bytes of a string at once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    /// The bytes, little-endian (lower-cased when folding).
    word: u64,
    /// 0x20 at each ASCII letter when folding: a string's byte with that bit set equals the
    /// needle's lower-case letter exactly when it is that letter in either case.
    fold: u64,
    /// 0xff at each of the needle's bytes.
    mask: u64,
}

impl Head {
    pub(crate) fn of(needle: &[u8], case_insensitive: bool) -> Head {
        let mut h = Head {
            word: 0,
            fold: 0,
            mask: 0,
        };
        for (k, &b) in needle.iter().take(8).enumerate() {
            h.word |= u64::from(b) << (8 * k);
            h.mask |= 0xff << (8 * k);
            if case_insensitive && b.is_ascii_lowercase() {
                h.fold |= 0x20 << (8 * k);
            }
        }
        h
    }

    /// Whether the 8 bytes of a string read as `w` start with the needle's first 8 bytes (all
    /// of it when shorter), ASCII letters folded when the scan folds.
    #[inline(always)]
    pub(crate) fn fits(&self, w: u64) -> bool {
        (w | self.fold) & self.mask == self.word
    }

    /// Whether `rest` starts with `needle` (lower-cased when `ci`), whose head this is;
    /// `word`: `rest`'s first 8 bytes, `None` when it has fewer. Those 8 are compared at once,
    /// the rest of a longer needle after.
    #[inline(always)]
    pub(crate) fn starts(&self, word: Option<u64>, rest: &[u8], needle: &[u8], ci: bool) -> bool {
        match word {
            Some(w) => {
                self.fits(w)
                    && needle.get(8..).is_none_or(|tail| {
                        rest.get(8..needle.len()).is_some_and(|r| eq(r, tail, ci))
                    })
            }
            None => rest.get(..needle.len()).is_some_and(|r| eq(r, needle, ci)),
        }
    }
}

impl Scan {
    /// The scan for `needles` (distinct, each non-empty, at most [`MAX`]); `None` otherwise.
    pub(crate) fn new(needles: &[&[u8]], case_insensitive: bool) -> Option<Scan> {
        if needles.is_empty() || needles.len() > MAX || needles.iter().any(|n| n.is_empty()) {
            return None;
        }
        let needles: Vec<Box<[u8]>> = needles
            .iter()
            .map(|n| {
                let mut b = n.to_vec();
                if case_insensitive {
                    b.make_ascii_lowercase();
                }
                b.into_boxed_slice()
            })
            .collect();
        let shortest = needles.iter().map(|n| n.len()).min()?;
        let mut class = Box::new([0u8; 256]);
        let mut groups = vec![0u64];
        for (j, n) in needles.iter().enumerate() {
            let first = *n.first()?;
            let bytes = if case_insensitive {
                [first, first.to_ascii_uppercase()]
            } else {
                [first, first]
            };
            // Both cases of a letter share one group: the needle's first byte (lower-cased)
            // names it.
            let g = match class[usize::from(first)] {
                0 => {
                    groups.push(0);
                    u8::try_from(groups.len() - 1).ok()?
                }
                g => g,
            };
            for b in bytes {
                class[usize::from(b)] = g;
            }
            groups[usize::from(g)] |= 1 << j;
        }
        let all = u64::MAX >> (MAX - needles.len());
        let heads = needles
            .iter()
            .map(|n| Head::of(n, case_insensitive))
            .collect();
        Some(Scan {
            class,
            groups,
            needles,
            heads,
            shortest,
            all,
            case_insensitive,
        })
    }

    /// The needles (bit `j` for needle `j`) that occur in `hay`.
    pub(crate) fn found(&self, hay: &[u8]) -> u64 {
        self.look(hay, self.all)
    }

    /// Whether some needle occurs in `hay`.
    #[inline]
    pub(crate) fn any(&self, hay: &[u8]) -> bool {
        self.look(hay, 0) != 0
    }

    /// The needles found in `hay`, the search stopping once those found are not a subset of
    /// `enough` (`all` for all of them, 0 for any).
    #[inline(always)]
    fn look(&self, hay: &[u8], enough: u64) -> u64 {
        let Some(last) = hay.len().checked_sub(self.shortest) else {
            return 0;
        };
        let Some(candidates) = hay.get(..=last) else {
            return 0;
        };
        let mut found = 0;
        for (i, &b) in candidates.iter().enumerate() {
            let g = self.class[usize::from(b)];
            if g == 0 {
                continue;
            }
            let mut want = self.groups.get(usize::from(g)).copied().unwrap_or(0) & !found;
            let rest = hay.get(i..).unwrap_or_default();
            // Most candidates differ from every needle of the group within 8 bytes.
            let word = rest.first_chunk::<8>().map(|w| u64::from_le_bytes(*w));
            while want != 0 {
                let j = want.trailing_zeros() as usize;
                want &= want - 1;
                let hit = match (self.heads.get(j), self.needles.get(j)) {
                    (Some(h), Some(n)) => h.starts(word, rest, n, self.case_insensitive),
                    _ => false,
                };
                if hit {
                    found |= 1 << j;
                }
            }
            if found & !enough != 0 || found == self.all {
                break;
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random strings over the needles' own bytes and some others, with needles planted in
    /// either case, against a search for each needle by itself.
    #[test]
    fn finds_what_a_search_per_needle_finds() {
        let sets: [(&[&str], bool); 5] = [
            (&["^", "`", "+", "^^", "%%"], true),
            (
                &["regsvr32", "wscript", "zone.identifier", "Echo", "e"],
                true,
            ),
            (&["@8080\\", "@80\\", "@8443\\", "@443\\"], false),
            (&["aB", "Ab", "é", "b"], false),
            (&["xYz", "x"], true),
        ];
        let alphabet: Vec<char> = "^`+%@8043\\regsvwcitzon.dfEchoaAbBé xyzXYZ"
            .chars()
            .collect();
        let mut next = crate::test_util::xorshift(0x9e37_79b9_7f4a_7c15u64);
        let fold = |s: &[u8], ci: bool| {
            if ci {
                s.to_ascii_lowercase()
            } else {
                s.to_vec()
            }
        };
        let mut hits = 0;
        for (needles, ci) in sets {
            let bytes: Vec<&[u8]> = needles.iter().map(|n| n.as_bytes()).collect();
            let Some(scan) = Scan::new(&bytes, ci) else {
                panic!("{needles:?} can be scanned for");
            };
            for _ in 0..4000 {
                let len = next(24);
                let mut s: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
                if next(3) == 0 {
                    let n = needles[next(needles.len())];
                    let at = s.char_indices().map(|(i, _)| i).nth(next(4));
                    let n = if next(2) == 0 {
                        n.to_ascii_uppercase()
                    } else {
                        n.to_string()
                    };
                    s.insert_str(at.unwrap_or(s.len()), &n);
                }
                let hay = fold(s.as_bytes(), ci);
                let want = needles.iter().enumerate().fold(0u64, |m, (j, n)| {
                    let n = fold(n.as_bytes(), ci);
                    let hit = hay.windows(n.len()).any(|w| w == n.as_slice());
                    m | (u64::from(hit) << j)
                });
                assert_eq!(scan.found(s.as_bytes()), want, "{needles:?} in {s:?}");
                assert_eq!(scan.any(s.as_bytes()), want != 0, "{needles:?} in {s:?}");
                hits += want.count_ones();
            }
        }
        assert!(
            hits > 3000,
            "only {hits} needles found: the test checks too little"
        );
    }

    #[test]
    fn limits() {
        assert!(Scan::new(&[], true).is_none());
        assert!(Scan::new(&[b"a", b""], true).is_none());
        let many: Vec<Vec<u8>> = (0..65).map(|i| format!("n{i}").into_bytes()).collect();
        let refs: Vec<&[u8]> = many.iter().map(Vec::as_slice).collect();
        assert!(Scan::new(&refs, false).is_none());
        let Some(scan) = Scan::new(&refs[..64], false) else {
            panic!("64 needles can be scanned for");
        };
        assert_eq!(scan.found(b"n63 n0 n7"), 1 << 63 | 1 << 7 | 1 << 6 | 1);
        assert_eq!(scan.found(b"n"), 0);
    }
}
