//! Skipping an unprojected object or array: a token loop with a depth counter and a bit stack
//! of container kinds that checks the grammar and records nothing.

use super::{DecodeError, Parser, Token, E, MAX_DEPTH};

/// What the skipper expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    KeyOrClose,
    Key,
    Colon,
    Value,
    ValueOrClose,
    CommaOrClose,
}

impl Expect {
    fn describe(self) -> &'static str {
        match self {
            Expect::KeyOrClose => "a key or '}'",
            Expect::Key => "a key",
            Expect::Colon => "':'",
            Expect::Value => "a value",
            Expect::ValueOrClose => "a value or ']'",
            Expect::CommaOrClose => "',' or a closing bracket",
        }
    }
}

/// Container kinds of the skipped subtree, one bit per level (set: array).
struct Kinds {
    bits: [u64; MAX_DEPTH / 64],
    depth: usize,
}

impl Kinds {
    fn top_is_array(&self) -> bool {
        let Some(i) = self.depth.checked_sub(1) else {
            return false;
        };
        self.bits
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}

impl Parser<'_, '_> {
    /// Skips the rest of the object (or array) whose opening token was just lexed.
    pub(super) fn skip(&mut self, array: bool) -> Result<(), DecodeError> {
        let mut kinds = Kinds {
            bits: [0; MAX_DEPTH / 64],
            depth: 0,
        };
        let mut expect = self.skip_open(&mut kinds, array)?;
        loop {
            let tok = self.need(expect.describe())?;
            expect = match (expect, tok) {
                (Expect::KeyOrClose | Expect::Key, Token::Str(_)) => Expect::Colon,
                (Expect::Colon, Token::Colon) => Expect::Value,
                (Expect::Value | Expect::ValueOrClose, Token::LBrace) => {
                    self.skip_open(&mut kinds, false)?
                }
                (Expect::Value | Expect::ValueOrClose, Token::LBracket) => {
                    self.skip_open(&mut kinds, true)?
                }
                (
                    Expect::Value | Expect::ValueOrClose,
                    Token::Str(_)
                    | Token::Int
                    | Token::Float
                    | Token::True
                    | Token::False
                    | Token::Null,
                ) => Expect::CommaOrClose,
                (Expect::CommaOrClose, Token::Comma) if kinds.top_is_array() => Expect::Value,
                (Expect::CommaOrClose, Token::Comma) => Expect::Key,
                (Expect::KeyOrClose | Expect::CommaOrClose, Token::RBrace)
                    if !kinds.top_is_array() =>
                {
                    kinds.depth -= 1;
                    if kinds.depth == 0 {
                        return Ok(());
                    }
                    Expect::CommaOrClose
                }
                (Expect::ValueOrClose | Expect::CommaOrClose, Token::RBracket)
                    if kinds.top_is_array() =>
                {
                    kinds.depth -= 1;
                    if kinds.depth == 0 {
                        return Ok(());
                    }
                    Expect::CommaOrClose
                }
                _ => return Err(self.unexpected(tok, expect.describe())),
            };
        }
    }

    /// Enters a nested container of the skipped subtree.
    fn skip_open(&self, kinds: &mut Kinds, array: bool) -> Result<Expect, DecodeError> {
        let i = kinds.depth;
        if self.frames.len() + i >= MAX_DEPTH {
            return Err(self.error(E::TooDeep { limit: MAX_DEPTH }));
        }
        if let Some(w) = kinds.bits.get_mut(i / 64) {
            let bit = 1u64 << (i % 64);
            *w = if array { *w | bit } else { *w & !bit };
        }
        kinds.depth += 1;
        Ok(if array {
            Expect::ValueOrClose
        } else {
            Expect::KeyOrClose
        })
    }
}
