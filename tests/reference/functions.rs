//! The string and number functions of docs/language.md ("Functions") for the reference
//! evaluator, written from the documented edge cases: a null argument gives null, strings are
//! indexed by Unicode character, the `~` forms lower-case both sides.

use super::V;
use eql_planner::Func;

fn lower(s: &str, ci: bool) -> String {
    if ci {
        s.to_lowercase()
    } else {
        s.to_string()
    }
}

/// `concat`'s text of one value.
fn text(v: &V) -> Option<String> {
    Some(match v {
        V::Str(s) => s.clone(),
        V::Int(i) => i.to_string(),
        V::Bool(b) => b.to_string(),
        V::Null => return None,
    })
}

/// A Python slice index: negative counts from the end, then clamped to `0..=len`.
fn slice_index(i: i64, len: usize) -> usize {
    let len = len as i64;
    let i = if i < 0 { len + i } else { i };
    i.clamp(0, len) as usize
}

/// Calls `func` on evaluated arguments; `None` for a function this evaluator does not cover.
pub fn call(func: Func, ci: bool, args: &[V]) -> Option<V> {
    if args.contains(&V::Null) {
        return Some(V::Null);
    }
    let s = |i: usize| match args.get(i) {
        Some(V::Str(x)) => Some(x.as_str()),
        _ => None,
    };
    let n = |i: usize| match args.get(i) {
        Some(V::Int(x)) => Some(*x),
        _ => None,
    };
    Some(match func {
        Func::StartsWith => V::Bool(lower(s(0)?, ci).starts_with(&lower(s(1)?, ci))),
        Func::EndsWith => V::Bool(lower(s(0)?, ci).ends_with(&lower(s(1)?, ci))),
        Func::StringContains => {
            let (hay, needle) = (lower(s(0)?, ci), lower(s(1)?, ci));
            V::Bool(!hay.is_empty() && !needle.is_empty() && hay.contains(&needle))
        }
        Func::Length => V::Int(s(0)?.chars().count() as i64),
        Func::Concat => {
            let mut out = String::new();
            for a in args {
                out += &text(a)?;
            }
            V::Str(out)
        }
        Func::Substring => {
            let chars: Vec<char> = s(0)?.chars().collect();
            let start = slice_index(n(1)?, chars.len());
            let end = match args.len() {
                2 => chars.len(),
                _ => slice_index(n(2)?, chars.len()),
            };
            V::Str(if start >= end {
                String::new()
            } else {
                chars[start..end].iter().collect()
            })
        }
        Func::Add => n(0)?.checked_add(n(1)?).map_or(V::Null, V::Int),
        _ => return None,
    })
}
