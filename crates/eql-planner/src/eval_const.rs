//! The semantics of EQL's string functions and wildcards on constants, used for folding.
//! The VM implements the same rules at run time (see docs/language.md).
//!
//! Strings are indexed in Unicode scalar values (Rust `char`s); the `~` forms lower-case each
//! character (its first lower-case mapping, so indexes stay aligned).

use crate::plan::{Const, Func};

/// Evaluates `func` on constant arguments. A null argument gives null (except where noted);
/// `Err` carries a message for calls Elasticsearch rejects (`number("abc")`).
pub fn eval(func: Func, ci: bool, args: &[Const]) -> Result<Const, String> {
    // `number`'s explicit null base means "default base".
    let null_arg = match func {
        Func::Number => matches!(args.first(), Some(Const::Null)),
        _ => args.iter().any(|a| matches!(a, Const::Null)),
    };
    if null_arg {
        return Ok(Const::Null);
    }
    let s = |i: usize| match args.get(i) {
        Some(Const::Str(s)) => Ok(s.as_str()),
        _ => Err(format!(
            "`{}` expects a string as argument {}",
            func.name(),
            i + 1
        )),
    };
    let int = |i: usize| match args.get(i) {
        Some(Const::Int(n)) => Ok(Some(*n)),
        None | Some(Const::Null) => Ok(None),
        _ => Err(format!(
            "`{}` expects an integer as argument {}",
            func.name(),
            i + 1
        )),
    };
    Ok(match func {
        Func::Between => {
            let greedy = matches!(args.get(3), Some(Const::Bool(true)));
            Const::Str(between(s(0)?, s(1)?, s(2)?, greedy, ci))
        }
        Func::Concat => Const::Str(args.iter().map(to_text).collect()),
        Func::String => Const::Str(args.first().map(to_text).unwrap_or_default()),
        Func::EndsWith => Const::Bool(fold_case(s(0)?, ci).ends_with(&fold_case(s(1)?, ci))),
        Func::StartsWith => Const::Bool(fold_case(s(0)?, ci).starts_with(&fold_case(s(1)?, ci))),
        Func::StringContains => {
            let (src, sub) = (s(0)?, s(1)?);
            Const::Bool(
                !src.is_empty()
                    && !sub.is_empty()
                    && fold_case(src, ci).contains(&fold_case(sub, ci)),
            )
        }
        Func::IndexOf => match index_of(s(0)?, s(1)?, int(2)?.unwrap_or(0), ci) {
            Some(i) => Const::Int(i),
            None => Const::Null,
        },
        Func::Length => Const::Int(s(0)?.chars().count() as i64),
        Func::Substring => Const::Str(substring(s(0)?, int(1)?, int(2)?)),
        Func::Number => number(s(0)?, int(1)?)?,
        Func::Add | Func::Subtract | Func::Multiply | Func::Divide | Func::Modulo => {
            let op = match func {
                Func::Add => eql_parser::ast::ArithOp::Add,
                Func::Subtract => eql_parser::ast::ArithOp::Sub,
                Func::Multiply => eql_parser::ast::ArithOp::Mul,
                Func::Divide => eql_parser::ast::ArithOp::Div,
                _ => eql_parser::ast::ArithOp::Mod,
            };
            let (a, b) = (
                args.first().unwrap_or(&Const::Null),
                args.get(1).unwrap_or(&Const::Null),
            );
            crate::fold::arith(op, a, b)?
        }
    })
}

/// Lower-cases for the `~` forms, one character for one character.
fn fold_case(s: &str, ci: bool) -> String {
    if !ci {
        return s.to_string();
    }
    s.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// How `concat` and `string` print a value: integers in decimal, doubles with at least one
/// fractional digit (`1.0`, `42.5`), booleans as `true` / `false`.
pub fn to_text(c: &Const) -> String {
    match c {
        Const::Null => String::new(),
        Const::Bool(b) => b.to_string(),
        Const::Int(i) => i.to_string(),
        Const::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.1}"),
        Const::Float(f) => f.to_string(),
        Const::Str(s) => s.clone(),
    }
}

/// `between`: the text after the first `left` and before the next (or, greedy, the last)
/// `right`; `""` when either is not found; the source unchanged when `left` or `right` is empty.
pub fn between(src: &str, left: &str, right: &str, greedy: bool, ci: bool) -> String {
    if left.is_empty() || right.is_empty() {
        return src.to_string();
    }
    let chars: Vec<char> = src.chars().collect();
    let hay: Vec<char> = fold_case(src, ci).chars().collect();
    let (l, r): (Vec<char>, Vec<char>) = (
        fold_case(left, ci).chars().collect(),
        fold_case(right, ci).chars().collect(),
    );
    let Some(start) = find(&hay, &l, 0).map(|i| i + l.len()) else {
        return String::new();
    };
    let end = if greedy {
        rfind(&hay, &r)
    } else {
        find(&hay, &r, start)
    };
    match end {
        Some(end) if end >= start => chars[start..end].iter().collect(),
        _ => String::new(),
    }
}

fn find(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    if needle.is_empty() {
        return Some(from);
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn rfind(hay: &[char], needle: &[char]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()] == *needle)
}

/// `indexOf`: first position of `sub` at or after `start` (negative start counts as 0); null when
/// not found or when `start` is past the end.
pub fn index_of(src: &str, sub: &str, start: i64, ci: bool) -> Option<i64> {
    let hay: Vec<char> = fold_case(src, ci).chars().collect();
    let needle: Vec<char> = fold_case(sub, ci).chars().collect();
    let start = usize::try_from(start.max(0)).ok()?;
    find(&hay, &needle, start).map(|i| i as i64)
}

/// `substring`: Python slice semantics (negative offsets count from the end, clamped).
pub fn substring(src: &str, start: Option<i64>, end: Option<i64>) -> String {
    let chars: Vec<char> = src.chars().collect();
    let len = chars.len() as i64;
    let clamp = |i: i64| -> usize { (if i < 0 { (i + len).max(0) } else { i.min(len) }) as usize };
    let (s, e) = (clamp(start.unwrap_or(0)), clamp(end.unwrap_or(len)));
    if s >= e {
        return String::new();
    }
    chars[s..e].iter().collect()
}

/// `number`: surrounding whitespace ignored, `+`/`-` sign, `0x` prefix means base 16; base 10
/// accepts decimals.
pub fn number(s: &str, base: Option<i64>) -> Result<Const, String> {
    let bad = || format!("cannot parse `{s}` as a number");
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut base = base.unwrap_or(10);
    let mut digits = digits;
    if let Some(rest) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        if base == 10 || base == 16 {
            base = 16;
            digits = rest;
        }
    }
    let radix = u32::try_from(base).map_err(|_| bad())?;
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return Err(bad());
    }
    if let Ok(v) = i64::from_str_radix(digits, radix) {
        return Ok(Const::Int(if neg { -v } else { v }));
    }
    if radix == 10 {
        if let Ok(v) = digits.parse::<f64>() {
            if v.is_finite()
                && digits
                    .bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
            {
                return Ok(Const::Float(if neg { -v } else { v }));
            }
        }
    }
    Err(bad())
}

/// Whole-value wildcard match: `*` any run (also empty), `?` exactly one character. With `ci`,
/// ASCII letters match either case.
pub fn wildcard_match(pattern: &str, text: &str, ci: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if ci {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests;
