//! Decoding of literal tokens: strings (escapes, raw strings), numbers and back-quoted names.

use crate::ast::Literal;

/// Decodes the text after `\u` (`{41}…`): the char and the bytes consumed, or on error the
/// number of bytes that belong to the bad escape.
pub fn unicode_escape(rest: &str) -> Result<(char, usize), usize> {
    let bytes = rest.as_bytes();
    if bytes.first() != Some(&b'{') {
        return Err(0);
    }
    let digits = bytes[1..].iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if bytes.get(1 + digits) != Some(&b'}') {
        return Err(1 + digits);
    }
    let len = digits + 2;
    if !(2..=8).contains(&digits) {
        return Err(len);
    }
    let code = u32::from_str_radix(&rest[1..1 + digits], 16).map_err(|_| len)?;
    char::from_u32(code).map(|c| (c, len)).ok_or(len)
}

/// The value of a string token (quotes included). `None` if the escapes are invalid, which
/// the lexer has already reported.
pub fn string_value(token: &str) -> Option<String> {
    if token.len() >= 6 && token.starts_with("\"\"\"") {
        let inner = token.get(3..token.len() - 3)?;
        return Some(inner.to_string());
    }
    let inner = token.get(1..token.len().checked_sub(1)?)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (_, e) = chars.next()?;
        out.push(match e {
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'f' => '\u{c}',
            'r' => '\r',
            '"' => '"',
            '\'' => '\'',
            '\\' => '\\',
            'u' => {
                let (c, len) = unicode_escape(inner.get(i + 2..)?).ok()?;
                for _ in 0..len {
                    chars.next();
                }
                c
            }
            _ => return None,
        });
    }
    Some(out)
}

/// The name inside a back-quoted identifier (```` `a``b` ```` is ``a`b``).
pub fn quoted_ident_value(token: &str) -> String {
    let inner = token.get(1..token.len().saturating_sub(1)).unwrap_or("");
    inner.replace("``", "`")
}

/// An integer literal: an `i64` when it fits, otherwise a float.
pub fn integer_value(text: &str) -> Literal {
    match text.parse::<i64>() {
        Ok(i) => Literal::Int(i),
        Err(_) => Literal::Float(text.parse::<f64>().unwrap_or(f64::INFINITY)),
    }
}

/// A decimal literal (`1.5`, `.5`, `1e3`).
pub fn decimal_value(text: &str) -> Option<f64> {
    text.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(string_value(r#""a\nb\t\"\\\b\f\'""#).as_deref(), Some("a\nb\t\"\\\u{8}\u{c}'"));
        assert_eq!(string_value(r#""\u{41}\u{0001F600}""#).as_deref(), Some("A😀"));
        assert_eq!(string_value(r#""\q""#), None);
    }

    #[test]
    fn raw_strings_keep_backslashes_and_trailing_quotes() {
        assert_eq!(string_value(r#""""a\b""""#).as_deref(), Some(r"a\b"));
        assert_eq!(string_value(r#""""x"""""#).as_deref(), Some(r#"x""#));
        assert_eq!(string_value(r#""""""""#).as_deref(), Some(""));
    }

    #[test]
    fn unicode_escape_limits() {
        assert_eq!(unicode_escape("{4}"), Err(3));
        assert_eq!(unicode_escape("{123456789}"), Err(11));
        assert_eq!(unicode_escape("{D800}"), Err(6));
        assert_eq!(unicode_escape("{110000}"), Err(8));
        assert_eq!(unicode_escape("41"), Err(0));
        assert_eq!(unicode_escape("{00000041}x"), Ok(('A', 10)));
    }

    #[test]
    fn numbers() {
        assert_eq!(integer_value("42"), Literal::Int(42));
        assert_eq!(integer_value("9223372036854775808"), Literal::Float(9223372036854775808.0));
        assert_eq!(decimal_value(".5e1"), Some(5.0));
        assert_eq!(decimal_value("1."), Some(1.0));
    }
}
