//! The EQL parser: a pest grammar for Elasticsearch EQL (plus Elastic Defend's dialect) that builds
//! a spanned syntax tree and reports syntax errors in EQL terms.
//!
//! Parsing runs in three steps: a quick tokenizer ([`lexer`]) reports lexical errors (strings,
//! legacy quoting) and refuses runaway nesting; the pest grammar (`eql_fast.pest`) checks the
//! syntax; the builder turns pest's pairs into [`ast`] nodes with exact spans. A query the
//! grammar refuses is parsed again with the reference grammar (`eql.pest`, the same language in
//! its readable shape), whose expected-sets word the syntax error.

// pest without its `std` feature (see the workspace Cargo.toml): the code its derive writes
// names the `alloc` crate.
extern crate alloc;

#[rustfmt::skip]
pub mod ast;
#[rustfmt::skip]
pub mod diag;

mod build;
mod build_expr;
mod build_query;
mod errors;
mod fast_grammar;
mod grammar;
mod lexer;
mod literal;
mod syntax_error;

pub use diag::{Diagnostic, Label, Severity, Span};
pub use errors::codes;
pub use lexer::MAX_NESTING;

use fast_grammar::{FastParser, Rule};
use pest::Parser;

/// The tallest expression tree accepted (long `and`/`or` chains count one level per operator).
pub const MAX_EXPR_HEIGHT: usize = 512;

/// Nesting beyond which parsing runs on a helper thread with a large stack (pest and the builder
/// recurse once per bracket level, and test threads have small stacks).
const BIG_STACK_DEPTH: usize = 24;
const BIG_STACK_BYTES: usize = 256 << 20;

/// Parses a whole query (`process where …`, `sequence …`, `sample …`, with pipes).
pub fn parse(source: &str) -> Result<ast::Query, Vec<Diagnostic>> {
    with_stack(source, |lexed| {
        let pair = run_pest(source, Rule::query_main, grammar::Rule::query_main, lexed)?;
        let mut b = build::Builder::default();
        let result = b.query(pair);
        finish(b, result)
    })
}

/// Parses a lone expression (`process.name : "bash" and x > 1`).
pub fn parse_expression(source: &str) -> Result<ast::Expr, Vec<Diagnostic>> {
    with_stack(source, |lexed| {
        let pair = run_pest(source, Rule::expr_main, grammar::Rule::expr_main, lexed)?;
        let mut b = build::Builder::default();
        let result = build::Cursor::new(pair).expect(Rule::expr).and_then(|e| b.expr(e));
        finish(b, result)
    })
}

/// Lexes `source`, then runs `f`; deeply nested input runs on a thread with a large stack.
fn with_stack<T: Send>(
    source: &str,
    f: impl FnOnce(&lexer::Lexed) -> Result<T, Vec<Diagnostic>> + Send,
) -> Result<T, Vec<Diagnostic>> {
    if source.len() >= u32::MAX as usize {
        return Err(vec![Diagnostic::error(codes::SYNTAX, Span::default(), "query is too long")]);
    }
    let lexed = lexer::lex(source);
    if !lexed.errors.is_empty() {
        return Err(lexed.errors);
    }
    if lexed.max_depth <= BIG_STACK_DEPTH {
        return f(&lexed);
    }
    let lexed = &lexed;
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().stack_size(BIG_STACK_BYTES).spawn_scoped(scope, move || f(lexed));
        match worker.map(|h| h.join()) {
            Ok(Ok(result)) => result,
            _ => {
                let msg = format!("query nests too deeply (limit {MAX_NESTING})");
                Err(vec![Diagnostic::error(codes::TOO_DEEP, Span::default(), msg)])
            }
        }
    })
}

/// Parses with the fast grammar; on failure, words the error from the reference grammar.
fn run_pest<'s>(
    source: &'s str,
    rule: Rule,
    reference_rule: grammar::Rule,
    lexed: &lexer::Lexed,
) -> Result<pest::iterators::Pair<'s, Rule>, Vec<Diagnostic>> {
    match FastParser::parse(rule, source) {
        Ok(mut pairs) => {
            pairs.next().ok_or_else(|| vec![*build::internal_error(Span::default(), "pest returned no pair")])
        }
        Err(_) => match grammar::EqlParser::parse(reference_rule, source) {
            Err(e) => Err(vec![syntax_error::from_pest(&e, source, lexed)]),
            // The two grammars disagree: a bug, reported, never a panic.
            Ok(_) => Err(vec![*build::internal_error(Span::default(), "the grammars disagree")]),
        },
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
