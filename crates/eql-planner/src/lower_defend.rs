//! Lowering Elastic Defend's dialect (`Dialect::Endpoint`): `_arraysearch` and its `$`
//! variables, stage-alias references (`event0.x`), `descendant of` / `child of`, comparisons
//! between two computed values and keyword fields compared with numbers. In the Elasticsearch
//! dialect the callers never get here and these forms stay errors.

use crate::check::{self, describe};
use crate::codes;
use crate::fold;
use crate::lower_expr::condition;
use crate::plan::{Const, FieldRef, TExpr, TKind};
use crate::schema::Lookup;
use crate::types::Type;
use crate::Ctx;
use eql_parser::ast::{CmpOp, EventFilter, Expr, ExprKind, FieldPath, Ident};
use eql_parser::{Diagnostic, Span};

/// How far `descendant of` walks up the process tree.
pub const MAX_LINEAGE_DEPTH: u32 = 64;

fn not_supported(cx: &mut Ctx, span: Span, what: String, label: &str) -> Option<TExpr> {
    cx.fail(
        Diagnostic::error(codes::NOT_YET, span, what)
            .with_label(label.to_string())
            .with_hint(
                "this is Elastic Defend's dialect, which eqlvm accepts in Elastic Defend behavior rules",
            ),
    )
}

/// A field of an array element or an aliased event: typed by the schema when it knows the path,
/// `unknown` otherwise, never a diagnostic (sub-fields of arrays of objects are rarely mapped).
fn soft_field(cx: &mut Ctx, path: String, span: Span) -> Option<FieldRef> {
    let (ty, array) = match cx.schema.lookup(&path) {
        Lookup::Field(ft) if ft.ty != Type::Object => (ft.ty, true),
        Lookup::Field(_) | Lookup::Object => {
            cx.push(
                Diagnostic::error(
                    codes::OBJECT_FIELD,
                    span,
                    format!("`{path}` is an object, not a value"),
                )
                .with_label("object used as a value"),
            );
            return None;
        }
        Lookup::Unknown => (Type::Unknown, true),
    };
    Some(FieldRef {
        path,
        ty,
        array,
        optional: false,
    })
}

/// `$entry.x`: the sub-field `x` of the element `_arraysearch` is looking at.
pub(crate) fn variable(cx: &mut Ctx, name: &Ident, path: &[Ident], span: Span) -> Option<TExpr> {
    if !cx.endpoint() {
        return not_supported(
            cx,
            span,
            format!(
                "variables (`${}`) are not supported by Elasticsearch EQL",
                name.name
            ),
            "variable",
        );
    }
    let Some(array) = cx
        .vars
        .iter()
        .rev()
        .find(|(n, _)| *n == name.name)
        .map(|(_, a)| a.clone())
    else {
        return cx.fail(
            Diagnostic::error(
                codes::NOT_YET,
                span,
                format!(
                    "`${}` is not bound by an enclosing `_arraysearch`",
                    name.name
                ),
            )
            .with_label("unbound variable"),
        );
    };
    if path.is_empty() {
        return cx.fail(
            Diagnostic::error(
                codes::OBJECT_FIELD,
                span,
                format!("`${}` is an element object, not a value", name.name),
            )
            .with_label("object used as a value")
            .with_hint("compare one of its sub-fields, such as `$entry.name`"),
        );
    }
    let mut full = array.clone();
    for seg in path {
        full.push('.');
        full.push_str(&seg.name);
    }
    let field = soft_field(cx, full, span)?;
    let ty = field.ty;
    Some(TExpr {
        kind: TKind::ElemField { array, field },
        ty,
        span,
    })
}

/// `_arraysearch(array, $v, condition)`.
pub(crate) fn array_search(cx: &mut Ctx, args: &[Expr], span: Span) -> Option<TExpr> {
    let [array, var, cond] = args else {
        return cx.fail(
            Diagnostic::error(
                codes::ARITY,
                span,
                format!("`_arraysearch` takes 3 arguments, found {}", args.len()),
            )
            .with_label("expected (array field, $variable, condition)"),
        );
    };
    let ExprKind::Field(path) = &array.kind else {
        return cx.fail(
            Diagnostic::error(
                codes::ARG_TYPE,
                array.span,
                "the first argument of `_arraysearch` must be a field",
            )
            .with_label("not a field (nested searches over `$` variables are not supported)"),
        );
    };
    let ExprKind::Variable { name, path: vpath } = &var.kind else {
        return cx.fail(
            Diagnostic::error(
                codes::ARG_TYPE,
                var.span,
                "the second argument of `_arraysearch` must be a `$variable`",
            )
            .with_label("not a variable"),
        );
    };
    if !vpath.is_empty() || !path.indexes.is_empty() {
        return cx.fail(
            Diagnostic::error(codes::ARG_TYPE, var.span, "expected a plain `$variable`")
                .with_label("no path allowed here"),
        );
    }
    let array_path = path.dotted();
    cx.vars.push((name.name.clone(), array_path.clone()));
    let cond = condition(cx, cond, "the condition of `_arraysearch`");
    cx.vars.pop();
    let cond = cond?;
    Some(TExpr {
        kind: TKind::ArraySearch {
            array: FieldRef {
                path: array_path,
                ty: Type::Object,
                array: true,
                optional: path.optional,
            },
            cond: Box::new(cond),
        },
        ty: Type::Bool,
        span,
    })
}

/// `event0.x.y` when `event0` is a stage alias of the sequence: `Some(result)`; `None` when
/// the path does not start with an alias.
pub(crate) fn alias_field(cx: &mut Ctx, f: &FieldPath, span: Span) -> Option<Option<TExpr>> {
    let (first, rest) = f.segments.split_first()?;
    if rest.is_empty() {
        return None;
    }
    let &(_, stage, visible) = cx.aliases.iter().find(|(n, _, _)| *n == first.name)?;
    if !visible {
        return Some(
            cx.fail(
                Diagnostic::error(
                    codes::NOT_YET,
                    first.span,
                    format!(
                        "stage alias `{}` can only be used by later stages of the sequence",
                        first.name
                    ),
                )
                .with_label("alias of this or a later stage"),
            ),
        );
    }
    let path = rest
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(".");
    let Some(mut field) = soft_field(cx, path, span) else {
        return Some(None);
    };
    field.array = false;
    let ty = field.ty;
    Some(Some(TExpr {
        kind: TKind::AliasField { stage, field },
        ty,
        span,
    }))
}

/// `descendant of [filter]` / `child of [filter]`.
pub(crate) fn lineage(
    cx: &mut Ctx,
    relation: &Ident,
    filter: &EventFilter,
    span: Span,
) -> Option<TExpr> {
    let depth = match relation.name.to_ascii_lowercase().as_str() {
        "descendant" => MAX_LINEAGE_DEPTH,
        "child" => 1,
        _ => {
            return not_supported(
                cx,
                span,
                format!("`{} of` is not supported", relation.name),
                "lineage check",
            )
        }
    };
    if !cx.endpoint() {
        return not_supported(
            cx,
            span,
            format!(
                "`{} of` is not supported by Elasticsearch EQL",
                relation.name
            ),
            "lineage check",
        );
    }
    // The filter describes another event: no aliases or variables of the outer query.
    let aliases = std::mem::take(&mut cx.aliases);
    let vars = std::mem::take(&mut cx.vars);
    let f = crate::lower_query::filter(cx, filter);
    cx.aliases = aliases;
    cx.vars = vars;
    let f = f?;
    let index = cx.lineage.len() as u32;
    cx.lineage.push(f);
    Some(TExpr {
        kind: TKind::Lineage {
            filter: index,
            depth,
        },
        ty: Type::Bool,
        span,
    })
}

/// `a OP b` with neither side a constant (Endpoint dialect): three-valued, any element of
/// each side; `!=` is `not ==`.
pub(crate) fn compare_values(
    cx: &mut Ctx,
    op: CmpOp,
    l: TExpr,
    r: TExpr,
    span: Span,
) -> Option<TExpr> {
    let numeric_string = |a: Type, b: Type| a.is_string() && b.is_numeric();
    if !check::comparable(l.ty, r.ty) && !numeric_string(l.ty, r.ty) && !numeric_string(r.ty, l.ty)
    {
        return cx.fail(
            Diagnostic::error(
                codes::TYPE_MISMATCH,
                span,
                format!("cannot compare {} with {}", describe(&l), describe(&r)),
            )
            .with_label("incompatible types")
            .with_secondary(l.span, check::a_type(l.ty))
            .with_secondary(r.span, check::a_type(r.ty)),
        );
    }
    Some(compare_node(op, l, r, span))
}

/// A comparison node; `!=` becomes `not ==`.
pub(crate) fn compare_node(op: CmpOp, l: TExpr, r: TExpr, span: Span) -> TExpr {
    let node = TExpr {
        kind: TKind::Compare {
            op: if op == CmpOp::Ne { CmpOp::Eq } else { op },
            lhs: Box::new(l),
            rhs: Box::new(r),
        },
        ty: Type::Bool,
        span,
    };
    if op == CmpOp::Ne {
        fold::not(node, span)
    } else {
        node
    }
}

/// Whether `e` reads an aliased stage's event.
pub(crate) fn reads_alias(e: &TExpr) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        found |= matches!(x.kind, TKind::AliasField { .. })
    });
    found
}

/// Splits a stage condition into the part evaluated per event and the join part (the
/// conjuncts that read aliases).
pub(crate) fn split_join(cond: TExpr) -> (TExpr, Option<TExpr>) {
    if !reads_alias(&cond) {
        return (cond, None);
    }
    let span = cond.span;
    match cond.kind {
        TKind::And(xs) => {
            let (join, local): (Vec<TExpr>, Vec<TExpr>) = xs.into_iter().partition(reads_alias);
            (
                fold::logic(true, local, span),
                Some(fold::logic(true, join, span)),
            )
        }
        kind => (
            fold::lit(Const::Bool(true), span),
            Some(TExpr { kind, ..cond }),
        ),
    }
}

/// Calls `f` on `e` and every node below it.
pub(crate) fn visit(e: &TExpr, f: &mut dyn FnMut(&TExpr)) {
    f(e);
    match &e.kind {
        TKind::Const(_)
        | TKind::Field(_)
        | TKind::ElemField { .. }
        | TKind::AliasField { .. }
        | TKind::Lineage { .. } => {}
        TKind::Not(x) | TKind::IsNull(x) | TKind::Neg(x) => visit(x, f),
        TKind::And(xs) | TKind::Or(xs) => xs.iter().for_each(|x| visit(x, f)),
        TKind::Compare { lhs, rhs, .. } | TKind::Arith { lhs, rhs, .. } => {
            visit(lhs, f);
            visit(rhs, f);
        }
        TKind::InSet { expr, .. }
        | TKind::Wildcard { expr, .. }
        | TKind::Regex { expr, .. }
        | TKind::Cidr { expr, .. } => visit(expr, f),
        TKind::InList { expr, list, .. } => {
            visit(expr, f);
            list.iter().for_each(|x| visit(x, f));
        }
        TKind::Call { args, .. } => args.iter().for_each(|x| visit(x, f)),
        TKind::ArraySearch { cond, .. } => visit(cond, f),
    }
}
