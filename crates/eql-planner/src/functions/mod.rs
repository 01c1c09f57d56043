//! The function table: names (case-insensitive), `~` forms, arity and argument kinds.

use crate::plan::Func;
use crate::types::Type;

/// What an argument accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// keyword / text / unknown / null
    Str,
    /// long / double / unknown / null
    Num,
    /// long / unknown / null
    Int,
    /// any value but an object
    Any,
    /// a boolean constant
    BoolConst,
    /// an int constant (or null)
    IntConst,
    /// an ip, keyword or unknown value
    IpLike,
    /// a string constant
    StrConst,
}

/// A function's signature.
#[derive(Debug, Clone, Copy)]
pub struct Signature {
    /// `None` for `cidrMatch`, which is planned as `TKind::Cidr`.
    pub func: Option<Func>,
    pub name: &'static str,
    /// The argument kinds; when `variadic`, the last kind repeats.
    pub args: &'static [ArgKind],
    /// Number of required arguments.
    pub required: usize,
    pub variadic: bool,
    /// Has a `~` form.
    pub insensitive: bool,
    /// The result type (arithmetic functions compute theirs from the operands).
    pub ret: Type,
}

use ArgKind::*;

const fn sig(
    func: Func,
    name: &'static str,
    args: &'static [ArgKind],
    required: usize,
    insensitive: bool,
    ret: Type,
) -> Signature {
    Signature {
        func: Some(func),
        name,
        args,
        required,
        variadic: false,
        insensitive,
        ret,
    }
}

/// Every function.
pub const SIGNATURES: [Signature; 16] = [
    sig(Func::Add, "add", &[Num, Num], 2, false, Type::Unknown),
    sig(
        Func::Between,
        "between",
        &[Str, Str, Str, BoolConst],
        3,
        true,
        Type::Keyword,
    ),
    Signature {
        func: None,
        name: "cidrMatch",
        args: &[IpLike, StrConst],
        required: 2,
        variadic: true,
        insensitive: false,
        ret: Type::Bool,
    },
    Signature {
        variadic: true,
        ..sig(Func::Concat, "concat", &[Any], 1, false, Type::Keyword)
    },
    sig(Func::Divide, "divide", &[Num, Num], 2, false, Type::Unknown),
    sig(Func::EndsWith, "endsWith", &[Str, Str], 2, true, Type::Bool),
    sig(
        Func::IndexOf,
        "indexOf",
        &[Str, Str, Int],
        2,
        true,
        Type::Long,
    ),
    sig(Func::Length, "length", &[Str], 1, false, Type::Long),
    sig(Func::Modulo, "modulo", &[Num, Num], 2, false, Type::Unknown),
    sig(
        Func::Multiply,
        "multiply",
        &[Num, Num],
        2,
        false,
        Type::Unknown,
    ),
    sig(
        Func::Number,
        "number",
        &[Str, IntConst],
        1,
        false,
        Type::Double,
    ),
    sig(
        Func::StartsWith,
        "startsWith",
        &[Str, Str],
        2,
        true,
        Type::Bool,
    ),
    sig(Func::String, "string", &[Any], 1, false, Type::Keyword),
    sig(
        Func::StringContains,
        "stringContains",
        &[Str, Str],
        2,
        true,
        Type::Bool,
    ),
    sig(
        Func::Substring,
        "substring",
        &[Str, Int, Int],
        2,
        false,
        Type::Keyword,
    ),
    sig(
        Func::Subtract,
        "subtract",
        &[Num, Num],
        2,
        false,
        Type::Unknown,
    ),
];

/// Finds a function by name, ignoring case.
pub fn lookup(name: &str) -> Option<&'static Signature> {
    SIGNATURES
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
}

/// Functions of other EQL dialects that Elasticsearch rejects, with what to use instead.
pub fn unsupported(name: &str) -> Option<&'static str> {
    const TABLE: [(&str, &str); 7] = [
        (
            "arrayContains",
            "use `in` or `:` (they match any element of an array)",
        ),
        ("arrayCount", "array functions are not supported"),
        ("arraySearch", "array functions are not supported"),
        ("match", "use `regex`"),
        ("matchLite", "use `regex`"),
        ("wildcard", "use `:` or `like`"),
        ("safe", "functions already return null instead of failing"),
    ];
    TABLE
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, hint)| *hint)
}

/// The known function name closest to `name`, if any is close.
pub fn nearest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let limit = (lower.len() / 3).max(2);
    SIGNATURES
        .iter()
        .map(|s| {
            (
                crate::util::edit_distance(&s.name.to_ascii_lowercase(), &lower),
                s.name,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, n)| n)
}

/// Argument count bounds `(min, max)`; `max` is `None` for variadic functions.
pub fn arity(s: &Signature) -> (usize, Option<usize>) {
    (s.required, (!s.variadic).then_some(s.args.len()))
}

/// The kind of argument `i`.
pub fn arg_kind(s: &Signature, i: usize) -> ArgKind {
    s.args.get(i).or(s.args.last()).copied().unwrap_or(Any)
}
