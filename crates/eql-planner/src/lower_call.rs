//! Lowering function calls: name resolution, arity and argument checks, `cidrMatch`, folding.

use crate::check::{self, describe};
use crate::codes;
use crate::fold::{as_const, lit};
use crate::functions::{self, ArgKind, Signature};
use crate::lower_expr::{arith_node, lower};
use crate::plan::{Const, Func, TExpr, TKind};
use crate::types::Type;
use crate::Ctx;
use eql_parser::ast::{ArithOp, Expr, Ident};
use eql_parser::{Diagnostic, Span};

pub(crate) fn call(
    cx: &mut Ctx,
    name: &Ident,
    ci: bool,
    args: &[Expr],
    span: Span,
) -> Option<TExpr> {
    if cx.endpoint() && name.name.eq_ignore_ascii_case("_arraysearch") {
        return crate::lower_defend::array_search(cx, args, span);
    }
    let Some(sig) = resolve(cx, name) else {
        // Still check the arguments for errors of their own (not `_arraysearch`'s variables).
        if !name.name.eq_ignore_ascii_case("_arraysearch") {
            for a in args {
                let _ = lower(cx, a);
            }
        }
        return None;
    };
    if ci && !sig.insensitive {
        cx.push(
            Diagnostic::error(
                codes::NO_INSENSITIVE,
                name.span,
                format!("`{}` has no case-insensitive form", sig.name),
            )
            .with_label("`~` not allowed here")
            .with_hint("`~` exists for between, endsWith, indexOf, startsWith and stringContains"),
        );
    }
    let lowered: Vec<Option<TExpr>> = args.iter().map(|a| lower(cx, a)).collect();
    let (min, max) = functions::arity(sig);
    if args.len() < min || max.is_some_and(|m| args.len() > m) {
        let expected = match max {
            None => format!("at least {min}"),
            Some(m) if m == min => format!("{min}"),
            Some(m) => format!("{min} to {m}"),
        };
        let plural = if expected == "1" { "" } else { "s" };
        return cx.fail(
            Diagnostic::error(
                codes::ARITY,
                span,
                format!(
                    "`{}` takes {expected} argument{plural}, found {}",
                    sig.name,
                    args.len()
                ),
            )
            .with_label("wrong number of arguments"),
        );
    }
    let mut ok = !ci || sig.insensitive;
    let mut targs = Vec::with_capacity(args.len());
    for (i, a) in lowered.into_iter().enumerate() {
        match a.and_then(|a| check_arg(cx, sig, i, a)) {
            Some(a) => targs.push(a),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let Some(func) = sig.func else {
        return cidr(cx, targs, span);
    };
    if let Some(op) = arith_op(func) {
        let mut it = targs.into_iter();
        let (l, r) = (it.next()?, it.next()?);
        return arith_node(cx, op, l, r, span);
    }
    // An explicit null base of `number` means the default base.
    if func == Func::Number && targs.len() == 2 && matches!(as_const(&targs[1]), Some(Const::Null))
    {
        targs.pop();
    }
    if targs.iter().all(|a| as_const(a).is_some()) {
        let consts: Vec<Const> = targs.iter().filter_map(as_const).cloned().collect();
        return match crate::eval_const::eval(func, ci, &consts) {
            Ok(c) => Some(lit(c, span)),
            Err(m) => cx.fail(
                Diagnostic::error(codes::CONST_EVAL, span, m).with_label("in this constant call"),
            ),
        };
    }
    Some(TExpr {
        kind: TKind::Call {
            func,
            case_insensitive: ci,
            args: targs,
        },
        ty: sig.ret,
        span,
    })
}

fn arith_op(func: Func) -> Option<ArithOp> {
    Some(match func {
        Func::Add => ArithOp::Add,
        Func::Subtract => ArithOp::Sub,
        Func::Multiply => ArithOp::Mul,
        Func::Divide => ArithOp::Div,
        Func::Modulo => ArithOp::Mod,
        _ => return None,
    })
}

fn resolve(cx: &mut Ctx, name: &Ident) -> Option<&'static Signature> {
    if let Some(sig) = functions::lookup(&name.name) {
        return Some(sig);
    }
    let d = if name.name.eq_ignore_ascii_case("_arraysearch") {
        Diagnostic::error(
            codes::NOT_YET,
            name.span,
            "`_arraysearch` is not supported yet",
        )
        .with_label("Elastic Defend function")
    } else if let Some(hint) = functions::unsupported(&name.name) {
        Diagnostic::error(
            codes::UNKNOWN_FUNCTION,
            name.span,
            format!("`{}` is not supported by Elasticsearch EQL", name.name),
        )
        .with_label("unsupported function")
        .with_hint(hint)
    } else {
        Diagnostic::error(
            codes::UNKNOWN_FUNCTION,
            name.span,
            format!("unknown function `{}`", name.name),
        )
        .with_label("unknown function")
    };
    let d = match functions::nearest(&name.name) {
        Some(near) if d.code == codes::UNKNOWN_FUNCTION && d.hints.is_empty() => {
            d.with_hint(format!("did you mean `{near}`?"))
        }
        _ => d,
    };
    cx.fail(d)
}

/// Checks argument `i` against the signature.
fn check_arg(cx: &mut Ctx, sig: &Signature, i: usize, a: TExpr) -> Option<TExpr> {
    let kind = functions::arg_kind(sig, i);
    let konst = as_const(&a).cloned();
    let (fits, wanted) = match kind {
        ArgKind::Str => (check::is_stringish(a.ty), "a string"),
        ArgKind::Num => (check::is_numericish(a.ty), "a number"),
        ArgKind::Int => (
            matches!(a.ty, Type::Long | Type::Unknown | Type::Null),
            "an integer",
        ),
        ArgKind::Any => (a.ty != Type::Object, "a value"),
        ArgKind::BoolConst => (matches!(konst, Some(Const::Bool(_))), "a boolean constant"),
        ArgKind::IntConst => match konst {
            Some(Const::Null) => (true, ""),
            Some(Const::Int(b)) if (2..=36).contains(&b) => (true, ""),
            Some(Const::Int(_)) => (false, "an integer constant between 2 and 36"),
            _ => (false, "an integer constant"),
        },
        ArgKind::IpLike => (
            matches!(
                a.ty,
                Type::Ip | Type::Keyword | Type::Text | Type::Unknown | Type::Null
            ),
            "an ip",
        ),
        ArgKind::StrConst => (matches!(konst, Some(Const::Str(_))), "a string constant"),
    };
    if fits {
        return Some(a);
    }
    cx.fail(
        Diagnostic::error(
            codes::ARG_TYPE,
            a.span,
            format!(
                "argument {} of `{}` must be {wanted}, found {}",
                i + 1,
                sig.name,
                describe(&a)
            ),
        )
        .with_label(format!("expected {wanted}")),
    )
}

/// `cidrMatch(ip, "cidr", …)`: every block parsed (a bare address is a /32 or /128).
fn cidr(cx: &mut Ctx, mut args: Vec<TExpr>, span: Span) -> Option<TExpr> {
    if args.is_empty() {
        return None;
    }
    let value = args.remove(0);
    let mut nets = Vec::with_capacity(args.len());
    let mut ok = true;
    for a in &args {
        let Some(Const::Str(s)) = as_const(a) else {
            continue;
        };
        let net = s
            .parse::<ipnet::IpNet>()
            .ok()
            .or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from));
        match net {
            Some(n) => nets.push(n.trunc()),
            None => {
                ok = false;
                let what = if s.is_empty() {
                    "an empty string".to_string()
                } else {
                    format!("`{s}`")
                };
                cx.push(
                    Diagnostic::error(codes::BAD_CIDR, a.span, format!("{what} is not a CIDR block or IP address"))
                        .with_label("invalid CIDR")
                        .with_hint("write a block such as \"10.0.0.0/8\" or \"fe80::/10\", or a single address"),
                );
            }
        }
    }
    if !ok {
        return None;
    }
    match as_const(&value) {
        Some(Const::Null) => Some(lit(Const::Null, span)),
        Some(Const::Str(s)) => match s.parse::<std::net::IpAddr>() {
            Ok(ip) => Some(lit(Const::Bool(nets.iter().any(|n| n.contains(&ip))), span)),
            Err(_) => Some(lit(Const::Null, span)),
        },
        _ => Some(TExpr {
            kind: TKind::Cidr {
                expr: Box::new(value),
                nets,
            },
            ty: Type::Bool,
            span,
        }),
    }
}
