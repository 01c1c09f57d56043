//! Comparing a query's outcome with its spec: ids exactly (or any one alternative), join keys
//! as strings when the spec lists them.

use super::runner::Outcome;
use super::specfile::SpecQuery;

/// Why a query failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Planning or running failed.
    Error(String),
    /// Different results.
    Mismatch { ids: bool, keys: bool },
}

/// `None` when the outcome matches the spec.
pub fn check(q: &SpecQuery, got: &Result<Outcome, String>) -> Option<Failure> {
    let out = match got {
        Ok(o) => o,
        Err(e) => return Some(Failure::Error(e.clone())),
    };
    let ids_ok = q.expected.contains(&out.ids);
    let keys_ok = match &q.join_keys {
        Some(k) => *k == out.keys,
        None => true,
    };
    (!ids_ok || !keys_ok).then_some(Failure::Mismatch {
        ids: !ids_ok,
        keys: !keys_ok,
    })
}

/// One line describing a failure.
pub fn describe(file: &str, q: &SpecQuery, got: &Result<Outcome, String>, f: &Failure) -> String {
    let query = q.query.split_whitespace().collect::<Vec<_>>().join(" ");
    let expected = match q.expected.as_slice() {
        [one] => format!("{one:?}"),
        alts => format!(
            "one of {}",
            alts.iter()
                .map(|a| format!("{a:?}"))
                .collect::<Vec<_>>()
                .join(" | ")
        ),
    };
    match (f, got) {
        (Failure::Error(e), _) => format!(
            "FAIL {file} {}: {query}\n  expected {expected}\n  error: {}",
            q.name,
            e.replace('\n', "\n    ")
        ),
        (Failure::Mismatch { keys, .. }, Ok(out)) => {
            let mut s = format!(
                "FAIL {file} {}: {query}\n  expected {expected}\n  actual   {:?}",
                q.name, out.ids
            );
            if let (true, Some(k)) = (keys, &q.join_keys) {
                s.push_str(&format!(
                    "\n  expected join keys {k:?}\n  actual join keys   {:?}",
                    out.keys
                ));
            }
            s
        }
        (Failure::Mismatch { .. }, Err(e)) => format!("FAIL {file} {}: {e}", q.name),
    }
}
