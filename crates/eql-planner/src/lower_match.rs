//! Lowering membership (`in`, `in~`) and the pattern operators (`:`, `like`, `like~`, `regex`,
//! `regex~`).

use crate::check::{self, convert_const, describe, Converted};
use crate::codes;
use crate::eval_const::wildcard_match;
use crate::fold::{as_const, lit};
use crate::lower_expr::lower;
use crate::plan::{Const, TExpr, TKind};
use crate::types::Type;
use crate::Ctx;
use ahash::AHashSet;
use eql_parser::ast::{Expr, MatchOp};
use eql_parser::{Diagnostic, Span};

fn bool_node(kind: TKind, span: Span) -> TExpr {
    TExpr {
        kind,
        ty: Type::Bool,
        span,
    }
}

/// `expr in (…)` / `expr in~ (…)` (negation is applied by the caller).
pub(crate) fn membership(
    cx: &mut Ctx,
    expr: &Expr,
    list: &[Expr],
    ci: bool,
    span: Span,
) -> Option<TExpr> {
    let value = lower(cx, expr);
    let members: Vec<Option<TExpr>> = list.iter().map(|m| lower(cx, m)).collect();
    let value = value?;
    let op = if ci { "in~" } else { "in" };
    if ci && !check::is_stringish(value.ty) {
        return cx.fail(string_needed(&value, op));
    }
    let members: Vec<TExpr> = members.into_iter().collect::<Option<_>>()?;
    let all_const = members.iter().all(|m| as_const(m).is_some());
    let mut failed = false;
    let mut consts: Vec<Const> = Vec::new();
    let mut nets = Vec::new();
    let mut list_out = Vec::new();
    for m in members {
        match m.kind {
            TKind::Const(c) => match convert_const(cx, &value, c, m.span, value.ty == Type::Ip) {
                Some(Converted::Const(Const::Null)) if all_const => {}
                Some(Converted::Const(c)) if all_const => {
                    if !consts.contains(&c) {
                        consts.push(c);
                    }
                }
                Some(Converted::Const(c)) => list_out.push(lit(c, m.span)),
                Some(Converted::Net(n)) if all_const => nets.push(n),
                Some(Converted::Net(_)) => {
                    failed = true;
                    cx.push(
                        Diagnostic::error(
                            codes::BAD_IP,
                            m.span,
                            "a CIDR block needs a list of constants",
                        )
                        .with_label("CIDR block"),
                    );
                }
                None => failed = true,
            },
            _ if !check::comparable(value.ty, m.ty) => {
                failed = true;
                cx.push(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        m.span,
                        format!("cannot compare {} with {}", describe(&value), describe(&m)),
                    )
                    .with_label(format!("this is {}", check::a_type(m.ty))),
                );
            }
            _ => list_out.push(m),
        }
    }
    if failed {
        return None;
    }
    if !all_const {
        return Some(bool_node(
            TKind::InList {
                expr: Box::new(value),
                list: list_out,
                case_insensitive: ci,
            },
            span,
        ));
    }
    if let Some(c) = as_const(&value) {
        let hit = match c {
            Const::Null => return Some(lit(Const::Null, span)),
            Const::Str(s) => consts.iter().any(|m| matches!(m, Const::Str(t) if if ci { s.eq_ignore_ascii_case(t) } else { s == t })),
            c => consts.iter().any(|m| crate::fold::compare(eql_parser::ast::CmpOp::Eq, c, m) == Ok(Const::Bool(true))),
        };
        return Some(lit(Const::Bool(hit), span));
    }
    if !nets.is_empty() {
        // Some members are CIDR blocks: test every member as a network.
        for c in &consts {
            if let Const::Str(s) = c {
                if let Ok(ip) = s.parse::<std::net::IpAddr>() {
                    nets.push(ipnet::IpNet::from(ip));
                }
            }
        }
        return Some(bool_node(
            TKind::Cidr {
                expr: Box::new(value),
                nets,
            },
            span,
        ));
    }
    if consts.is_empty() {
        return Some(lit(Const::Bool(false), span));
    }
    Some(bool_node(
        TKind::InSet {
            expr: Box::new(value),
            set: consts,
            case_insensitive: ci,
        },
        span,
    ))
}

fn string_needed(value: &TExpr, op: &str) -> Diagnostic {
    let mut d = Diagnostic::error(
        codes::PATTERN_TYPE,
        value.span,
        format!("`{op}` needs a string, found {}", describe(value)),
    )
    .with_label(format!("this is {}", check::a_type(value.ty)));
    if value.ty == Type::Ip {
        d = d.with_hint("use `cidrMatch` or `==` for ip fields");
    } else if value.ty.is_numeric() {
        d = d.with_hint("use `==` or `in` for numbers");
    }
    d
}

/// `expr : p`, `expr like p`, `expr regex p` and their list and `~` forms.
pub(crate) fn pattern(
    cx: &mut Ctx,
    expr: &Expr,
    op: MatchOp,
    patterns: &[Expr],
    span: Span,
) -> Option<TExpr> {
    let value = lower(cx, expr);
    let mut texts: Vec<(String, Span)> = Vec::new();
    let mut failed = false;
    for p in patterns {
        match lower(cx, p).map(|t| (t.kind, t.span)) {
            Some((TKind::Const(Const::Str(s)), sp)) => texts.push((s, sp)),
            Some((TKind::Const(c), sp)) => {
                failed = true;
                cx.push(
                    Diagnostic::error(
                        codes::PATTERN_TYPE,
                        sp,
                        format!(
                            "the pattern of `{}` must be a string, found {}",
                            op.as_str(),
                            check::const_kind(&c)
                        ),
                    )
                    .with_label("not a string"),
                );
            }
            Some((_, sp)) => {
                failed = true;
                cx.push(Diagnostic::error(
                    codes::PATTERN_TYPE,
                    sp,
                    format!("the pattern of `{}` must be a constant string", op.as_str()),
                ));
            }
            None => failed = true,
        }
    }
    let value = value?;
    if !check::is_stringish(value.ty) {
        return cx.fail(string_needed(&value, op.as_str()));
    }
    if failed {
        return None;
    }
    match op {
        MatchOp::Colon => Some(colon(value, texts, span)),
        MatchOp::Like | MatchOp::LikeInsensitive => {
            let ci = op == MatchOp::LikeInsensitive;
            let patterns: Vec<String> = texts.into_iter().map(|(s, _)| s).collect();
            if let Some(folded) = fold_wildcards(&value, &patterns, ci, span) {
                return Some(folded);
            }
            Some(bool_node(
                TKind::Wildcard {
                    expr: Box::new(value),
                    patterns,
                    case_insensitive: ci,
                },
                span,
            ))
        }
        MatchOp::Regex | MatchOp::RegexInsensitive => {
            let mut out = Vec::new();
            for (text, sp) in texts {
                match crate::regex::translate(&text) {
                    Ok(p) => out.push(p),
                    Err(e) => {
                        failed = true;
                        cx.push(
                            Diagnostic::error(
                                codes::BAD_REGEX,
                                sp,
                                format!("invalid regular expression: {}", e.message),
                            )
                            .with_label(format!("at character {} of this pattern", e.offset + 1)),
                        );
                    }
                }
            }
            if failed {
                return None;
            }
            let ci = op == MatchOp::RegexInsensitive;
            Some(bool_node(
                TKind::Regex {
                    expr: Box::new(value),
                    patterns: out,
                    case_insensitive: ci,
                },
                span,
            ))
        }
    }
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The strings of `all` as constants, each once, in the order they first appear (a set
/// remembers the ones seen: a list of hundreds of strings compared each with all before it
/// cost more than the rest of its lowering).
fn distinct_strings(all: Vec<String>) -> Vec<Const> {
    let mut seen: AHashSet<&str> = AHashSet::with_capacity(all.len());
    let first: Vec<bool> = all.iter().map(|s| seen.insert(s.as_str())).collect();
    drop(seen);
    all.into_iter()
        .zip(first)
        .filter_map(|(s, first)| first.then_some(Const::Str(s)))
        .collect()
}

/// `:`: exact patterns into a case-insensitive set, wildcard ones into a wildcard match.
fn colon(value: TExpr, texts: Vec<(String, Span)>, span: Span) -> TExpr {
    let all: Vec<String> = texts.into_iter().map(|(s, _)| s).collect();
    if let Some(folded) = fold_wildcards(&value, &all, true, span) {
        return folded;
    }
    let (wild, exact): (Vec<String>, Vec<String>) = all.into_iter().partition(|s| has_wildcard(s));
    let set = distinct_strings(exact);
    match (set.is_empty(), wild.is_empty()) {
        (false, true) => bool_node(
            TKind::InSet {
                expr: Box::new(value),
                set,
                case_insensitive: true,
            },
            span,
        ),
        (true, _) => bool_node(
            TKind::Wildcard {
                expr: Box::new(value),
                patterns: wild,
                case_insensitive: true,
            },
            span,
        ),
        (false, false) => {
            let set = bool_node(
                TKind::InSet {
                    expr: Box::new(value.clone()),
                    set,
                    case_insensitive: true,
                },
                span,
            );
            let wild = bool_node(
                TKind::Wildcard {
                    expr: Box::new(value),
                    patterns: wild,
                    case_insensitive: true,
                },
                span,
            );
            bool_node(TKind::Or(vec![set, wild]), span)
        }
    }
}

/// Folds a wildcard match whose value is a constant.
fn fold_wildcards(value: &TExpr, patterns: &[String], ci: bool, span: Span) -> Option<TExpr> {
    match as_const(value)? {
        Const::Null => Some(lit(Const::Null, span)),
        Const::Str(s) => Some(lit(
            Const::Bool(patterns.iter().any(|p| wildcard_match(p, s, ci))),
            span,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_strings_keeps_first_occurrences_in_order() {
        let all = ["b", "a", "b", "A", "a", "c", "b"]
            .map(String::from)
            .to_vec();
        let want = ["b", "a", "A", "c"]
            .map(|s| Const::Str(s.to_string()))
            .to_vec();
        assert_eq!(distinct_strings(all), want);
        assert_eq!(distinct_strings(Vec::new()), Vec::new());
    }
}
