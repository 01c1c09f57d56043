//! The string and conversion functions of EQL, with Elasticsearch's null and edge-case rules.
//! Each takes resolved arguments and writes a string result, if any, into `out`.

use crate::value::Scalar;

/// What a function returned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ret {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// The result is the string left in `out`.
    Str,
}

/// Formats a scalar as EQL's `string()` does.
pub fn stringify(v: Scalar<'_>, out: &mut String) -> bool {
    use std::fmt::Write;
    match v {
        Scalar::Null | Scalar::Object => return false,
        Scalar::Str(s) => out.push_str(s),
        Scalar::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Scalar::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Scalar::Float(x) => {
            if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
                let _ = write!(out, "{x:.1}");
            } else {
                let _ = write!(out, "{x}");
            }
        }
        Scalar::Ip(ip) => {
            let _ = write!(out, "{ip}");
        }
        Scalar::Date(ns) => crate::time::format_rfc3339(ns, out),
    }
    true
}

/// Java-style lower-casing for the `~` functions (full Unicode), keeping a map from each byte
/// of the folded text back to the byte of the original it came from.
fn fold(s: &str) -> (String, Vec<usize>) {
    let mut folded = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len() + 1);
    for (i, c) in s.char_indices() {
        for l in c.to_lowercase() {
            let before = folded.len();
            folded.push(l);
            map.extend(std::iter::repeat_n(i, folded.len() - before));
        }
    }
    map.push(s.len());
    (folded, map)
}

fn str_arg<'a>(v: Scalar<'a>) -> Option<&'a str> {
    match v {
        Scalar::Str(s) => Some(s),
        _ => None,
    }
}

fn int_arg(v: Scalar<'_>) -> Option<i64> {
    match v {
        Scalar::Int(i) => Some(i),
        Scalar::Float(x) if x.fract() == 0.0 => Some(x as i64),
        _ => None,
    }
}

/// Character index of byte offset `b` in `s`.
fn char_index(s: &str, b: usize) -> usize {
    s.get(..b).map_or(0, |p| p.chars().count())
}

/// Byte offset of character index `c` in `s` (clamped to the end).
fn byte_index(s: &str, c: usize) -> usize {
    s.char_indices().nth(c).map_or(s.len(), |(b, _)| b)
}

/// Whether `s` and `p` are both ASCII: then Java's lower-casing is ASCII's, one byte for one,
/// and the `~` comparisons need no folded copies.
fn both_ascii(s: &str, p: &str) -> bool {
    s.is_ascii() && p.is_ascii()
}

pub fn starts_with(src: Scalar<'_>, sub: Scalar<'_>, ci: bool) -> Ret {
    match (str_arg(src), str_arg(sub)) {
        (Some(s), Some(p)) if ci && both_ascii(s, p) => Ret::Bool(
            s.as_bytes()
                .get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes())),
        ),
        (Some(s), Some(p)) if ci => Ret::Bool(fold(s).0.starts_with(&fold(p).0)),
        (Some(s), Some(p)) => Ret::Bool(s.starts_with(p)),
        _ => Ret::Null,
    }
}

pub fn ends_with(src: Scalar<'_>, sub: Scalar<'_>, ci: bool) -> Ret {
    match (str_arg(src), str_arg(sub)) {
        (Some(s), Some(p)) if ci && both_ascii(s, p) => Ret::Bool(
            s.len()
                .checked_sub(p.len())
                .and_then(|at| s.as_bytes().get(at..))
                .is_some_and(|t| t.eq_ignore_ascii_case(p.as_bytes())),
        ),
        (Some(s), Some(p)) if ci => Ret::Bool(fold(s).0.ends_with(&fold(p).0)),
        (Some(s), Some(p)) => Ret::Bool(s.ends_with(p)),
        _ => Ret::Null,
    }
}

pub fn string_contains(src: Scalar<'_>, sub: Scalar<'_>, ci: bool) -> Ret {
    match (str_arg(src), str_arg(sub)) {
        (Some(s), Some(p)) if s.is_empty() || p.is_empty() => Ret::Bool(false),
        (Some(s), Some(p)) if ci => Ret::Bool(fold(s).0.contains(&fold(p).0)),
        (Some(s), Some(p)) => Ret::Bool(memchr::memmem::find(s.as_bytes(), p.as_bytes()).is_some()),
        _ => Ret::Null,
    }
}

pub fn length(src: Scalar<'_>) -> Ret {
    match str_arg(src) {
        // Java counts UTF-16 code units.
        Some(s) => Ret::Int(s.encode_utf16().count() as i64),
        None => Ret::Null,
    }
}

pub fn index_of(src: Scalar<'_>, sub: Scalar<'_>, start: Option<Scalar<'_>>, ci: bool) -> Ret {
    let (Some(s), Some(p)) = (str_arg(src), str_arg(sub)) else {
        return Ret::Null;
    };
    let start = match start {
        None | Some(Scalar::Null) => 0,
        Some(v) => match int_arg(v) {
            Some(i) => i.max(0) as usize,
            None => return Ret::Null,
        },
    };
    let (hay, needle, map) = if ci {
        let (h, m) = fold(s);
        (h, fold(p).0, Some(m))
    } else {
        (s.to_string(), p.to_string(), None)
    };
    let nchars = hay.chars().count();
    if start > nchars {
        return Ret::Null;
    }
    let from = byte_index(&hay, start);
    match hay.get(from..).and_then(|rest| rest.find(needle.as_str())) {
        Some(b) => {
            let b = from + b;
            let orig = map.as_ref().and_then(|m| m.get(b).copied()).unwrap_or(b);
            Ret::Int(char_index(s, if ci { orig } else { b }) as i64)
        }
        None => Ret::Null,
    }
}

pub fn between(
    src: Scalar<'_>,
    left: Scalar<'_>,
    right: Scalar<'_>,
    greedy: Option<Scalar<'_>>,
    ci: bool,
    out: &mut String,
) -> Ret {
    let (Some(s), Some(l), Some(r)) = (str_arg(src), str_arg(left), str_arg(right)) else {
        return Ret::Null;
    };
    let greedy = match greedy {
        None | Some(Scalar::Null) => false,
        Some(Scalar::Bool(b)) => b,
        Some(_) => return Ret::Null,
    };
    if s.is_empty() {
        return Ret::Str;
    }
    // Work on the folded text when case-insensitive; map offsets back to the original.
    let (hay, lft, rgt, map) = if ci {
        let (h, m) = fold(s);
        (h, fold(l).0, fold(r).0, Some(m))
    } else {
        (s.to_string(), l.to_string(), r.to_string(), None)
    };
    let Some(lpos) = hay.find(lft.as_str()) else {
        return Ret::Str;
    };
    let after = lpos + lft.len();
    let rest = hay.get(after..).unwrap_or("");
    let rpos = if greedy {
        rest.rfind(rgt.as_str())
    } else {
        rest.find(rgt.as_str())
    };
    let Some(rpos) = rpos else { return Ret::Str };
    let (a, b) = (after, after + rpos);
    let back = |x: usize| map.as_ref().and_then(|m| m.get(x).copied()).unwrap_or(x);
    out.push_str(s.get(back(a)..back(b)).unwrap_or(""));
    Ret::Str
}

pub fn substring(
    src: Scalar<'_>,
    start: Scalar<'_>,
    end: Option<Scalar<'_>>,
    out: &mut String,
) -> Ret {
    let Some(s) = str_arg(src) else {
        return Ret::Null;
    };
    let n = s.chars().count() as i64;
    let clamp = |i: i64| if i < 0 { (n + i).max(0) } else { i.min(n) };
    let Some(a) = (match start {
        Scalar::Null => Some(0),
        v => int_arg(v),
    }) else {
        return Ret::Null;
    };
    let b = match end {
        None | Some(Scalar::Null) => n,
        Some(v) => match int_arg(v) {
            Some(b) => b,
            None => return Ret::Null,
        },
    };
    let (a, b) = (clamp(a), clamp(b));
    if a < b {
        let (x, y) = (byte_index(s, a as usize), byte_index(s, b as usize));
        out.push_str(s.get(x..y).unwrap_or(""));
    }
    Ret::Str
}

pub fn number(src: Scalar<'_>, base: Option<Scalar<'_>>) -> Ret {
    let Some(s) = str_arg(src) else {
        return match src {
            Scalar::Int(i) => Ret::Int(i),
            Scalar::Float(x) => Ret::Float(x),
            _ => Ret::Null,
        };
    };
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let base = match base {
        None | Some(Scalar::Null) => None,
        Some(v) => match int_arg(v) {
            Some(b) if (2..=36).contains(&b) => Some(b as u32),
            _ => return Ret::Null,
        },
    };
    let hex = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"));
    let (radix, body) = match (base, hex) {
        (None, Some(h)) | (Some(16), Some(h)) => (16, h),
        (None, None) => (10, digits),
        (Some(b), _) => (b, digits),
    };
    if body.is_empty() {
        return Ret::Null;
    }
    if radix == 10 && body.contains(['.', 'e', 'E']) {
        return match body.parse::<f64>() {
            Ok(x) => Ret::Float(if neg { -x } else { x }),
            Err(_) => Ret::Null,
        };
    }
    match i64::from_str_radix(body, radix) {
        Ok(i) => Ret::Int(if neg { -i } else { i }),
        Err(_) if radix == 10 => body
            .parse::<f64>()
            .map_or(Ret::Null, |x| Ret::Float(if neg { -x } else { x })),
        Err(_) => Ret::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Scalar::*;

    fn text(f: impl FnOnce(&mut String) -> Ret) -> Option<String> {
        let mut out = String::new();
        match f(&mut out) {
            Ret::Str => Some(out),
            _ => None,
        }
    }

    /// Every string of up to three characters from `alphabet`.
    fn strings(alphabet: &[char]) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..3 {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn ascii_case_insensitive_prefixes_and_suffixes_agree_with_folding() {
        let all = strings(&['a', 'A', 'b', 'Z', 'z', '.', '\\']);
        for s in &all {
            for p in &all {
                let (fs, fp) = (fold(s).0, fold(p).0);
                let want = (fs.starts_with(&fp), fs.ends_with(&fp));
                let got = (
                    starts_with(Str(s), Str(p), true),
                    ends_with(Str(s), Str(p), true),
                );
                assert_eq!(got, (Ret::Bool(want.0), Ret::Bool(want.1)), "{s:?} {p:?}");
            }
        }
        // Not ASCII: the folding path, where one character may lower-case to another length.
        assert_eq!(
            starts_with(Str("\u{212A}ey"), Str("k"), true),
            Ret::Bool(true)
        );
        assert_eq!(
            ends_with(Str("ab\u{130}"), Str("B\u{130}"), true),
            Ret::Bool(true)
        );
        assert_eq!(
            starts_with(Str("Kelvin"), Str("\u{212A}"), true),
            Ret::Bool(true)
        );
    }

    #[test]
    fn between_cases() {
        let b = |s, l, r, g, ci| text(|o| between(Str(s), Str(l), Str(r), Some(Bool(g)), ci, o));
        assert_eq!(b("a[b]c]d", "[", "]", false, false).as_deref(), Some("b"));
        assert_eq!(b("a[b]c]d", "[", "]", true, false).as_deref(), Some("b]c"));
        assert_eq!(b("a[b]", "{", "]", false, false).as_deref(), Some(""));
        assert_eq!(b("xXAbY", "xa", "y", false, true).as_deref(), Some("b"));
        assert_eq!(b("", "a", "b", false, false).as_deref(), Some(""));
    }

    #[test]
    fn substring_is_a_python_slice() {
        let s = |a, b| text(|o| substring(Str("hello"), Int(a), Some(Int(b)), o));
        assert_eq!(s(1, 3).as_deref(), Some("el"));
        assert_eq!(s(-3, -1).as_deref(), Some("ll"));
        assert_eq!(s(3, 1).as_deref(), Some(""));
        assert_eq!(s(-100, 100).as_deref(), Some("hello"));
    }

    #[test]
    fn index_of_rules() {
        assert_eq!(index_of(Str("abcabc"), Str("c"), None, false), Ret::Int(2));
        assert_eq!(
            index_of(Str("abcabc"), Str("c"), Some(Int(3)), false),
            Ret::Int(5)
        );
        assert_eq!(index_of(Str("abc"), Str("z"), None, false), Ret::Null);
        assert_eq!(
            index_of(Str("abc"), Str(""), Some(Int(-4)), false),
            Ret::Int(0)
        );
        assert_eq!(
            index_of(Str("abc"), Str("a"), Some(Int(9)), false),
            Ret::Null
        );
        assert_eq!(index_of(Str("ABC"), Str("b"), None, true), Ret::Int(1));
    }

    #[test]
    fn number_parsing() {
        assert_eq!(number(Str(" 42 "), None), Ret::Int(42));
        assert_eq!(number(Str("0x32"), None), Ret::Int(50));
        assert_eq!(number(Str("32"), Some(Int(16))), Ret::Int(50));
        assert_eq!(number(Str("-1.5"), None), Ret::Float(-1.5));
        assert_eq!(number(Str("nope"), None), Ret::Null);
        assert_eq!(number(Str("12"), Some(Null)), Ret::Int(12));
    }

    #[test]
    fn contains_and_affixes() {
        assert_eq!(string_contains(Str(""), Str(""), false), Ret::Bool(false));
        assert_eq!(
            string_contains(Str("Hello"), Str("ELL"), true),
            Ret::Bool(true)
        );
        assert_eq!(starts_with(Str(""), Str(""), false), Ret::Bool(true));
        assert_eq!(ends_with(Str("a.EXE"), Str(".exe"), true), Ret::Bool(true));
        assert_eq!(ends_with(Null, Str(".exe"), true), Ret::Null);
        assert_eq!(length(Str("héllo")), Ret::Int(5));
    }
}
