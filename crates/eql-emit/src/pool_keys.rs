//! Keys the emitter finds pooled constants and sets by: equal exactly when the values' `Debug`
//! texts are (what it used to key them by), without formatting every value.

use eql_bytecode::{ConstSet, ConstVal};
use std::net::IpAddr;

/// A constant as a key. Floats keep their `Debug` text, so that `0.0` and `-0.0` stay apart
/// and every NaN is one key, as with the text; every other variant's `Debug` text is told
/// apart by its value alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ConstKey {
    Null,
    Bool(bool),
    Int(i64),
    Float(String),
    Str(String),
    Ip(IpAddr),
}

pub(crate) fn const_key(k: &ConstVal) -> ConstKey {
    match k {
        ConstVal::Null => ConstKey::Null,
        ConstVal::Bool(b) => ConstKey::Bool(*b),
        ConstVal::Int(i) => ConstKey::Int(*i),
        ConstVal::Float(f) => ConstKey::Float(format!("{f:?}")),
        ConstVal::Str(s) => ConstKey::Str(s.clone()),
        ConstVal::Ip(ip) => ConstKey::Ip(*ip),
    }
}

/// A set of constants as a key: its items' keys and its case flag.
pub(crate) fn set_key(s: &ConstSet) -> (Vec<ConstKey>, bool) {
    (s.items.iter().map(const_key).collect(), s.case_insensitive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_equal_exactly_when_debug_texts_are() {
        let values = [
            ConstVal::Null,
            ConstVal::Bool(false),
            ConstVal::Bool(true),
            ConstVal::Int(0),
            ConstVal::Int(1),
            ConstVal::Float(0.0),
            ConstVal::Float(-0.0),
            ConstVal::Float(1.0),
            ConstVal::Float(f64::NAN),
            ConstVal::Float(-f64::NAN),
            ConstVal::Str(String::new()),
            ConstVal::Str("1".into()),
            ConstVal::Str("a\"b".into()),
            ConstVal::Ip("10.0.0.1".parse().expect("ip")),
            ConstVal::Ip("::1".parse().expect("ip")),
        ];
        for a in &values {
            for b in &values {
                let same_text = format!("{a:?}") == format!("{b:?}");
                assert_eq!(const_key(a) == const_key(b), same_text, "{a:?} {b:?}");
            }
        }
        let set = |items: Vec<ConstVal>, case_insensitive| ConstSet {
            items,
            case_insensitive,
        };
        let sets = [
            set(vec![], false),
            set(vec![], true),
            set(vec![ConstVal::Str("a".into())], false),
            set(vec![ConstVal::Str("a".into()), ConstVal::Int(1)], false),
            set(vec![ConstVal::Int(1), ConstVal::Str("a".into())], false),
            set(vec![ConstVal::Float(0.0)], false),
            set(vec![ConstVal::Float(-0.0)], false),
        ];
        for a in &sets {
            for b in &sets {
                let same_text = format!("{a:?}") == format!("{b:?}");
                assert_eq!(set_key(a) == set_key(b), same_text, "{a:?} {b:?}");
            }
        }
    }
}
