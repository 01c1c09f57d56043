//! The EQL planner: resolves fields against a schema, type-checks, folds constants and lowers
//! the syntax tree to the typed plan the emitter compiles.

pub mod codes;
pub mod eval_const;
pub mod functions;
pub mod plan;
pub mod regex;
pub mod schema;
pub mod time;
pub mod types;

mod check;
mod fold;
mod lower_call;
mod lower_defend;
mod lower_expr;
mod lower_match;
mod lower_query;
mod resolve;
mod util;

pub use plan::*;
pub use schema::{FieldType, Lookup, Schema, SchemaError};
pub use types::Type;

use eql_parser::ast::Query;
use eql_parser::Diagnostic;

/// What to do with a field the schema does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownFieldPolicy {
    /// A `W0201` warning; the field is planned with `Type::Unknown` and checked at run time.
    #[default]
    Warn,
    /// An `E0201` error, as Elasticsearch's verifier does; an unknown `?field` becomes `null`.
    Error,
}

/// Planner options.
/// Construct with `PlanOptions { unknown_fields, ..Default::default() }` so that new options do not
/// break callers.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    pub unknown_fields: UnknownFieldPolicy,
    pub dialect: Dialect,
}

/// Which EQL dialect to accept (docs/language.md, "Elastic Defend dialect").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Elasticsearch EQL: the Elastic Defend extensions are errors.
    #[default]
    Elasticsearch,
    /// Elastic Defend's endpoint engine: `_arraysearch`, stage aliases, `descendant of` /
    /// `child of`, comparisons between fields, keyword fields compared with numbers by value.
    Endpoint,
}

impl PlanOptions {
    /// Options with the given unknown-field policy.
    pub fn with_unknown_fields(mut self, policy: UnknownFieldPolicy) -> PlanOptions {
        self.unknown_fields = policy;
        self
    }

    /// Options with the given dialect.
    pub fn with_dialect(mut self, dialect: Dialect) -> PlanOptions {
        self.dialect = dialect;
        self
    }
}

/// A successful plan and the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub plan: Plan,
    pub warnings: Vec<Diagnostic>,
}

/// Plans a parsed query. On failure returns every error found (warnings included, after them).
pub fn plan(
    query: &Query,
    schema: &Schema,
    opts: &PlanOptions,
) -> Result<Planned, Vec<Diagnostic>> {
    let mut cx = Ctx {
        schema,
        opts,
        diags: Vec::new(),
        vars: Vec::new(),
        aliases: Vec::new(),
        lineage: Vec::new(),
    };
    let plan = lower_query::lower_query(&mut cx, query);
    let (mut errors, warnings): (Vec<_>, Vec<_>) =
        cx.diags.into_iter().partition(Diagnostic::is_error);
    match plan {
        Some(plan) if errors.is_empty() => Ok(Planned { plan, warnings }),
        _ => {
            errors.extend(warnings);
            Err(errors)
        }
    }
}

/// Parses and plans query text.
pub fn plan_text(
    src: &str,
    schema: &Schema,
    opts: &PlanOptions,
) -> Result<Planned, Vec<Diagnostic>> {
    let query = eql_parser::parse(src)?;
    plan(&query, schema, opts)
}

/// Planning state: the schema, the options and the diagnostics collected so far.
pub(crate) struct Ctx<'a> {
    pub schema: &'a Schema,
    pub opts: &'a PlanOptions,
    pub diags: Vec<Diagnostic>,
    /// `_arraysearch` variables in scope, innermost last: (name, array path).
    pub vars: Vec<(String, String)>,
    /// Stage aliases of the sequence being lowered: (name, written stage index, visible). An
    /// alias becomes visible once the stages after its own are lowered.
    pub aliases: Vec<(String, u32, bool)>,
    /// Lineage filters found so far.
    pub lineage: Vec<Filter>,
}

impl Ctx<'_> {
    pub fn endpoint(&self) -> bool {
        self.opts.dialect == Dialect::Endpoint
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Records an error and returns `None` (for `return cx.fail(…)`).
    pub fn fail<T>(&mut self, d: Diagnostic) -> Option<T> {
        self.diags.push(d);
        None
    }
}
