//! Spec files: Elasticsearch's EQL QA TOML (`[[queries]]` tables with a query, the expected
//! event ids and optionally join keys, `size` and `max_samples_per_key`).

use std::path::Path;

/// One `[[queries]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecQuery {
    pub name: String,
    /// The query text, trimmed.
    pub query: String,
    /// The acceptable id lists: one for a flat list, several for a list of alternatives.
    pub expected: Vec<Vec<i64>>,
    /// Expected join keys as strings, when the spec gives a non-empty list.
    pub join_keys: Option<Vec<String>>,
    pub size: Option<usize>,
    pub max_samples_per_key: Option<usize>,
}

/// Reads and parses one spec file.
pub fn load(path: &Path) -> Result<Vec<SpecQuery>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses spec text. Bare `null` elements of `join_keys` arrays (accepted by Elasticsearch's
/// lenient TOML reader) are read as the string `"null"`.
pub fn parse(text: &str) -> Result<Vec<SpecQuery>, String> {
    let fixed = quote_bare_nulls(text);
    let table: toml::Table = fixed.parse().map_err(|e| format!("{e}"))?;
    let Some(queries) = table.get("queries") else {
        return Ok(Vec::new());
    };
    let queries = queries
        .as_array()
        .ok_or("`queries` is not an array of tables")?;
    let mut out = Vec::with_capacity(queries.len());
    let mut seen = std::collections::HashSet::new();
    for (i, q) in queries.iter().enumerate() {
        let q = q
            .as_table()
            .ok_or_else(|| format!("queries[{i}] is not a table"))?;
        let name = match q.get("name") {
            Some(v) => v
                .as_str()
                .ok_or_else(|| format!("queries[{i}].name is not a string"))?
                .to_string(),
            None => format!("#{}", i + 1),
        };
        if !seen.insert(name.clone()) {
            return Err(format!("duplicate query name {name:?}"));
        }
        let query = q
            .get("query")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("{name}: no `query` string"))?
            .trim()
            .to_string();
        let expected = q
            .get("expected_event_ids")
            .ok_or_else(|| format!("{name}: no `expected_event_ids`"))
            .and_then(|v| expected_ids(v).map_err(|e| format!("{name}: {e}")))?;
        let join_keys = match q.get("join_keys") {
            None => None,
            Some(v) => {
                let list = v
                    .as_array()
                    .ok_or_else(|| format!("{name}: `join_keys` is not a list"))?;
                let keys: Vec<String> = list.iter().map(key_text).collect();
                (!keys.is_empty()).then_some(keys)
            }
        };
        out.push(SpecQuery {
            name: name.clone(),
            query,
            expected,
            join_keys,
            size: count(q, "size").map_err(|e| format!("{name}: {e}"))?,
            max_samples_per_key: count(q, "max_samples_per_key")
                .map_err(|e| format!("{name}: {e}"))?,
        });
    }
    Ok(out)
}

fn count(q: &toml::Table, key: &str) -> Result<Option<usize>, String> {
    match q.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_integer()
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| format!("`{key}` is not a non-negative integer")),
    }
}

fn expected_ids(v: &toml::Value) -> Result<Vec<Vec<i64>>, String> {
    let list = v.as_array().ok_or("`expected_event_ids` is not a list")?;
    if list.iter().all(|x| x.is_integer()) {
        return Ok(vec![list.iter().filter_map(|x| x.as_integer()).collect()]);
    }
    list.iter()
        .map(|alt| {
            alt.as_array()
                .filter(|a| a.iter().all(|x| x.is_integer()))
                .map(|a| a.iter().filter_map(|x| x.as_integer()).collect())
                .ok_or_else(|| "`expected_event_ids` mixes ids and lists".to_string())
        })
        .collect()
}

fn key_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Rewrites bare `null` tokens inside `join_keys = [ ... ]` arrays into `"null"`.
fn quote_bare_nulls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_keys = false;
    for line in text.split_inclusive('\n') {
        if !in_keys && line.trim_start().starts_with("join_keys") {
            in_keys = true;
        }
        if !in_keys {
            out.push_str(line);
            continue;
        }
        let mut in_str = false;
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            if !in_str && rest.starts_with("null") {
                out.push_str("\"null\"");
                rest = &rest[4..];
                continue;
            }
            match c {
                '"' => in_str = !in_str,
                ']' if !in_str => in_keys = false,
                '#' if !in_str => {
                    out.push_str(rest);
                    break;
                }
                _ => {}
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_nulls_in_join_keys_become_strings() {
        let text = "[[queries]]\nname = \"a\"\nquery = ' any where true '\nexpected_event_ids = [1, 2]\njoin_keys = [\"tag1\", null,\n  null]\n";
        let q = parse(text).unwrap();
        assert_eq!(q[0].query, "any where true");
        assert_eq!(q[0].expected, vec![vec![1, 2]]);
        assert_eq!(
            q[0].join_keys.as_deref(),
            Some(&["tag1".to_string(), "null".into(), "null".into()][..])
        );
    }

    #[test]
    fn alternatives_and_duplicates() {
        let text = "[[queries]]\nname = \"a\"\nquery = 'x'\nexpected_event_ids = [[1], [2, -1]]\nsize = 3\n";
        let q = parse(text).unwrap();
        assert_eq!(q[0].expected, vec![vec![1], vec![2, -1]]);
        assert_eq!(q[0].size, Some(3));
        let dup = format!("{text}{text}");
        assert!(parse(&dup).unwrap_err().contains("duplicate"));
    }
}
