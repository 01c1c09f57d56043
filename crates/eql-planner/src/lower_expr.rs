//! Lowering expressions: literals, fields, logic, comparisons and arithmetic (pattern operators
//! are in `lower_match`, functions in `lower_call`).

use crate::check::{self, convert_const, describe, expect_bool, Converted};
use crate::codes;
use crate::fold::{self, as_const, lit};
use crate::plan::{Const, TExpr, TKind};
use crate::types::Type;
use crate::{lower_call, lower_match, resolve, Ctx};
use eql_parser::ast::{ArithOp, CmpOp, Expr, ExprKind, Literal};
use eql_parser::{Diagnostic, Span};

/// Lowers any expression. `None` after an error (already reported).
pub(crate) fn lower(cx: &mut Ctx, e: &Expr) -> Option<TExpr> {
    let span = e.span;
    match &e.kind {
        ExprKind::Literal(l) => Some(lit(literal(l), span)),
        ExprKind::Field(f) => resolve::field(cx, f, span),
        ExprKind::Variable { name, path } => crate::lower_defend::variable(cx, name, path, span),
        ExprKind::Lineage { relation, filter } => {
            crate::lower_defend::lineage(cx, relation, filter, span)
        }
        ExprKind::Not(inner) => {
            let inner = condition(cx, inner, "the operand of `not`")?;
            Some(fold::not(inner, span))
        }
        ExprKind::And(..) | ExprKind::Or(..) => logic(cx, e),
        ExprKind::Compare { op, lhs, rhs } => compare(cx, *op, lhs, rhs, span),
        ExprKind::Arith { op, lhs, rhs } => arith(cx, *op, lhs, rhs, span),
        ExprKind::Neg(inner) => {
            let inner = lower(cx, inner)?;
            let inner = numeric_operand(cx, inner, "-")?;
            if let Some(c) = as_const(&inner) {
                return match fold::neg(c) {
                    Ok(c) => Some(lit(c, span)),
                    Err(m) => cx.fail(Diagnostic::error(codes::ARITH, span, m)),
                };
            }
            let ty = inner.ty;
            Some(TExpr {
                kind: TKind::Neg(Box::new(inner)),
                ty,
                span,
            })
        }
        ExprKind::Plus(inner) => {
            let inner = lower(cx, inner)?;
            let inner = numeric_operand(cx, inner, "+")?;
            Some(TExpr { span, ..inner })
        }
        ExprKind::In {
            expr,
            list,
            case_insensitive,
            negated,
        } => {
            let planned = lower_match::membership(cx, expr, list, *case_insensitive, span)?;
            Some(if *negated {
                fold::not(planned, span)
            } else {
                planned
            })
        }
        ExprKind::Match { expr, op, patterns } => {
            lower_match::pattern(cx, expr, *op, patterns, span)
        }
        ExprKind::Call {
            name,
            case_insensitive,
            args,
        } => lower_call::call(cx, name, *case_insensitive, args, span),
    }
}

fn literal(l: &Literal) -> Const {
    match l {
        Literal::Null => Const::Null,
        Literal::Bool(b) => Const::Bool(*b),
        Literal::Int(i) => Const::Int(*i),
        Literal::Float(f) => Const::Float(*f),
        Literal::String(s) => Const::Str(s.clone()),
    }
}

/// Lowers an expression used as a condition. A bare boolean (or unknown) field becomes the
/// field predicate `field == true`.
pub(crate) fn condition(cx: &mut Ctx, e: &Expr, what: &str) -> Option<TExpr> {
    let t = lower(cx, e)?;
    expect_bool(cx, &t, what)?;
    if matches!(
        t.kind,
        TKind::Field(_) | TKind::ElemField { .. } | TKind::AliasField { .. }
    ) {
        let span = t.span;
        let rhs = lit(Const::Bool(true), span);
        return Some(TExpr {
            kind: TKind::Compare {
                op: CmpOp::Eq,
                lhs: Box::new(t),
                rhs: Box::new(rhs),
            },
            ty: Type::Bool,
            span,
        });
    }
    Some(t)
}

/// `and` / `or` chains, flattened; every operand is lowered even after an error.
fn logic(cx: &mut Ctx, e: &Expr) -> Option<TExpr> {
    let is_and = matches!(e.kind, ExprKind::And(..));
    let mut leaves = Vec::new();
    collect(e, is_and, &mut leaves);
    let mut out = Vec::with_capacity(leaves.len());
    let mut failed = false;
    let what = if is_and {
        "an operand of `and`"
    } else {
        "an operand of `or`"
    };
    for leaf in leaves {
        match condition(cx, leaf, what) {
            Some(t) => out.push(t),
            None => failed = true,
        }
    }
    (!failed).then(|| fold::logic(is_and, out, e.span))
}

fn collect<'e>(e: &'e Expr, is_and: bool, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::And(a, b) if is_and => {
            collect(a, is_and, out);
            collect(b, is_and, out);
        }
        ExprKind::Or(a, b) if !is_and => {
            collect(a, is_and, out);
            collect(b, is_and, out);
        }
        _ => out.push(e),
    }
}

fn compare(cx: &mut Ctx, op: CmpOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<TExpr> {
    if let Some(t) = object_null_test(cx, op, lhs, rhs, span) {
        return Some(t);
    }
    let (l, r) = (lower(cx, lhs), lower(cx, rhs));
    let (l, r) = (l?, r?);
    let bool_node = |kind| TExpr {
        kind,
        ty: Type::Bool,
        span,
    };
    // Null on either side: IS NULL / IS NOT NULL.
    let null_l = matches!(as_const(&l), Some(Const::Null));
    let null_r = matches!(as_const(&r), Some(Const::Null));
    if null_l || null_r {
        let other = if null_l { r } else { l };
        if as_const(&other).is_some() || !matches!(op, CmpOp::Eq | CmpOp::Ne) {
            return fold::compare(op, &Const::Null, as_const(&other).unwrap_or(&Const::Null))
                .ok()
                .map(|c| lit(c, span));
        }
        let is_null = bool_node(TKind::IsNull(Box::new(other)));
        return Some(if op == CmpOp::Ne {
            fold::not(is_null, span)
        } else {
            is_null
        });
    }
    match (as_const(&l), as_const(&r)) {
        (Some(a), Some(b)) => match fold::compare(op, a, b) {
            Ok(c) => Some(lit(c, span)),
            Err(()) => cx.fail(check::mismatch(&l, b, r.span)),
        },
        (None, None) if cx.endpoint() => crate::lower_defend::compare_values(cx, op, l, r, span),
        (None, None) => cx.fail(
            Diagnostic::error(
                codes::FIELD_COMPARISON,
                span,
                "comparisons between fields are not supported",
            )
            .with_label("neither side is a constant")
            .with_secondary(l.span, describe(&l))
            .with_secondary(r.span, describe(&r))
            .with_hint("Elasticsearch EQL requires one side of a comparison to be a constant (Elastic Defend's dialect allows this)"),
        ),
        (Some(_), None) => compare_const(cx, fold::flip(op), r, l, span),
        (None, Some(_)) => compare_const(cx, op, l, r, span),
    }
}

/// `value OP constant` with the constant converted to the value's type.
fn compare_const(cx: &mut Ctx, op: CmpOp, value: TExpr, konst: TExpr, span: Span) -> Option<TExpr> {
    let TKind::Const(c) = konst.kind else {
        return None;
    };
    if value.ty == Type::Bool && !matches!(op, CmpOp::Eq | CmpOp::Ne) && matches!(c, Const::Bool(_))
    {
        return cx.fail(
            Diagnostic::error(
                codes::TYPE_MISMATCH,
                span,
                format!("booleans cannot be ordered with `{}`", op.as_str()),
            )
            .with_label("ordering comparison on a boolean"),
        );
    }
    if cx.endpoint() && value.ty.is_string() && matches!(c, Const::Int(_) | Const::Float(_)) {
        let konst = TExpr {
            ty: check::const_type(&c),
            kind: TKind::Const(c),
            span: konst.span,
        };
        return Some(crate::lower_defend::compare_node(op, value, konst, span));
    }
    let allow_cidr = matches!(op, CmpOp::Eq | CmpOp::Ne);
    let node = match convert_const(cx, &value, c, konst.span, allow_cidr)? {
        Converted::Net(net) => TExpr {
            kind: TKind::Cidr {
                expr: Box::new(value),
                nets: vec![net],
            },
            ty: Type::Bool,
            span,
        },
        Converted::Const(c) => {
            let ty = match value.ty {
                Type::Date | Type::Ip | Type::Version => value.ty,
                _ => check::const_type(&c),
            };
            let rhs = TExpr {
                ty,
                kind: TKind::Const(c),
                span: konst.span,
            };
            let op = if op == CmpOp::Ne { CmpOp::Eq } else { op };
            TExpr {
                kind: TKind::Compare {
                    op,
                    lhs: Box::new(value),
                    rhs: Box::new(rhs),
                },
                ty: Type::Bool,
                span,
            }
        }
    };
    Some(if op == CmpOp::Ne {
        fold::not(node, span)
    } else {
        node
    })
}

fn numeric_operand(cx: &mut Ctx, e: TExpr, op: &str) -> Option<TExpr> {
    if check::is_numericish(e.ty) {
        return Some(e);
    }
    cx.fail(
        Diagnostic::error(
            codes::TYPE_MISMATCH,
            e.span,
            format!("`{op}` needs numbers, found {}", describe(&e)),
        )
        .with_label(format!("this is {}", check::a_type(e.ty))),
    )
}

fn arith(cx: &mut Ctx, op: ArithOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<TExpr> {
    let (l, r) = (lower(cx, lhs), lower(cx, rhs));
    let l = numeric_operand(cx, l?, op.as_str());
    let r = numeric_operand(cx, r?, op.as_str());
    let (l, r) = (l?, r?);
    arith_node(cx, op, l, r, span)
}

/// Builds (or folds) an arithmetic node from lowered numeric operands.
pub(crate) fn arith_node(
    cx: &mut Ctx,
    op: ArithOp,
    l: TExpr,
    r: TExpr,
    span: Span,
) -> Option<TExpr> {
    match (as_const(&l), as_const(&r)) {
        (Some(a), Some(b)) => match fold::arith(op, a, b) {
            Ok(c) => Some(lit(c, span)),
            Err(m) => cx.fail(
                Diagnostic::error(codes::ARITH, span, m).with_label("in this constant expression"),
            ),
        },
        (_, Some(b)) if matches!(op, ArithOp::Div | ArithOp::Mod) && fold::to_f64(b) == 0.0 => cx
            .fail(
                Diagnostic::error(codes::ARITH, r.span, "division by zero")
                    .with_label("this divisor is zero"),
            ),
        _ => {
            let ty = fold::arith_type(l.ty, r.ty);
            Some(TExpr {
                kind: TKind::Arith {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(r),
                },
                ty,
                span,
            })
        }
    }
}

/// Elastic Defend's dialect lets `object == null` / `object != null` test whether an object
/// field is present at all (Elasticsearch rejects objects as values).
fn object_null_test(cx: &mut Ctx, op: CmpOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<TExpr> {
    if !cx.endpoint() || !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return None;
    }
    let is_null = |e: &Expr| matches!(e.kind, ExprKind::Literal(Literal::Null));
    let field = match (&lhs.kind, &rhs.kind) {
        (ExprKind::Field(f), _) if is_null(rhs) => f,
        (_, ExprKind::Field(f)) if is_null(lhs) => f,
        _ => return None,
    };
    let path = field.dotted();
    let object = match cx.schema.lookup(&path) {
        crate::Lookup::Object => true,
        crate::Lookup::Field(ft) => ft.ty == Type::Object,
        crate::Lookup::Unknown => false,
    };
    if !field.indexes.is_empty() || !object {
        return None;
    }
    let fr = crate::plan::FieldRef {
        path,
        ty: Type::Object,
        array: true,
        optional: field.optional,
    };
    let test = TExpr {
        kind: TKind::IsNull(Box::new(TExpr {
            kind: TKind::Field(fr),
            ty: Type::Object,
            span,
        })),
        ty: Type::Bool,
        span,
    };
    Some(if op == CmpOp::Ne {
        fold::not(test, span)
    } else {
        test
    })
}
