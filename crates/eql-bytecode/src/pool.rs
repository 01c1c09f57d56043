//! Constant pools: scalar constants and the pooled matchers instructions refer to by index.
//! Pools are plain data; the VM compiles matchers (automata, hash sets, ranges) when it loads
//! a program.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// A scalar constant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConstVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Ip(IpAddr),
}

impl fmt::Display for ConstVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConstVal::Null => f.write_str("null"),
            ConstVal::Bool(b) => write!(f, "{b}"),
            ConstVal::Int(i) => write!(f, "{i}"),
            ConstVal::Float(x) => write!(f, "{x:?}"),
            ConstVal::Str(s) => write!(f, "{s:?}"),
            ConstVal::Ip(ip) => write!(f, "ip {ip}"),
        }
    }
}

/// A set of constants for membership tests. Strings of a case-insensitive set are stored
/// ASCII-lowercased.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConstSet {
    pub items: Vec<ConstVal>,
    pub case_insensitive: bool,
}

/// Whole-value wildcard patterns (`*` any run, `?` one character), any of which may match.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WildcardSet {
    pub patterns: Vec<String>,
    pub case_insensitive: bool,
}

/// Regular expressions in `regex-syntax` syntax, anchored, any of which may match.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegexSet {
    pub patterns: Vec<String>,
    pub case_insensitive: bool,
}

/// IP networks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CidrSet {
    pub nets: Vec<ipnet::IpNet>,
}

/// All pools of a program.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pools {
    pub consts: Vec<ConstVal>,
    pub sets: Vec<ConstSet>,
    pub wildcards: Vec<WildcardSet>,
    pub regexes: Vec<RegexSet>,
    pub cidrs: Vec<CidrSet>,
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("{i:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for ConstSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}]",
            if self.case_insensitive { "ci " } else { "" },
            list(&self.items)
        )
    }
}

impl fmt::Display for WildcardSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}]",
            if self.case_insensitive { "ci " } else { "" },
            quoted(&self.patterns)
        )
    }
}

impl fmt::Display for RegexSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}]",
            if self.case_insensitive { "ci " } else { "" },
            quoted(&self.patterns)
        )
    }
}

impl fmt::Display for CidrSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", list(&self.nets))
    }
}
