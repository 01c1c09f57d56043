//! One wildcard pattern (`*`: any run of characters, `?`: one character, everything else
//! literal; a backslash is a literal byte like any other) matched directly on a string's
//! bytes, as the regex of `matchers::wildcard_regex` would match it. The pattern is cut at
//! its `*`s into segments (literals and `?`s, so each spans a fixed number of characters):
//! the first must match at the start, the last at the end, and each one between at its
//! leftmost place after the one before (taking the leftmost place never loses a match: it
//! leaves the most room to what follows). Case folding, when asked, is ASCII-only, as in the
//! regex. On the short field values rules test this costs a few instructions a byte, where
//! the regex engine pays several hundred a call.

/// A wildcard pattern ready for [`Glob::matches`].
#[derive(Debug)]
pub(crate) struct Glob {
    /// The pattern's segments between `*`s (bytes ASCII lower-cased when
    /// `case_insensitive`), with how many characters each spans; one segment when the
    /// pattern has no `*`.
    segs: Vec<(Box<[u8]>, usize)>,
    case_insensitive: bool,
}

/// The length of the UTF-8 character whose first byte is `b` (1 for anything that cannot
/// start a longer one; the strings matched are `str`s, so their characters are whole).
#[inline(always)]
fn char_len(b: u8) -> usize {
    match b {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// Whether `b` continues a UTF-8 character rather than starting one.
#[inline(always)]
fn continues(b: u8) -> bool {
    b & 0xc0 == 0x80
}

impl Glob {
    pub(crate) fn new(pattern: &str, case_insensitive: bool) -> Glob {
        let mut pat = pattern.as_bytes().to_vec();
        if case_insensitive {
            pat.make_ascii_lowercase();
        }
        let segs = pat
            .split(|&b| b == b'*')
            .map(|seg| {
                let chars = seg.iter().filter(|&&b| !continues(b)).count();
                (seg.into(), chars)
            })
            .collect();
        Glob {
            segs,
            case_insensitive,
        }
    }

    /// Where segment `seg` ends when it matches `s` from byte `at` (a character boundary).
    #[inline]
    fn match_at(&self, seg: &[u8], s: &[u8], mut at: usize) -> Option<usize> {
        for &want in seg {
            let &c = s.get(at)?;
            if want == b'?' {
                at += char_len(c);
            } else if want == c || (self.case_insensitive && c.to_ascii_lowercase() == want) {
                at += 1;
            } else {
                return None;
            }
        }
        Some(at)
    }

    /// Whether the whole of `s` (the bytes of a `str`) matches the pattern.
    pub(crate) fn matches(&self, s: &[u8]) -> bool {
        let n = s.len();
        let (first, rest) = match self.segs.split_first() {
            Some(split) => split,
            None => return n == 0,
        };
        let Some(mut pos) = self.match_at(&first.0, s, 0) else {
            return false;
        };
        let Some(((last, last_chars), middle)) = rest.split_last() else {
            return pos == n;
        };
        // The last segment ends the string: it starts `last_chars` characters before the end.
        let mut last_start = n;
        for _ in 0..*last_chars {
            let Some(before) = last_start.checked_sub(1) else {
                return false;
            };
            last_start = before;
            while last_start > 0 && s.get(last_start).is_some_and(|&b| continues(b)) {
                last_start -= 1;
            }
        }
        if last_start < pos || self.match_at(last, s, last_start) != Some(n) {
            return false;
        }
        // Each segment between, at its leftmost place, before the last one.
        let hay = s.get(..last_start).unwrap_or_default();
        for (seg, _) in middle {
            let mut at = pos;
            pos = loop {
                if at > hay.len() {
                    return false;
                }
                if let Some(end) = self.match_at(seg, hay, at) {
                    break end;
                }
                at += hay.get(at).map_or(1, |&c| char_len(c));
            };
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matchers::wildcard_regex;
    use regex_automata::meta::Regex;

    fn check(pattern: &str, values: &[String], ci: bool) -> usize {
        let g = Glob::new(pattern, ci);
        let re = match Regex::new(&wildcard_regex(pattern, ci)) {
            Ok(r) => r,
            Err(e) => panic!("{pattern}: {e}"),
        };
        let mut hits = 0;
        for v in values {
            let want = re.is_match(v.as_str());
            assert_eq!(
                g.matches(v.as_bytes()),
                want,
                "{pattern:?} on {v:?}, ci {ci}"
            );
            hits += usize::from(want);
        }
        hits
    }

    /// Random patterns and strings over a small alphabet (wildcards, both cases, backslashes,
    /// dots, two- three- and four-byte characters), each pattern also tried on strings made
    /// from itself, against the regex the pattern stands for.
    #[test]
    fn agrees_with_the_regex() {
        let alphabet: Vec<char> = "aAbB\\.*?é€𝄞 ".chars().collect();
        let mut next = crate::test_util::xorshift(0x2545_f491_4f6c_dd1du64);
        let mut hits = 0;
        for round in 0..3000 {
            let plen = next(7);
            let pattern: String = (0..plen).map(|_| alphabet[next(alphabet.len())]).collect();
            let mut values: Vec<String> = (0..12)
                .map(|_| {
                    let n = next(9);
                    (0..n)
                        .map(|_| alphabet[next(alphabet.len())])
                        .filter(|c| !"*?".contains(*c))
                        .collect()
                })
                .collect();
            // Strings the pattern likely matches: its wildcards replaced by zero to two
            // characters, and the same upper-cased.
            for _ in 0..4 {
                let mut v = String::new();
                for c in pattern.chars() {
                    match c {
                        '*' => (0..next(3)).for_each(|_| v.push(alphabet[next(4)])),
                        '?' => v.push(['x', 'é', '€', '𝄞'][next(4)]),
                        c => v.push(c),
                    }
                }
                values.push(v.to_ascii_uppercase());
                values.push(v);
            }
            values.push(String::new());
            hits += check(&pattern, &values, round % 2 == 0);
        }
        assert!(
            hits > 5000,
            "only {hits} matches: the test checks too little"
        );
    }

    #[test]
    fn edge_cases() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let values = v(&[
            "",
            "a",
            "é",
            "C:\\Windows\\System32\\cmd.exe",
            "c:\\windows\\system32\\CMD.EXE",
            "D:\\x\\cmd.exe",
            "\\\\server\\share",
            "aaa",
            "abab",
        ]);
        for ci in [false, true] {
            for p in [
                "",
                "*",
                "?",
                "?*",
                "*?",
                "??",
                "?:\\Windows\\System32\\cmd.exe",
                "?:\\*\\cmd.exe",
                "\\\\*",
                "*\\*",
                "a*a",
                "*ab",
                "a**b",
                "É",
            ] {
                check(p, &values, ci);
            }
        }
        assert!(Glob::new("?", false).matches("é".as_bytes()));
        assert!(!Glob::new("??", false).matches("é".as_bytes()));
        assert!(Glob::new("?:\\*.EXE", true).matches(b"c:\\x\\y.exe"));
        assert!(!Glob::new("É", true).matches("é".as_bytes()));
    }
}
