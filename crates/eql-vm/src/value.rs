//! Register values and how they compare: numeric across int/float/date, strings by code
//! point, IPs by address, and Elasticsearch's `version` ordering.

use crate::event::{StrRef, Value};
use eql_bytecode::CmpMode;
use std::cmp::Ordering;
use std::net::IpAddr;

/// Where a register's string lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SRef {
    /// In the event (line or scratch).
    Event(StrRef),
    /// A string constant of the program's pool.
    Const(u32),
    /// A temporary produced by a function in this evaluation.
    Temp(u32),
}

/// A register value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(SRef),
    Ip(IpAddr),
    /// Epoch nanoseconds.
    Date(i64),
    /// A JSON object: not null, but equal to nothing.
    Object,
}

impl RVal {
    pub fn from_value(v: Value) -> RVal {
        match v {
            Value::Null => RVal::Null,
            Value::Bool(b) => RVal::Bool(b),
            Value::Int(i) => RVal::Int(i),
            Value::Float(x) => RVal::Float(x),
            Value::Str(s) => RVal::Str(SRef::Event(s)),
            Value::Ip(ip) => RVal::Ip(ip),
            Value::Date(d) => RVal::Date(d),
            Value::Object => RVal::Object,
        }
    }

    pub fn is_true(self) -> bool {
        matches!(self, RVal::Bool(true))
    }
}

/// A value with its string resolved, for comparisons.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Ip(IpAddr),
    Date(i64),
    Object,
}

/// Orders two scalars; `None` when either is null or they cannot be compared.
pub fn compare(a: Scalar<'_>, b: Scalar<'_>, mode: CmpMode) -> Option<Ordering> {
    use Scalar::*;
    if mode == CmpMode::Number {
        return compare_numbers(a, b);
    }
    match (a, b) {
        (Null, _) | (_, Null) | (Object, _) | (_, Object) => None,
        (Str(x), Str(y)) => match mode {
            CmpMode::Value | CmpMode::Number => Some(x.cmp(y)),
            CmpMode::Version => Some(compare_versions(x, y)),
        },
        (Bool(x), Bool(y)) => Some(x.cmp(&y)),
        (Ip(x), Ip(y)) => Some(canonical(x).cmp(&canonical(y))),
        (Ip(x), Str(y)) => y
            .parse::<IpAddr>()
            .ok()
            .map(|y| canonical(x).cmp(&canonical(y))),
        (Str(x), Ip(y)) => x
            .parse::<IpAddr>()
            .ok()
            .map(|x| canonical(x).cmp(&canonical(y))),
        (Int(x), Int(y)) | (Date(x), Date(y)) | (Date(x), Int(y)) | (Int(x), Date(y)) => {
            Some(x.cmp(&y))
        }
        (Int(x), Float(y)) | (Date(x), Float(y)) => (x as f64).partial_cmp(&y),
        (Float(x), Int(y)) | (Float(x), Date(y)) => x.partial_cmp(&(y as f64)),
        (Float(x), Float(y)) => x.partial_cmp(&y),
        _ => None,
    }
}

/// `CmpMode::Number`: both sides as numbers, a string that parses as a number (surrounding
/// whitespace ignored) counting as that number; anything else cannot be compared.
fn compare_numbers(a: Scalar<'_>, b: Scalar<'_>) -> Option<Ordering> {
    fn num(s: Scalar<'_>) -> Option<Scalar<'static>> {
        match s {
            Scalar::Int(i) | Scalar::Date(i) => Some(Scalar::Int(i)),
            Scalar::Float(x) => Some(Scalar::Float(x)),
            Scalar::Str(t) => {
                let t = t.trim();
                t.parse::<i64>().map(Scalar::Int).ok().or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .map(Scalar::Float)
                })
            }
            _ => None,
        }
    }
    compare(num(a)?, num(b)?, CmpMode::Value)
}

/// IPv4-mapped IPv6 addresses compare as the IPv4 address (as Elasticsearch stores them).
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// A parsed semantic version: numeric core, pre-release identifiers.
fn parse_version(s: &str) -> Option<(Vec<u64>, Vec<&str>)> {
    let s = s.split('+').next().unwrap_or(s);
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (s, None),
    };
    let mut nums = Vec::new();
    for part in core.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nums.push(part.parse().ok()?);
    }
    if nums.is_empty() {
        return None;
    }
    let pre = match pre {
        Some("") => return None,
        Some(p) => p.split('.').collect(),
        None => Vec::new(),
    };
    Some((nums, pre))
}

/// Semantic-version order; strings that are not versions sort after all versions, among
/// themselves by code point.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    match (parse_version(a), parse_version(b)) {
        (Some((an, ap)), Some((bn, bp))) => {
            let len = an.len().max(bn.len());
            for i in 0..len {
                let (x, y) = (
                    an.get(i).copied().unwrap_or(0),
                    bn.get(i).copied().unwrap_or(0),
                );
                if x != y {
                    return x.cmp(&y);
                }
            }
            match (ap.is_empty(), bp.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (x, y) in ap.iter().zip(bp.iter()) {
                        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                            (Ok(x), Ok(y)) => x.cmp(&y),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => x.cmp(y),
                        };
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    ap.len().cmp(&bp.len())
                }
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_semantically() {
        assert_eq!(compare_versions("1.2.4", "1.11.3"), Ordering::Less);
        assert_eq!(compare_versions("1.2.4-SNAPSHOT", "1.2.4"), Ordering::Less);
        assert_eq!(compare_versions("1.2.4-SNAPSHOT", "1.5.0"), Ordering::Less);
        assert_eq!(compare_versions("bad", "1.5.0"), Ordering::Greater);
        assert_eq!(compare_versions("bad", "bad"), Ordering::Equal);
        assert_eq!(
            compare_versions("1.0.0-alpha.1", "1.0.0-alpha.beta"),
            Ordering::Less
        );
    }

    #[test]
    fn numbers_compare_across_types() {
        assert_eq!(
            compare(Scalar::Int(3), Scalar::Float(4.5), CmpMode::Value),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare(Scalar::Date(10), Scalar::Int(10), CmpMode::Value),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare(Scalar::Str("a"), Scalar::Int(1), CmpMode::Value),
            None
        );
        assert_eq!(compare(Scalar::Null, Scalar::Null, CmpMode::Value), None);
    }

    #[test]
    fn mapped_ipv6_equals_ipv4() {
        let a: IpAddr = "::ffff:10.0.0.1"
            .parse()
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert_eq!(
            compare(Scalar::Ip(a), Scalar::Str("10.0.0.1"), CmpMode::Value),
            Some(Ordering::Equal)
        );
    }
}
