//! Validated scalar metadata: severity, risk score, schedule interval, language and maturity.
//!
//! Validation happens inside `Deserialize`, through visitors, so that TOML and YAML both report
//! the error at the offending value. Error messages start with fixed prefixes
//! (`invalid severity`, `invalid risk score`, …) that [`crate::errors::ErrorKind::classify`]
//! maps to stable codes.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// How bad a match is, as Elastic rules grade it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Severity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("one of \"low\", \"medium\", \"high\", \"critical\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Severity, E> {
                Severity::parse(v).ok_or_else(|| {
                    E::custom(format!(
                        "invalid severity `{v}`: expected one of low, medium, high, critical"
                    ))
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// A risk score from 0 to 100 inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RiskScore(u8);

impl RiskScore {
    pub const MAX: u8 = 100;

    /// `None` when `v` is above 100.
    pub fn new(v: u8) -> Option<RiskScore> {
        (v <= Self::MAX).then_some(RiskScore(v))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl<'de> Deserialize<'de> for RiskScore {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RiskScore;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer from 0 to 100")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RiskScore, E> {
                u8::try_from(v)
                    .ok()
                    .and_then(RiskScore::new)
                    .ok_or_else(|| {
                        E::custom(format!("invalid risk score {v}: must be from 0 to 100"))
                    })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RiskScore, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        d.deserialize_i64(V)
    }
}

/// A schedule interval such as `5m`: digits followed by one of `s`, `m`, `h`, `d`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Interval(String);

impl Interval {
    /// Parses `5m`, `60m`, `6h`, `30s`, `1d`.
    pub fn parse(s: &str) -> Option<Interval> {
        Interval::seconds_of(s).map(|_| Interval(s.to_string()))
    }

    fn seconds_of(s: &str) -> Option<u64> {
        let unit = s.chars().last()?;
        let digits = &s[..s.len() - unit.len_utf8()];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = digits.parse().ok()?;
        let mult = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        n.checked_mul(mult)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The interval in seconds.
    pub fn seconds(&self) -> u64 {
        Interval::seconds_of(&self.0).unwrap_or(0)
    }
}

impl Default for Interval {
    /// Elastic's default schedule: every five minutes.
    fn default() -> Self {
        Interval("5m".to_string())
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Interval;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an interval such as \"5m\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Interval, E> {
                Interval::parse(v).ok_or_else(|| {
                    E::custom(format!(
                        "invalid value `{v}` for an interval: expected digits and a unit s, m, h or d (e.g. \"5m\")"
                    ))
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// The query language a rule is written in. Only EQL rules run on this engine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    Eql,
    /// Any other language (`kuery`, `lucene`, `esql`, …), kept as written.
    Other(String),
}

impl Language {
    pub fn as_str(&self) -> &str {
        match self {
            Language::Eql => "eql",
            Language::Other(s) => s,
        }
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(if s == "eql" {
            Language::Eql
        } else {
            Language::Other(s)
        })
    }
}

/// Where a rule is in its life cycle (Elastic's `metadata.maturity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Maturity {
    Development,
    Experimental,
    Beta,
    Production,
    Deprecated,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_parses_units_and_rejects_junk() {
        assert_eq!(Interval::parse("5m").map(|i| i.seconds()), Some(300));
        assert_eq!(Interval::parse("6h").map(|i| i.seconds()), Some(21_600));
        assert_eq!(Interval::parse("m"), None);
        assert_eq!(Interval::parse("5"), None);
        assert_eq!(Interval::parse("5é"), None);
        assert_eq!(Interval::parse(""), None);
    }

    #[test]
    fn risk_score_bounds() {
        assert_eq!(RiskScore::new(100).map(RiskScore::get), Some(100));
        assert_eq!(RiskScore::new(101), None);
    }
}
