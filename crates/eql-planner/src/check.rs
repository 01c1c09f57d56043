//! Type rules: which values can be compared, and converting constants to the type of the value
//! they are compared with (date strings to epoch nanoseconds, IP strings to canonical text).

use crate::codes;
use crate::plan::{Const, TExpr, TKind};
use crate::types::Type;
use crate::Ctx;
use eql_parser::{Diagnostic, Span};
use std::net::IpAddr;

/// The type of a constant.
pub(crate) fn const_type(c: &Const) -> Type {
    match c {
        Const::Null => Type::Null,
        Const::Bool(_) => Type::Bool,
        Const::Int(_) => Type::Long,
        Const::Float(_) => Type::Double,
        Const::Str(_) => Type::Keyword,
    }
}

/// "a number", "a string", … for messages.
pub(crate) fn const_kind(c: &Const) -> &'static str {
    match c {
        Const::Null => "null",
        Const::Bool(_) => "a boolean",
        Const::Int(_) | Const::Float(_) => "a number",
        Const::Str(_) => "a string",
    }
}

/// "keyword field `x`" or "a long value", for messages.
pub(crate) fn describe(e: &TExpr) -> String {
    match &e.kind {
        TKind::Field(f) => format!("{} field `{}`", e.ty.name(), f.path),
        TKind::Const(c) => const_kind(c).to_string(),
        _ => format!("a {} value", e.ty.name()),
    }
}

pub(crate) fn is_stringish(t: Type) -> bool {
    matches!(t, Type::Keyword | Type::Text | Type::Unknown | Type::Null)
}

pub(crate) fn is_numericish(t: Type) -> bool {
    matches!(t, Type::Long | Type::Double | Type::Unknown | Type::Null)
}

/// Whether two non-constant values of these types can be compared.
pub(crate) fn comparable(a: Type, b: Type) -> bool {
    let norm = |t: Type| match t {
        Type::Text => Type::Keyword,
        Type::Double => Type::Long,
        t => t,
    };
    matches!(a, Type::Unknown | Type::Null)
        || matches!(b, Type::Unknown | Type::Null)
        || norm(a) == norm(b)
}

/// A constant converted for comparison with a value: either a constant of the value's type or,
/// for `ip` values compared with `==` to a CIDR string, a network.
pub(crate) enum Converted {
    Const(Const),
    Net(ipnet::IpNet),
}

/// Converts constant `c` (at `cspan`) for comparison with `target`. `allow_cidr` accepts a CIDR
/// string for an `ip` target. Reports and returns `None` on a mismatch.
pub(crate) fn convert_const(
    cx: &mut Ctx,
    target: &TExpr,
    c: Const,
    cspan: Span,
    allow_cidr: bool,
) -> Option<Converted> {
    let ok = |c| Some(Converted::Const(c));
    match (target.ty, c) {
        (_, Const::Null) => ok(Const::Null),
        (Type::Unknown | Type::Null, c) => ok(c),
        (Type::Long | Type::Double, c @ (Const::Int(_) | Const::Float(_))) => ok(c),
        (Type::Keyword | Type::Text | Type::Version, c @ Const::Str(_)) => ok(c),
        (Type::Bool, c @ Const::Bool(_)) => ok(c),
        (Type::Ip, Const::Str(s)) => {
            if let Ok(ip) = s.trim().parse::<IpAddr>() {
                return ok(Const::Str(ip.to_string()));
            }
            if allow_cidr {
                if let Ok(net) = s.trim().parse::<ipnet::IpNet>() {
                    return Some(Converted::Net(net.trunc()));
                }
            }
            cx.fail(
                Diagnostic::error(codes::BAD_IP, cspan, format!("`{s}` is not an IP address"))
                    .with_label("expected an IPv4 or IPv6 address")
                    .with_secondary(target.span, "this is an ip"),
            )
        }
        (Type::Date, Const::Str(s)) => match crate::time::parse_date_ns(&s) {
            Some(ns) => ok(Const::Int(ns)),
            None => cx.fail(
                Diagnostic::error(
                    codes::BAD_DATE,
                    cspan,
                    format!("cannot parse `{s}` as a date"),
                )
                .with_label("not a date")
                .with_hint(
                    "write an ISO-8601 date such as \"2024-01-31T12:00:00Z\" or epoch milliseconds",
                ),
            ),
        },
        (Type::Date, Const::Int(ms)) => match ms.checked_mul(1_000_000) {
            Some(ns) => ok(Const::Int(ns)),
            None => cx.fail(
                Diagnostic::error(codes::BAD_DATE, cspan, "date out of range")
                    .with_label("epoch milliseconds"),
            ),
        },
        (Type::Date, Const::Float(ms)) if ms.is_finite() && (ms * 1e6).abs() < 9.2e18 => {
            ok(Const::Int((ms * 1e6).round() as i64))
        }
        (_, c) => cx.fail(mismatch(target, &c, cspan)),
    }
}

/// "cannot compare keyword field `x` with a number".
pub(crate) fn mismatch(target: &TExpr, c: &Const, cspan: Span) -> Diagnostic {
    Diagnostic::error(
        codes::TYPE_MISMATCH,
        cspan,
        format!("cannot compare {} with {}", describe(target), const_kind(c)),
    )
    .with_label(format!("this is {}", const_kind(c)))
    .with_secondary(target.span, format!("this is {}", a_type(target.ty)))
}

/// "a keyword", "an ip", …
pub(crate) fn a_type(t: Type) -> String {
    let name = t.name();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

/// Checks that `e` can be used as a condition (boolean, null or unknown).
pub(crate) fn expect_bool(cx: &mut Ctx, e: &TExpr, what: &str) -> Option<()> {
    if matches!(e.ty, Type::Bool | Type::Null | Type::Unknown) {
        return Some(());
    }
    cx.fail(
        Diagnostic::error(
            codes::NOT_BOOLEAN,
            e.span,
            format!("{what} must be a boolean, found {}", a_type(e.ty)),
        )
        .with_label(format!("this is {}", a_type(e.ty))),
    )
}
