//! Rule-file problems: the `E03xx` / `W03xx` code registry and diagnostics tied to their file.

use eql_parser::{Diagnostic, Span};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Every kind of problem a rule file can have, each with one stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `E0301`: the file is not valid TOML or YAML.
    Syntax,
    /// `E0302`: a key the eqlvm schema does not define.
    UnknownKey,
    /// `E0303`: a value of the wrong type (string for a number, table for a list, …).
    WrongType,
    /// `E0304`: a required key (or the query text) is missing or empty.
    MissingKey,
    /// `E0305`: severity is not low, medium, high or critical.
    InvalidSeverity,
    /// `E0306`: risk score outside 0..=100.
    InvalidRiskScore,
    /// `E0307`: a malformed ATT&CK tactic, technique or sub-technique id.
    InvalidAttackId,
    /// `E0308`: two rules in one set share an id.
    DuplicateId,
    /// `E0309`: a file that is neither `.toml`, `.yaml` nor `.yml`.
    UnknownLayout,
    /// `E0310`: the file could not be read (I/O error, not UTF-8).
    Unreadable,
    /// `E0311`: any other invalid value (interval, maturity, …).
    InvalidValue,
    /// `W0301`: the rule is not EQL; the engine skips it.
    NotEql,
    /// `W0302`: a sub-technique listed under a technique it does not belong to.
    SubtechniqueParent,
    /// `W0303`: a folder held no rule files.
    NoRules,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "E0301",
            ErrorKind::UnknownKey => "E0302",
            ErrorKind::WrongType => "E0303",
            ErrorKind::MissingKey => "E0304",
            ErrorKind::InvalidSeverity => "E0305",
            ErrorKind::InvalidRiskScore => "E0306",
            ErrorKind::InvalidAttackId => "E0307",
            ErrorKind::DuplicateId => "E0308",
            ErrorKind::UnknownLayout => "E0309",
            ErrorKind::Unreadable => "E0310",
            ErrorKind::InvalidValue => "E0311",
            ErrorKind::NotEql => "W0301",
            ErrorKind::SubtechniqueParent => "W0302",
            ErrorKind::NoRules => "W0303",
        }
    }

    pub fn is_warning(self) -> bool {
        matches!(
            self,
            ErrorKind::NotEql | ErrorKind::SubtechniqueParent | ErrorKind::NoRules
        )
    }

    /// Classifies a serde error message (from toml or serde_yaml, path prefix removed).
    pub fn classify(message: &str) -> ErrorKind {
        let m = message;
        if m.starts_with("unknown field") {
            ErrorKind::UnknownKey
        } else if m.starts_with("missing field") {
            ErrorKind::MissingKey
        } else if m.starts_with("invalid severity") {
            ErrorKind::InvalidSeverity
        } else if m.starts_with("invalid risk score") {
            ErrorKind::InvalidRiskScore
        } else if m.starts_with("invalid ATT&CK") {
            ErrorKind::InvalidAttackId
        } else if m.starts_with("invalid type")
            || m.starts_with("invalid length")
            || m.starts_with("data did not match any variant")
        {
            ErrorKind::WrongType
        } else if m.starts_with("invalid value") || m.starts_with("unknown variant") {
            ErrorKind::InvalidValue
        } else {
            ErrorKind::Syntax
        }
    }

    /// A diagnostic of this kind (error or warning as the kind says).
    pub fn diagnostic(self, span: Span, message: impl Into<String>) -> Diagnostic {
        if self.is_warning() {
            Diagnostic::warning(self.code(), span, message)
        } else {
            Diagnostic::error(self.code(), span, message)
        }
    }
}

/// A rule file's path and text, shared by every diagnostic found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// The path as shown in messages.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// One problem in one rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiagnostic {
    pub file: Arc<SourceFile>,
    pub kind: ErrorKind,
    /// The dotted key the problem is about (`rule.risk_score`, `threat[0].tactic.id`), if known.
    pub key: Option<String>,
    /// Spans are byte offsets in the file text.
    pub diagnostic: Diagnostic,
}

impl FileDiagnostic {
    pub fn new(
        file: &Arc<SourceFile>,
        kind: ErrorKind,
        key: Option<String>,
        diagnostic: Diagnostic,
    ) -> Self {
        FileDiagnostic {
            file: Arc::clone(file),
            kind,
            key,
            diagnostic,
        }
    }

    pub fn path(&self) -> &Path {
        &self.file.path
    }

    pub fn is_error(&self) -> bool {
        self.diagnostic.is_error()
    }

    /// 1-based line and column of the primary span in the file.
    pub fn line_col(&self) -> (usize, usize) {
        self.diagnostic.line_col(&self.file.text)
    }

    /// Renders against the file text, naming `file:line:col`.
    pub fn render(&self) -> String {
        self.diagnostic.render(&self.file.name(), &self.file.text)
    }
}

impl fmt::Display for FileDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, col) = self.line_col();
        write!(f, "{}:{line}:{col}: {}", self.file.name(), self.diagnostic)
    }
}

impl std::error::Error for FileDiagnostic {}

/// Finds the first backquoted word in a serde message (the field of `unknown field `x``).
pub(crate) fn quoted_name(message: &str) -> Option<&str> {
    let rest = message.split_once('`')?.1;
    Some(rest.split_once('`')?.0)
}

/// Joins a parent key path and a child key.
pub(crate) fn join_key(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_messages() {
        assert_eq!(
            ErrorKind::classify("unknown field `x`, expected `y`"),
            ErrorKind::UnknownKey
        );
        assert_eq!(
            ErrorKind::classify("missing field `query`"),
            ErrorKind::MissingKey
        );
        assert_eq!(
            ErrorKind::classify("invalid type: string \"x\", expected u32"),
            ErrorKind::WrongType
        );
        assert_eq!(
            ErrorKind::classify("invalid risk score 500: must be"),
            ErrorKind::InvalidRiskScore
        );
        assert_eq!(
            ErrorKind::classify("invalid ATT&CK tactic id `X`"),
            ErrorKind::InvalidAttackId
        );
        assert_eq!(
            ErrorKind::classify("unknown variant `x`"),
            ErrorKind::InvalidValue
        );
        assert_eq!(ErrorKind::classify("expected `=`"), ErrorKind::Syntax);
        assert_eq!(
            quoted_name("unknown field `bogus`, expected `id`"),
            Some("bogus")
        );
    }
}
