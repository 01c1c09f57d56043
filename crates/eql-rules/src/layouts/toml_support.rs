//! TOML plumbing shared by the three TOML layouts: a key → span index built from toml's spanned
//! document, serde errors turned into diagnostics naming key and position, the query's origin,
//! and conversion of unmodelled values to JSON.

use crate::errors::{join_key, quoted_name, ErrorKind, FileDiagnostic, SourceFile};
use crate::model::{QueryMapping, QueryOrigin};
use eql_parser::diag::line_col;
use eql_parser::Span;
use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::ops::Range;
use std::sync::Arc;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One key of the document: its dotted path (a range of `TomlDoc::paths`), where the key is
/// written and where its value is.
#[derive(Debug, Clone)]
struct Entry {
    path: Range<usize>,
    key: Range<usize>,
    value: Range<usize>,
}

/// A parsed TOML document: toml's spanned tree, borrowing the file's text. Plain values are
/// made from it only for the keys a layout keeps as they are (see [`plain_json`]).
pub(crate) struct TomlDoc<'a> {
    de: Spanned<DeTable<'a>>,
}

impl<'a> TomlDoc<'a> {
    /// Parses `file`; a syntax error becomes an `E0301` diagnostic.
    pub fn parse(file: &'a Arc<SourceFile>) -> Result<TomlDoc<'a>, Box<FileDiagnostic>> {
        let text: &'a str = &file.text;
        let de = DeTable::parse(text).map_err(|e| Box::new(syntax_error(file, &e)))?;
        // A document whose numbers have no plain value (an integer beyond i64) is rejected
        // with the error parsing the text into plain values gives.
        if !numbers_convert(de.get_ref()) {
            text.parse::<toml::Table>()
                .map_err(|e| Box::new(syntax_error(file, &e)))?;
        }
        Ok(TomlDoc { de })
    }

    /// The document's top-level table.
    pub fn table(&self) -> &DeTable<'a> {
        self.de.get_ref()
    }

    /// The span of a key's value (`rule.query`, `threat[0].tactic.id`): the first key, in
    /// document order, whose dotted path is `path`, found by walking only the keys on the way.
    pub fn value_span(&self, path: &str) -> Option<Span> {
        find_in_table(self.de.get_ref(), path, 0).map(|r| Span::new(r.start, r.end))
    }

    /// The key whose key or value span best covers `span`.
    fn path_at(&self, span: &Range<usize>) -> Option<String> {
        if span.is_empty() && span.start == 0 {
            return None;
        }
        let mut index = Index::default();
        index_table(self.de.get_ref(), &mut String::new(), &mut index);
        let covers = |r: &Range<usize>| r.start <= span.start && span.end <= r.end;
        index
            .entries
            .iter()
            .filter(|e| e.key == *span || covers(&e.value) || covers(&e.key))
            .min_by_key(|e| (e.value.len().min(e.key.len()), usize::MAX - e.path.len()))
            .and_then(|e| index.paths.get(e.path.clone()))
            .map(str::to_string)
    }

    /// Deserializes the document into `T`, turning the serde error into a diagnostic. From the
    /// tree already parsed; only a document that does not fit `T` is parsed again, for an
    /// error that carries its position.
    pub fn deserialize<T: DeserializeOwned>(
        &self,
        file: &Arc<SourceFile>,
    ) -> Result<T, Box<FileDiagnostic>> {
        if let Ok(t) = T::deserialize(toml::de::Deserializer::from(self.de.clone())) {
            return Ok(t);
        }
        toml::from_str(&file.text).map_err(|e| Box::new(self.serde_error(file, &e)))
    }

    fn serde_error(&self, file: &Arc<SourceFile>, e: &toml::de::Error) -> FileDiagnostic {
        let span = e.span().unwrap_or(0..0);
        let at = self.path_at(&span).unwrap_or_default();
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

/// The value span of the first key under `t` (in the order `index_table` lists them) whose
/// path is `want`, when `want[..pos]` is the table's own path.
fn find_in_table(t: &DeTable<'_>, want: &str, pos: usize) -> Option<Range<usize>> {
    for (k, v) in t.iter() {
        let mut p = pos;
        if p > 0 {
            if !want[p..].starts_with('.') {
                return None;
            }
            p += 1;
        }
        let key: &str = k.get_ref();
        if want[p..].starts_with(key) {
            if let Some(r) = find_in_value(v.get_ref(), v.span(), want, p + key.len()) {
                return Some(r);
            }
        }
    }
    None
}

/// As [`find_in_table`], for a value whose path is `want[..pos]`.
fn find_in_value(
    v: &DeValue<'_>,
    span: Range<usize>,
    want: &str,
    pos: usize,
) -> Option<Range<usize>> {
    if pos == want.len() {
        return Some(span);
    }
    match v {
        DeValue::Table(t) => find_in_table(t, want, pos),
        DeValue::Array(items) => {
            // `[i]`, `i` written as `write!` writes it: decimal digits, no sign or leading zero
            let rest = want[pos..].strip_prefix('[')?;
            let (digits, _) = rest.split_once(']')?;
            let canonical = digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'));
            let i: usize = digits.parse().ok().filter(|_| canonical)?;
            let item = items.get(i)?;
            find_in_value(item.get_ref(), item.span(), want, pos + digits.len() + 2)
        }
        _ => None,
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
fn to_json(v: &toml::Value) -> serde_json::Value {
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
    table: Option<&Spanned<DeValue<'_>>>,
    prefix: &str,
    known: &[&str],
    extra: &mut BTreeMap<String, serde_json::Value>,
) {
    let Some(DeValue::Table(t)) = table.map(Spanned::get_ref) else {
        return;
    };
    for (k, v) in t.iter() {
        let k: &str = k.get_ref();
        if !known.contains(&k) {
            extra.insert(join_key(prefix, k), plain_json(v));
        }
    }
}

/// A value of the spanned tree as JSON, through its plain TOML value (as `toml::Table` reads
/// it). [`TomlDoc::parse`] has checked that every number has one, so the conversion does not
/// fail; should it, the value is `null`.
pub(crate) fn plain_json(v: &Spanned<DeValue<'_>>) -> serde_json::Value {
    toml::Value::deserialize(v.clone().into_deserializer())
        .map_or(serde_json::Value::Null, |v| to_json(&v))
}

/// Whether every integer and float under `t` has a plain TOML value (the only values whose
/// conversion can fail).
fn numbers_convert(t: &DeTable<'_>) -> bool {
    t.values().all(value_converts)
}

fn value_converts(v: &Spanned<DeValue<'_>>) -> bool {
    match v.get_ref() {
        DeValue::Integer(_) | DeValue::Float(_) => {
            toml::Value::deserialize(v.clone().into_deserializer()).is_ok()
        }
        DeValue::Table(t) => numbers_convert(t),
        DeValue::Array(items) => items.iter().all(value_converts),
        DeValue::String(_) | DeValue::Boolean(_) | DeValue::Datetime(_) => true,
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
            doc.path_at(&span.range()).as_deref(),
            Some("rule.threat[1].tactic.name")
        );
    }

    /// `value_span` walks the tree; it must find what a search of the full index finds, for
    /// every key, including quoted keys holding dots or brackets and empty keys.
    #[test]
    fn value_span_agrees_with_the_index() {
        let text = "\"\" = { x = 1 }\nx = 2\n\"a.b\" = 3\n\"a[0]\" = 4\na = [[5, 6], { b = 7 }, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]\n[rule]\n\"q.r\" = 5\n\"\" = 6\n[rule.q]\nr = 7\n[[t]]\nu = [{ v = 1 }, { v = 2 }]\n[[t]]\nu = []\n";
        let file = Arc::new(SourceFile::new("x.toml", text));
        let doc = TomlDoc::parse(&file).expect("parses");
        let mut index = Index::default();
        index_table(doc.de.get_ref(), &mut String::new(), &mut index);
        assert!(index.entries.len() > 25);
        for e in &index.entries {
            let path = &index.paths[e.path.clone()];
            let first = index
                .entries
                .iter()
                .find(|f| &index.paths[f.path.clone()] == path)
                .map(|f| Span::new(f.value.start, f.value.end));
            assert_eq!(doc.value_span(path), first, "{path}");
        }
        for missing in [
            "a[01]",
            "a[+1]",
            "a[12]",
            "a[1].c",
            "t[1].u[0]",
            "rule.x",
            "zz",
            "a[1",
        ] {
            assert_eq!(doc.value_span(missing), None, "{missing}");
        }
        assert_eq!(
            doc.value_span("a[11]").map(|s| &text[s.range()]),
            Some("17")
        );
    }

    /// The kept keys' JSON comes from the spanned tree as it came from the plain table.
    #[test]
    fn plain_json_matches_the_plain_table() {
        let text = "a = 1979-05-27T07:32:00Z\nb = 0x1f\nc = [1.5, inf, \"s\\u00e9\", { d = [true] }]\n[e]\nf = 1979-05-27\ng = -3\n[[h]]\ni = 'x'\n";
        let file = Arc::new(SourceFile::new("x.toml", text));
        let doc = TomlDoc::parse(&file).expect("parses");
        let plain: toml::Table = text.parse().expect("parses");
        assert_eq!(doc.table().len(), plain.len());
        for (k, v) in doc.table().iter() {
            let key: &str = k.get_ref();
            assert_eq!(plain_json(v), to_json(&plain[key]), "{key}");
        }
        let mut extra = BTreeMap::new();
        collect_extra(doc.table().get("e"), "e", &["g"], &mut extra);
        assert_eq!(
            extra,
            BTreeMap::from([("e.f".to_string(), to_json(&plain["e"]["f"]))])
        );
    }

    /// A number with no plain value rejects the document with the plain parse's error.
    #[test]
    fn numbers_without_a_plain_value_are_syntax_errors() {
        for text in [
            "a = 1\n[b]\nc = [{ d = 99999999999999999999 }]\n",
            "a = 0xffffffffffffffff\n",
        ] {
            let file = Arc::new(SourceFile::new("x.toml", text));
            let Err(err) = TomlDoc::parse(&file) else {
                panic!("{text} parsed");
            };
            let plain = text.parse::<toml::Table>().expect_err("no plain value");
            assert_eq!(err.kind, ErrorKind::Syntax);
            assert_eq!(*err, syntax_error(&file, &plain));
        }
        let fine = Arc::new(SourceFile::new(
            "x.toml",
            "a = 9223372036854775807\nb = -1e300\n",
        ));
        assert!(TomlDoc::parse(&fine).is_ok());
    }
}
