//! A small reference evaluator for the property tests: a tree walk over the typed plan
//! (`eql_planner::TExpr`) on `serde_json` events, a sequence matcher and a sample builder,
//! written from docs/language.md and Elasticsearch's documented semantics. Test-only; it covers
//! the forms the generators produce and answers `None` ("not covered") for the rest.

mod functions;
mod sample;
mod sequence;

use eql_parser::ast::{ArithOp, CmpOp};
use eql_planner::{Const, PlanQuery, StagePlan, TExpr, TKind};
use serde_json::Value as J;
use std::cmp::Ordering;

/// A three-valued scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
}

/// The values of a dotted path (an array gives its elements; missing gives none).
pub fn field<'a>(ev: &'a J, path: &str) -> Vec<&'a J> {
    let mut cur = ev;
    for seg in path.split('.') {
        match cur.get(seg) {
            Some(v) => cur = v,
            None => return Vec::new(),
        }
    }
    match cur {
        J::Array(a) => a.iter().collect(),
        v => vec![v],
    }
}

fn scalar(j: &J) -> V {
    match j {
        J::Bool(b) => V::Bool(*b),
        J::Number(n) => n.as_i64().map_or(V::Null, V::Int),
        J::String(s) => V::Str(s.clone()),
        _ => V::Null,
    }
}

fn konst(c: &Const) -> Option<V> {
    Some(match c {
        Const::Null => V::Null,
        Const::Bool(b) => V::Bool(*b),
        Const::Int(i) => V::Int(*i),
        Const::Str(s) => V::Str(s.clone()),
        Const::Float(_) => return None,
    })
}

fn cmp(op: CmpOp, a: &V, b: &V) -> V {
    let ord = match (a, b) {
        (V::Int(x), V::Int(y)) => x.cmp(y),
        (V::Str(x), V::Str(y)) => x.cmp(y),
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        _ => return V::Null,
    };
    V::Bool(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

/// `*` any run, `?` one character, whole value.
pub fn glob(p: &[char], s: &[char]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some(('*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        Some(('?', rest)) => !s.is_empty() && glob(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}

fn fold(s: &str, ci: bool) -> String {
    if ci {
        s.to_ascii_lowercase()
    } else {
        s.to_string()
    }
}

/// A field predicate's test on one element.
fn elem_test(e: &TExpr, v: &V) -> Option<bool> {
    Some(match &e.kind {
        TKind::Compare { op, rhs, .. } => match &rhs.kind {
            TKind::Const(c) => cmp(*op, v, &konst(c)?) == V::Bool(true),
            _ => return None,
        },
        TKind::InSet {
            set,
            case_insensitive,
            ..
        } => {
            let mut hit = false;
            for c in set {
                let k = konst(c)?;
                hit |= match (v, &k) {
                    (V::Str(a), V::Str(b)) => {
                        fold(a, *case_insensitive) == fold(b, *case_insensitive)
                    }
                    _ => cmp(CmpOp::Eq, v, &k) == V::Bool(true),
                };
            }
            hit
        }
        TKind::Wildcard {
            patterns,
            case_insensitive,
            ..
        } => match v {
            V::Str(s) => {
                let s: Vec<char> = fold(s, *case_insensitive).chars().collect();
                patterns.iter().any(|p| {
                    let p: Vec<char> = fold(p, *case_insensitive).chars().collect();
                    glob(&p, &s)
                })
            }
            _ => false,
        },
        _ => return None,
    })
}

/// The field a predicate tests directly, if it is a field predicate.
fn pred_field(e: &TExpr) -> Option<&str> {
    let inner = match &e.kind {
        TKind::Compare { lhs, rhs, .. } if matches!(rhs.kind, TKind::Const(_)) => lhs,
        TKind::InSet { expr, .. } | TKind::Wildcard { expr, .. } => expr,
        _ => return None,
    };
    match &inner.kind {
        TKind::Field(f) => Some(&f.path),
        _ => None,
    }
}

/// Evaluates `e` on `ev`; `None` when the expression uses a form this evaluator lacks.
pub fn eval(e: &TExpr, ev: &J) -> Option<V> {
    if let Some(path) = pred_field(e) {
        let mut any = false;
        for j in field(ev, path) {
            any |= elem_test(e, &scalar(j))?;
        }
        return Some(V::Bool(any));
    }
    Some(match &e.kind {
        TKind::Const(c) => konst(c)?,
        TKind::Field(f) => field(ev, &f.path).first().map_or(V::Null, |j| scalar(j)),
        TKind::Not(x) => match eval(x, ev)? {
            V::Bool(b) => V::Bool(!b),
            _ => V::Null,
        },
        TKind::And(xs) => {
            let mut out = V::Bool(true);
            for x in xs {
                match eval(x, ev)? {
                    V::Bool(false) => return Some(V::Bool(false)),
                    V::Bool(true) => {}
                    _ => out = V::Null,
                }
            }
            out
        }
        TKind::Or(xs) => {
            let mut out = V::Bool(false);
            for x in xs {
                match eval(x, ev)? {
                    V::Bool(true) => return Some(V::Bool(true)),
                    V::Bool(false) => {}
                    _ => out = V::Null,
                }
            }
            out
        }
        TKind::IsNull(x) => match &x.kind {
            TKind::Field(f) => V::Bool(field(ev, &f.path).iter().all(|j| j.is_null())),
            _ => V::Bool(eval(x, ev)? == V::Null),
        },
        TKind::Compare { op, lhs, rhs } => cmp(*op, &eval(lhs, ev)?, &eval(rhs, ev)?),
        TKind::Arith { op, lhs, rhs } => match (eval(lhs, ev)?, eval(rhs, ev)?) {
            (V::Int(a), V::Int(b)) => match op {
                ArithOp::Add => a.checked_add(b),
                ArithOp::Sub => a.checked_sub(b),
                ArithOp::Mul => a.checked_mul(b),
                ArithOp::Div => a.checked_div(b),
                ArithOp::Mod => a.checked_rem(b),
            }
            .map_or(V::Null, V::Int),
            _ => V::Null,
        },
        TKind::Call {
            func,
            case_insensitive,
            args,
        } => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, ev)?);
            }
            functions::call(*func, *case_insensitive, &vals)?
        }
        _ => return None,
    })
}

pub fn category_ok(cat: &Option<String>, ev: &J) -> bool {
    match cat {
        None => true,
        Some(c) => field(ev, "event.category")
            .iter()
            .any(|j| j.as_str() == Some(c.as_str())),
    }
}

pub fn stage_hit(s: &StagePlan, ev: &J) -> Option<bool> {
    Some(category_ok(&s.filter.category, ev) && eval(&s.filter.condition, ev)? == V::Bool(true))
}

/// The join key of a stage on an event (first value of each key field; `None` if missing).
pub fn key_of(s: &StagePlan, ev: &J) -> Option<Vec<String>> {
    s.keys
        .iter()
        .map(|k| match eval(&k.expr, ev) {
            Some(V::Str(x)) => Some(x),
            Some(V::Int(i)) => Some(i.to_string()),
            _ => None,
        })
        .collect()
}

/// Results of a planned query over events (each result: the indices of its events in stage
/// order, missing-event stages left out), or `None` when the query uses something this
/// evaluator does not cover. Events carry `@timestamp` as epoch milliseconds and arrive in time order.
pub fn run(q: &PlanQuery, events: &[J]) -> Option<Vec<Vec<usize>>> {
    match q {
        PlanQuery::Event(f) => {
            let mut out = Vec::new();
            for (i, ev) in events.iter().enumerate() {
                if category_ok(&f.category, ev) && eval(&f.condition, ev)? == V::Bool(true) {
                    out.push(vec![i]);
                }
            }
            Some(out)
        }
        PlanQuery::Sequence(sq) => sequence::run(sq, events),
        PlanQuery::Sample(sp) => sample::run(sp, events),
    }
}
