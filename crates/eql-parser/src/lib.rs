//! The EQL parser: a pest grammar for Elasticsearch EQL (plus Elastic Defend's dialect) that builds
//! a spanned syntax tree and reports syntax errors in EQL terms.
//!
//! Parsing runs in three steps: a quick tokenizer ([`lexer`]) reports lexical errors (strings,
//! legacy quoting) and refuses runaway nesting; the pest grammar (`eql.pest`) checks the syntax;
//! the builder turns pest's pairs into [`ast`] nodes with exact spans.

#[rustfmt::skip]
pub mod ast;
#[rustfmt::skip]
pub mod diag;

mod build;
mod build_expr;
mod build_query;
mod errors;
mod grammar;
mod lexer;
mod literal;
mod syntax_error;

pub use diag::{Diagnostic, Label, Severity, Span};
pub use errors::codes;
pub use lexer::MAX_NESTING;

use grammar::{EqlParser, Rule};
use pest::Parser;

/// The tallest expression tree accepted (long `and`/`or` chains count one level per operator).
pub const MAX_EXPR_HEIGHT: usize = 1000;

/// Parses a whole query (`process where …`, `sequence …`, `sample …`, with pipes).
pub fn parse(source: &str) -> Result<ast::Query, Vec<Diagnostic>> {
    let pairs = run_pest(source, Rule::query_main)?;
    let mut b = build::Builder::default();
    let result = b.query(pairs);
    finish(b, result)
}

/// Parses a lone expression (`process.name : "bash" and x > 1`).
pub fn parse_expression(source: &str) -> Result<ast::Expr, Vec<Diagnostic>> {
    let pair = run_pest(source, Rule::expr_main)?;
    let mut b = build::Builder::default();
    let result = build::Cursor::new(pair).expect(Rule::expr).and_then(|e| b.expr(e));
    finish(b, result)
}

fn run_pest(source: &str, rule: Rule) -> Result<pest::iterators::Pair<'_, Rule>, Vec<Diagnostic>> {
    if source.len() >= u32::MAX as usize {
        return Err(vec![Diagnostic::error(codes::SYNTAX, Span::default(), "query is too long")]);
    }
    let lexed = lexer::lex(source);
    if !lexed.errors.is_empty() {
        return Err(lexed.errors);
    }
    match EqlParser::parse(rule, source) {
        Ok(mut pairs) => {
            pairs.next().ok_or_else(|| vec![*build::internal_error(Span::default(), "pest returned no pair")])
        }
        Err(e) => Err(vec![syntax_error::from_pest(&e, source, &lexed)]),
    }
}

fn finish<T>(b: build::Builder, result: Result<T, Box<Diagnostic>>) -> Result<T, Vec<Diagnostic>> {
    let mut errs = b.errors;
    match result {
        Ok(v) if errs.is_empty() => Ok(v),
        Ok(_) => Err(errs),
        Err(e) => {
            errs.push(*e);
            errs.sort_by_key(|d| d.span.start);
            Err(errs)
        }
    }
}
