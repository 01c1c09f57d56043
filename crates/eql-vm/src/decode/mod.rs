//! Event decoding: a [`Projection`] of dotted field paths onto slots, and a one-pass JSON decoder
//! that walks an NDJSON line once and copies out only the projected fields into an [`EventBuf`].
//!
//! [`EventBuf`]: crate::event::EventBuf

mod decoder;
mod escape;
mod ipmemo;
mod keys;
mod lexer;
mod projection;
mod simd;
pub mod timestamp;

pub use decoder::{decode, Decoder};
pub use projection::Projection;

/// The deepest nesting of objects and arrays a line may have (the top-level object counts as 1).
pub const MAX_DEPTH: usize = 512;

/// Why a line could not be decoded, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct DecodeError {
    /// Byte offset into the line where the problem was found.
    pub offset: usize,
    pub kind: DecodeErrorKind,
}

/// The kinds of [`DecodeError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeErrorKind {
    #[error("invalid UTF-8")]
    InvalidUtf8,
    #[error("unexpected {found}, expected {expected}")]
    Unexpected {
        found: &'static str,
        expected: &'static str,
    },
    #[error("invalid token")]
    InvalidToken,
    #[error("unterminated string")]
    UnterminatedString,
    #[error("invalid escape sequence")]
    InvalidEscape,
    #[error("truncated document, expected {expected}")]
    Truncated { expected: &'static str },
    #[error("trailing data after the top-level object")]
    TrailingData,
    #[error("top level is not an object (found {found})")]
    NotAnObject { found: &'static str },
    #[error("nesting deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("line longer than 4 GiB")]
    TooLong,
}

impl DecodeError {
    pub(crate) fn new(offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError { offset, kind }
    }
}
