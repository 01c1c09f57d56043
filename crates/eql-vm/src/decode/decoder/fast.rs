//! The optimistic pass: a cursor over the line's bytes that reads the usual shapes (keys
//! without escapes, strings, integers, floats, literals, whitespace between tokens) without the
//! tokenizer or the state machine, and gives up on anything else. It never reports an error:
//! when it declines, its partial output is dropped and the exact parser decodes the line from
//! the start, so errors (and their offsets) come only from there. When it accepts a line, it
//! has kept the same values in the same order as the exact parser would.

use super::scalar::{int_value, parse_int, scalar_len};
use super::skip::string_end;
use super::{Parser, MAX_DEPTH};
use crate::decode::escape::unescape_to_quote;
use crate::decode::keys::Target;
use crate::decode::lexer::find_quote_or_backslash;
use crate::decode::projection::ROOT;
use crate::event::{SlotKind, SlotRange, StrRef, Value};

/// Nesting of projected containers beyond which the optimistic pass declines (it recurses
/// once per level; unprojected subtrees are skipped without recursion at any depth).
const MAX_FAST_DEPTH: usize = 64;

/// Whether the optimistic pass may enter a container at `depth` (else it declines, and the
/// exact parser decides, with its own errors for nesting too deep).
#[inline(always)]
fn may_enter(depth: usize) -> bool {
    depth + 2 <= MAX_DEPTH && depth < MAX_FAST_DEPTH
}

/// Past JSON whitespace at `at`.
#[inline(always)]
pub(super) fn ws(b: &[u8], mut at: usize) -> usize {
    // Most tokens follow each other directly: one test for any byte above the space.
    if b.get(at).is_some_and(|&c| c > b' ') {
        return at;
    }
    while let Some(b' ' | b'\t' | b'\r' | b'\n') = b.get(at) {
        at += 1;
    }
    at
}

/// The index of the byte `c` at `b[at]` or right after whitespace there (tokens usually follow
/// each other directly: one test for that); `None` for anything else.
#[inline(always)]
pub(super) fn at_byte(b: &[u8], at: usize, c: u8) -> Option<usize> {
    if b.get(at) == Some(&c) {
        return Some(at);
    }
    let at = ws(b, at);
    (b.get(at) == Some(&c)).then_some(at)
}

/// The length of the number at `b[at]` as the tokenizer would take it, and whether it is a
/// float (has a fraction or an exponent). `None` where a fraction or exponent is malformed or
/// the bytes start no number (the exact parser then decides).
#[inline]
fn number_len(b: &[u8], at: usize) -> Option<(usize, bool)> {
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = at + usize::from(b.get(at) == Some(&b'-'));
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => {
            i += 1;
            while digit(i) {
                i += 1;
            }
        }
        _ => return None,
    }
    // One or more digits from `i`: where they end.
    let some_digits = |mut i: usize| {
        if !digit(i) {
            return None;
        }
        while digit(i) {
            i += 1;
        }
        Some(i)
    };
    let mut float = false;
    if b.get(i) == Some(&b'.') {
        i = some_digits(i + 1)?;
        float = true;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        i = some_digits(i)?;
        float = true;
    }
    Some((i - at, float))
}

impl Parser<'_, '_> {
    /// Decodes the whole line optimistically. `false`: declined, with the output cleared (the
    /// values, the slots and the scratch text) for the exact parser.
    pub(super) fn fast_document(&mut self) -> bool {
        let b = self.text.as_bytes();
        let at = ws(b, 0);
        let done = match b.get(at) {
            // Hints pay where most keys are projected, which large projections make likely;
            // small ones are read by a copy of the pass compiled without them.
            Some(b'{') if self.proj.hinted() => self
                .fast_object::<true>(at + 1, ROOT, 1)
                .is_some_and(|end| ws(b, end) == b.len()),
            Some(b'{') => self
                .fast_object::<false>(at + 1, ROOT, 1)
                .is_some_and(|end| ws(b, end) == b.len()),
            _ => false,
        };
        if !done {
            self.scratch.clear();
            self.values.clear();
            self.slot_of.clear();
            self.bare.clear();
            self.scattered = false;
            self.slots.fill(SlotRange::default());
        }
        done
    }

    /// The value at `b[at]` of a member that leads to the projected `t.node`: marks its slot
    /// present, and keeps a string without escapes (the usual case) right here; the rest goes to
    /// [`Parser::fast_value`].
    #[inline(always)]
    pub(super) fn fast_member<const HINTS: bool>(
        &mut self,
        at: usize,
        t: Target,
        depth: usize,
    ) -> Option<usize> {
        let b = self.text.as_bytes();
        let (slot, kind) = (t.slot, t.kind);
        let Some(r) = self.slots.get_mut(slot as usize) else {
            // No slot (`NO_SLOT`): a node that only leads deeper, usually to an object's
            // members, entered here rather than through `fast_value` (the same checks).
            if t.children && b.get(at) == Some(&b'{') && may_enter(depth) {
                return self.fast_object::<HINTS>(at + 1, t.node, depth + 1);
            }
            return self.fast_value::<HINTS>(at, t, depth);
        };
        r.present = true;
        if let Some(close) = plain_string_close(b, at) {
            if kind == SlotKind::Plain {
                // Built in place (the conversions' path would have it go through memory).
                self.keep(slot, Value::Str(line_str(at + 1..close)));
            } else {
                self.keep_converted(slot, at + 1..close, kind);
            }
            return Some(close + 1);
        }
        // Present, though the value may keep nothing (an empty array).
        self.bare.push(slot);
        // Arrays entered here rather than through `fast_value` (the same checks).
        if b.get(at) == Some(&b'[') && may_enter(depth) {
            return self.fast_array::<HINTS>(at + 1, t, depth + 1);
        }
        self.fast_value::<HINTS>(at, t, depth)
    }

    /// Keeps the string `text[inside]` (without escapes) of a slot that converts its strings.
    /// Inlined (out of line, its frame cost ~80 instructions a conversion; the conversion
    /// itself stays out of line).
    #[inline(always)]
    fn keep_converted(&mut self, slot: u32, inside: std::ops::Range<usize>, kind: SlotKind) {
        let v = self.plain_string(inside, kind);
        self.keep(slot, v);
    }

    /// The elements of the array found at `t.node` whose `[` ends right before `b[at]`; the
    /// index past its `]`.
    fn fast_array<const HINTS: bool>(
        &mut self,
        at: usize,
        t: Target,
        depth: usize,
    ) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut at = ws(b, at);
        if b.get(at) == Some(&b']') {
            return Some(at + 1);
        }
        loop {
            at = ws(b, self.fast_value::<HINTS>(at, t, depth)?);
            match b.get(at)? {
                b',' => at = ws(b, at + 1),
                b']' => return Some(at + 1),
                _ => return None,
            }
        }
    }

    /// Skips the value of an unprojected member at `b[at]`, as the exact parser does: strings
    /// and containers by the byte scanners, other scalars only when they are well-formed. After
    /// whitespace (`spaced`) that parser tokenizes strings, which checks their escapes: then
    /// only strings without escapes are taken. Strings without escapes, the usual case, are
    /// passed over here in the caller, and so are objects and arrays (by the block scan); the
    /// rest goes to [`Parser::fast_skip_other`].
    #[inline(always)]
    pub(super) fn fast_skip(&mut self, at: usize, depth: usize, spaced: bool) -> Option<usize> {
        let b = self.text.as_bytes();
        if let Some(close) = plain_string_close(b, at) {
            return Some(close + 1);
        }
        match b.get(at) {
            Some(&open @ (b'{' | b'[')) => {
                let limit = MAX_DEPTH.checked_sub(depth).filter(|&l| l > 0)?;
                self.blocks.skip(b, at + 1, open == b'[', limit)
            }
            _ => self.fast_skip_other(at, depth, spaced),
        }
    }

    /// [`Parser::fast_skip`] for what it does not pass over itself.
    #[inline(never)]
    fn fast_skip_other(&mut self, at: usize, depth: usize, spaced: bool) -> Option<usize> {
        let b = self.text.as_bytes();
        match *b.get(at)? {
            b'"' if spaced => None,
            b'"' => string_end(b, at).ok(),
            open @ (b'{' | b'[') => {
                let limit = MAX_DEPTH.checked_sub(depth).filter(|&l| l > 0)?;
                self.blocks.skip(b, at + 1, open == b'[', limit)
            }
            _ => match scalar_len(b, at) {
                Some(n) => Some(at + n),
                None => number_len(b, at).map(|(n, _)| at + n),
            },
        }
    }

    /// The value at `b[at]`, found at the projected `t.node` (a member's value or an element of
    /// an array found there): kept when the node has a slot, entered when it is a container.
    fn fast_value<const HINTS: bool>(
        &mut self,
        at: usize,
        t: Target,
        depth: usize,
    ) -> Option<usize> {
        let b = self.text.as_bytes();
        // `NO_SLOT` is beyond every slot.
        let slot = (t.slot as usize) < self.slots.len();
        match *b.get(at)? {
            b'"' => {
                let close = find_quote_or_backslash(b, at + 1)?;
                if !slot {
                    // Unkept strings are still checked by the exact parser's tokenizer.
                    return (b[close] == b'"').then_some(close + 1);
                }
                if b[close] != b'"' {
                    let from = self.scratch.len();
                    let end = unescape_to_quote(self.text, at + 1, close, self.scratch)?;
                    let v = self.unescaped_value(from, t.kind);
                    self.keep(t.slot, v);
                    return Some(end + 1);
                }
                if t.kind == SlotKind::Plain {
                    self.keep(t.slot, Value::Str(line_str(at + 1..close)));
                } else {
                    self.keep_converted(t.slot, at + 1..close, t.kind);
                }
                Some(close + 1)
            }
            b'{' => {
                if !may_enter(depth) {
                    return None;
                }
                if slot {
                    self.keep(t.slot, Value::Object);
                }
                if t.children {
                    self.fast_object::<HINTS>(at + 1, t.node, depth + 1)
                } else {
                    self.fast_skip(at, depth, false)
                }
            }
            b'[' => {
                if !may_enter(depth) {
                    return None;
                }
                self.fast_array::<HINTS>(at + 1, t, depth + 1)
            }
            c @ (b't' | b'f' | b'n') => {
                let len = scalar_len(b, at)?;
                if slot {
                    let v = match c {
                        b't' => Value::Bool(true),
                        b'f' => Value::Bool(false),
                        _ => Value::Null,
                    };
                    self.keep(t.slot, v);
                }
                Some(at + len)
            }
            _ => {
                let (len, float) = number_len(b, at)?;
                if !slot {
                    return Some(at + len);
                }
                let text = self.text.get(at..at + len)?;
                let int = if float {
                    None
                } else {
                    parse_int(text.as_bytes())
                };
                let v = match int {
                    Some(i) => int_value(i, t.kind),
                    None => float_value(text.parse().ok()?, t.kind),
                };
                self.keep(t.slot, v);
                Some(at + len)
            }
        }
    }
}

/// A float (or an integer beyond `i64`) in a slot of `kind`, as the exact parser converts it.
#[inline]
fn float_value(f: f64, kind: SlotKind) -> Value {
    match kind {
        SlotKind::Date => {
            crate::decode::timestamp::float_millis_to_nanos(f).map_or(Value::Float(f), Value::Date)
        }
        _ => Value::Float(f),
    }
}

/// The string of the line `text[inside]`. The line is shorter than 4 GiB (checked before
/// parsing), so offsets fit in u32.
#[inline(always)]
fn line_str(inside: std::ops::Range<usize>) -> StrRef {
    StrRef {
        start: inside.start as u32,
        len: inside.len() as u32,
        scratch: false,
    }
}

/// The index of the closing quote of the string that opens at `b[at]` when it has no escapes
/// (the usual case, which the callers finish on the spot); `None` for anything else, which
/// they hand to their general path.
#[inline(always)]
fn plain_string_close(b: &[u8], at: usize) -> Option<usize> {
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let close = find_quote_or_backslash(b, at + 1)?;
    (b.get(close) == Some(&b'"')).then_some(close)
}
