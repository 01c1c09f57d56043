//! MITRE ATT&CK mapping: threat entries with tactic, technique and sub-technique ids validated
//! as `TA` + 4 digits, `T` + 4 digits, and `T` + 4 digits + `.` + 3 digits.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One framework mapping: a tactic and the techniques used for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    /// Always `MITRE ATT&CK` in Elastic's rules.
    pub framework: String,
    pub tactic: Tactic,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<Technique>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tactic {
    pub id: TacticId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Technique {
    pub id: TechniqueId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtechniques: Vec<Subtechnique>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subtechnique {
    pub id: SubtechniqueId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Checks an id against one of the three ATT&CK id shapes.
fn shape_ok(kind: IdKind, s: &str) -> bool {
    match kind {
        IdKind::Tactic => s.strip_prefix("TA").is_some_and(|d| digits(d, 4)),
        IdKind::Technique => s.strip_prefix('T').is_some_and(|d| digits(d, 4)),
        IdKind::Subtechnique => s
            .strip_prefix('T')
            .and_then(|d| d.split_once('.'))
            .is_some_and(|(a, b)| digits(a, 4) && digits(b, 3)),
    }
}

#[derive(Clone, Copy)]
enum IdKind {
    Tactic,
    Technique,
    Subtechnique,
}

impl IdKind {
    fn describe(self) -> (&'static str, &'static str) {
        match self {
            IdKind::Tactic => ("tactic", "TA followed by 4 digits, e.g. TA0002"),
            IdKind::Technique => ("technique", "T followed by 4 digits, e.g. T1059"),
            IdKind::Subtechnique => (
                "sub-technique",
                "T, 4 digits, a dot and 3 digits, e.g. T1059.004",
            ),
        }
    }
}

fn deserialize_id<'de, D: Deserializer<'de>>(d: D, kind: IdKind) -> Result<String, D::Error> {
    struct V(IdKind);
    impl Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an ATT&CK {} id", self.0.describe().0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            if shape_ok(self.0, v) {
                Ok(v.to_string())
            } else {
                let (what, shape) = self.0.describe();
                Err(E::custom(format!(
                    "invalid ATT&CK {what} id `{v}`: expected {shape}"
                )))
            }
        }
    }
    d.deserialize_str(V(kind))
}

macro_rules! attack_id {
    ($(#[$m:meta])* $name:ident, $kind:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// `None` unless `s` has the right shape.
            pub fn new(s: &str) -> Option<$name> {
                shape_ok($kind, s).then(|| $name(s.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                deserialize_id(d, $kind).map($name)
            }
        }
    };
}

attack_id!(
    /// A tactic id such as `TA0002`.
    TacticId,
    IdKind::Tactic
);
attack_id!(
    /// A technique id such as `T1059`.
    TechniqueId,
    IdKind::Technique
);
attack_id!(
    /// A sub-technique id such as `T1059.004`.
    SubtechniqueId,
    IdKind::Subtechnique
);

impl SubtechniqueId {
    /// The technique this sub-technique belongs to (`T1059` for `T1059.004`).
    pub fn parent(&self) -> &str {
        self.0.split_once('.').map_or(self.0.as_str(), |(a, _)| a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_shapes() {
        assert!(TacticId::new("TA0002").is_some());
        assert!(TacticId::new("TA002").is_none());
        assert!(TacticId::new("T0002").is_none());
        assert!(TechniqueId::new("T1059").is_some());
        assert!(TechniqueId::new("T1059.004").is_none());
        assert!(SubtechniqueId::new("T1059.004").is_some());
        assert!(SubtechniqueId::new("T1059.04").is_none());
        assert!(SubtechniqueId::new("T1059").is_none());
        assert_eq!(
            SubtechniqueId::new("T1059.004")
                .map(|s| s.parent().to_string())
                .as_deref(),
            Some("T1059")
        );
    }
}
