//! Substring search for a few needles in short strings (`*text*` wildcard patterns): a table
//! of the bytes a needle can start with picks the candidate positions, where the needles are
//! compared directly. On field values of a few dozen bytes this beats setting up a search in
//! an automaton; longer strings still go to one (see `matchers.rs`).

/// Most needles searched this way.
const MAX_NEEDLES: usize = 8;

/// Longest string searched this way.
pub(crate) const SHORT: usize = 96;

/// A few non-empty needles, ASCII case folded when asked.
#[derive(Debug)]
pub(crate) struct Needles {
    /// By byte: whether some needle starts with it (in either case when folding).
    starts: Box<[bool; 256]>,
    /// Lower-cased when folding.
    needles: Vec<Box<[u8]>>,
    shortest: usize,
    case_insensitive: bool,
}

impl Needles {
    /// The search for `needles`, when they are few and none is empty.
    pub(crate) fn new(needles: &[String], case_insensitive: bool) -> Option<Needles> {
        if needles.len() > MAX_NEEDLES || needles.iter().any(String::is_empty) {
            return None;
        }
        let needles: Vec<Box<[u8]>> = needles
            .iter()
            .map(|n| {
                let mut b = n.as_bytes().to_vec();
                if case_insensitive {
                    b.make_ascii_lowercase();
                }
                b.into_boxed_slice()
            })
            .collect();
        let shortest = needles.iter().map(|n| n.len()).min()?;
        let mut starts = Box::new([false; 256]);
        for &first in needles.iter().filter_map(|n| n.first()) {
            starts[usize::from(first)] = true;
            if case_insensitive {
                starts[usize::from(first.to_ascii_uppercase())] = true;
            }
        }
        Some(Needles {
            starts,
            needles,
            shortest,
            case_insensitive,
        })
    }

    /// Whether some needle occurs in `hay`.
    #[inline]
    pub(crate) fn found_in(&self, hay: &[u8]) -> bool {
        let Some(last) = hay.len().checked_sub(self.shortest) else {
            return false;
        };
        let Some(candidates) = hay.get(..=last) else {
            return false;
        };
        for (i, &b) in candidates.iter().enumerate() {
            if !self.starts[usize::from(b)] {
                continue;
            }
            let rest = hay.get(i..).unwrap_or_default();
            let hit = self.needles.iter().any(|n| {
                rest.get(..n.len()).is_some_and(|w| {
                    if self.case_insensitive {
                        w.eq_ignore_ascii_case(n)
                    } else {
                        w == &**n
                    }
                })
            });
            if hit {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// A few thousand strings drawn from the needles' own bytes and some others, searched
    /// both here and by an automaton.
    #[test]
    fn finds_what_an_automaton_finds() {
        let sets: [(&[&str], bool); 4] = [
            (
                &["/dev/tcp/", "/dev/udp/", "zsh/net/tcp", "zsh/net/udp"],
                true,
            ),
            (&["/dev/tcp/", "Net"], false),
            (&["a", "ab", "éB"], true),
            (&["xYz"], true),
        ];
        let alphabet: Vec<char> = "/devtcpudpzshneTCPUDPZSHNE xyzXYZaAbBé.".chars().collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (needles, ci) in sets {
            let owned: Vec<String> = needles.iter().map(|s| s.to_string()).collect();
            let Some(few) = Needles::new(&owned, ci) else {
                panic!("{needles:?} is a few needles");
            };
            let ac = match AhoCorasick::builder()
                .ascii_case_insensitive(ci)
                .build(&owned)
            {
                Ok(ac) => ac,
                Err(e) => panic!("{e}"),
            };
            let mut hits = 0;
            for _ in 0..4000 {
                let len = (next() % 24) as usize;
                let mut s: String = (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect();
                // Plant a needle, its case flipped, now and then.
                if next() % 3 == 0 {
                    let n = needles[(next() % needles.len() as u64) as usize];
                    let at = s.char_indices().map(|(i, _)| i).nth((next() % 4) as usize);
                    let n = if next() % 2 == 0 {
                        n.to_ascii_uppercase()
                    } else {
                        n.to_string()
                    };
                    s.insert_str(at.unwrap_or(s.len()), &n);
                }
                let want = ac.is_match(&s);
                assert_eq!(few.found_in(s.as_bytes()), want, "{needles:?} in {s:?}");
                hits += usize::from(want);
            }
            assert!(hits > 500, "{hits} hits for {needles:?}");
        }
        assert!(Needles::new(&["".to_string()], true).is_none());
    }
}
