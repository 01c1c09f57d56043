//! Name resolution: field paths against the schema.

use crate::codes;
use crate::plan::{Const, FieldRef, TExpr, TKind};
use crate::schema::Lookup;
use crate::types::Type;
use crate::{Ctx, UnknownFieldPolicy};
use eql_parser::ast::FieldPath;
use eql_parser::{Diagnostic, Span};

/// Resolves a field reference. `None` after an error.
pub(crate) fn field(cx: &mut Ctx, f: &FieldPath, span: Span) -> Option<TExpr> {
    if cx.endpoint() && f.indexes.is_empty() {
        if let Some(aliased) = crate::lower_defend::alias_field(cx, f, span) {
            return aliased;
        }
    }
    if let Some(ix) = f.indexes.first() {
        return cx.fail(
            Diagnostic::error(
                codes::ARRAY_INDEX,
                ix.span,
                "array indexing is not supported",
            )
            .with_label("index not supported")
            .with_hint("a predicate on an array field matches when any element matches"),
        );
    }
    let path = f.dotted();
    let (ty, array) = match cx.schema.lookup(&path) {
        Lookup::Field(ft) if ft.ty == Type::Object => return object_error(cx, &path, span),
        Lookup::Object => return object_error(cx, &path, span),
        Lookup::Field(ft) => (ft.ty, ft.array),
        Lookup::Unknown => {
            if f.optional {
                if cx.opts.unknown_fields == UnknownFieldPolicy::Error {
                    // Elasticsearch replaces an unmapped optional field by `null`.
                    return Some(TExpr {
                        kind: TKind::Const(Const::Null),
                        ty: Type::Null,
                        span,
                    });
                }
            } else {
                unknown_field(cx, &path, span)?;
            }
            (Type::Unknown, true)
        }
    };
    let kind = TKind::Field(FieldRef {
        path,
        ty,
        array,
        optional: f.optional,
    });
    Some(TExpr { kind, ty, span })
}

fn object_error(cx: &mut Ctx, path: &str, span: Span) -> Option<TExpr> {
    cx.fail(
        Diagnostic::error(
            codes::OBJECT_FIELD,
            span,
            format!("`{path}` is an object, not a value"),
        )
        .with_label("object used as a value")
        .with_hint("compare one of its sub-fields instead"),
    )
}

/// Reports an unknown field: a warning (returns `Some`) or an error (returns `None`).
fn unknown_field(cx: &mut Ctx, path: &str, span: Span) -> Option<()> {
    let error = cx.opts.unknown_fields == UnknownFieldPolicy::Error;
    let message = format!("unknown field `{path}`");
    // Warn once per field; errors are reported at every use.
    if !error
        && cx
            .diags
            .iter()
            .any(|d| d.code == codes::UNKNOWN_FIELD_WARN && d.message == message)
    {
        return Some(());
    }
    let mut d = if error {
        Diagnostic::error(codes::UNKNOWN_FIELD, span, message)
    } else {
        Diagnostic::warning(codes::UNKNOWN_FIELD_WARN, span, message)
    };
    d = d.with_label("not in the schema");
    if let Some(near) = cx.schema.suggest(path) {
        d = d.with_hint(format!("did you mean `{near}`?"));
    } else if !error {
        d = d.with_hint(format!("write `?{path}` if the field is optional"));
    }
    cx.push(d);
    (!error).then_some(())
}
