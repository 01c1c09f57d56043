//! The typed plan: what the planner hands the emitter. Names are resolved, every expression is
//! typed, constants are folded, and operators are normalised to a small set of forms whose
//! semantics are fixed (see docs/language.md).
//!
//! Semantics the emitter relies on:
//! - *Field predicates* (`InSet`, `Wildcard`, `Regex`, `Cidr`, `Compare` with one side a field
//!   and the other a constant, `IsNull`) are two-valued and "any element": on an array field they
//!   are true when some element satisfies them; on a missing field they are false. `Not` of one
//!   is therefore true when the field is missing (Lucene `must_not`).
//! - Everything else (functions, arithmetic, comparisons of computed values) is three-valued:
//!   a null operand gives null, and `and`/`or`/`not` follow Kleene logic. A stage matches only
//!   when its condition is true.

use crate::types::Type;
use eql_parser::ast::{ArithOp, CmpOp};
use eql_parser::Span;
use serde::Serialize;

/// A planned query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub query: PlanQuery,
    /// `head` / `tail` in the order written.
    pub pipes: Vec<PipeOp>,
    pub span: Span,
    /// Elastic Defend: the filters of `descendant of [...]` / `child of [...]`, in order;
    /// `TKind::Lineage` names them by index.
    pub lineage: Vec<Filter>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PlanQuery {
    Event(Filter),
    Sequence(SequencePlan),
    Sample(SamplePlan),
}

/// A category test and a condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filter {
    /// `None` for `any`.
    pub category: Option<String>,
    pub condition: TExpr,
    pub span: Span,
}

/// One stage of a sequence or sample, with its full key list (shared `by` keys first, then the
/// stage's own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StagePlan {
    pub filter: Filter,
    pub keys: Vec<KeyPlan>,
    /// A missing-event stage `![…]`.
    pub missing: bool,
    /// Elastic Defend dialect: `[ … ] as event0`.
    pub alias: Option<String>,
    /// Elastic Defend dialect: the conjuncts of the condition that read earlier stages' events
    /// through their aliases (`TKind::AliasField`), checked when this stage's event would
    /// extend a partial sequence. `filter.condition` holds the rest.
    pub join: Option<TExpr>,
    pub span: Span,
}

/// One join key of a stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyPlan {
    pub expr: TExpr,
    /// Written as `?field`: a null value may join (null joins null).
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequencePlan {
    /// Stages in order, `with runs=N` already expanded into N copies.
    pub stages: Vec<StagePlan>,
    pub until: Option<StagePlan>,
    /// `with maxspan=…` in nanoseconds.
    pub maxspan_ns: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SamplePlan {
    pub stages: Vec<StagePlan>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PipeOp {
    Head(u64),
    Tail(u64),
}

/// A folded constant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Const {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TExpr {
    pub kind: TKind,
    /// The type of the expression's value (`Type::Bool` for predicates).
    pub ty: Type,
    pub span: Span,
}

/// A resolved field reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldRef {
    /// The dotted path as events spell it (`process.parent.name`).
    pub path: String,
    /// The schema's type for the field (`Type::Unknown` when no schema knows it).
    pub ty: Type,
    /// The schema says the field may hold an array (or does not know).
    pub array: bool,
    /// Written as `?field`.
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TKind {
    Const(Const),
    Field(FieldRef),
    Not(Box<TExpr>),
    /// Two or more operands, flattened.
    And(Vec<TExpr>),
    Or(Vec<TExpr>),
    /// `x == null` (two-valued; true when missing or null). `x != null` is `Not(IsNull)`.
    IsNull(Box<TExpr>),
    /// A comparison. When one side is a field and the other a constant it is a field predicate
    /// (any element, false when missing); otherwise three-valued. Constants are already
    /// converted to the other side's type (a date string to epoch nanoseconds, an IP string to
    /// an IP in canonical text, …). String comparisons are case-sensitive.
    Compare {
        op: CmpOp,
        lhs: Box<TExpr>,
        rhs: Box<TExpr>,
    },
    /// Membership in a set of constants: `in`, `in~` (`case_insensitive`), and `:` without
    /// wildcards. `x not in (…)` is `Not(InSet)`.
    InSet {
        expr: Box<TExpr>,
        set: Vec<Const>,
        case_insensitive: bool,
    },
    /// Membership where some list members are not constants (three-valued, `==` per member).
    InList {
        expr: Box<TExpr>,
        list: Vec<TExpr>,
        case_insensitive: bool,
    },
    /// Whole-value wildcard match, any of `patterns` (`*` any run, `?` one character): `like`,
    /// `like~`, and `:` with wildcards.
    Wildcard {
        expr: Box<TExpr>,
        patterns: Vec<String>,
        case_insensitive: bool,
    },
    /// Whole-value regular expression match, any of `patterns`. The patterns are already
    /// translated from Lucene's dialect into `regex-syntax` syntax, anchored, validated.
    Regex {
        expr: Box<TExpr>,
        patterns: Vec<String>,
        case_insensitive: bool,
    },
    /// `cidrMatch(ip, "10.0.0.0/8", …)` with every network parsed (a bare address is /32, /128).
    Cidr {
        expr: Box<TExpr>,
        nets: Vec<ipnet::IpNet>,
    },
    Arith {
        op: ArithOp,
        lhs: Box<TExpr>,
        rhs: Box<TExpr>,
    },
    Neg(Box<TExpr>),
    /// Elastic Defend `_arraysearch(array, $v, cond)`: true when some element object of
    /// `array` makes `cond` true; `ElemField`s in `cond` read that element's sub-fields.
    ArraySearch {
        array: FieldRef,
        cond: Box<TExpr>,
    },
    /// `$v.x` inside `_arraysearch(array, $v, …)`: the values of `field` (the full path
    /// `array.x`) that lie inside the element being searched.
    ElemField {
        array: String,
        field: FieldRef,
    },
    /// `event0.x` in a later stage of a sequence: `field` of the event that filled written
    /// stage `stage` (aliased `as event0`) of the partial sequence being extended.
    AliasField {
        stage: u32,
        field: FieldRef,
    },
    /// `descendant of [filter]` (`depth` 64) or `child of [filter]` (`depth` 1): some ancestor
    /// of the event's process, at most `depth` steps up, matched `Plan::lineage[filter]`.
    Lineage {
        filter: u32,
        depth: u32,
    },
    /// Any other function; `case_insensitive` for the `~` form.
    Call {
        func: Func,
        case_insensitive: bool,
        args: Vec<TExpr>,
    },
}

/// The scalar functions of EQL (cidrMatch is planned as `TKind::Cidr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Func {
    Add,
    Between,
    Concat,
    Divide,
    EndsWith,
    IndexOf,
    Length,
    Modulo,
    Multiply,
    Number,
    StartsWith,
    String,
    StringContains,
    Substring,
    Subtract,
}

impl Func {
    /// The canonical (documented) spelling.
    pub fn name(self) -> &'static str {
        match self {
            Func::Add => "add",
            Func::Between => "between",
            Func::Concat => "concat",
            Func::Divide => "divide",
            Func::EndsWith => "endsWith",
            Func::IndexOf => "indexOf",
            Func::Length => "length",
            Func::Modulo => "modulo",
            Func::Multiply => "multiply",
            Func::Number => "number",
            Func::StartsWith => "startsWith",
            Func::String => "string",
            Func::StringContains => "stringContains",
            Func::Substring => "substring",
            Func::Subtract => "subtract",
        }
    }

    pub const ALL: [Func; 15] = [
        Func::Add,
        Func::Between,
        Func::Concat,
        Func::Divide,
        Func::EndsWith,
        Func::IndexOf,
        Func::Length,
        Func::Modulo,
        Func::Multiply,
        Func::Number,
        Func::StartsWith,
        Func::String,
        Func::StringContains,
        Func::Substring,
        Func::Subtract,
    ];
}
