//! The literal patterns of a wildcard set (those without wildcards, `text*` and `*text`),
//! each shape in one list sorted by length: a string is compared only with the literals that
//! fit it (a prefix or suffix list stops at the first literal longer than the string, an
//! exact list looks at the literals of the string's length alone), and each comparison
//! starts with the literal's first (prefix, exact) or last (suffix) byte, where most fail.

use crate::small_set::bit;

/// One shape's literals (ASCII lower-cased when the set ignores case), shortest first.
#[derive(Debug, Default)]
pub(crate) struct Lits {
    items: Vec<Box<[u8]>>,
    /// The literals' lengths (`small_set` bits).
    lens: u64,
}

/// `a == b` (`b` lower-cased), ASCII letters of `a` folded when `ci`.
#[inline(always)]
pub(crate) fn eq(a: &[u8], b: &[u8], ci: bool) -> bool {
    if ci {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// `a == b` for one byte of a string and one of a literal (lower-cased when `ci`).
#[inline(always)]
pub(crate) fn eq_byte(a: u8, b: u8, ci: bool) -> bool {
    if ci {
        a.to_ascii_lowercase() == b
    } else {
        a == b
    }
}

impl Lits {
    pub(crate) fn new(mut items: Vec<Box<[u8]>>) -> Lits {
        items.sort_by_key(|l| l.len());
        let lens = items.iter().fold(0, |m, l| m | bit(l.len()));
        Lits { items, lens }
    }

    /// Whether `s` is one of the literals.
    #[inline]
    pub(crate) fn exact(&self, s: &[u8], ci: bool) -> bool {
        let n = s.len();
        if self.lens & bit(n) == 0 {
            return false;
        }
        let Some(&first) = s.first() else {
            // Only the empty literal has length 0.
            return true;
        };
        let from = self.items.partition_point(|l| l.len() < n);
        let same = self.items.get(from..).unwrap_or_default();
        same.iter()
            .take_while(|l| l.len() == n)
            .any(|l| l.first().is_some_and(|&b| eq_byte(first, b, ci)) && eq(s, l, ci))
    }

    /// Whether `s` starts with one of the literals.
    #[inline]
    pub(crate) fn prefix(&self, s: &[u8], ci: bool) -> bool {
        let Some(&first) = s.first() else {
            return self.items.first().is_some_and(|l| l.is_empty());
        };
        for l in &self.items {
            let Some(head) = s.get(..l.len()) else {
                return false;
            };
            let hit = match l.first() {
                Some(&b) => eq_byte(first, b, ci) && eq(head, l, ci),
                None => true,
            };
            if hit {
                return true;
            }
        }
        false
    }

    /// Whether `s` ends with one of the literals.
    #[inline]
    pub(crate) fn suffix(&self, s: &[u8], ci: bool) -> bool {
        let Some(&last) = s.last() else {
            return self.items.first().is_some_and(|l| l.is_empty());
        };
        let n = s.len();
        for l in &self.items {
            let Some(tail) = n.checked_sub(l.len()).and_then(|at| s.get(at..)) else {
                return false;
            };
            let hit = match l.last() {
                Some(&b) => eq_byte(last, b, ci) && eq(tail, l, ci),
                None => true,
            };
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

    /// Every string over a small alphabet up to 4 bytes long, against lists of literals over
    /// the same alphabet, compared with the plain definition.
    #[test]
    fn agrees_with_the_definition() {
        let alphabet = b"aAbB\\";
        let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
        let mut last = vec![Vec::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|s: &Vec<u8>| {
                    alphabet.iter().map(move |&c| {
                        let mut t = s.clone();
                        t.push(c);
                        t
                    })
                })
                .collect();
            strings.extend(last.iter().cloned());
        }
        let lists: [&[&str]; 6] = [
            &["a"],
            &["ab", "b", "aab", "ba"],
            &["", "bb"],
            &["a\\b", "ab", "b\\", "aaaa", "ba", "a"],
            &["BA", "aB"],
            &[],
        ];
        let mut hits = 0;
        for list in lists {
            for ci in [false, true] {
                let items: Vec<Box<[u8]>> = list
                    .iter()
                    .map(|l| {
                        let l = if ci {
                            l.to_ascii_lowercase()
                        } else {
                            l.to_string()
                        };
                        l.into_bytes().into_boxed_slice()
                    })
                    .collect();
                let lits = Lits::new(items.clone());
                for s in &strings {
                    let same = |a: &[u8], b: &[u8]| eq(a, b, ci);
                    let exact = items.iter().any(|l| same(s, l));
                    let prefix = items
                        .iter()
                        .any(|l| s.get(..l.len()).is_some_and(|h| same(h, l)));
                    let suffix = items.iter().any(|l| {
                        s.len()
                            .checked_sub(l.len())
                            .is_some_and(|at| same(&s[at..], l))
                    });
                    assert_eq!(lits.exact(s, ci), exact, "{list:?} exact {s:?} ci {ci}");
                    assert_eq!(lits.prefix(s, ci), prefix, "{list:?} prefix {s:?} ci {ci}");
                    assert_eq!(lits.suffix(s, ci), suffix, "{list:?} suffix {s:?} ci {ci}");
                    hits += usize::from(exact) + usize::from(prefix) + usize::from(suffix);
                }
            }
        }
        assert!(hits > 1000, "only {hits} hits: the test checks too little");
    }
}
