//! TOML plumbing shared by the three TOML layouts: a key → span index built from toml's spanned
//! document, serde errors turned into diagnostics naming key and position, the query's origin,
//! and conversion of unmodelled values to JSON.

use crate::errors::{join_key, quoted_name, ErrorKind, FileDiagnostic, SourceFile};
use crate::model::{QueryMapping, QueryOrigin};
use eql_parser::diag::line_col;
use eql_parser::Span;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::ops::Range;
use std::sync::Arc;
use toml::de::{DeTable, DeValue};

/// One key of the document: its dotted path (a range of `TomlDoc::paths`), where the key is
/// written and where its value is.
#[derive(Debug, Clone)]
struct Entry {
    path: Range<usize>,
    key: Range<usize>,
    value: Range<usize>,
}

/// Every key of a TOML document with its spans, and the document as plain values.
pub(crate) struct TomlDoc {
    /// The entries' paths, one after the other (one buffer instead of a string per key).
    paths: String,
    entries: Vec<Entry>,
    pub table: toml::Table,
}

impl TomlDoc {
    /// Parses `file`; a syntax error becomes an `E0301` diagnostic.
    pub fn parse(file: &Arc<SourceFile>) -> Result<TomlDoc, Box<FileDiagnostic>> {
        let text: &str = &file.text;
        let de = DeTable::parse(text).map_err(|e| Box::new(syntax_error(file, &e)))?;
        let mut index = Index::default();
        index_table(de.get_ref(), &mut String::new(), &mut index);
        let Index { paths, entries } = index;
        // The plain values from the spanned ones, without parsing the text again (should that
        // ever fail, parsing the text gives the error its context).
        let table = match toml::Table::deserialize(toml::de::Deserializer::from(de)) {
            Ok(table) => table,
            Err(_) => text.parse().map_err(|e| Box::new(syntax_error(file, &e)))?,
        };
        Ok(TomlDoc {
            paths,
            entries,
            table,
        })
    }

    /// The span of a key's value (`rule.query`, `threat[0].tactic.id`).
    pub fn value_span(&self, path: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|e| self.paths.get(e.path.clone()) == Some(path))
            .map(|e| Span::new(e.value.start, e.value.end))
    }

    /// The key whose key or value span best covers `span`.
    fn path_at(&self, span: &Range<usize>) -> Option<&str> {
        if span.is_empty() && span.start == 0 {
            return None;
        }
        let covers = |r: &Range<usize>| r.start <= span.start && span.end <= r.end;
        self.entries
            .iter()
            .filter(|e| e.key == *span || covers(&e.value) || covers(&e.key))
            .min_by_key(|e| (e.value.len().min(e.key.len()), usize::MAX - e.path.len()))
            .and_then(|e| self.paths.get(e.path.clone()))
    }

    /// Deserializes the document into `T`, turning the serde error into a diagnostic. From the
    /// values already parsed; only a document that does not fit `T` is parsed again, for an
    /// error that carries its position.
    pub fn deserialize<T: DeserializeOwned>(
        &self,
        file: &Arc<SourceFile>,
    ) -> Result<T, Box<FileDiagnostic>> {
        if let Ok(t) = toml::Value::Table(self.table.clone()).try_into() {
            return Ok(t);
        }
        toml::from_str(&file.text).map_err(|e| Box::new(self.serde_error(file, &e)))
    }

    fn serde_error(&self, file: &Arc<SourceFile>, e: &toml::de::Error) -> FileDiagnostic {
        let span = e.span().unwrap_or(0..0);
        let at = self.path_at(&span).unwrap_or("").to_string();
        let kind = ErrorKind::classify(e.message());
        let span = Span::new(span.start, span.end);
        serde_diagnostic(file, kind, e.message(), &at, span)
    }
}

/// Builds the diagnostic for a serde error of `kind` about the key at path `at`.
pub(crate) fn serde_diagnostic(
    file: &Arc<SourceFile>,
    kind: ErrorKind,
    message: &str,
    at: &str,
    span: Span,
) -> FileDiagnostic {
    match kind {
        ErrorKind::UnknownKey => {
            let field = quoted_name(message).unwrap_or("?");
            // toml points at the unknown key itself, so `at` already ends with it
            let key = if at.ends_with(field) {
                at.to_string()
            } else {
                join_key(at, field)
            };
            let mut d = kind
                .diagnostic(span, format!("unknown key `{key}`"))
                .with_label("unknown key");
            if let Some((_, expected)) = message.split_once(", expected ") {
                d = d.with_hint(unknown_key_hint(field, expected));
            }
            FileDiagnostic::new(file, kind, Some(key), d)
        }
        ErrorKind::MissingKey => {
            let field = quoted_name(message).unwrap_or("?");
            let key = join_key(at, field);
            let label = if at.is_empty() {
                "in this file".to_string()
            } else {
                format!("in `{at}`")
            };
            let d = kind
                .diagnostic(span, format!("missing required key `{key}`"))
                .with_label(label);
            FileDiagnostic::new(file, kind, Some(key), d)
        }
        _ if at.is_empty() => FileDiagnostic::new(file, kind, None, kind.diagnostic(span, message)),
        _ => {
            let d = kind
                .diagnostic(span, format!("`{at}`: {message}"))
                .with_label(message.to_string());
            FileDiagnostic::new(file, kind, Some(at.to_string()), d)
        }
    }
}

/// "did you mean `x`?" when a known key is close; the list of keys when it is short.
fn unknown_key_hint(field: &str, expected: &str) -> String {
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let close = known
        .iter()
        .map(|k| (edit_distance(field, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min();
    match close {
        Some((_, k)) => format!("did you mean `{k}`?"),
        None if known.len() <= 8 => format!("expected {expected}"),
        None => "the keys are listed in docs/rules.md".to_string(),
    }
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn syntax_error(file: &Arc<SourceFile>, e: &toml::de::Error) -> FileDiagnostic {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim_end();
    let d = ErrorKind::Syntax
        .diagnostic(
            Span::new(span.start, span.end),
            format!("TOML syntax error: {message}"),
        )
        .with_label(message.to_string());
    FileDiagnostic::new(file, ErrorKind::Syntax, None, d)
}

/// The entries being indexed and their paths.
#[derive(Default)]
struct Index {
    paths: String,
    entries: Vec<Entry>,
}

/// Indexes the keys of `t`; `path` holds the table's own path (restored on return).
fn index_table(t: &DeTable<'_>, path: &mut String, out: &mut Index) {
    for (k, v) in t.iter() {
        let len = path.len();
        if len > 0 {
            path.push('.');
        }
        path.push_str(k.get_ref());
        index_value(v.get_ref(), path, k.span(), v.span(), out);
        path.truncate(len);
    }
}

fn index_value(
    v: &DeValue<'_>,
    path: &mut String,
    key: Range<usize>,
    value: Range<usize>,
    out: &mut Index,
) {
    let start = out.paths.len();
    out.paths.push_str(path);
    out.entries.push(Entry {
        path: start..out.paths.len(),
        key: key.clone(),
        value,
    });
    match v {
        DeValue::Table(t) => index_table(t, path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                // Writing to a String cannot fail.
                let _ = write!(path, "[{i}]");
                index_value(item.get_ref(), path, key.clone(), item.span(), out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Where the string value at `span` begins and whether its decoded text equals the raw slice.
pub(crate) fn string_origin(file: &Arc<SourceFile>, span: Span, decoded: &str) -> QueryOrigin {
    let text: &str = &file.text;
    let raw = text.get(span.range()).unwrap_or("");
    let delim = ["'''", "\"\"\"", "'", "\""]
        .into_iter()
        .find(|d| raw.starts_with(d))
        .unwrap_or("");
    let mut start = span.start as usize + delim.len();
    if delim.len() == 3 {
        // a newline right after the opening delimiter is not part of the string
        let rest = text.get(start..).unwrap_or("");
        if rest.starts_with("\r\n") {
            start += 2;
        } else if rest.starts_with('\n') {
            start += 1;
        }
    }
    let end = (span.end as usize).saturating_sub(delim.len()).max(start);
    let verbatim = text.get(start..end) == Some(decoded);
    let (line, column) = line_col(text, start);
    QueryOrigin {
        path: file.path.clone(),
        line: line as u32,
        column: column as u32,
        offset: start,
        mapping: if verbatim {
            QueryMapping::Verbatim
        } else {
            QueryMapping::Approximate
        },
        file_text: Arc::clone(&file.text),
    }
}

/// Converts a TOML value to JSON (datetimes become their TOML text).
pub(crate) fn to_json(v: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Adds to `extra` every key of `table` not in `known`, under `prefix.key`.
pub(crate) fn collect_extra(
    table: Option<&toml::Value>,
    prefix: &str,
    known: &[&str],
    extra: &mut BTreeMap<String, serde_json::Value>,
) {
    let Some(toml::Value::Table(t)) = table else {
        return;
    };
    for (k, v) in t {
        if !known.contains(&k.as_str()) {
            extra.insert(join_key(prefix, k), to_json(v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_spans_follow_nested_tables_and_arrays() {
        let text = "a = 1\n[rule]\nquery = \"q\"\ntags = [\"x\", \"yy\"]\n[[rule.threat]]\nid = \"t0\"\n[[rule.threat]]\nid = \"t1\"\n[rule.threat.tactic]\nname = \"n\"\n[after]\nb = 2\n";
        let file = Arc::new(SourceFile::new("x.toml", text));
        let doc = TomlDoc::parse(&file).expect("parses");
        let at = |path: &str| doc.value_span(path).map(|s| &text[s.range()]);
        assert_eq!(at("a"), Some("1"));
        assert_eq!(at("rule.query"), Some("\"q\""));
        assert_eq!(at("rule.tags[1]"), Some("\"yy\""));
        assert_eq!(at("rule.threat[0].id"), Some("\"t0\""));
        assert_eq!(at("rule.threat[1].id"), Some("\"t1\""));
        assert_eq!(at("rule.threat[1].tactic.name"), Some("\"n\""));
        // Paths do not leak into their siblings: `after` is top level.
        assert_eq!(at("after.b"), Some("2"));
        assert_eq!(at("rule.after.b"), None);
        let span = doc
            .value_span("rule.threat[1].tactic.name")
            .expect("indexed");
        assert_eq!(
            doc.path_at(&span.range()),
            Some("rule.threat[1].tactic.name")
        );
    }
}
