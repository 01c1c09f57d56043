//! Conversion of a projected scalar token to a [`Value`], according to its slot's kind.

use std::net::IpAddr;

use super::super::escape::unescape_into;
use super::super::timestamp::{float_millis_to_nanos, millis_to_nanos, parse_date};
use super::{DecodeError, Parser, Token, E};
use crate::event::{SlotKind, StrRef, Value};

impl Parser<'_, '_> {
    /// The value of the scalar token just lexed.
    pub(super) fn scalar(&mut self, tok: Token, kind: SlotKind) -> Result<Value, DecodeError> {
        Ok(match tok {
            Token::Str(escaped) => return self.string(escaped, kind),
            Token::Int => match parse_int(self.lex.slice().as_bytes()) {
                Some(i) => int_value(i, kind),
                None => return self.float(kind),
            },
            Token::Float => return self.float(kind),
            Token::True => Value::Bool(true),
            Token::False => Value::Bool(false),
            Token::Null => Value::Null,
            _ => return Err(self.unexpected(tok, "a value")),
        })
    }

    /// A number that is a float or an integer beyond `i64`.
    fn float(&self, kind: SlotKind) -> Result<Value, DecodeError> {
        let f: f64 = self
            .lex
            .slice()
            .parse()
            .map_err(|_| self.error(E::InvalidToken))?;
        Ok(match kind {
            SlotKind::Date => float_millis_to_nanos(f).map_or(Value::Float(f), Value::Date),
            _ => Value::Float(f),
        })
    }

    /// A string: borrowed from the line when it has no escapes, else unescaped into scratch;
    /// converted to an IP or a date when the slot asks for one and it parses.
    fn string(&mut self, escaped: bool, kind: SlotKind) -> Result<Value, DecodeError> {
        let raw = self.str_inside();
        if !escaped {
            let start = self.lex.span().start + 1;
            return Ok(self.plain_string(start..start + raw.len(), kind));
        }
        let at = self.lex.span().start + 1;
        self.escaped_string(at..at + raw.len(), kind)
            .map_err(|i| DecodeError::new(at + i, E::InvalidEscape))
    }

    /// A string with escapes whose text (between the quotes) is `text[raw]`, unescaped into
    /// scratch; an invalid escape gives the offset of its backslash within the text.
    pub(super) fn escaped_string(
        &mut self,
        raw: std::ops::Range<usize>,
        kind: SlotKind,
    ) -> Result<Value, usize> {
        let raw = self.text.get(raw).unwrap_or("");
        let from = self.scratch.len();
        unescape_into(raw, self.scratch)?;
        Ok(self.unescaped_value(from, kind))
    }

    /// The value of the unescaped string that fills the scratch text from `from` on.
    pub(super) fn unescaped_value(&mut self, from: usize, kind: SlotKind) -> Value {
        if let Some(v) = self.scratch.get(from..).and_then(|s| convert(s, kind)) {
            self.scratch.truncate(from);
            return v;
        }
        // Unescaped text is never longer than its line, so it fits in u32 as well.
        let len = (self.scratch.len() - from) as u32;
        Value::Str(StrRef {
            start: from as u32,
            len,
            scratch: true,
        })
    }
}

impl Parser<'_, '_> {
    /// A `true`, `false`, `null` or integer (within `i64`) that starts right after the current
    /// token: moves the lexer past it and returns its value. `None`, with the lexer left where
    /// it was, for anything else, which the lexer handles.
    #[inline]
    pub(super) fn quick_scalar(&mut self, kind: SlotKind) -> Option<Value> {
        let at = self.lex.span().end;
        let b = self.text.as_bytes();
        let len = scalar_len(b, at)?;
        let v = match b.get(at)? {
            b't' => Value::Bool(true),
            b'f' => Value::Bool(false),
            b'n' => Value::Null,
            _ => int_value(parse_int(b.get(at..at + len)?)?, kind),
        };
        // The token is ASCII, so its end is a char boundary.
        self.lex.bump(len);
        Some(v)
    }

    /// The value of a string without escapes whose text is `text[inside]`.
    #[inline(always)]
    pub(super) fn plain_string(&mut self, inside: std::ops::Range<usize>, kind: SlotKind) -> Value {
        if kind != SlotKind::Plain {
            if let Some(v) = self.converted(inside.clone(), kind) {
                return v;
            }
        }
        // The line is shorter than 4 GiB (checked before parsing), so offsets fit in u32.
        Value::Str(StrRef {
            start: inside.start as u32,
            len: inside.len() as u32,
            scratch: false,
        })
    }
}

impl Parser<'_, '_> {
    /// The IP or date `text[inside]` stands for in a slot of `kind` (out of line: most slots
    /// are plain). Dates go through the decoder's
    /// [`DateMemo`](super::super::timestamp::DateMemo), IPs through its
    /// [`IpMemo`](super::super::ipmemo::IpMemo).
    #[inline(never)]
    fn converted(&mut self, inside: std::ops::Range<usize>, kind: SlotKind) -> Option<Value> {
        let s = self.text.get(inside)?;
        match kind {
            SlotKind::Date => self.dates.parse(s).map(Value::Date),
            SlotKind::Ip => self.ips.parse(s).map(Value::Ip),
            SlotKind::Plain => None,
        }
    }
}

/// The IP or date a string stands for in a slot of `kind`, if it parses as one.
#[inline]
fn convert(s: &str, kind: SlotKind) -> Option<Value> {
    match kind {
        SlotKind::Plain => None,
        SlotKind::Ip => s.parse::<IpAddr>().ok().map(Value::Ip),
        SlotKind::Date => parse_date(s).map(Value::Date),
    }
}

/// An integer in a slot of `kind`.
#[inline]
pub(super) fn int_value(i: i64, kind: SlotKind) -> Value {
    match kind {
        SlotKind::Date => millis_to_nanos(i).map_or(Value::Int(i), Value::Date),
        _ => Value::Int(i),
    }
}

/// The length of the `true`, `false`, `null` or integer token at `b[at]`, the same token the
/// lexer would find there; `None` for anything else, and for an integer followed by `.`, `e`
/// or `E` (a float, or something the lexer should judge).
#[inline]
pub(super) fn scalar_len(b: &[u8], at: usize) -> Option<usize> {
    let rest = b.get(at..)?;
    let word = |w: &[u8]| rest.starts_with(w).then_some(w.len());
    match *rest.first()? {
        b't' => word(b"true"),
        b'f' => word(b"false"),
        b'n' => word(b"null"),
        b'-' | b'0'..=b'9' => {
            let mut i = usize::from(rest[0] == b'-');
            match rest.get(i)? {
                b'0' => i += 1,
                b'1'..=b'9' => {
                    i += 1;
                    while rest.get(i).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                    }
                }
                _ => return None,
            }
            match rest.get(i) {
                Some(b'.' | b'e' | b'E') => None,
                _ => Some(i),
            }
        }
        _ => None,
    }
}

/// A JSON integer's value, `None` beyond `i64`.
#[inline]
pub(super) fn parse_int(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    // Accumulate negatively so that i64::MIN fits.
    let mut acc = 0i64;
    for &c in digits {
        acc = acc
            .checked_mul(10)?
            .checked_sub(i64::from(c.wrapping_sub(b'0')))?;
    }
    if neg {
        Some(acc)
    } else {
        acc.checked_neg()
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_int, scalar_len};
    use crate::decode::lexer::Token;
    use logos::Logos;

    #[test]
    fn scalar_len_agrees_with_the_lexer() {
        let cases = [
            "true",
            "false",
            "null",
            "0",
            "-0",
            "7",
            "42",
            "-42",
            "01",
            "-01",
            "1.5",
            "1e5",
            "1E5",
            "0.0",
            "-",
            "-x",
            "tru",
            "truex",
            "nul",
            "fals",
            "12,",
            "12]",
            "12}",
            "12 ",
            "9223372036854775808",
            "\"s\"",
            "{",
            "x",
            "",
            "-1.",
            "1e",
            "00",
        ];
        for case in cases {
            let mut lex = Token::lexer(case);
            let lexed = match lex.next() {
                Some(Ok(Token::True | Token::False | Token::Null | Token::Int)) => {
                    Some(lex.span().end)
                }
                _ => None,
            };
            let quick = scalar_len(case.as_bytes(), 0);
            if let Some(n) = quick {
                assert_eq!(Some(n), lexed, "{case:?}");
            }
            // Integers and literals are read quickly unless a float could follow.
            let number = case.starts_with(|c: char| c == '-' || c.is_ascii_digit());
            let floaty = number && case.contains(['.', 'e', 'E']);
            assert_eq!(quick.is_none(), lexed.is_none() || floaty, "{case:?}");
        }
        assert_eq!(scalar_len(b"x:123,", 2), Some(3));
        assert_eq!(scalar_len(b"ab", 5), None);
    }

    #[test]
    fn integers() {
        assert_eq!(parse_int(b"0"), Some(0));
        assert_eq!(parse_int(b"-0"), Some(0));
        assert_eq!(parse_int(b"42"), Some(42));
        assert_eq!(parse_int(b"-42"), Some(-42));
        assert_eq!(parse_int(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_int(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int(b"9223372036854775808"), None);
        assert_eq!(parse_int(b"-9223372036854775809"), None);
    }
}
