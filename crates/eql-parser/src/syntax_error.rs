//! Turns a pest failure into one diagnostic worded in EQL terms, using the tokens around the
//! failure for context (what came before, what was found, which bracket is unclosed).

use crate::diag::{Diagnostic, Span};
use crate::errors::{codes, describe, is_continuation, is_expr_start, is_keyword};
use crate::grammar::Rule;
use crate::lexer::{Lexed, TokKind, Token};
use pest::error::{ErrorVariant, InputLocation};

/// Turns a pest error into one diagnostic.
pub fn from_pest(err: &pest::error::Error<Rule>, src: &str, lexed: &Lexed) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => Context::new(src, lexed, pos, positives.clone()).diagnose(),
        ErrorVariant::CustomError { message } => {
            let span = Span::new(pos, pos);
            if message.contains("limit") {
                Diagnostic::error(codes::TOO_DEEP, span, "query nests too deeply for the parser")
            } else {
                Diagnostic::error(codes::SYNTAX, span, message.clone())
            }
        }
    }
}

struct Context<'a> {
    src: &'a str,
    lexed: &'a Lexed,
    pos: usize,
    positives: Vec<Rule>,
    /// The token at the failure (`None` at the end of the text).
    tok: Option<Token>,
    /// The token before the failure.
    prev: Option<Token>,
}

impl<'a> Context<'a> {
    fn new(src: &'a str, lexed: &'a Lexed, pos: usize, positives: Vec<Rule>) -> Context<'a> {
        let tok = lexed.token_at(pos);
        let prev = lexed.token_before(pos);
        Context { src, lexed, pos, positives, tok, prev }
    }

    fn text(&self, t: Option<Token>) -> &'a str {
        t.and_then(|t| self.src.get(t.span.range())).unwrap_or("")
    }

    fn has(&self, rule: Rule) -> bool {
        self.positives.contains(&rule)
    }

    /// A complete expression came before the failure (an operator could have followed).
    fn after_value(&self) -> bool {
        self.has(Rule::kw_and) || self.has(Rule::kw_or)
    }

    /// What was found, and where to point.
    fn found(&self) -> (String, Span) {
        match self.tok {
            Some(t) => {
                let text = self.text(Some(t));
                let mut shown: String = text.chars().take(24).collect();
                if shown.len() < text.len() {
                    shown.push('…');
                }
                let what = if t.kind == TokKind::String { format!("string {shown}") } else { format!("`{shown}`") };
                (what, t.span)
            }
            None => {
                // Point just after the last token, not after trailing blank lines.
                let end = self.prev.map_or(self.src.len(), |t| t.span.end as usize);
                ("end of query".to_string(), Span::new(end, end))
            }
        }
    }

    /// How to name an expression expected here.
    fn expression_word(&self) -> &'static str {
        let prev = self.text(self.prev);
        if self.has(Rule::condition) || prev == "where" {
            "a condition"
        } else if self.has(Rule::join_key) {
            "a join key"
        } else if matches!(prev, "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%") {
            "a value"
        } else {
            "an expression"
        }
    }

    /// "A, B or C", with expression starts and operators summarised.
    fn expected_list(&self) -> String {
        let continuing = self.after_value();
        let mut items: Vec<&str> = Vec::new();
        let mut push = |d: &'static str| {
            if !items.contains(&d) {
                items.push(d);
            }
        };
        for &r in &self.positives {
            if continuing && is_continuation(r) {
                continue;
            }
            if is_expr_start(r) || (r == Rule::kw_not && !continuing) {
                push(self.expression_word());
            } else {
                push(describe(r));
            }
        }
        if continuing {
            push("an operator (`and`, `or`, `==`, …)");
        }
        match items.len() {
            0 => "something else".to_string(),
            1 => items[0].to_string(),
            n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
        }
    }

    fn diagnose(&self) -> Diagnostic {
        let d = self.special().unwrap_or_else(|| self.generic());
        self.with_keyword_hint(d)
    }

    fn generic(&self) -> Diagnostic {
        let what = self.expected_list();
        let prev = self.text(self.prev);
        let after = self.prev.is_some_and(|t| t.kind == TokKind::Punct || is_keyword(prev));
        if after && !self.after_value() {
            return self.expected(&format!("{what} after `{prev}`"));
        }
        self.expected(&what)
    }

    /// Common mistakes and situations that deserve their own message.
    fn special(&self) -> Option<Diagnostic> {
        let (found, span) = self.found();
        let tok = self.text(self.tok);
        let prev = self.text(self.prev);
        if tok == "=" && !self.has(Rule::assign) {
            return Some(
                Diagnostic::error(codes::LEGACY, span, "`=` is not a comparison operator; use `==`")
                    .with_label("use `==` here")
                    .with_hint("EQL compares with `==` (case-sensitive) or `:` (case-insensitive)"),
            );
        }
        if matches!(tok, "&&" | "||" | "!") {
            let word = match tok {
                "&&" => "and",
                "||" => "or",
                _ => "not",
            };
            let msg = format!("`{tok}` is not an EQL operator; use `{word}`");
            return Some(Diagnostic::error(codes::LEGACY, span, msg));
        }
        if matches!(tok, "==" | "!=" | "<" | "<=" | ">" | ">=") && self.after_value() && !self.has(Rule::cmp_op) {
            return Some(
                Diagnostic::error(codes::CHAINED, span, "comparisons cannot be chained")
                    .with_label(format!("a second `{tok}` follows a comparison"))
                    .with_hint("combine two comparisons with `and`: `a < b and b < c`"),
            );
        }
        if self.has(Rule::pattern_list) || self.has(Rule::pattern) {
            let msg = if matches!(prev, "(" | ",") {
                "expected a string".to_string()
            } else {
                format!("expected `(` or a string after `{prev}`")
            };
            return Some(
                self.expected_raw(msg)
                    .with_hint("pattern operators take constants: `x : \"a*\"`, `x like (\"a*\", \"b*\")`"),
            );
        }
        if self.has(Rule::stage_close) {
            let d = self.expected("`]` to close the stage");
            return Some(self.with_opener(d, "[", "]", "the stage starts here"));
        }
        if self.has(Rule::rparen) && (self.after_value() || self.tok.is_none()) {
            let d = self.expected("`)`");
            return Some(self.with_opener(d, "(", ")", "this `(` is not closed"));
        }
        let (open, close) = if tok == ")" { ("(", ")") } else { ("[", "]") };
        if matches!(tok, ")" | "]") && self.opener(open, close).is_none() {
            let msg = format!("unexpected `{tok}`: there is nothing to close");
            return Some(Diagnostic::error(codes::SYNTAX, span, msg).with_label(format!("found {found}")));
        }
        if self.has(Rule::category) && self.tok.is_some_and(|t| t.kind == TokKind::Word) && is_keyword(tok) {
            let msg = format!("`{tok}` is a keyword and cannot be an event category");
            return Some(Diagnostic::error(codes::SYNTAX, span, msg).with_hint(format!("quote it: \"{tok}\"")));
        }
        if self.has(Rule::query_main) {
            let d = self.expected("a query (`CATEGORY where CONDITION`, `sequence`, `sample` or `join`)");
            if tok == "[" || tok == "![" {
                return Some(d.with_hint("a `[…]` stage goes after `sequence`, `sample` or `join`"));
            }
            return Some(d);
        }
        if self.positives == [Rule::kw_where]
            && self.tok.is_some_and(|t| t.kind == TokKind::Punct)
            && !matches!(tok, "[" | "(")
        {
            return Some(
                self.expected("`where`")
                    .with_hint("a category with special characters must be quoted: \"my-category\""),
            );
        }
        None
    }

    fn expected(&self, what: &str) -> Diagnostic {
        self.expected_raw(format!("expected {what}"))
    }

    fn expected_raw(&self, msg: String) -> Diagnostic {
        let (found, span) = self.found();
        let closing = msg.contains("`]`") || msg.contains("`)`");
        let code = if self.tok.is_none() && closing { codes::UNCLOSED } else { codes::SYNTAX };
        Diagnostic::error(code, span, format!("{msg}, found {found}")).with_label(format!("found {found}"))
    }

    /// The unclosed `open` before the failure, if any.
    fn opener(&self, open: &str, close: &str) -> Option<Span> {
        let mut depth = 0usize;
        for t in self.lexed.tokens.iter().rev().filter(|t| (t.span.end as usize) <= self.pos) {
            let text = self.text(Some(*t));
            if text == close {
                depth += 1;
            } else if text == open || (open == "[" && text == "![") {
                if depth == 0 {
                    return Some(t.span);
                }
                depth -= 1;
            }
        }
        None
    }

    /// Adds a secondary label at the unclosed `open` before the failure.
    fn with_opener(&self, d: Diagnostic, open: &str, close: &str, label: &str) -> Diagnostic {
        match self.opener(open, close) {
            Some(span) => d.with_secondary(span, label),
            None => d,
        }
    }

    /// `AND`, `Where`, `SEQUENCE`…: keywords are lowercase; a keyword as a field needs back-quotes.
    fn with_keyword_hint(&self, d: Diagnostic) -> Diagnostic {
        let tok = self.text(self.tok);
        let wants_value = self.positives.iter().any(|&r| is_expr_start(r) || r == Rule::plain_ident);
        if wants_value && self.tok.is_some_and(|t| t.kind == TokKind::Word) && is_keyword(tok) {
            return d.with_hint(format!("`{tok}` is a keyword; write `` `{tok}` `` to use it as a field name"));
        }
        for t in [self.tok, self.prev].into_iter().flatten() {
            let text = self.text(Some(t));
            let lower = text.to_ascii_lowercase();
            if t.kind == TokKind::Word && lower != text && is_keyword(&lower) {
                return d.with_hint(format!("keywords are lowercase: write `{lower}`, not `{text}`"));
            }
        }
        d
    }
}
