//! Test helpers: a compact S-expression printer for expressions and queries.
#![allow(dead_code)]

use eql_parser::ast::{Category, Expr, ExprKind, Literal, Query, QueryBody, Stage};

/// `(and (not (== x 1)) y)`-style rendering of an expression.
pub fn sexp(e: &Expr) -> String {
    let list = |v: &[Expr]| v.iter().map(sexp).collect::<Vec<_>>().join(" ");
    match &e.kind {
        ExprKind::Literal(Literal::Null) => "null".into(),
        ExprKind::Literal(Literal::Bool(b)) => b.to_string(),
        ExprKind::Literal(Literal::Int(i)) => i.to_string(),
        ExprKind::Literal(Literal::Float(f)) => format!("{f:?}"),
        ExprKind::Literal(Literal::String(s)) => format!("{s:?}"),
        ExprKind::Field(f) => {
            let idx: String = f.indexes.iter().map(|i| format!("[{}]", i.node)).collect();
            format!("{}{}{idx}", if f.optional { "?" } else { "" }, f.dotted())
        }
        ExprKind::Variable { name, path } => {
            let mut s = format!("${}", name.name);
            for p in path {
                s.push('.');
                s.push_str(&p.name);
            }
            s
        }
        ExprKind::Not(a) => format!("(not {})", sexp(a)),
        ExprKind::Neg(a) => format!("(neg {})", sexp(a)),
        ExprKind::Plus(a) => format!("(plus {})", sexp(a)),
        ExprKind::And(a, b) => format!("(and {} {})", sexp(a), sexp(b)),
        ExprKind::Or(a, b) => format!("(or {} {})", sexp(a), sexp(b)),
        ExprKind::Compare { op, lhs, rhs } => format!("({} {} {})", op.as_str(), sexp(lhs), sexp(rhs)),
        ExprKind::Arith { op, lhs, rhs } => format!("({} {} {})", op.as_str(), sexp(lhs), sexp(rhs)),
        ExprKind::In { expr, list: l, case_insensitive, negated } => format!(
            "({}in{} {} [{}])",
            if *negated { "not-" } else { "" },
            if *case_insensitive { "~" } else { "" },
            sexp(expr),
            list(l)
        ),
        ExprKind::Match { expr, op, patterns } => format!("({} {} [{}])", op.as_str(), sexp(expr), list(patterns)),
        ExprKind::Call { name, case_insensitive, args } => {
            format!("(call {}{} {})", name.name, if *case_insensitive { "~" } else { "" }, list(args))
        }
        ExprKind::Lineage { relation, filter } => {
            format!("({} of {} {})", relation.name, category(&filter.category), sexp(&filter.condition))
        }
    }
}

pub fn category(c: &Category) -> String {
    match c {
        Category::Any(_) => "any".into(),
        Category::Named(i) => i.name.clone(),
    }
}

fn stage(s: &Stage) -> String {
    let mut out =
        format!("{}[{} {}]", if s.missing { "!" } else { "" }, category(&s.filter.category), sexp(&s.filter.condition));
    if !s.by.is_empty() {
        out.push_str(&format!(" by {}", s.by.iter().map(sexp).collect::<Vec<_>>().join(",")));
    }
    if let Some(r) = &s.runs {
        out.push_str(&format!(" runs={}", r.node));
    }
    if let Some(a) = &s.alias {
        out.push_str(&format!(" as {}", a.name));
    }
    out
}

/// A one-line summary of a whole query.
pub fn query(q: &Query) -> String {
    let keys = |v: &[Expr]| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" by {}", v.iter().map(sexp).collect::<Vec<_>>().join(","))
        }
    };
    let mut out = match &q.body {
        QueryBody::Event(f) => format!("{} where {}", category(&f.category), sexp(&f.condition)),
        QueryBody::Sequence(s) => {
            let mut o = format!("sequence{}", keys(&s.by));
            if let Some(m) = &s.maxspan {
                o.push_str(&format!(" maxspan={}{}", m.value, m.unit.as_ref().map_or("", |u| u.name.as_str())));
            }
            for st in &s.stages {
                o.push_str(&format!(" {}", stage(st)));
            }
            if let Some(u) = &s.until {
                o.push_str(&format!(" until {}", stage(u)));
            }
            o
        }
        QueryBody::Sample(s) => {
            let st: Vec<String> = s.stages.iter().map(stage).collect();
            format!("sample{} {}", keys(&s.by), st.join(" "))
        }
        QueryBody::Join(j) => {
            let st: Vec<String> = j.stages.iter().map(stage).collect();
            let until = j.until.as_ref().map_or(String::new(), |u| format!(" until {}", stage(u)));
            format!("join{} {}{until}", keys(&j.by), st.join(" "))
        }
    };
    for p in &q.pipes {
        out.push_str(&format!(" | {} {}", p.name.name, p.args.iter().map(sexp).collect::<Vec<_>>().join(",")));
    }
    out
}

/// Parses an expression and renders it, panicking with the rendered diagnostics on failure.
pub fn expr(src: &str) -> String {
    match eql_parser::parse_expression(src) {
        Ok(e) => sexp(&e),
        Err(errs) => panic!("{src}: {}", errs.iter().map(|d| d.render("<expr>", src)).collect::<String>()),
    }
}

/// Parses a query and renders it, panicking with the rendered diagnostics on failure.
pub fn q(src: &str) -> String {
    match eql_parser::parse(src) {
        Ok(e) => query(&e),
        Err(errs) => panic!("{src}: {}", errs.iter().map(|d| d.render("<query>", src)).collect::<String>()),
    }
}

/// The first error of a query that must fail: `line:col message`.
pub fn err(src: &str) -> String {
    match eql_parser::parse(src) {
        Ok(q) => panic!("{src} parsed: {}", query(&q)),
        Err(errs) => {
            let d = &errs[0];
            let (l, c) = d.line_col(src);
            format!("{l}:{c} {} {}", d.code, d.message)
        }
    }
}
