//! Moving diagnostics from query coordinates (what the parser and planner report) into file
//! coordinates, so users see `file:line:col` of the rule file.

use crate::model::{QueryMapping, QueryOrigin, Rule};
use eql_parser::{Diagnostic, Span};

/// Byte offset in the file of byte `q` of the query, when the mapping is exact.
pub fn map_offset(origin: &QueryOrigin, query: &str, q: usize) -> Option<usize> {
    let file: &str = &origin.file_text;
    let q = q.min(query.len());
    let mapped = match origin.mapping {
        QueryMapping::Verbatim => origin.offset + q,
        QueryMapping::Indented { indent } => {
            let before = query.get(..q)?;
            let k = before.bytes().filter(|&b| b == b'\n').count();
            let col = q - before.rfind('\n').map_or(0, |i| i + 1);
            let (start, end) = nth_line(file, origin.line as usize + k)?;
            (start + indent as usize + col).min(end)
        }
        QueryMapping::Approximate => return None,
    };
    (mapped <= file.len()).then_some(mapped)
}

/// Start and end (before the line break) of 1-based line `n` of `text`.
fn nth_line(text: &str, n: usize) -> Option<(usize, usize)> {
    let mut start = 0;
    for _ in 1..n {
        start += text.get(start..)?.find('\n')? + 1;
    }
    let rest = text.get(start..)?;
    let len = rest.find('\n').unwrap_or(rest.len());
    let len = if rest[..len].ends_with('\r') {
        len - 1
    } else {
        len
    };
    Some((start, start + len))
}

/// A query span in file coordinates, when the mapping is exact.
pub fn map_span(origin: &QueryOrigin, query: &str, span: Span) -> Option<Span> {
    let start = map_offset(origin, query, span.start as usize)?;
    let end = map_offset(origin, query, span.end as usize)?;
    Some(Span::new(start, end.max(start)))
}

/// The diagnostic with every span moved into the file, when the mapping is exact.
pub fn map_diagnostic(origin: &QueryOrigin, query: &str, d: &Diagnostic) -> Option<Diagnostic> {
    let mut out = d.clone();
    out.span = map_span(origin, query, d.span)?;
    for label in &mut out.secondary {
        label.span = map_span(origin, query, label.span)?;
    }
    Some(out)
}

/// Renders a query-relative diagnostic naming `file:line:col`. When the query text was unescaped
/// (a TOML basic string with escapes, a folded YAML scalar), it is rendered against the query
/// text instead, with a note giving the file line where the query starts.
pub fn render_query_diagnostic(origin: &QueryOrigin, query: &str, d: &Diagnostic) -> String {
    let path = origin.path.display().to_string();
    if let Some(mapped) = map_diagnostic(origin, query, d) {
        return mapped.render(&path, &origin.file_text);
    }
    let name = format!("<query of {path}>");
    let mut out = d.render(&name, query);
    out.push_str(&format!(
        "note: positions are within the query text, which starts at {path}:{}:{} \
         (the file writes it with escapes, so file columns differ)\n",
        origin.line, origin.column
    ));
    out
}

impl Rule {
    /// A query-relative diagnostic moved into file coordinates (`None` if the mapping is not exact).
    pub fn query_diagnostic_in_file(&self, d: &Diagnostic) -> Option<Diagnostic> {
        map_diagnostic(&self.origin, &self.query, d)
    }

    /// Renders a query-relative diagnostic against the rule file; see [`render_query_diagnostic`].
    pub fn render_query_diagnostic(&self, d: &Diagnostic) -> String {
        render_query_diagnostic(&self.origin, &self.query, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn origin(text: &str, line: u32, offset: usize, mapping: QueryMapping) -> QueryOrigin {
        QueryOrigin {
            path: "r.yaml".into(),
            line,
            column: 3,
            offset,
            mapping,
            file_text: Arc::from(text),
        }
    }

    #[test]
    fn indented_block_maps_line_and_column() {
        let text = "id: x\nquery: |\n  ab\n\n  cd\n";
        let o = origin(text, 3, 17, QueryMapping::Indented { indent: 2 });
        let q = "ab\n\ncd\n";
        assert_eq!(map_offset(&o, q, 0), Some(17));
        assert_eq!(map_offset(&o, q, 4), Some(23)); // 'c' of "cd"
        assert_eq!(map_offset(&o, q, 3), Some(20)); // the blank line clamps to its end
    }

    #[test]
    fn approximate_does_not_map() {
        let o = origin("query = \"a\\tb\"\n", 1, 9, QueryMapping::Approximate);
        assert_eq!(map_offset(&o, "a\tb", 1), None);
    }
}
