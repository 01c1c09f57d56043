//! Translation of Lucene regular expressions (the `regex` / `regex~` dialect) into
//! `regex-syntax` syntax: anchored on the whole value, `.` matching any character.

mod interval;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;

/// Why a Lucene pattern could not be translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexError {
    pub message: String,
    /// Character offset in the pattern where the problem was found.
    pub offset: usize,
}

/// Translates a Lucene regexp into an anchored `regex-syntax` pattern and validates it.
pub fn translate(pattern: &str) -> Result<String, RegexError> {
    let mut p = Parser {
        chars: pattern.chars().collect(),
        pos: 0,
    };
    let body = p.union()?;
    if p.pos < p.chars.len() {
        return Err(p.err(format!("unexpected `{}`", p.chars[p.pos])));
    }
    let out = format!("^(?s:{body})$");
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(&out)
        .map_err(|e| RegexError {
            message: format!("invalid regular expression: {e}"),
            offset: 0,
        })?;
    Ok(out)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn err(&self, message: impl Into<String>) -> RegexError {
        RegexError {
            message: message.into(),
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `concat ('|' concat)*`
    fn union(&mut self) -> Result<String, RegexError> {
        let mut out = self.concat()?;
        while self.eat('|') {
            out.push('|');
            out.push_str(&self.concat()?);
        }
        Ok(out)
    }

    /// One or more repeat expressions.
    fn concat(&mut self) -> Result<String, RegexError> {
        let mut out = String::new();
        let start = self.pos;
        loop {
            match self.peek() {
                None | Some('|') | Some(')') => break,
                Some('&') => {
                    return Err(self.err("the intersection operator `&` is not supported (escape it as `\\&` to match a literal `&`)"))
                }
                _ => out.push_str(&self.repeat()?),
            }
        }
        if self.pos == start {
            return Err(self.err("empty alternative in regular expression"));
        }
        Ok(out)
    }

    /// An atom followed by any number of `? * + {n,m}`.
    fn repeat(&mut self) -> Result<String, RegexError> {
        if self.peek() == Some('~') {
            return Err(self.err("the complement operator `~` is not supported (escape it as `\\~` to match a literal `~`)"));
        }
        let mut out = self.atom()?;
        loop {
            match self.peek() {
                Some(c @ ('?' | '*' | '+')) => {
                    self.pos += 1;
                    out = format!("(?:{out}){c}");
                }
                Some('{') => {
                    self.pos += 1;
                    let n = self
                        .number()
                        .ok_or_else(|| self.err("expected a number after `{`"))?;
                    let bound = if self.eat(',') {
                        match self.number() {
                            Some(m) if m < n => return Err(self.err("repeat bounds out of order")),
                            Some(m) => format!("{{{n},{m}}}"),
                            None => format!("{{{n},}}"),
                        }
                    } else {
                        format!("{{{n}}}")
                    };
                    if !self.eat('}') {
                        return Err(self.err("expected `}` to close the repeat"));
                    }
                    out = format!("(?:{out}){bound}");
                }
                _ => return Ok(out),
            }
        }
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        text.parse().ok()
    }

    fn atom(&mut self) -> Result<String, RegexError> {
        let Some(c) = self.peek() else {
            return Err(self.err("unexpected end of regular expression"));
        };
        self.pos += 1;
        Ok(match c {
            '.' => ".".to_string(),
            '@' => "(?:.*)".to_string(),
            // An empty class: never matches.
            '#' => "[a&&b]".to_string(),
            '(' => {
                if self.eat(')') {
                    return Ok("(?:)".to_string());
                }
                let inner = self.union()?;
                if !self.eat(')') {
                    return Err(self.err("expected `)`"));
                }
                format!("(?:{inner})")
            }
            '[' => self.class()?,
            '"' => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c != '"') {
                    self.pos += 1;
                }
                if !self.eat('"') {
                    self.pos = start - 1;
                    return Err(self.err("unterminated quoted string"));
                }
                let lit: String = self.chars[start..self.pos - 1].iter().collect();
                format!("(?:{})", regex_syntax::escape(&lit))
            }
            '<' => self.interval()?,
            '\\' => {
                let Some(e) = self.peek() else {
                    return Err(self.err("trailing `\\`"));
                };
                self.pos += 1;
                match shorthand(e) {
                    Some(Shorthand::Class(cls)) => format!("[{cls}]"),
                    Some(Shorthand::Negated(cls)) => format!("[^{cls}]"),
                    None => literal(e),
                }
            }
            c => literal(c),
        })
    }

    /// `[…]` or `[^…]` after the `[`.
    fn class(&mut self) -> Result<String, RegexError> {
        let open = self.pos - 1;
        let mut out = String::from("[");
        if self.eat('^') {
            out.push('^');
        }
        let mut empty = true;
        loop {
            let Some(c) = self.peek() else {
                self.pos = open;
                return Err(self.err("unterminated character class"));
            };
            if c == ']' && !empty {
                self.pos += 1;
                break;
            }
            if c == ']' {
                return Err(self.err("empty character class"));
            }
            empty = false;
            let lo = self.class_char()?;
            let lo = match lo {
                ClassItem::Char(ch) => ch,
                ClassItem::Set(set) => {
                    out.push_str(set);
                    continue;
                }
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']') {
                self.pos += 1;
                let ClassItem::Char(hi) = self.class_char()? else {
                    return Err(self.err("a class shorthand cannot end a range"));
                };
                if hi < lo {
                    return Err(self.err("character range out of order"));
                }
                let _ = write!(out, "{}-{}", class_literal(lo), class_literal(hi));
            } else {
                out.push_str(&class_literal(lo));
            }
        }
        out.push(']');
        Ok(out)
    }

    fn class_char(&mut self) -> Result<ClassItem, RegexError> {
        let Some(c) = self.peek() else {
            return Err(self.err("unterminated character class"));
        };
        self.pos += 1;
        if c != '\\' {
            return Ok(ClassItem::Char(c));
        }
        let Some(e) = self.peek() else {
            return Err(self.err("trailing `\\`"));
        };
        self.pos += 1;
        match shorthand(e) {
            Some(Shorthand::Class(cls)) => Ok(ClassItem::Set(cls)),
            Some(Shorthand::Negated(_)) => {
                self.pos -= 2;
                Err(self.err(format!("`\\{e}` inside a character class is not supported")))
            }
            None => Ok(ClassItem::Char(e)),
        }
    }

    /// `<n-m>` after the `<`.
    fn interval(&mut self) -> Result<String, RegexError> {
        let open = self.pos - 1;
        let close = self.chars[self.pos..]
            .iter()
            .position(|&c| c == '>')
            .map(|i| self.pos + i);
        let Some(close) = close else {
            self.pos = open;
            return Err(self.err(
                "`<` starts a numeric interval `<n-m>` (escape it as `\\<` to match a literal `<`)",
            ));
        };
        let text: String = self.chars[self.pos..close].iter().collect();
        let parsed = text.split_once('-').and_then(|(a, b)| {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            (digits(a) && digits(b)).then_some((a.to_string(), b.to_string()))
        });
        let Some((lo, hi)) = parsed else {
            self.pos = open;
            return Err(self.err(format!(
                "`<{text}>` is not supported: only numeric intervals `<n-m>` are"
            )));
        };
        self.pos = close + 1;
        interval::interval(&lo, &hi).map_err(|m| RegexError {
            message: m,
            offset: open,
        })
    }
}

enum ClassItem {
    Char(char),
    Set(&'static str),
}

enum Shorthand {
    Class(&'static str),
    Negated(&'static str),
}

/// Lucene's ASCII shorthand classes `\d \s \w` and their negations.
fn shorthand(c: char) -> Option<Shorthand> {
    const DIGIT: &str = "0-9";
    const SPACE: &str = r" \t\n\x0B\f\r";
    const WORD: &str = "0-9A-Za-z_";
    Some(match c {
        'd' => Shorthand::Class(DIGIT),
        's' => Shorthand::Class(SPACE),
        'w' => Shorthand::Class(WORD),
        'D' => Shorthand::Negated(DIGIT),
        'S' => Shorthand::Negated(SPACE),
        'W' => Shorthand::Negated(WORD),
        _ => return None,
    })
}

/// One literal character outside a class.
fn literal(c: char) -> String {
    if c.is_control() {
        format!("\\x{{{:X}}}", c as u32)
    } else {
        regex_syntax::escape(c.encode_utf8(&mut [0; 4]))
    }
}

/// One literal character inside a class.
fn class_literal(c: char) -> String {
    if c.is_control() {
        format!("\\x{{{:X}}}", c as u32)
    } else if c.is_ascii_punctuation() {
        // Hex escapes are valid for every character, whatever the class syntax reserves.
        format!("\\x{{{:X}}}", c as u32)
    } else {
        c.to_string()
    }
}
