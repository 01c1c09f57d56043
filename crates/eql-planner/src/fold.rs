//! Constant folding of logic, comparisons and arithmetic, where plan nodes are built.

use crate::check::const_type;
use crate::plan::{Const, TExpr, TKind};
use crate::types::Type;
use eql_parser::ast::{ArithOp, CmpOp};
use eql_parser::Span;
use std::cmp::Ordering;

/// A constant node.
pub(crate) fn lit(c: Const, span: Span) -> TExpr {
    TExpr {
        ty: const_type(&c),
        kind: TKind::Const(c),
        span,
    }
}

pub(crate) fn as_const(e: &TExpr) -> Option<&Const> {
    match &e.kind {
        TKind::Const(c) => Some(c),
        _ => None,
    }
}

/// `not e`: folds constants and double negation (valid under two- and three-valued logic).
pub(crate) fn not(e: TExpr, span: Span) -> TExpr {
    match e.kind {
        TKind::Const(Const::Bool(b)) => lit(Const::Bool(!b), span),
        TKind::Const(Const::Null) => lit(Const::Null, span),
        TKind::Not(inner) => TExpr { span, ..*inner },
        kind => TExpr {
            kind: TKind::Not(Box::new(TExpr { kind, ..e })),
            ty: Type::Bool,
            span,
        },
    }
}

/// `and` / `or` over operands: flattened, neutral constants dropped, absorbing ones folded.
pub(crate) fn logic(is_and: bool, operands: Vec<TExpr>, span: Span) -> TExpr {
    let mut flat = Vec::with_capacity(operands.len());
    for op in operands {
        match op.kind {
            TKind::And(items) if is_and => flat.extend(items),
            TKind::Or(items) if !is_and => flat.extend(items),
            TKind::Const(Const::Bool(b)) if b == is_and => {}
            TKind::Const(Const::Bool(b)) => return lit(Const::Bool(b), span),
            kind => flat.push(TExpr { kind, ..op }),
        }
    }
    match flat.len() {
        0 => lit(Const::Bool(is_and), span),
        1 => flat
            .into_iter()
            .next()
            .map_or_else(|| lit(Const::Bool(is_and), span), |e| TExpr { span, ..e }),
        _ => {
            let kind = if is_and {
                TKind::And(flat)
            } else {
                TKind::Or(flat)
            };
            TExpr {
                kind,
                ty: Type::Bool,
                span,
            }
        }
    }
}

/// Compares two constants. `Err` when their types cannot be compared.
pub(crate) fn compare(op: CmpOp, a: &Const, b: &Const) -> Result<Const, ()> {
    let ord = match (a, b) {
        (Const::Null, Const::Null) => {
            return Ok(match op {
                CmpOp::Eq => Const::Bool(true),
                CmpOp::Ne => Const::Bool(false),
                _ => Const::Null,
            })
        }
        (Const::Null, _) | (_, Const::Null) => {
            return Ok(match op {
                CmpOp::Eq => Const::Bool(false),
                CmpOp::Ne => Const::Bool(true),
                _ => Const::Null,
            })
        }
        (Const::Int(x), Const::Int(y)) => x.cmp(y),
        (Const::Int(_) | Const::Float(_), Const::Int(_) | Const::Float(_)) => {
            match to_f64(a).partial_cmp(&to_f64(b)) {
                Some(o) => o,
                None => return Ok(Const::Bool(op == CmpOp::Ne)),
            }
        }
        (Const::Str(x), Const::Str(y)) => x.cmp(y),
        (Const::Bool(x), Const::Bool(y)) => x.cmp(y),
        _ => return Err(()),
    };
    Ok(Const::Bool(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }))
}

pub(crate) fn to_f64(c: &Const) -> f64 {
    match c {
        Const::Int(i) => *i as f64,
        Const::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// The operator with its operands swapped: `5 < x` is `x > 5`.
pub(crate) fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        op => op,
    }
}

/// Constant arithmetic with Java semantics (int division truncates, `%` takes the dividend's
/// sign); division by zero and integer overflow are errors. A null operand gives null.
pub(crate) fn arith(op: ArithOp, a: &Const, b: &Const) -> Result<Const, String> {
    if matches!(a, Const::Null) || matches!(b, Const::Null) {
        return Ok(Const::Null);
    }
    let zero = matches!(b, Const::Int(0)) || matches!(b, Const::Float(f) if *f == 0.0);
    if zero && matches!(op, ArithOp::Div | ArithOp::Mod) {
        return Err("division by zero".to_string());
    }
    match (a, b) {
        (Const::Int(x), Const::Int(y)) => {
            let r = match op {
                ArithOp::Add => x.checked_add(*y),
                ArithOp::Sub => x.checked_sub(*y),
                ArithOp::Mul => x.checked_mul(*y),
                ArithOp::Div => x.checked_div(*y),
                ArithOp::Mod => x.checked_rem(*y),
            };
            r.map(Const::Int)
                .ok_or_else(|| "arithmetic overflow".to_string())
        }
        (Const::Int(_) | Const::Float(_), Const::Int(_) | Const::Float(_)) => {
            let (x, y) = (to_f64(a), to_f64(b));
            let r = match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div => x / y,
                ArithOp::Mod => x % y,
            };
            if r.is_finite() {
                Ok(Const::Float(r))
            } else {
                Err("arithmetic overflow".to_string())
            }
        }
        _ => Err("arithmetic needs numbers".to_string()),
    }
}

/// Unary minus on a constant.
pub(crate) fn neg(c: &Const) -> Result<Const, String> {
    match c {
        Const::Null => Ok(Const::Null),
        Const::Int(i) => i
            .checked_neg()
            .map(Const::Int)
            .ok_or_else(|| "arithmetic overflow".to_string()),
        Const::Float(f) => Ok(Const::Float(-f)),
        _ => Err("arithmetic needs numbers".to_string()),
    }
}

/// The static type of arithmetic on two operand types.
pub(crate) fn arith_type(a: Type, b: Type) -> Type {
    match (a, b) {
        (Type::Long, Type::Long) => Type::Long,
        (Type::Null, t) | (t, Type::Null) if t.is_numeric() => t,
        (Type::Double, _) | (_, Type::Double) => Type::Double,
        _ => Type::Unknown,
    }
}
