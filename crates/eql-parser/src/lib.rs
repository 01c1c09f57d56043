//! The EQL parser: a pest grammar for Elasticsearch EQL (plus Elastic Defend's dialect) that builds
//! a spanned syntax tree and reports syntax errors in EQL terms.

pub mod ast;
pub mod diag;

pub use diag::{Diagnostic, Label, Severity, Span};

/// Parses a whole query (`process where …`, `sequence …`, `sample …`, with pipes).
pub fn parse(source: &str) -> Result<ast::Query, Vec<Diagnostic>> {
    let _ = source;
    unimplemented!("grammar not yet written")
}

/// Parses a lone expression (`process.name : "bash" and x > 1`).
pub fn parse_expression(source: &str) -> Result<ast::Expr, Vec<Diagnostic>> {
    let _ = source;
    unimplemented!("grammar not yet written")
}
