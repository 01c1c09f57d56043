//! A small, forgiving tokenizer run before pest: it finds lexical errors (bad strings, legacy
//! quoting, `!:`), guards against runaway nesting, and gives error messages their context.

use crate::diag::{Diagnostic, Span};
use crate::errors::codes;

/// The deepest nesting of `(`, `[`, `![` and `/* */` accepted.
pub const MAX_NESTING: usize = 256;

/// The broad class of a token, enough to describe it in an error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// An identifier or keyword (`process`, `where`, `@timestamp`, `endsWith~`).
    Word,
    /// A `$name` variable.
    Variable,
    /// A back-quoted identifier.
    QuotedIdent,
    Number,
    String,
    /// Operators and punctuation, including unknown characters.
    Punct,
}

/// One token: its kind and byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokKind,
    pub span: Span,
}

/// The tokens of a query plus every lexical error found.
#[derive(Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub errors: Vec<Diagnostic>,
    /// The deepest bracket / comment nesting seen.
    pub max_depth: usize,
}

impl Lexed {
    /// The token starting at or after byte `pos`.
    pub fn token_at(&self, pos: usize) -> Option<Token> {
        let i = self.tokens.partition_point(|t| (t.span.end as usize) <= pos);
        self.tokens.get(i).copied()
    }

    /// The last token ending at or before byte `pos`.
    pub fn token_before(&self, pos: usize) -> Option<Token> {
        let i = self.tokens.partition_point(|t| (t.span.end as usize) <= pos);
        i.checked_sub(1).and_then(|i| self.tokens.get(i).copied())
    }
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: Lexed,
    depth: usize,
    too_deep: bool,
}

/// Tokenizes `src`, collecting lexical errors and checking the nesting depth.
pub fn lex(src: &str) -> Lexed {
    let mut lx = Lexer { src, bytes: src.as_bytes(), pos: 0, out: Lexed::default(), depth: 0, too_deep: false };
    lx.run();
    lx.out
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'@'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Lexer<'a> {
    fn peek(&self, off: usize) -> Option<u8> {
        self.bytes.get(self.pos + off).copied()
    }

    fn push(&mut self, kind: TokKind, start: usize) {
        self.out.tokens.push(Token { kind, span: Span::new(start, self.pos) });
    }

    fn error(&mut self, code: &'static str, start: usize, end: usize, msg: impl Into<String>) -> &mut Diagnostic {
        self.out.errors.push(Diagnostic::error(code, Span::new(start, end), msg));
        let last = self.out.errors.len() - 1;
        &mut self.out.errors[last]
    }

    fn open(&mut self, start: usize) {
        self.depth += 1;
        self.out.max_depth = self.out.max_depth.max(self.depth);
        if self.depth > MAX_NESTING && !self.too_deep {
            self.too_deep = true;
            let msg = format!("query nests too deeply (limit {MAX_NESTING})");
            self.error(codes::TOO_DEEP, start, self.pos, msg);
        }
    }

    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn end_of_line(&self, from: usize) -> usize {
        self.bytes[from..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(self.bytes.len(), |i| from + i)
    }

    /// The char starting at `pos` (the source is valid UTF-8, so this is always found).
    fn char_len(&self, pos: usize) -> usize {
        self.src[pos..].chars().next().map_or(1, char::len_utf8)
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.bytes[start];
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'/' if self.peek(1) == Some(b'/') => self.pos = self.end_of_line(start),
                b'/' if self.peek(1) == Some(b'*') => self.block_comment(),
                b'"' => self.string(),
                b'\'' => self.legacy_string(start, start + 1, b'\''),
                b'?' if matches!(self.peek(1), Some(b'"') | Some(b'\'')) => {
                    let q = self.bytes[start + 1];
                    self.legacy_string(start, start + 2, q)
                }
                b'`' => self.quoted_ident(),
                b'$' if self.peek(1).is_some_and(is_ident_start) => {
                    self.pos += 2;
                    self.eat_ident_chars();
                    self.push(TokKind::Variable, start);
                }
                _ if is_ident_start(b) => {
                    self.pos += 1;
                    self.eat_ident_chars();
                    if self.peek(0) == Some(b'~') && b != b'@' && b != b'_' {
                        self.pos += 1;
                    }
                    self.push(TokKind::Word, start);
                }
                _ if b.is_ascii_digit() || (b == b'.' && self.peek(1).is_some_and(|c| c.is_ascii_digit())) => {
                    self.number()
                }
                _ => self.punct(start),
            }
            if self.too_deep {
                return;
            }
        }
    }

    fn eat_ident_chars(&mut self) {
        while self.peek(0).is_some_and(is_ident_char) {
            self.pos += 1;
        }
    }

    fn eat_digits(&mut self) {
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn number(&mut self) {
        let start = self.pos;
        self.eat_digits();
        if self.peek(0) == Some(b'.') && self.peek(1).is_none_or(|c| !is_ident_start(c)) {
            self.pos += 1;
            self.eat_digits();
        }
        if matches!(self.peek(0), Some(b'e') | Some(b'E')) {
            let sign = usize::from(matches!(self.peek(1), Some(b'+') | Some(b'-')));
            if self.peek(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1 + sign;
                self.eat_digits();
            }
        }
        self.push(TokKind::Number, start);
    }

    fn punct(&mut self, start: usize) {
        let two = self.bytes.get(start..start + 2).unwrap_or(&[]);
        let len = match two {
            b"==" | b"!=" | b"<=" | b">=" | b"&&" | b"||" => 2,
            b"![" => {
                self.pos += 2;
                self.open(start);
                self.push(TokKind::Punct, start);
                return;
            }
            b"!:" => {
                self.pos += 2;
                self.error(codes::LEGACY, start, start + 2, "the `!:` operator no longer exists")
                    .hints
                    .push("write `not field : \"value\"` instead".into());
                self.push(TokKind::Punct, start);
                return;
            }
            _ => self.char_len(start),
        };
        self.pos += len;
        match self.bytes[start] {
            b'(' | b'[' if len == 1 => self.open(start),
            b')' | b']' if len == 1 => self.close(),
            _ => {}
        }
        self.push(TokKind::Punct, start);
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        let base = self.depth;
        self.pos += 2;
        self.open(start);
        while self.depth > base && !self.too_deep {
            match (self.peek(0), self.peek(1)) {
                (None, _) => {
                    self.error(codes::UNTERMINATED, start, start + 2, "unterminated comment")
                        .hints
                        .push("close it with `*/` (block comments nest)".into());
                    self.depth = base;
                    return;
                }
                (Some(b'/'), Some(b'*')) => {
                    let here = self.pos;
                    self.pos += 2;
                    self.open(here);
                }
                (Some(b'*'), Some(b'/')) => {
                    self.pos += 2;
                    self.close();
                }
                _ => self.pos += 1,
            }
        }
    }

    fn quoted_ident(&mut self) {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek(0) {
                None => {
                    let end = self.end_of_line(start);
                    self.error(codes::UNTERMINATED, start, end, "unterminated back-quoted name")
                        .hints
                        .push("close the name with a back-quote; write a literal back-quote as ``".into());
                    self.pos = self.bytes.len();
                    return;
                }
                Some(b'`') if self.peek(1) == Some(b'`') => self.pos += 2,
                Some(b'`') => {
                    self.pos += 1;
                    self.push(TokKind::QuotedIdent, start);
                    return;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn string(&mut self) {
        let start = self.pos;
        if self.bytes[start..].starts_with(b"\"\"\"") {
            let eol = self.end_of_line(start);
            if let Some(i) = self.src[start + 3..eol].find("\"\"\"") {
                let mut end = start + 3 + i + 3;
                for _ in 0..2 {
                    if self.bytes.get(end) == Some(&b'"') {
                        end += 1;
                    }
                }
                self.pos = end;
                self.push(TokKind::String, start);
                return;
            }
            self.pos = eol;
            self.error(codes::UNTERMINATED, start, eol, "unterminated raw string")
                .hints
                .push("a `\"\"\"` string ends with `\"\"\"` on the same line".into());
            self.push(TokKind::String, start);
            return;
        }
        self.pos += 1;
        loop {
            match self.peek(0) {
                None | Some(b'\n') | Some(b'\r') => {
                    self.error(codes::UNTERMINATED, start, self.pos, "unterminated string")
                        .hints
                        .push("strings end with `\"` on the same line".into());
                    break;
                }
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => self.escape(),
                Some(_) => self.pos += self.char_len(self.pos),
            }
        }
        self.push(TokKind::String, start);
    }

    fn escape(&mut self) {
        let start = self.pos;
        match self.peek(1) {
            Some(b'b' | b't' | b'n' | b'f' | b'r' | b'"' | b'\'' | b'\\') => self.pos += 2,
            Some(b'u') => {
                let rest = &self.src[start + 2..];
                match crate::literal::unicode_escape(rest) {
                    Ok((_, len)) => self.pos = start + 2 + len,
                    Err(len) => {
                        self.pos = start + 2 + len;
                        self.error(codes::BAD_ESCAPE, start, self.pos, "invalid unicode escape")
                            .hints
                            .push("write `\\u{` then 2 to 8 hex digits of a code point, then `}`".into());
                    }
                }
            }
            None | Some(b'\n') | Some(b'\r') => self.pos += 1,
            Some(_) => {
                self.pos += 1 + self.char_len(start + 1);
                let text = &self.src[start..self.pos];
                let msg = format!("invalid escape sequence `{text}`");
                self.error(codes::BAD_ESCAPE, start, self.pos, msg).hints.push(
                    "valid escapes are \\n \\r \\t \\\" \\\\ \\b \\f \\' and \\u{XXXX}; \
                     a \"\"\"raw\"\"\" string takes backslashes literally"
                        .into(),
                );
            }
        }
    }

    /// Single-quoted strings and `?"…"` raw strings of the original EQL: lexed, then rejected.
    fn legacy_string(&mut self, start: usize, body: usize, quote: u8) {
        let eol = self.end_of_line(body);
        let mut i = body;
        let mut end = None;
        while i < eol {
            match self.bytes[i] {
                b'\\' => i += 2,
                c if c == quote => {
                    end = Some(i + 1);
                    break;
                }
                _ => i += 1,
            }
        }
        self.pos = end.unwrap_or(eol).min(self.bytes.len());
        while !self.src.is_char_boundary(self.pos) {
            self.pos += 1;
        }
        let raw = body - start == 2;
        let (msg, hint) = if raw {
            ("`?\"…\"` raw strings are not supported; use double quotes", "write a raw string as \"\"\"…\"\"\"")
        } else {
            ("single-quoted strings are not supported; use double quotes", "write the string as \"…\"")
        };
        self.error(codes::LEGACY, start, self.pos, msg).hints.push(hint.into());
        self.push(TokKind::String, start);
    }
}
