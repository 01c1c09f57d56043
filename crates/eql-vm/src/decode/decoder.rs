//! The one-pass decoder: walks a line's tokens once with an explicit stack (no recursion), keeps
//! the values of projected fields and skips every other subtree with a depth counter.

use std::cell::RefCell;

use logos::{Lexer, Logos};

use super::ipmemo::IpMemo;
use super::lexer::{LexError, Token};
use super::projection::{NodeId, Projection, ROOT};
use super::timestamp::DateMemo;
use super::{DecodeError, DecodeErrorKind as E, MAX_DEPTH};
use crate::event::{EventBuf, SlotRange, Value};

mod block;
mod fast;
mod hints;
mod layout;
mod object;
mod scalar;
mod skip;

/// Reusable working memory of the decoder. Keep one per thread (or use [`decode`], which does).
#[derive(Debug, Default)]
pub struct Decoder {
    /// A copy of the values in document order, for the lines whose values `finish` must
    /// group by slot.
    unsorted: Vec<Value>,
    /// Open containers along projected paths.
    frames: Vec<Frame>,
    /// The unescaped text of a key that had escapes.
    key: String,
    /// The minute of the last date read, kept from line to line.
    dates: DateMemo,
    /// The IPs of recent address strings, kept from line to line.
    ips: IpMemo,
    /// The keys objects' members had last, kept from line to line.
    hints: hints::Hints,
    /// Lines the optimistic pass decoded (for tests that must exercise it).
    #[cfg(test)]
    fast_taken: usize,
}

/// An open object or array on a projected path.
#[derive(Debug, Clone, Copy)]
struct Frame {
    node: NodeId,
    array: bool,
}

/// What the parser expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Just after `{`: a key or `}`.
    ObjFirst,
    /// After a member: `,` or `}`.
    ObjNext,
    /// Just after `[`: a value or `]`.
    ArrFirst,
    /// After an element: `,` or `]`.
    ArrNext,
}

thread_local! {
    static DECODER: RefCell<Decoder> = RefCell::new(Decoder::new());
}

/// Decodes `buf.line` into `buf` with a per-thread [`Decoder`]. See [`Decoder::decode`].
pub fn decode(proj: &Projection, buf: &mut EventBuf) -> Result<(), DecodeError> {
    let run = |d: &RefCell<Decoder>| match d.try_borrow_mut() {
        Ok(mut d) => d.decode(proj, buf),
        Err(_) => Decoder::new().decode(proj, buf),
    };
    DECODER
        .try_with(run)
        .unwrap_or_else(|_| Decoder::new().decode(proj, buf))
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Decodes the JSON object in `buf.line`: moves the line into `buf.text`, clears and
    /// refills `buf.values`, `buf.slots` (one per slot of `proj`) and `buf.scratch`, reusing
    /// their memory. On error the line stays in `buf.line`, the slots are all absent and no
    /// values remain.
    pub fn decode(&mut self, proj: &Projection, buf: &mut EventBuf) -> Result<(), DecodeError> {
        self.decode_with(proj, buf, true)
    }

    /// [`Decoder::decode`] with (`fast`) or without the optimistic pass of `fast.rs`.
    fn decode_with(
        &mut self,
        proj: &Projection,
        buf: &mut EventBuf,
        fast: bool,
    ) -> Result<(), DecodeError> {
        self.frames.clear();
        buf.values.clear();
        buf.pos.clear();
        buf.scratch.clear();
        layout::reset_slots(proj.len(), buf);
        buf.filled.clear();
        if proj.tracks_filled() {
            buf.filled.resize(proj.len().div_ceil(64), 0);
        }
        match self.parse(proj, buf, fast) {
            Ok(scattered) => {
                self.finish(proj, buf, scattered);
                Ok(())
            }
            Err(e) => {
                buf.scratch.clear();
                layout::clear_values(buf);
                buf.filled.fill(0);
                // A failed line stays in `line` (see `EventBuf::line`).
                if buf.line.is_empty() {
                    buf.line = std::mem::take(&mut buf.text).into_bytes();
                }
                buf.text.clear();
                Err(e)
            }
        }
    }

    /// Parses the line; `Ok(true)` when some slot's values are not together in the order met
    /// (see [`Parser::keep`]).
    fn parse(
        &mut self,
        proj: &Projection,
        buf: &mut EventBuf,
        fast: bool,
    ) -> Result<bool, DecodeError> {
        // Check the line's UTF-8 once, moving it into `text` (whose old memory becomes the
        // next line's buffer), so that string values need no further checks.
        let bytes = std::mem::take(&mut buf.line);
        let checked = if simdutf8::basic::from_utf8(&bytes).is_ok() {
            // SAFETY: `simdutf8` has just validated `bytes` as UTF-8.
            Ok(unsafe { String::from_utf8_unchecked(bytes) })
        } else {
            // The standard check places the error (the first invalid byte).
            String::from_utf8(bytes)
        };
        match checked {
            Ok(t) => {
                let mut old = std::mem::replace(&mut buf.text, t).into_bytes();
                old.clear();
                buf.line = old;
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                buf.line = e.into_bytes();
                buf.text.clear();
                return Err(DecodeError::new(at, E::InvalidUtf8));
            }
        }
        let EventBuf {
            text,
            scratch,
            slots,
            values,
            reset,
            ..
        } = buf;
        let crate::event::ResetLists { slot_of, bare } = &mut **reset;
        let text = text.as_str();
        if u32::try_from(text.len()).is_err() {
            return Err(DecodeError::new(0, E::TooLong));
        }
        let mut parser = Parser {
            lex: Token::lexer(text),
            text,
            proj,
            scratch,
            slots,
            values,
            slot_of,
            bare,
            scattered: false,
            frames: &mut self.frames,
            key: &mut self.key,
            dates: &mut self.dates,
            ips: &mut self.ips,
            hints: &mut self.hints,
            blocks: block::BlockScan::new(),
        };
        if proj.hinted() {
            parser.hints.fit(proj.hints_len());
        }
        if fast && parser.fast_document() {
            #[cfg(test)]
            {
                self.fast_taken += 1;
            }
            return Ok(parser.scattered);
        }
        parser.document()?;
        Ok(parser.scattered)
    }
}

/// The state of one decode.
struct Parser<'t, 'b> {
    lex: Lexer<'t, Token>,
    text: &'t str,
    proj: &'b Projection,
    scratch: &'b mut String,
    slots: &'b mut [SlotRange],
    /// The values kept, in document order ([`EventBuf::values`]).
    values: &'b mut Vec<Value>,
    /// The slot of each value ([`ResetLists::slot_of`](crate::event::ResetLists::slot_of)).
    slot_of: &'b mut Vec<u32>,
    /// [`ResetLists::bare`](crate::event::ResetLists::bare).
    bare: &'b mut Vec<u32>,
    /// Whether some slot's values are not together in `values` (see [`Parser::keep`]).
    scattered: bool,
    frames: &'b mut Vec<Frame>,
    key: &'b mut String,
    dates: &'b mut DateMemo,
    ips: &'b mut IpMemo,
    hints: &'b mut hints::Hints,
    /// The block scan for unprojected objects and arrays.
    blocks: block::BlockScan,
}

impl<'t> Parser<'t, '_> {
    /// Parses the top-level object and checks that nothing follows it.
    fn document(&mut self) -> Result<(), DecodeError> {
        let first = self.need("an object")?;
        if first != Token::LBrace {
            return Err(self.error(E::NotAnObject {
                found: first.describe(),
            }));
        }
        self.frames.push(Frame {
            node: ROOT,
            array: false,
        });
        let mut state = State::ObjFirst;
        while let Some(&top) = self.frames.last() {
            let next = match state {
                State::ObjFirst => {
                    // Keys without escapes are read straight from the bytes.
                    if let Some(key) = self.quick_string() {
                        state = self.member_at(top.node, key)?;
                        continue;
                    }
                    match self.need("a key or '}'")? {
                        Token::RBrace => None,
                        tok => Some(tok),
                    }
                }
                State::ObjNext if self.peek() == Some(b',') => {
                    self.lex.bump(1);
                    if let Some(key) = self.quick_string() {
                        state = self.member_at(top.node, key)?;
                        continue;
                    }
                    Some(self.need("a key")?)
                }
                State::ObjNext => self.separator(Token::RBrace, "',' or '}'", "a key")?,
                State::ArrFirst => match self.need("a value or ']'")? {
                    Token::RBracket => None,
                    tok => Some(tok),
                },
                State::ArrNext => self.separator(Token::RBracket, "',' or ']'", "a value")?,
            };
            state = match next {
                None => {
                    self.frames.pop();
                    self.after_value()
                }
                Some(tok) if top.array => self.value(Some(top.node), tok)?,
                Some(tok) => self.member(top.node, tok)?,
            };
        }
        match self.lex.next() {
            None => Ok(()),
            Some(_) => Err(self.error(E::TrailingData)),
        }
    }

    /// What follows a member or element: the first token of the next one, or `None` for the
    /// closing bracket. Separators without whitespace around them are taken straight from the
    /// bytes, which spares the lexer half of its tokens.
    #[inline]
    fn separator(
        &mut self,
        close: Token,
        expected: &'static str,
        next: &'static str,
    ) -> Result<Option<Token>, DecodeError> {
        let close_byte = if close == Token::RBrace { b'}' } else { b']' };
        match self.peek() {
            Some(b',') => {
                self.lex.bump(1);
                return self.need(next).map(Some);
            }
            Some(c) if c == close_byte => {
                self.lex.bump(1);
                return Ok(None);
            }
            _ => {}
        }
        let tok = self.need(expected)?;
        if tok == close {
            return Ok(None);
        }
        self.expect(tok, Token::Comma, expected)?;
        self.need(next).map(Some)
    }

    /// An object member whose key is `tok`, in the object of `node`.
    #[inline]
    fn member(&mut self, node: NodeId, tok: Token) -> Result<State, DecodeError> {
        let Token::Str(escaped) = tok else {
            return Err(self.unexpected(tok, "a key"));
        };
        let target = self.lookup(node, escaped)?;
        self.after_key(target)
    }

    /// An object member whose key (without escapes) is `text[key]`, in the object of `node`.
    #[inline]
    fn member_at(
        &mut self,
        node: NodeId,
        key: std::ops::Range<usize>,
    ) -> Result<State, DecodeError> {
        let target = self
            .proj
            .lookup(node, self.text.as_bytes().get(key).unwrap_or(b""));
        self.after_key(target)
    }

    /// The rest of a member once its key led to `target` (`None`: not projected).
    #[inline]
    fn after_key(&mut self, target: Option<NodeId>) -> Result<State, DecodeError> {
        if self.peek() == Some(b':') {
            self.lex.bump(1);
        } else {
            let colon = self.need("':'")?;
            self.expect(colon, Token::Colon, "':'")?;
        }
        let Some(node) = target else {
            return self.skip_value();
        };
        let slot = self.proj.node(node).slot;
        if let Some((slot, _)) = slot {
            self.slots[slot as usize].present = true;
            self.bare.push(slot);
        }
        // An object or array is opened straight from its bracket, when it cannot be too deep
        // (the depth errors are placed at the bracket the lexer would have returned).
        if let Some(tok) = self.quick_open() {
            return self.value(target, tok);
        }
        if let Some((slot, kind)) = slot {
            // A string without escapes, a literal or an integer is read straight from the bytes.
            let v = match self.quick_string() {
                Some(inside) => Some(self.plain_string(inside, kind)),
                None => self.quick_scalar(kind),
            };
            if let Some(v) = v {
                self.keep(slot, v);
                return Ok(self.after_value());
            }
        }
        let tok = self.need("a value")?;
        self.value(target, tok)
    }

    /// Skips the value of an unprojected member. Strings, objects and arrays are passed over by
    /// the byte scanner without the lexer; other scalars are lexed (and so checked).
    #[inline]
    fn skip_value(&mut self) -> Result<State, DecodeError> {
        let at = self.lex.span().end;
        match self.peek() {
            Some(b'"') => {
                let end = self.skip_string(at)?;
                // `end` follows an ASCII quote, so it is a char boundary.
                self.lex.bump(end - at);
                Ok(self.after_value())
            }
            Some(open @ (b'{' | b'[')) => {
                self.lex.bump(1);
                self.skip(open == b'[')?;
                Ok(self.after_value())
            }
            _ => {
                if let Some(len) = scalar::scalar_len(self.text.as_bytes(), at) {
                    // An ASCII token, so its end is a char boundary.
                    self.lex.bump(len);
                    return Ok(self.after_value());
                }
                let tok = self.need("a value")?;
                self.value(None, tok)
            }
        }
    }

    /// The `{` or `[` right after the current token, moved past, when opening it cannot fail
    /// (the stack is at least two levels short of [`MAX_DEPTH`]); `None` for anything else.
    #[inline]
    fn quick_open(&mut self) -> Option<Token> {
        let tok = match self.peek()? {
            b'{' => Token::LBrace,
            b'[' => Token::LBracket,
            _ => return None,
        };
        if self.frames.len() + 2 > MAX_DEPTH {
            return None;
        }
        self.lex.bump(1);
        Some(tok)
    }

    /// The byte right after the current token.
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.lex.span().end).copied()
    }

    /// Handles the value that starts with `tok`, found at `target` (`None`: not projected).
    fn value(&mut self, target: Option<NodeId>, tok: Token) -> Result<State, DecodeError> {
        match tok {
            Token::LBrace => {
                if let Some(n) = target {
                    let node = self.proj.node(n);
                    if let Some((slot, _)) = node.slot {
                        self.keep(slot, Value::Object);
                    }
                    if node.has_children() {
                        return self.open(n, false);
                    }
                }
                self.skip(false)?;
            }
            Token::LBracket => match target {
                Some(n) => return self.open(n, true),
                None => self.skip(true)?,
            },
            Token::Str(_)
            | Token::Int
            | Token::Float
            | Token::True
            | Token::False
            | Token::Null => {
                if let Some((slot, kind)) = target.and_then(|n| self.proj.node(n).slot) {
                    let v = self.scalar(tok, kind)?;
                    self.keep(slot, v);
                }
            }
            Token::RBrace | Token::RBracket | Token::Colon | Token::Comma => {
                return Err(self.unexpected(tok, "a value"));
            }
        }
        Ok(self.after_value())
    }

    /// Enters an object or array on a projected path.
    fn open(&mut self, node: NodeId, array: bool) -> Result<State, DecodeError> {
        if self.frames.len() >= MAX_DEPTH {
            return Err(self.error(E::TooDeep { limit: MAX_DEPTH }));
        }
        self.frames.push(Frame { node, array });
        Ok(if array {
            State::ArrFirst
        } else {
            State::ObjFirst
        })
    }

    /// The state after a complete value inside the innermost open container.
    #[inline]
    fn after_value(&self) -> State {
        match self.frames.last() {
            Some(f) if f.array => State::ArrNext,
            _ => State::ObjNext,
        }
    }

    /// The node reached by the key just lexed.
    #[inline]
    fn lookup(&mut self, node: NodeId, escaped: bool) -> Result<Option<NodeId>, DecodeError> {
        let raw = self.str_inside();
        if !escaped {
            return Ok(self.proj.lookup(node, raw.as_bytes()));
        }
        self.key.clear();
        let at = self.lex.span().start + 1;
        super::escape::unescape_into(raw, self.key)
            .map_err(|i| DecodeError::new(at + i, E::InvalidEscape))?;
        Ok(self.proj.lookup(node, self.key.as_bytes()))
    }

    /// The text between the quotes of the string just lexed.
    #[inline]
    fn str_inside(&self) -> &'t str {
        let span = self.lex.span();
        self.text.get(span.start + 1..span.end - 1).unwrap_or("")
    }

    /// The next token; the end of the line is an error (`expected` names what was wanted).
    #[inline]
    fn need(&mut self, expected: &'static str) -> Result<Token, DecodeError> {
        match self.lex.next() {
            Some(Ok(t)) => Ok(t),
            Some(Err(e)) => Err(self.lex_error(e)),
            None => Err(DecodeError::new(self.text.len(), E::Truncated { expected })),
        }
    }

    #[inline]
    fn expect(&self, tok: Token, want: Token, expected: &'static str) -> Result<(), DecodeError> {
        if tok == want {
            Ok(())
        } else {
            Err(self.unexpected(tok, expected))
        }
    }

    fn lex_error(&self, e: LexError) -> DecodeError {
        let start = self.lex.span().start;
        match e {
            LexError::Invalid => DecodeError::new(start, E::InvalidToken),
            LexError::Unterminated => DecodeError::new(start, E::UnterminatedString),
            LexError::BadEscape(i) => DecodeError::new(start + i, E::InvalidEscape),
        }
    }

    fn unexpected(&self, tok: Token, expected: &'static str) -> DecodeError {
        self.error(E::Unexpected {
            found: tok.describe(),
            expected,
        })
    }

    /// An error at the start of the token just lexed.
    fn error(&self, kind: E) -> DecodeError {
        DecodeError::new(self.lex.span().start, kind)
    }
}

#[cfg(test)]
mod fast_tests;
#[cfg(test)]
mod tests;
