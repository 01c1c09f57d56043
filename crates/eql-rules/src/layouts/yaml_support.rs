//! YAML plumbing for the eqlvm YAML layout: serde_yaml errors turned into diagnostics with key
//! and position, top-level key lookup, and where the query text sits in the file.

use super::toml_support::serde_diagnostic;
use crate::errors::{ErrorKind, FileDiagnostic, SourceFile};
use crate::model::{QueryMapping, QueryOrigin};
use eql_parser::diag::line_col;
use eql_parser::Span;
use std::sync::Arc;

/// Lines of `text` with the byte offset each starts at (line terminators excluded).
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let body = piece.strip_suffix('\n').unwrap_or(piece);
        let body = body.strip_suffix('\r').unwrap_or(body);
        out.push((start, body));
        start += piece.len();
    }
    out
}

/// Byte offset of 1-based `line`, `column` (characters) in `text`, clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let all = lines(text);
    let Some(&(start, body)) = all.get(line.saturating_sub(1)) else {
        return text.len();
    };
    let within = body
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(body.len(), |(i, _)| i);
    start + within
}

/// Converts a serde_yaml error into a diagnostic naming key path and position.
pub(crate) fn yaml_error(file: &Arc<SourceFile>, e: &serde_yaml::Error) -> FileDiagnostic {
    let text: &str = &file.text;
    let mut full = e.to_string();
    let mut start = 0;
    if let Some(loc) = e.location() {
        let suffix = format!(" at line {} column {}", loc.line(), loc.column());
        if let Some(cut) = full.find(&suffix) {
            full.truncate(cut);
        }
        start = offset_of(text, loc.line(), loc.column());
    }
    let (path, message) = split_path(&full);
    let kind = ErrorKind::classify(message);
    if message.starts_with("duplicate field") && path.is_empty() {
        // serde_yaml reports a repeated top-level key at the document start; point at the repeat
        let field = crate::errors::quoted_name(message).unwrap_or("");
        let prefix = format!("{field}:");
        if let Some((at, _)) = lines(text)
            .into_iter()
            .filter(|(_, b)| b.starts_with(&prefix))
            .nth(1)
        {
            start = at;
        }
    }
    let line_rest = text.get(start..).unwrap_or("").lines().next().unwrap_or("");
    let len = match kind {
        ErrorKind::UnknownKey => line_rest.find(':').unwrap_or(line_rest.len()),
        _ => line_rest.trim_end().len(),
    };
    let mut d = serde_diagnostic(file, kind, message, path, Span::new(start, start + len));
    if kind == ErrorKind::Syntax {
        d.diagnostic.message = format!("YAML syntax error: {message}");
        d.diagnostic.label = message.to_string();
    }
    d
}

/// Splits serde_yaml's `path.to[0].key: message` into path and message.
fn split_path(s: &str) -> (&str, &str) {
    if let Some((head, tail)) = s.split_once(": ") {
        let is_path = !head.is_empty()
            && head
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '-'));
        if is_path {
            return (head, tail);
        }
    }
    ("", s)
}

/// The span of the value of top-level key `key` (`id: abc` → `abc`), if written on its line.
pub(crate) fn top_level_value_span(text: &str, key: &str) -> Option<Span> {
    let prefix = format!("{key}:");
    lines(text).into_iter().find_map(|(start, body)| {
        let rest = body.strip_prefix(&prefix)?;
        let lead = rest.len() - rest.trim_start().len();
        let value = rest.trim();
        let from = start + prefix.len() + lead;
        Some(Span::new(from, from + value.len()))
    })
}

/// The span of the first occurrence of `needle` in `text`.
pub(crate) fn find_text(text: &str, needle: &str) -> Option<Span> {
    text.find(needle).map(|i| Span::new(i, i + needle.len()))
}

/// Works out where the decoded `query` sits in the file, and how exactly.
pub(crate) fn query_origin(file: &Arc<SourceFile>, query: &str) -> QueryOrigin {
    let text: &str = &file.text;
    let (offset, mapping) = locate_query(text, query).unwrap_or((0, QueryMapping::Approximate));
    let (line, column) = line_col(text, offset);
    QueryOrigin {
        path: file.path.clone(),
        line: line as u32,
        column: column as u32,
        offset,
        mapping,
        file_text: Arc::clone(&file.text),
    }
}

fn locate_query(text: &str, query: &str) -> Option<(usize, QueryMapping)> {
    let all = lines(text);
    let idx = all.iter().position(|(_, b)| b.starts_with("query:"))?;
    let (start, body) = all[idx];
    let rest = &body["query:".len()..];
    let value = rest.split(" #").next().unwrap_or("").trim();
    let value_at = start + "query:".len() + (rest.len() - rest.trim_start().len());
    if let Some(header) = value.strip_prefix('|') {
        let content = all.get(idx + 1..).unwrap_or(&[]);
        let explicit = header
            .chars()
            .find_map(|c| c.to_digit(10))
            .map(|d| d as usize);
        let indent = explicit.or_else(|| {
            content
                .iter()
                .find(|(_, b)| !b.trim().is_empty())
                .map(|(_, b)| b.len() - b.trim_start().len())
        })?;
        let first = content.first()?;
        let exact = block_matches(content, indent, query);
        let mapping = if exact {
            QueryMapping::Indented {
                indent: indent as u32,
            }
        } else {
            QueryMapping::Approximate
        };
        return Some((first.0 + indent.min(first.1.len()), mapping));
    }
    if value.starts_with('>') {
        let first = all.get(idx + 1)?;
        let lead = first.1.len() - first.1.trim_start().len();
        return Some((first.0 + lead, QueryMapping::Approximate));
    }
    for q in ["'", "\""] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            let m = if inner == query {
                QueryMapping::Verbatim
            } else {
                QueryMapping::Approximate
            };
            return Some((value_at + 1, m));
        }
    }
    let m = if value == query {
        QueryMapping::Verbatim
    } else {
        QueryMapping::Approximate
    };
    Some((value_at, m))
}

/// True when each line of `query` is the matching block line with `indent` columns removed.
fn block_matches(content: &[(usize, &str)], indent: usize, query: &str) -> bool {
    let mut qlines: Vec<&str> = query.split('\n').collect();
    if qlines.last() == Some(&"") {
        qlines.pop();
    }
    qlines
        .iter()
        .enumerate()
        .all(|(k, q)| match content.get(k) {
            Some((_, body)) if q.is_empty() => body.trim().is_empty(),
            Some((_, body)) => {
                body.get(..indent)
                    .is_some_and(|p| p.bytes().all(|b| b == b' '))
                    && &body[indent..] == *q
            }
            None => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_scalar_origin_is_indented() {
        let text = "id: x\nquery: |\n  process where\n    true\n\n  and x\nname: n\n";
        let q = "process where\n  true\n\nand x\n";
        assert_eq!(
            locate_query(text, q),
            Some((17, QueryMapping::Indented { indent: 2 }))
        );
    }

    #[test]
    fn plain_scalar_origin_is_verbatim() {
        let text = "query: process where true\n";
        assert_eq!(
            locate_query(text, "process where true"),
            Some((7, QueryMapping::Verbatim))
        );
        assert_eq!(
            locate_query("query: \"a\\tb\"\n", "a\tb"),
            Some((8, QueryMapping::Approximate))
        );
    }

    #[test]
    fn path_prefix_split() {
        assert_eq!(
            split_path("threat[0].tactic: unknown field `x`"),
            ("threat[0].tactic", "unknown field `x`")
        );
        assert_eq!(
            split_path("invalid type: string"),
            ("", "invalid type: string")
        );
    }
}
