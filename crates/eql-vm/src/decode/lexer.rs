//! The JSON tokens, lexed by `logos`; strings are scanned with `memchr` in a callback.

use logos::{Lexer, Logos};
use memchr::memchr2;

use super::simd::quote_or_backslash;

/// Why the lexer stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum LexError {
    /// Bytes that start no JSON token.
    #[default]
    Invalid,
    /// A string with no closing quote.
    Unterminated,
    /// An invalid escape; the offset of its backslash from the string's opening quote.
    BadEscape(usize),
}

/// One JSON token. Numbers and strings carry no value: the decoder reads their text only when
/// the field is projected, so skipped values cost a scan and nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Logos)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\n]+")]
pub(crate) enum Token {
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(":")]
    Colon,
    #[token(",")]
    Comma,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("null")]
    Null,
    #[regex(r"-?(0|[1-9][0-9]*)")]
    Int,
    #[regex(r"-?(0|[1-9][0-9]*)(\.[0-9]+([eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)")]
    Float,
    /// A string; `true` when it contains escapes. The span includes both quotes.
    #[token("\"", lex_string)]
    Str(bool),
}

impl Token {
    /// How the token reads in an error message.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Token::LBrace => "'{'",
            Token::RBrace => "'}'",
            Token::LBracket => "'['",
            Token::RBracket => "']'",
            Token::Colon => "':'",
            Token::Comma => "','",
            Token::True | Token::False => "a boolean",
            Token::Null => "null",
            Token::Int | Token::Float => "a number",
            Token::Str(_) => "a string",
        }
    }
}

/// Finds the end of a string that starts just before the remainder, checking its escapes.
#[inline]
fn lex_string(lex: &mut Lexer<'_, Token>) -> Result<bool, LexError> {
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    let mut escaped = false;
    loop {
        let Some(j) = find_quote_or_backslash(rest, i) else {
            lex.bump(rest.len());
            return Err(LexError::Unterminated);
        };
        i = j;
        if rest[i] == b'"' {
            // `"` is ASCII, so the byte after it is a char boundary.
            lex.bump(i + 1);
            return Ok(escaped);
        }
        escaped = true;
        match rest.get(i + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
            Some(b'u') => {
                let hex = rest.get(i + 2..i + 6);
                if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                    return Err(LexError::BadEscape(i + 1));
                }
                i += 6;
            }
            Some(_) => return Err(LexError::BadEscape(i + 1)),
            None => {
                lex.bump(rest.len());
                return Err(LexError::Unterminated);
            }
        }
    }
}

/// The index of the first `"` or `\` in `b` at or after `from`. Most JSON strings are short,
/// so the first 64 bytes are tested 16 at a time before handing over to `memchr2`.
#[inline]
pub(crate) fn find_quote_or_backslash(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(block) = b.get(i..).and_then(<[u8]>::first_chunk::<16>) {
        let hits = quote_or_backslash(block);
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize);
        }
        i += 16;
        if i - from >= 64 {
            break;
        }
    }
    memchr2(b'"', b'\\', b.get(i..)?).map(|j| i + j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<Result<Token, LexError>> {
        Token::lexer(s).collect()
    }

    #[test]
    fn punctuation_and_literals() {
        use Token::*;
        let got: Vec<_> = tokens(" {\"a\" : [1, -2.5e3, true, false, null]}\r\n");
        let want = [
            LBrace,
            Str(false),
            Colon,
            LBracket,
            Int,
            Comma,
            Float,
            Comma,
            True,
            Comma,
        ]
        .into_iter()
        .chain([False, Comma, Null, RBracket, RBrace])
        .map(Ok)
        .collect::<Vec<_>>();
        assert_eq!(got, want);
    }

    #[test]
    fn numbers() {
        let mut lex = Token::lexer("0 -0 12 1.5 1e5 1E-5 -3.25E+2");
        let mut got = Vec::new();
        while let Some(t) = lex.next() {
            got.push((t.unwrap(), lex.slice().to_string()));
        }
        let kinds: Vec<_> = got.iter().map(|(t, _)| *t).collect();
        use Token::*;
        assert_eq!(kinds, [Int, Int, Int, Float, Float, Float, Float]);
        assert_eq!(got[6].1, "-3.25E+2");
        // A leading zero ends the number; the decoder then sees two numbers in a row.
        assert_eq!(tokens("01"), [Ok(Int), Ok(Int)]);
        assert_eq!(tokens("-")[0], Err(LexError::Invalid));
    }

    #[test]
    fn strings() {
        let mut lex = Token::lexer(r#""plain" "C:\\x\"y" "\u00e9" "é""#);
        assert_eq!(lex.next(), Some(Ok(Token::Str(false))));
        assert_eq!(lex.slice(), "\"plain\"");
        assert_eq!(lex.next(), Some(Ok(Token::Str(true))));
        assert_eq!(lex.slice(), r#""C:\\x\"y""#);
        assert_eq!(lex.next(), Some(Ok(Token::Str(true))));
        assert_eq!(lex.next(), Some(Ok(Token::Str(false))));
        assert_eq!(lex.next(), None);
    }

    #[test]
    fn finds_quotes_and_backslashes() {
        let text = br#"0123456789abcdefghijklmnopqrstuvwxyz0123456789"x\"#;
        for from in 0..text.len() {
            let want = text[from..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\')
                .map(|j| from + j);
            assert_eq!(find_quote_or_backslash(text, from), want, "{from}");
            for cut in from..=text.len() {
                let want = text[from..cut]
                    .iter()
                    .position(|&c| c == b'"' || c == b'\\');
                assert_eq!(
                    find_quote_or_backslash(&text[..cut], from),
                    want.map(|j| from + j)
                );
            }
        }
        assert_eq!(find_quote_or_backslash(b"ab", 5), None);
        // Bytes just below and above the targets (and high bytes) do not match.
        assert_eq!(
            find_quote_or_backslash("!#[]\u{7f}é\"".as_bytes(), 0),
            Some(7)
        );
    }

    #[test]
    fn bad_strings() {
        assert_eq!(tokens(r#""abc"#), [Err(LexError::Unterminated)]);
        assert_eq!(tokens(r#""abc\"#), [Err(LexError::Unterminated)]);
        assert_eq!(tokens(r#""ab\q""#)[0], Err(LexError::BadEscape(3)));
        assert_eq!(tokens(r#""\u12""#)[0], Err(LexError::BadEscape(1)));
        assert_eq!(tokens("tru")[0], Err(LexError::Invalid));
    }
}
