//! The planner's diagnostic codes (`E02xx` errors, `W02xx` warnings), one registry.

/// The field is not in the schema (error under `UnknownFieldPolicy::Error`).
pub const UNKNOWN_FIELD: &str = "E0201";
/// The field is not in the schema (warning under the default policy).
pub const UNKNOWN_FIELD_WARN: &str = "W0201";
/// An object (a field with sub-fields) used as a value.
pub const OBJECT_FIELD: &str = "E0202";
/// `field[0]` indexing.
pub const ARRAY_INDEX: &str = "E0203";
/// A feature parsed but not implemented yet (variables, lineage, `_arraysearch`, aliases).
pub const NOT_YET: &str = "E0204";
/// `join` queries.
pub const JOIN: &str = "E0205";
/// Operand types that cannot be compared or combined.
pub const TYPE_MISMATCH: &str = "E0206";
/// A comparison with fields on both sides.
pub const FIELD_COMPARISON: &str = "E0207";
/// A string that is not an IP address compared with an `ip` field.
pub const BAD_IP: &str = "E0208";
/// A string that is not a date compared with a `date` field.
pub const BAD_DATE: &str = "E0209";
/// A pattern operator (`:`, `like`, `regex`) on a non-string value or with a non-string pattern.
pub const PATTERN_TYPE: &str = "E0210";
/// A regular expression that cannot be translated or is invalid.
pub const BAD_REGEX: &str = "E0211";
/// Division by zero or overflow in constant arithmetic.
pub const ARITH: &str = "E0213";
/// An unknown function.
pub const UNKNOWN_FUNCTION: &str = "E0214";
/// `~` on a function that has no case-insensitive form.
pub const NO_INSENSITIVE: &str = "E0215";
/// Wrong number of function arguments.
pub const ARITY: &str = "E0216";
/// An argument of the wrong type, or one that must be a constant.
pub const ARG_TYPE: &str = "E0217";
/// An invalid CIDR block.
pub const BAD_CIDR: &str = "E0218";
/// A constant function call that fails (e.g. `number("abc")`).
pub const CONST_EVAL: &str = "E0219";
/// Sequence or sample stages with different numbers of join keys.
pub const KEY_COUNT: &str = "E0220";
/// An invalid `maxspan`.
pub const MAXSPAN: &str = "E0221";
/// An invalid `with runs=N`.
pub const RUNS: &str = "E0222";
/// Misused missing-event stages `![…]`.
pub const MISSING_STAGE: &str = "E0223";
/// Too few stages.
pub const STAGE_COUNT: &str = "E0224";
/// A pipe other than `head` / `tail`.
pub const PIPE: &str = "E0225";
/// A bad pipe argument.
pub const PIPE_ARG: &str = "E0226";
/// A condition that is not boolean.
pub const NOT_BOOLEAN: &str = "E0227";
