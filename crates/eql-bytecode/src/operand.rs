//! Typed instruction operands. Each prints itself the way the disassembler shows it, so the
//! listing never drifts from the instruction set: `r3` a register, `s5` an event slot,
//! `k2` a scalar constant, `set1`/`wc0`/`re0`/`cidr0` pooled matchers, `@12` a jump target.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! operand {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

operand!(
    /// A register of the current block's frame.
    Reg,
    "r"
);
operand!(
    /// An event slot: one projected field of the program's field table.
    Slot,
    "s"
);
operand!(
    /// A scalar constant in the constant pool.
    Const,
    "k"
);
operand!(
    /// A set of constants (for `in`, `in~`, `:` without wildcards).
    SetId,
    "set"
);
operand!(
    /// A set of wildcard patterns.
    WildId,
    "wc"
);
operand!(
    /// A set of regular expressions.
    RegexId,
    "re"
);
operand!(
    /// A set of CIDR networks.
    CidrId,
    "cidr"
);
operand!(
    /// An absolute instruction index (a jump target).
    Label,
    "@"
);
operand!(
    /// A code block (a stage predicate or a key expression).
    BlockId,
    "b"
);

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn mnemonic(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
        }
    }

    /// Whether an ordering result satisfies the operator.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ord == Equal,
            CmpOp::Ne => ord != Equal,
            CmpOp::Lt => ord == Less,
            CmpOp::Le => ord != Greater,
            CmpOp::Gt => ord == Greater,
            CmpOp::Ge => ord != Less,
        }
    }
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mnemonic())
    }
}

/// How values are ordered by a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpMode {
    /// By the values' own types (numbers numerically, strings by code point, …).
    Value,
    /// Semantic-version ordering of strings (Elasticsearch's `version` type).
    Version,
    /// Numbers by value, strings that parse as numbers too (Elastic Defend: a keyword field
    /// compared with a number).
    Number,
}

impl fmt::Display for CmpMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CmpMode::Value => "value",
            CmpMode::Version => "version",
            CmpMode::Number => "number",
        })
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl fmt::Display for ArithOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArithOp::Add => "add",
            ArithOp::Sub => "sub",
            ArithOp::Mul => "mul",
            ArithOp::Div => "div",
            ArithOp::Mod => "mod",
        })
    }
}

/// The built-in functions the VM implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Builtin {
    Between,
    BetweenCi,
    Concat,
    EndsWith,
    EndsWithCi,
    IndexOf,
    IndexOfCi,
    Length,
    Number,
    StartsWith,
    StartsWithCi,
    String,
    StringContains,
    StringContainsCi,
    Substring,
}

impl Builtin {
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Between => "between",
            Builtin::BetweenCi => "between~",
            Builtin::Concat => "concat",
            Builtin::EndsWith => "endsWith",
            Builtin::EndsWithCi => "endsWith~",
            Builtin::IndexOf => "indexOf",
            Builtin::IndexOfCi => "indexOf~",
            Builtin::Length => "length",
            Builtin::Number => "number",
            Builtin::StartsWith => "startsWith",
            Builtin::StartsWithCi => "startsWith~",
            Builtin::String => "string",
            Builtin::StringContains => "stringContains",
            Builtin::StringContainsCi => "stringContains~",
            Builtin::Substring => "substring",
        }
    }

    /// The accepted argument counts (inclusive range).
    pub fn arity(self) -> (u32, u32) {
        match self {
            Builtin::Between | Builtin::BetweenCi => (3, 4),
            Builtin::Concat => (1, u32::MAX),
            Builtin::EndsWith | Builtin::EndsWithCi => (2, 2),
            Builtin::IndexOf | Builtin::IndexOfCi => (2, 3),
            Builtin::Length | Builtin::String => (1, 1),
            Builtin::Number => (1, 2),
            Builtin::StartsWith | Builtin::StartsWithCi => (2, 2),
            Builtin::StringContains | Builtin::StringContainsCi => (2, 2),
            Builtin::Substring => (2, 3),
        }
    }
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
