//! Shared helpers for the planner's integration tests.
#![allow(dead_code)]

use eql_planner::{plan_text, PlanOptions, Planned, Schema, UnknownFieldPolicy};

/// Plans against the built-in schema with default options.
pub fn plan(src: &str) -> Result<Planned, String> {
    plan_with(src, &Schema::builtin(), &PlanOptions::default())
}

pub fn plan_with(src: &str, schema: &Schema, opts: &PlanOptions) -> Result<Planned, String> {
    plan_text(src, schema, opts).map_err(|ds| {
        ds.iter()
            .map(|d| d.render("<query>", src))
            .collect::<Vec<_>>()
            .join("")
    })
}

/// Renders the diagnostics of a query that must fail.
pub fn errors(src: &str) -> String {
    errors_with(src, &Schema::builtin(), &PlanOptions::default())
}

pub fn errors_with(src: &str, schema: &Schema, opts: &PlanOptions) -> String {
    match plan_text(src, schema, opts) {
        Ok(p) => panic!("expected an error for {src:?}, got {:#?}", p.plan),
        Err(ds) => ds
            .iter()
            .map(|d| d.render("<query>", src))
            .collect::<Vec<_>>()
            .join(""),
    }
}

/// Renders the warnings of a query that must plan.
pub fn warnings(src: &str) -> String {
    match plan(src) {
        Ok(p) => p
            .warnings
            .iter()
            .map(|d| d.render("<query>", src))
            .collect::<Vec<_>>()
            .join(""),
        Err(e) => panic!("{e}"),
    }
}

pub fn strict() -> PlanOptions {
    PlanOptions::default().with_unknown_fields(UnknownFieldPolicy::Error)
}

/// The condition of an event query, as compact debug text.
pub fn cond(src: &str) -> String {
    match plan(src) {
        Ok(p) => match p.plan.query {
            eql_planner::PlanQuery::Event(f) => show(&f.condition),
            q => panic!("not an event query: {q:?}"),
        },
        Err(e) => panic!("{e}"),
    }
}

/// A compact rendering of a typed expression (types of fields and constants included).
pub fn show(e: &eql_planner::TExpr) -> String {
    use eql_planner::{Const, TKind};
    let list = |xs: &[eql_planner::TExpr]| xs.iter().map(show).collect::<Vec<_>>().join(", ");
    let konst = |c: &Const| match c {
        Const::Null => "null".to_string(),
        Const::Bool(b) => b.to_string(),
        Const::Int(i) => i.to_string(),
        Const::Float(f) => format!("{f:?}"),
        Const::Str(s) => format!("{s:?}"),
    };
    let ci = |b: bool| if b { "~" } else { "" };
    match &e.kind {
        TKind::Const(c) => format!("{}:{}", konst(c), e.ty.name()),
        TKind::Field(f) => format!(
            "{}{}:{}{}",
            if f.optional { "?" } else { "" },
            f.path,
            f.ty.name(),
            if f.array { "[]" } else { "" }
        ),
        TKind::Not(x) => format!("not({})", show(x)),
        TKind::And(xs) => format!("and({})", list(xs)),
        TKind::Or(xs) => format!("or({})", list(xs)),
        TKind::IsNull(x) => format!("isnull({})", show(x)),
        TKind::Compare { op, lhs, rhs } => format!("({} {} {})", show(lhs), op.as_str(), show(rhs)),
        TKind::InSet {
            expr,
            set,
            case_insensitive,
        } => {
            format!(
                "inset{}({}; {})",
                ci(*case_insensitive),
                show(expr),
                set.iter().map(konst).collect::<Vec<_>>().join(", ")
            )
        }
        TKind::InList {
            expr,
            list: l,
            case_insensitive,
        } => format!(
            "inlist{}({}; {})",
            ci(*case_insensitive),
            show(expr),
            list(l)
        ),
        TKind::Wildcard {
            expr,
            patterns,
            case_insensitive,
        } => format!(
            "wildcard{}({}; {:?})",
            ci(*case_insensitive),
            show(expr),
            patterns
        ),
        TKind::Regex {
            expr,
            patterns,
            case_insensitive,
        } => format!(
            "regex{}({}; {:?})",
            ci(*case_insensitive),
            show(expr),
            patterns
        ),
        TKind::Cidr { expr, nets } => format!(
            "cidr({}; {})",
            show(expr),
            nets.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TKind::Arith { op, lhs, rhs } => format!(
            "({} {} {}):{}",
            show(lhs),
            op.as_str(),
            show(rhs),
            e.ty.name()
        ),
        TKind::Neg(x) => format!("-({})", show(x)),
        TKind::ArraySearch { array, cond } => {
            format!("arraysearch({}; {})", array.path, show(cond))
        }
        TKind::ElemField { array, field } => {
            format!("elem({array}; {}):{}", field.path, e.ty.name())
        }
        TKind::AliasField { stage, field } => {
            format!("alias({stage}; {}):{}", field.path, e.ty.name())
        }
        TKind::Lineage { filter, depth } => format!("lineage({filter}; {depth})"),
        TKind::Call {
            func,
            case_insensitive,
            args,
        } => format!(
            "{}{}({}):{}",
            func.name(),
            ci(*case_insensitive),
            list(args),
            e.ty.name()
        ),
    }
}
