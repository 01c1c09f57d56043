//! Literal atoms of regular expressions: strings one of which every match must contain
//! (`.*[ ]{20,}.*` contains twenty spaces; `(C:\\Program Files \(x86\)\\|C:\\Program Files\\)\w+`
//! one of its two prefixes). Read off the pattern as the VM compiles it (anchored, with the
//! set's case folding), so a case-folded letter (`[kK\u{212A}]`) ends a literal run unless
//! its variants are the ASCII letter's two cases.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most atoms kept for one pattern; more would rule out little anyway.
const MAX_ATOMS: usize = 64;

/// Atoms one of which every match of `pattern` contains, each at least `min_len` bytes
/// (ASCII-lowercased: they are searched for case-insensitively); `None` when none are known.
pub fn regex_atoms(pattern: &str, case_insensitive: bool, min_len: usize) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(case_insensitive)
        .build()
        .parse(&crate::matchers::anchored_regex(pattern))
        .ok()?;
    let atoms = required(&hir, min_len)?;
    Some(atoms.into_iter().map(|a| a.to_ascii_lowercase()).collect())
}

/// The one character `hir` matches when it is a literal character (or a class of the two
/// ASCII cases of one letter, which the atom search folds anyway).
fn single_char(hir: &Hir) -> Option<String> {
    match hir.kind() {
        HirKind::Literal(l) => String::from_utf8(l.0.to_vec()).ok(),
        HirKind::Class(Class::Unicode(c)) => {
            let mut chars = c.iter().flat_map(|r| r.start()..=r.end());
            let first = chars.next()?;
            let rest: Vec<char> = chars.take(2).collect();
            match rest.as_slice() {
                [] => Some(first.to_string()),
                [second] if first.is_ascii_alphabetic() && first.eq_ignore_ascii_case(second) => {
                    Some(first.to_ascii_lowercase().to_string())
                }
                _ => None,
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut bytes = c.iter().flat_map(|r| r.start()..=r.end());
            let first = bytes.next()?;
            match (bytes.next(), bytes.next()) {
                (None, _) if first.is_ascii() => Some((first as char).to_string()),
                (Some(second), None)
                    if first.is_ascii_alphabetic() && first.eq_ignore_ascii_case(&second) =>
                {
                    Some((first as char).to_ascii_lowercase().to_string())
                }
                _ => None,
            }
        }
        HirKind::Capture(c) => single_char(&c.sub),
        _ => None,
    }
}

/// The shortest atom of a set (0 for none): the set's worth as a requirement.
fn weakest(atoms: &[String]) -> usize {
    atoms.iter().map(String::len).min().unwrap_or(0)
}

/// Strings one of which every match of `hir` contains (each at least `min_len` bytes).
fn required(hir: &Hir, min_len: usize) -> Option<Vec<String>> {
    let ok = |v: Vec<String>| (!v.is_empty() && weakest(&v) >= min_len).then_some(v);
    match hir.kind() {
        HirKind::Literal(l) => ok(vec![String::from_utf8(l.0.to_vec()).ok()?]),
        HirKind::Capture(c) => required(&c.sub, min_len),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub, min_len),
        HirKind::Alternation(alts) => {
            let mut out: Vec<String> = Vec::new();
            for a in alts {
                for s in required(a, min_len)? {
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
                if out.len() > MAX_ATOMS {
                    return None;
                }
            }
            ok(out)
        }
        HirKind::Concat(parts) => {
            // Runs of consecutive literal characters, and what each other part requires.
            let mut best: Option<Vec<String>> = None;
            let mut consider = |c: Option<Vec<String>>| {
                if let Some(c) = c.and_then(ok) {
                    if best.as_ref().is_none_or(|b| weakest(&c) > weakest(b)) {
                        best = Some(c);
                    }
                }
            };
            let mut run = String::new();
            for p in parts {
                if let Some(c) = single_char(p) {
                    run.push_str(&c);
                    continue;
                }
                if let HirKind::Repetition(r) = p.kind() {
                    if let Some(c) = single_char(&r.sub) {
                        // `x{n,m}`: n copies belong to the run; more may follow only when
                        // the count is not fixed, which ends it.
                        let n = (r.min as usize).min(256);
                        run.push_str(&c.repeat(n));
                        if r.max == Some(r.min) {
                            continue;
                        }
                        consider(Some(vec![std::mem::take(&mut run)]));
                        continue;
                    }
                }
                consider(Some(vec![std::mem::take(&mut run)]));
                consider(required(p, min_len));
            }
            consider(Some(vec![run]));
            best
        }
        _ => None,
    }
}
