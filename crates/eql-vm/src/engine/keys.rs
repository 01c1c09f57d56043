//! Join keys and event ordinals: key values that hash and order, the Cartesian product of a
//! stage's multi-valued keys, and the (timestamp, tiebreaker, arrival) order of events.

use crate::event::{EventBuf, Value};
use crate::machine::{value_scalar, Loaded, Machine};
use crate::value::{canonical, Scalar};
use eql_bytecode::{KeyDef, KeySource};
use smallvec::SmallVec;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::Arc;

/// One join-key value. Keys compare exactly (case- and type-sensitive).
#[derive(Debug, Clone)]
pub enum KeyVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Box<str>),
    Ip(IpAddr),
    /// Epoch nanoseconds.
    Date(i64),
}

impl KeyVal {
    pub fn from_scalar(s: Scalar<'_>) -> KeyVal {
        match s {
            Scalar::Null | Scalar::Object => KeyVal::Null,
            Scalar::Bool(b) => KeyVal::Bool(b),
            Scalar::Int(i) => KeyVal::Int(i),
            Scalar::Float(x) => KeyVal::Float(x),
            Scalar::Str(s) => KeyVal::Str(s.into()),
            Scalar::Ip(ip) => KeyVal::Ip(canonical(ip)),
            Scalar::Date(d) => KeyVal::Date(d),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            KeyVal::Null => 0,
            KeyVal::Bool(_) => 1,
            KeyVal::Int(_) | KeyVal::Float(_) | KeyVal::Date(_) => 2,
            KeyVal::Ip(_) => 3,
            KeyVal::Str(_) => 4,
        }
    }

    /// The key as text, as Elasticsearch reports join keys (`null` for null).
    pub fn to_text(&self) -> String {
        match self {
            KeyVal::Null => "null".into(),
            KeyVal::Bool(b) => b.to_string(),
            KeyVal::Int(i) => i.to_string(),
            KeyVal::Float(x) => x.to_string(),
            KeyVal::Str(s) => s.to_string(),
            KeyVal::Ip(ip) => ip.to_string(),
            KeyVal::Date(ns) => {
                let mut s = String::new();
                crate::time::format_rfc3339(*ns, &mut s);
                s
            }
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            KeyVal::Null => serde_json::Value::Null,
            KeyVal::Bool(b) => (*b).into(),
            KeyVal::Int(i) => (*i).into(),
            KeyVal::Float(x) => {
                serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, Into::into)
            }
            _ => self.to_text().into(),
        }
    }
}

impl PartialEq for KeyVal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for KeyVal {}

impl PartialOrd for KeyVal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyVal {
    /// Null first, then booleans, numbers, IPs, strings (by code point).
    fn cmp(&self, other: &Self) -> Ordering {
        use KeyVal::*;
        match (self, other) {
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) | (Date(a), Date(b)) | (Int(a), Date(b)) | (Date(a), Int(b)) => {
                a.cmp(b)
            }
            (Float(a), Float(b)) => a.total_cmp(b),
            (Int(a), Float(b)) | (Date(a), Float(b)) => (*a as f64).total_cmp(b),
            (Float(a), Int(b)) | (Float(a), Date(b)) => a.total_cmp(&(*b as f64)),
            (Ip(a), Ip(b)) => a.cmp(b),
            (Str(a), Str(b)) => a.cmp(b),
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }
}

impl Hash for KeyVal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.rank().hash(state);
        match self {
            KeyVal::Null => {}
            KeyVal::Bool(b) => b.hash(state),
            // Numbers equal across int/float/date must hash alike.
            KeyVal::Int(i) | KeyVal::Date(i) => (*i as f64).to_bits().hash(state),
            KeyVal::Float(x) => x.to_bits().hash(state),
            KeyVal::Str(s) => s.hash(state),
            KeyVal::Ip(ip) => ip.hash(state),
        }
    }
}

/// A composite join key.
pub type KeyTuple = SmallVec<[KeyVal; 2]>;

/// Position of an event in the stream: timestamp, tiebreaker (null last), arrival.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ordinal {
    pub ts: i64,
    /// `(false, value)` for a present tiebreaker, `(true, Null)` for none: nulls sort last.
    pub tiebreak: (bool, KeyVal),
    pub seq: u64,
}

impl Ordinal {
    /// Whether `self` and `other` are the same position with tiebreakers of the same type:
    /// stricter than `==`, under which an integer tiebreaker equals the same float.
    pub fn same_as(&self, other: &Ordinal) -> bool {
        let (a, b) = (&self.tiebreak.1, &other.tiebreak.1);
        self.ts == other.ts
            && self.seq == other.seq
            && self.tiebreak.0 == other.tiebreak.0
            && std::mem::discriminant(a) == std::mem::discriminant(b)
            && a == b
    }
}

/// An event kept because it matched a stage: its line and where it sits in the stream.
#[derive(Debug)]
pub struct StoredEvent {
    pub line: Arc<str>,
    /// Where the event sits in the query's order (its timestamp field, tiebreaker, arrival).
    pub ord: Ordinal,
}

impl StoredEvent {
    /// A stored event for unit tests: line `n`, at time `n`, tiebreaker `n`, arrival `n`.
    #[cfg(test)]
    pub(crate) fn numbered(n: i64) -> Arc<StoredEvent> {
        Arc::new(StoredEvent {
            line: Arc::from(n.to_string().as_str()),
            ord: Ordinal {
                ts: n,
                tiebreak: (false, KeyVal::Int(n)),
                seq: n as u64,
            },
        })
    }
}

/// The distinct join-key combinations of an event for a stage's keys; empty when a required
/// key is null or missing (such an event cannot join).
pub fn key_tuples(
    keys: &[KeyDef],
    loaded: &Loaded,
    m: &mut Machine,
    ev: &EventBuf,
    out: &mut Vec<KeyTuple>,
) {
    out.clear();
    // The common case first: each key one value (or none), so one tuple built in place. A
    // field of several values starts over on the general path below.
    let mut t = KeyTuple::with_capacity(keys.len());
    for k in keys {
        let kv = match k.source {
            KeySource::Slot(slot) => match ev.slot(slot.index()) {
                [] | [Value::Null | Value::Object] => KeyVal::Null,
                [v] => KeyVal::from_scalar(value_scalar(*v, ev)),
                _ => return key_tuples_general(keys, loaded, m, ev, out),
            },
            KeySource::Block(b) => {
                let r = m.run(loaded, b, ev);
                KeyVal::from_scalar(m.scalar(r, loaded, ev))
            }
        };
        if matches!(kv, KeyVal::Null) && !k.optional {
            return;
        }
        t.push(kv);
    }
    out.push(t);
}

/// [`key_tuples`] for any number of values a key: the Cartesian product of each key's distinct
/// values.
fn key_tuples_general(
    keys: &[KeyDef],
    loaded: &Loaded,
    m: &mut Machine,
    ev: &EventBuf,
    out: &mut Vec<KeyTuple>,
) {
    out.clear();
    // Room for every key at once: a tuple of more keys than fit inline spills in one step.
    out.push(KeyTuple::with_capacity(keys.len()));
    let mut values: SmallVec<[KeyVal; 2]> = SmallVec::new();
    for k in keys {
        values.clear();
        match k.source {
            KeySource::Slot(slot) => {
                for v in ev.slot(slot.index()) {
                    if matches!(v, Value::Null | Value::Object) {
                        continue;
                    }
                    let kv = KeyVal::from_scalar(value_scalar(*v, ev));
                    if !values.contains(&kv) {
                        values.push(kv);
                    }
                }
            }
            KeySource::Block(b) => {
                let r = m.run(loaded, b, ev);
                let kv = KeyVal::from_scalar(m.scalar(r, loaded, ev));
                if kv != KeyVal::Null {
                    values.push(kv);
                }
            }
        }
        if values.is_empty() {
            if !k.optional {
                out.clear();
                return;
            }
            values.push(KeyVal::Null);
        }
        if values.len() == 1 {
            if out.len() == 1 {
                // The common case, one tuple so far and one value: the value moves, uncopied.
                if let (Some(t), Some(v)) = (out.first_mut(), values.pop()) {
                    t.push(v);
                }
            } else {
                for t in out.iter_mut() {
                    t.push(values[0].clone());
                }
            }
        } else {
            let prev = std::mem::take(out);
            for t in &prev {
                for v in &values {
                    let mut t = t.clone();
                    t.push(v.clone());
                    out.push(t);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Decoder, Projection};
    use crate::event::SlotKind;
    use eql_bytecode::{Program, Slot};

    #[test]
    fn one_value_keys_give_what_the_general_path_gives() {
        let field = |f: &str, kind| (f.to_string(), kind);
        // Slot 1 is `b` as it comes, or `ip` as IP addresses.
        let proj = Projection::new(&[field("a", SlotKind::Plain), field("b", SlotKind::Plain)]);
        let proj_ip = Projection::new(&[field("a", SlotKind::Plain), field("ip", SlotKind::Ip)]);
        let loaded = Loaded::new(Program::default()).expect("an empty program loads");
        let mut m = Machine::new();
        let key = |slot: u32, optional: bool| KeyDef {
            source: KeySource::Slot(Slot(slot)),
            optional,
        };
        let key_sets = [
            vec![key(0, false)],
            vec![key(0, true)],
            vec![key(0, false), key(1, false)],
            vec![key(0, true), key(1, false)],
            vec![key(0, false), key(1, true)],
            vec![key(1, true), key(0, true)],
            vec![key(0, false), key(1, false), key(0, true)],
        ];
        let lines = [
            r#"{"a": "x", "b": "y"}"#,
            r#"{"a": "x"}"#,
            r#"{"b": 2}"#,
            r#"{"a": null, "b": 1.5}"#,
            r#"{"a": {"c": 1}, "b": true}"#,
            r#"{"a": [], "b": "y"}"#,
            r#"{"a": ["x"], "b": ["y"]}"#,
            r#"{"a": ["x", "x"], "b": "y"}"#,
            r#"{"a": ["x", "z", null], "b": ["y", 3]}"#,
            r#"{"a": [null], "b": [null, null]}"#,
            r#"{"a": "q\"\\", "b": "10.0.0.1"}"#,
            r#"{"a": 7, "ip": "10.0.0.1"}"#,
            r#"{"a": 7, "ip": ["::1", "10.0.0.1"]}"#,
            r#"{}"#,
        ];
        let (mut fast, mut general) = (Vec::new(), Vec::new());
        let mut checked = 0;
        for p in [&proj, &proj_ip] {
            for line in lines {
                let mut buf = EventBuf::new();
                buf.line.extend_from_slice(line.as_bytes());
                Decoder::new()
                    .decode(p, &mut buf)
                    .expect("the test lines decode");
                for keys in &key_sets {
                    key_tuples(keys, &loaded, &mut m, &buf, &mut fast);
                    key_tuples_general(keys, &loaded, &mut m, &buf, &mut general);
                    let exact = |ts: &[KeyTuple]| -> Vec<Vec<String>> {
                        ts.iter()
                            .map(|t| t.iter().map(|v| format!("{v:?}")).collect())
                            .collect()
                    };
                    assert_eq!(exact(&fast), exact(&general), "{line} with {keys:?}");
                    checked += fast.len();
                }
            }
        }
        // Most combinations give tuples: the comparison is not of empty lists.
        assert!(checked > 100, "{checked}");
    }

    fn at(ts: i64, tiebreak: Option<KeyVal>, seq: u64) -> Ordinal {
        Ordinal {
            ts,
            tiebreak: tiebreak.map_or((true, KeyVal::Null), |v| (false, v)),
            seq,
        }
    }

    #[test]
    fn the_same_position_needs_the_same_tiebreaker_type() {
        let int = at(5, Some(KeyVal::Int(1)), 9);
        assert!(int.same_as(&at(5, Some(KeyVal::Int(1)), 9)));
        // Equal in order, but not the same value: a query must keep its own.
        let float = at(5, Some(KeyVal::Float(1.0)), 9);
        assert_eq!(int, float);
        assert!(!int.same_as(&float));
        assert!(!int.same_as(&at(5, Some(KeyVal::Date(1)), 9)));
        assert!(!int.same_as(&at(5, Some(KeyVal::Int(2)), 9)));
        assert!(!int.same_as(&at(6, Some(KeyVal::Int(1)), 9)));
        assert!(!int.same_as(&at(5, Some(KeyVal::Int(1)), 8)));
        // A null tiebreaker and none at all are told apart.
        let none = at(5, None, 9);
        assert!(none.same_as(&at(5, None, 9)));
        assert!(!none.same_as(&at(5, Some(KeyVal::Null), 9)));
        let s = at(5, Some(KeyVal::Str("a\"b".into())), 9);
        assert!(s.same_as(&at(5, Some(KeyVal::Str("a\"b".into())), 9)));
        assert!(!s.same_as(&at(5, Some(KeyVal::Str("a\"c".into())), 9)));
    }
}
