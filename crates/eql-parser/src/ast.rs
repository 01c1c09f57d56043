//! The EQL syntax tree: every node carries the byte span of the text it came from.
//!
//! The tree is a faithful picture of what was written (no folding, no desugaring): the planner
//! lowers it. Spans are byte offsets into the query text handed to [`crate::parse`].

use crate::diag::Span;
use serde::Serialize;

/// A whole query: a body and its pipes (`| head 3 | tail 1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    pub body: QueryBody,
    pub pipes: Vec<Pipe>,
    pub span: Span,
}

/// What kind of query this is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum QueryBody {
    /// `process where …` / `any where …`
    Event(EventFilter),
    Sequence(Sequence),
    Sample(Sample),
    /// `join …`: parsed so that the planner can reject it with a clear message.
    Join(Join),
}

/// `CATEGORY where CONDITION`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventFilter {
    pub category: Category,
    pub condition: Expr,
    pub span: Span,
}

/// The event category of a filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Category {
    /// `any`: every event, whatever its category.
    Any(Span),
    /// A bare identifier (`process`) or a quoted string (`"my-category"`).
    Named(Ident),
}

impl Category {
    pub fn span(&self) -> Span {
        match self {
            Category::Any(s) => *s,
            Category::Named(i) => i.span,
        }
    }
}

/// `sequence [by k, …] [with maxspan=T] stage stage+ [until stage]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sequence {
    /// Keys shared by every stage (`sequence by host.id`).
    pub by: Vec<Expr>,
    pub maxspan: Option<TimeSpan>,
    pub stages: Vec<Stage>,
    pub until: Option<Stage>,
    pub span: Span,
}

/// `sample [by k, …] stage+`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    pub by: Vec<Expr>,
    pub stages: Vec<Stage>,
    pub span: Span,
}

/// `join [by k, …] stage stage+ [until stage]` (Elasticsearch parses and rejects it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Join {
    pub by: Vec<Expr>,
    pub stages: Vec<Stage>,
    pub until: Option<Stage>,
    pub span: Span,
}

/// One bracketed stage of a sequence, sample or join:
/// `[filter] [by k, …] [with runs=N] [as alias]`, or a missing-event stage `![filter]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    pub filter: EventFilter,
    /// True for `![ … ]`.
    pub missing: bool,
    /// The stage's own join keys.
    pub by: Vec<Expr>,
    /// `with runs=N`; `None` when absent.
    pub runs: Option<Spanned<u32>>,
    /// Elastic Defend dialect: `[ … ] as event0`.
    pub alias: Option<Ident>,
    pub span: Span,
}

/// A duration such as `5s` or `500ms` as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSpan {
    /// The number as written (`0.5s` is allowed by the grammar; the planner decides).
    pub value: f64,
    /// The unit identifier as written (`ms`, `s`, `m`, `h`, `d`, …); `None` when missing.
    pub unit: Option<Ident>,
    pub span: Span,
}

/// A pipe: `| head 5`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipe {
    pub name: Ident,
    pub args: Vec<Expr>,
    pub span: Span,
}

/// An identifier (field path segment, category, function name, unit, alias …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A value and its span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

/// An expression node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// The expression forms of EQL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    Literal(Literal),
    /// A field reference: `process.name`, `?x`, `` `odd name`.x ``, `event0.process.pid`.
    Field(FieldPath),
    /// A `$name` variable (Elastic Defend's `_arraysearch`) optionally followed by a path:
    /// `$entry`, `$entry.symbol_info`.
    Variable { name: Ident, path: Vec<Ident> },
    /// `not e`.
    Not(Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a == b`, `a < b`, …
    Compare { op: CmpOp, lhs: Box<Expr>, rhs: Box<Expr> },
    /// `a + b`, …
    Arith { op: ArithOp, lhs: Box<Expr>, rhs: Box<Expr> },
    /// Unary minus or plus.
    Neg(Box<Expr>),
    Plus(Box<Expr>),
    /// `e in (…)`, `e not in (…)`, `e in~ (…)`, `e not in~ (…)`.
    In { expr: Box<Expr>, list: Vec<Expr>, case_insensitive: bool, negated: bool },
    /// `e : "p"`, `e like ("a", "b")`, `e regex~ "…"`. `patterns` are the constant(s) on the right.
    Match { expr: Box<Expr>, op: MatchOp, patterns: Vec<Expr> },
    /// `name(args)` or `name~(args)`.
    Call { name: Ident, case_insensitive: bool, args: Vec<Expr> },
    /// `descendant of [ … ]`, `child of [ … ]`, `event of [ … ]`.
    Lineage { relation: Ident, filter: Box<EventFilter> },
}

/// A constant as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Literal {
    Null,
    Bool(bool),
    /// An integer literal that fits an i64.
    Int(i64),
    /// A decimal literal, or an integer too large for i64.
    Float(f64),
    /// A string with its escapes already processed (or a raw `"""…"""` string).
    String(String),
}

/// A dotted field path. Each segment is one identifier; a back-quoted segment keeps its dots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldPath {
    pub segments: Vec<Ident>,
    /// Written with a leading `?`.
    pub optional: bool,
    /// `field[0]` style indexes after the path (parsed; the planner rejects them).
    pub indexes: Vec<Spanned<i64>>,
}

impl FieldPath {
    /// The path joined with dots, as an event field name (`process.parent.name`).
    pub fn dotted(&self) -> String {
        let mut s = String::new();
        for (i, seg) in self.segments.iter().enumerate() {
            if i > 0 {
                s.push('.');
            }
            s.push_str(&seg.name);
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl ArithOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }
}

/// The pattern operators, which take constants on the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MatchOp {
    /// `:` — case-insensitive equality with `*` / `?` wildcards.
    Colon,
    Like,
    LikeInsensitive,
    Regex,
    RegexInsensitive,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Colon => ":",
            MatchOp::Like => "like",
            MatchOp::LikeInsensitive => "like~",
            MatchOp::Regex => "regex",
            MatchOp::RegexInsensitive => "regex~",
        }
    }
}
