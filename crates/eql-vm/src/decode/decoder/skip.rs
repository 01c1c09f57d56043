//! Reading without the tokenizer: keys and strings without escapes, and unprojected objects and arrays,
//! skipped 64 bytes at a time (`block.rs`) or, when that declines, by the exact byte scan that
//! jumps over strings, counts depth explicitly and checks that brackets pair up (and gives the
//! errors). Scalars, commas and colons inside a skipped subtree are not validated (the line was
//! already checked to be UTF-8).

use super::super::lexer::find_quote_or_backslash;
use super::{DecodeError, Parser, E, MAX_DEPTH};

/// Byte classes of the skip scanner.
const OTHER: u8 = 0;
const QUOTE: u8 = 1;
const OPEN_OBJ: u8 = 2;
const OPEN_ARR: u8 = 3;
const CLOSE_OBJ: u8 = 4;
const CLOSE_ARR: u8 = 5;

static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    t[b'"' as usize] = QUOTE;
    t[b'{' as usize] = OPEN_OBJ;
    t[b'[' as usize] = OPEN_ARR;
    t[b'}' as usize] = CLOSE_OBJ;
    t[b']' as usize] = CLOSE_ARR;
    t
};

impl Parser<'_, '_> {
    /// Skips the rest of the object (or array) whose opening bracket ends the current token, and
    /// moves the lexer past its closing bracket.
    pub(super) fn skip(&mut self, array: bool) -> Result<(), DecodeError> {
        let start = self.lex.span().end;
        let b = self.text.as_bytes();
        let limit = MAX_DEPTH.saturating_sub(self.frames.len());
        if limit == 0 {
            return Err(self.error(E::TooDeep { limit: MAX_DEPTH }));
        }
        let end = match self.blocks.skip(b, start, array, limit) {
            Some(end) => end,
            None => scan_container(b, start, array, limit)?,
        };
        // `end` follows an ASCII bracket, so it is a char boundary.
        self.lex.bump(end - start);
        Ok(())
    }

    /// A string (a key or a value) that starts right after the current token and has no
    /// escapes: moves the lexer past it and returns the range of its text (between the quotes). `None`, with the lexer left
    /// where it was, for anything else (whitespace, escapes, no key), which the lexer handles.
    #[inline]
    pub(super) fn quick_string(&mut self) -> Option<std::ops::Range<usize>> {
        let b = self.text.as_bytes();
        let open = self.lex.span().end;
        if b.get(open) != Some(&b'"') {
            return None;
        }
        let close = find_quote_or_backslash(b, open + 1)?;
        if b[close] != b'"' {
            return None;
        }
        // `close + 1` follows an ASCII quote, so it is a char boundary.
        self.lex.bump(close + 1 - open);
        Some(open + 1..close)
    }

    /// The index just past the string whose opening quote is at `open`.
    pub(super) fn skip_string(&self, open: usize) -> Result<usize, DecodeError> {
        string_end(self.text.as_bytes(), open)
    }
}

/// The index just past the string whose opening quote is at `b[open]`.
pub(super) fn string_end(b: &[u8], open: usize) -> Result<usize, DecodeError> {
    let mut i = open + 1;
    loop {
        match find_quote_or_backslash(b, i) {
            Some(j) if b[j] == b'"' => return Ok(j + 1),
            // Skip the escaped byte: an escaped quote does not end the string.
            Some(j) if j + 1 < b.len() => i = j + 2,
            _ => return Err(DecodeError::new(open, E::UnterminatedString)),
        }
    }
}

/// The exact byte scanner behind [`Parser::skip`]: the index just past the closing bracket of the
/// object (`array` false) or array whose opening bracket ends right before `b[start]`, with at
/// most `limit` (at least 1) levels of nesting counting its own, or the error that ends it.
pub(super) fn scan_container(
    b: &[u8],
    start: usize,
    array: bool,
    limit: usize,
) -> Result<usize, DecodeError> {
    // Container kinds, one bit per level (set: array); the depth is at most MAX_DEPTH.
    let mut kinds = [0u64; MAX_DEPTH / 64];
    let mut depth = 1usize;
    kinds[0] = u64::from(array);
    let mut i = start;
    while let Some(&c) = b.get(i) {
        match CLASS[c as usize] {
            OTHER => i += 1,
            QUOTE => i = string_end(b, i)?,
            open @ (OPEN_OBJ | OPEN_ARR) => {
                if depth >= limit {
                    return Err(DecodeError::new(i, E::TooDeep { limit: MAX_DEPTH }));
                }
                let (word, bit) = (depth / 64, 1u64 << (depth % 64));
                if let Some(w) = kinds.get_mut(word) {
                    *w = if open == OPEN_ARR {
                        *w | bit
                    } else {
                        *w & !bit
                    };
                }
                depth += 1;
                i += 1;
            }
            close => {
                let top = depth - 1;
                let top_is_array = kinds
                    .get(top / 64)
                    .is_some_and(|w| w >> (top % 64) & 1 == 1);
                if top_is_array != (close == CLOSE_ARR) {
                    let (found, expected) = if top_is_array {
                        ("'}'", "']'")
                    } else {
                        ("']'", "'}'")
                    };
                    return Err(DecodeError::new(i, E::Unexpected { found, expected }));
                }
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
        }
    }
    let expected = if kinds[0] & 1 == 1 && depth == 1 {
        "']'"
    } else {
        "a closing bracket"
    };
    Err(DecodeError::new(b.len(), E::Truncated { expected }))
}
