//! Diagnostics shared by every phase: spans, severities, stable codes, labels, and one renderer.
//!
//! Codes are grouped by phase: `E01xx` syntax, `E02xx` planning (names and types),
//! `E03xx` rule files, `E04xx` bytecode verification; warnings use `W` with the same ranges.

use serde::Serialize;
use std::fmt;

/// A byte range `[start, end)` in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32 }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Moves the span by `offset` bytes (used when a query sits inside a larger file).
    pub fn shifted(self, offset: usize) -> Span {
        Span { start: self.start + offset as u32, end: self.end + offset as u32 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    Warning,
    Error,
}

/// A secondary location with a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in a query or rule file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable code such as `E0101`.
    pub code: &'static str,
    pub message: String,
    /// The primary location.
    pub span: Span,
    /// What to say at the primary location (defaults to the message when empty).
    pub label: String,
    pub secondary: Vec<Label>,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            label: String::new(),
            secondary: Vec::new(),
            hints: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message) }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label { span, message: message.into() });
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hints.push(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Moves every span by `offset` bytes.
    pub fn shifted(mut self, offset: usize) -> Diagnostic {
        self.span = self.span.shifted(offset);
        for l in &mut self.secondary {
            l.span = l.span.shifted(offset);
        }
        self
    }

    /// 1-based line and column (in characters) of the primary span in `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        line_col(source, self.span.start as usize)
    }

    /// Renders the diagnostic against its source text, with the offending line and a caret.
    /// `name` is the file (or `<query>`) the text came from. No colours.
    pub fn render(&self, name: &str, source: &str) -> String {
        render(self, name, source, false)
    }

    /// As [`Diagnostic::render`], with terminal colours.
    pub fn render_color(&self, name: &str, source: &str) -> String {
        render(self, name, source, true)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}]: {}", self.code, self.message)
    }
}

/// 1-based (line, column) of byte `offset` in `source`; columns count characters.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    // memchr finds each newline with a vector scan (counting bytes one by one costs ~2
    // instructions a byte, and a rule file's query can sit kilobytes in)
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..offset].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn render(d: &Diagnostic, name: &str, source: &str, color: bool) -> String {
    use ariadne::{Config, Label as ALabel, Report, ReportKind, Source};
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    // ariadne works in character offsets by default; convert from bytes.
    let to_chars = |b: u32| -> usize {
        let b = floor_char_boundary(source, (b as usize).min(source.len()));
        source[..b].chars().count()
    };
    let total_chars = source.chars().count();
    let span_chars = |s: Span| -> std::ops::Range<usize> {
        let start = to_chars(s.start);
        // An empty span is widened to one character, except at the very end of the text, where
        // ariadne only shows the line for an empty range.
        let end = to_chars(s.end).max(start + usize::from(s.end <= s.start)).min(total_chars.max(start));
        start..end
    };
    let (line, col) = d.line_col(source);
    let primary = span_chars(d.span);
    let mut report = Report::build(kind, (name, primary.clone()))
        .with_config(Config::default().with_color(color).with_compact(false))
        .with_code(d.code)
        .with_message(format!("{} ({name}:{line}:{col})", d.message))
        .with_label(ALabel::new((name, primary)).with_message(if d.label.is_empty() {
            d.message.clone()
        } else {
            d.label.clone()
        }));
    for l in &d.secondary {
        report = report.with_label(ALabel::new((name, span_chars(l.span))).with_message(l.message.clone()));
    }
    for h in &d.hints {
        report = report.with_help(h.clone());
    }
    let mut out = Vec::new();
    let cache = (name, Source::from(source));
    if report.finish().write(cache, &mut out).is_err() {
        return format!("{d} at {name}:{line}:{col}\n");
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let src = "ab\ncé d";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        // 'd' sits after 'c', 'é' (2 bytes) and a space
        assert_eq!(line_col(src, 7), (2, 4));
        // long and empty lines, every offset against a count by hand
        let src = format!("{}\n\n{}é\nx\n", "a".repeat(70), "b".repeat(40));
        let (mut line, mut col) = (1, 1);
        for (i, c) in src.char_indices() {
            assert_eq!(line_col(&src, i), (line, col), "{i}");
            (line, col) = if c == '\n' { (line + 1, 1) } else { (line, col + 1) };
        }
        assert_eq!(line_col(&src, src.len()), (5, 1));
    }

    #[test]
    fn render_names_position_and_shows_caret_line() {
        let src = "process where x ==";
        let d = Diagnostic::error("E0101", Span::new(18, 18), "expected a value after `==`");
        let out = d.render("<query>", src);
        assert!(out.contains("E0101"), "{out}");
        assert!(out.contains("<query>:1:19"), "{out}");
        assert!(out.contains("process where x =="), "{out}");
    }
}
