//! Syntax error codes and the translation of pest failures into EQL-worded diagnostics.

use crate::diag::{Diagnostic, Span};
use crate::grammar::Rule;
use crate::lexer::{Lexed, TokKind, Token};
use pest::error::{ErrorVariant, InputLocation};

/// The `E01xx` codes of the parser (the registry is mirrored in docs/grammar.md).
pub mod codes {
    /// Unexpected token: "expected …, found …".
    pub const SYNTAX: &str = "E0100";
    /// Unterminated string, raw string, comment or back-quoted name.
    pub const UNTERMINATED: &str = "E0101";
    /// Invalid escape sequence in a string.
    pub const BAD_ESCAPE: &str = "E0102";
    /// Legacy syntax: single quotes, `?"…"`, `!:`, `=` as equality, `&&`/`||`.
    pub const LEGACY: &str = "E0103";
    /// Nesting beyond the parser's limit.
    pub const TOO_DEEP: &str = "E0104";
    /// Chained comparison (`a < b < c`).
    pub const CHAINED: &str = "E0105";
    /// A sequence or join with fewer than two stages.
    pub const STAGES: &str = "E0106";
    /// `sequence with maxspan=… by …` (keys must come first).
    pub const ORDER: &str = "E0107";
    /// Bad stage option (`with foo=1`, `with runs=1.5`, runs outside a sequence).
    pub const STAGE_OPTION: &str = "E0108";
    /// A number that cannot be represented (array index too large, …).
    pub const BAD_NUMBER: &str = "E0109";
    /// Unclosed `(` or `[`.
    pub const UNCLOSED: &str = "E0110";
    /// A bug: the builder met a shape the grammar should not produce.
    pub const INTERNAL: &str = "E0199";
}

/// What a grammar rule stands for, in EQL words.
pub fn describe(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        condition => "a condition",
        expr | or_expr | and_expr | not_expr | list_item | argument | pipe_arg | comparison => {
            "an expression"
        }
        join_key => "a join key (a field or expression)",
        arith | term | unary | postfix | paren | variable => "a value",
        field | plain_ident | quoted_ident => "a field name",
        call | func_name | tilde_ident => "a function call",
        pattern | pattern_list => "a string or a parenthesised list of strings",
        string => "a string",
        integer | index_value => "an integer",
        decimal | time_value => "a number",
        time_unit => "a time unit (`ms`, `s`, `m`, `h`, `d`)",
        category => "an event category (such as `process` or `any`)",
        event_filter | event_query => "`CATEGORY where CONDITION`",
        sequence | kw_sequence => "`sequence`",
        sample | kw_sample => "`sample`",
        join | kw_join => "`join`",
        stage | stage_open | lineage_open => "a stage `[…]`",
        stage_close => "`]` to close the stage",
        stage_option => "`with runs=N`",
        stage_alias | kw_as => "`as`",
        alias_name => "an alias name",
        option_name => "`runs`",
        join_keys | late_keys | kw_by => "`by`",
        maxspan | kw_with => "`with`",
        kw_maxspan => "`maxspan`",
        until_clause | kw_until => "`until`",
        pipe | pipe_bar => "`|`",
        pipe_name => "a pipe name (such as `head`)",
        lineage | lineage_rel => "`descendant of [`…`]`",
        kw_of => "`of`",
        in_pred | match_pred => "`in`, `:`, `like` or `regex`",
        cmp_op => "a comparison operator",
        add_op | mul_op => "an arithmetic operator",
        sign => "`-`",
        in_op => "`in`",
        match_op => "`:`, `like` or `regex`",
        assign => "`=`",
        comma => "`,`",
        dot => "`.`",
        lparen => "`(`",
        rparen => "`)`",
        lbracket => "`[`",
        rbracket => "`]`",
        missing_open => "`![`",
        optional_mark => "`?`",
        var_name => "a `$` variable",
        index => "`[`",
        kw_and => "`and`",
        kw_or => "`or`",
        kw_not => "`not`",
        kw_any => "`any`",
        kw_where => "`where`",
        kw_null | kw_true | kw_false => "a value",
        EOI => "end of query",
        _ => "something else",
    }
}

/// Turns a pest error into one diagnostic, using the tokens for context.
pub fn from_pest(err: &pest::error::Error<Rule>, src: &str, lexed: &Lexed) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { message } => {
            let span = Span::new(pos, pos);
            if message.contains("limit") {
                return Diagnostic::error(
                    codes::TOO_DEEP,
                    span,
                    "query nests too deeply for the parser",
                );
            }
            return Diagnostic::error(codes::SYNTAX, span, message.clone());
        }
    };
    Context {
        src,
        lexed,
        pos,
        positives,
    }
    .diagnose()
}

struct Context<'a> {
    src: &'a str,
    lexed: &'a Lexed,
    pos: usize,
    positives: Vec<Rule>,
}

impl Context<'_> {
    fn text(&self, t: Token) -> &str {
        self.src.get(t.span.range()).unwrap_or("")
    }

    fn has(&self, rule: Rule) -> bool {
        self.positives.contains(&rule)
    }

    /// "`foo`" or "end of query".
    fn found(&self) -> (String, Span) {
        match self.lexed.token_at(self.pos) {
            Some(t) => {
                let text = self.text(t);
                let shown: String = text.chars().take(24).collect();
                let shown = if shown.len() < text.len() {
                    format!("{shown}…")
                } else {
                    shown
                };
                let what = match t.kind {
                    TokKind::String => format!("string {shown}"),
                    _ => format!("`{shown}`"),
                };
                (what, t.span)
            }
            None => (
                "end of query".to_string(),
                Span::new(self.src.len(), self.src.len()),
            ),
        }
    }

    fn expected_list(&self) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for r in &self.positives {
            let d = describe(*r);
            if !seen.contains(&d) {
                seen.push(d);
            }
        }
        match seen.len() {
            0 => "something else".to_string(),
            1 => seen[0].to_string(),
            n => format!("{} or {}", seen[..n - 1].join(", "), seen[n - 1]),
        }
    }

    fn diagnose(&self) -> Diagnostic {
        let (found, span) = self.found();
        let tok = self
            .lexed
            .token_at(self.pos)
            .map(|t| self.text(t))
            .unwrap_or("");
        let prev = self.lexed.token_before(self.pos);
        let prev_text = prev.map(|t| self.text(t)).unwrap_or("");
        let after_value = self.has(Rule::kw_and) || self.has(Rule::kw_or);

        if tok == "=" && !self.has(Rule::assign) {
            return Diagnostic::error(codes::LEGACY, span, "`=` is not a comparison operator")
                .with_label("use `==` here")
                .with_hint("EQL compares with `==` (case-sensitive) or `:` (case-insensitive)");
        }
        if (tok == "&&" || tok == "||") && after_value {
            let word = if tok == "&&" { "and" } else { "or" };
            return Diagnostic::error(
                codes::LEGACY,
                span,
                format!("`{tok}` is not an EQL operator; use `{word}`"),
            );
        }
        if matches!(tok, "==" | "!=" | "<" | "<=" | ">" | ">=")
            && after_value
            && !self.has(Rule::cmp_op)
        {
            return Diagnostic::error(codes::CHAINED, span, "comparisons cannot be chained")
                .with_label(format!("a second `{tok}` follows a comparison"))
                .with_hint("combine two comparisons with `and`: `a < b and b < c`");
        }
        if self.has(Rule::condition) && prev_text == "where" {
            return self.expected("a condition after `where`", &found, span);
        }
        if self.has(Rule::pattern_list) || self.has(Rule::pattern) {
            let msg = format!("expected `(` or a string after `{prev_text}`");
            return self.expected_raw(msg, &found, span);
        }
        if self.has(Rule::stage_close) {
            let d = self.expected("`]` to close the stage", &found, span);
            return self.with_opener(d, "[", "]", "the stage starts here");
        }
        if self.has(Rule::rparen) && after_value {
            let d = self.expected("`)`", &found, span);
            return self.with_opener(d, "(", ")", "this `(` is not closed");
        }
        if self.has(Rule::category) && self.positives.len() <= 5 && tok != "" && is_keyword(tok) {
            let msg = format!("`{tok}` is a keyword and cannot be a category");
            return Diagnostic::error(codes::SYNTAX, span, msg)
                .with_hint(format!("quote it: \"{tok}\""));
        }
        let what = self.expected_list();
        let is_word = prev.is_some_and(|t| t.kind == TokKind::Word && !is_keyword(prev_text));
        if prev.is_some_and(|t| t.kind == TokKind::Punct || !is_word && t.kind == TokKind::Word) {
            return self.expected(&format!("{what} after `{prev_text}`"), &found, span);
        }
        self.expected(&what, &found, span)
    }

    fn expected(&self, what: &str, found: &str, span: Span) -> Diagnostic {
        self.expected_raw(format!("expected {what}"), found, span)
    }

    fn expected_raw(&self, msg: String, found: &str, span: Span) -> Diagnostic {
        let code = if found == "end of query" && msg.contains("`]`") || msg.contains("`)`") {
            codes::UNCLOSED
        } else {
            codes::SYNTAX
        };
        let full = format!("{msg}, found {found}");
        Diagnostic::error(code, span, full).with_label(format!("found {found}"))
    }

    /// Adds a secondary label at the unclosed `open` before the error position.
    fn with_opener(&self, d: Diagnostic, open: &str, close: &str, label: &str) -> Diagnostic {
        let mut depth = 0usize;
        for t in self
            .lexed
            .tokens
            .iter()
            .rev()
            .filter(|t| (t.span.end as usize) <= self.pos)
        {
            let text = self.text(*t);
            if text == close {
                depth += 1;
            } else if text == open || (open == "[" && text == "![") {
                if depth == 0 {
                    return d.with_secondary(t.span, label);
                }
                depth -= 1;
            }
        }
        d
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "and"
            | "any"
            | "by"
            | "false"
            | "in"
            | "join"
            | "like"
            | "maxspan"
            | "not"
            | "null"
            | "of"
            | "or"
            | "regex"
            | "sample"
            | "sequence"
            | "true"
            | "until"
            | "where"
            | "with"
            | "in~"
            | "like~"
            | "regex~"
    )
}
