//! A decoded event: the raw line plus the values of the projected fields, held in flat buffers
//! that are reused from one event to the next so that decoding allocates nothing per event.

use std::net::IpAddr;

/// Where a string value lives: in the event's line (no escapes) or in its scratch buffer
/// (the unescaped copy of a string that had escapes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrRef {
    pub start: u32,
    pub len: u32,
    /// True when the bytes live in [`EventBuf::scratch`], false when in [`EventBuf::line`].
    pub scratch: bool,
}

/// One scalar value of a field. A field may hold several (a JSON array).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(StrRef),
    /// An IP parsed from a string in a slot whose kind is [`SlotKind::Ip`].
    Ip(IpAddr),
    /// Epoch nanoseconds parsed in a slot whose kind is [`SlotKind::Date`].
    Date(i64),
    /// A JSON object where a value was expected (it matches no predicate).
    Object,
}

pub use eql_bytecode::SlotKind;

/// The values of one slot: a range of [`EventBuf::values`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlotRange {
    pub start: u32,
    pub len: u32,
    /// The field was present in the event (even as `null` or `[]`).
    pub present: bool,
}

/// A reusable buffer for one decoded event.
#[derive(Debug, Default)]
pub struct EventBuf {
    /// The raw JSON line (without the trailing newline) to decode. A successful decode moves
    /// it into [`EventBuf::text`] (its UTF-8 checked once) and leaves here an empty buffer
    /// with the previous line's memory; a failed decode leaves it here.
    pub line: Vec<u8>,
    /// The line of the last successful decode (empty after a failed one).
    pub text: String,
    /// Unescaped copies of strings that contained escapes.
    pub scratch: String,
    /// All values of all slots, each slot's together (in slot order, or in the order the line
    /// first fills them: the decoder picks whichever is cheaper for the line).
    pub values: Vec<Value>,
    /// One entry per slot of the projection.
    pub slots: Vec<SlotRange>,
    /// Parallel to `values`: each value's position in document order (the order the decoder
    /// met it). `_arraysearch` uses it to tell which element of an array a sub-field value
    /// belongs to: the one whose object (a `Value::Object` in the array's slot) came last
    /// before it.
    pub pos: Vec<u32>,
    /// A bit per slot, set when the slot has values (`slots[i].len > 0`): bit `i % 64` of word
    /// `i / 64`, as many words as the slots need; filled only when the projection asks for it
    /// (`Projection::set_track_filled`; an engine with a prefilter does), else empty. Lets a
    /// reader of a few slots among many (the prefilter) visit only those the event fills.
    pub filled: Vec<u64>,
    /// The lists the decoder keeps to reset only what the last decode filled (see
    /// [`ResetLists`]); boxed, so that a buffer's header stays small for its readers.
    pub(crate) reset: Box<ResetLists>,
}

/// What the last decode into a buffer filled, kept by the decoder alone.
#[derive(Debug, Default)]
pub(crate) struct ResetLists {
    /// The slot of each value the last decode kept, in the order it met them (the values of
    /// repeated paths not included). With [`ResetLists::bare`] it names every slot that decode
    /// left other than empty, so that the next decode resets only those. Kept by the decoder
    /// alone, which is the only writer of `slots`.
    pub(crate) slot_of: Vec<u32>,
    /// The other slots the last decode may have left other than empty: those marked present
    /// before a value that is not kept right away (a container, a number), and those of
    /// repeated paths (repeats allowed).
    pub(crate) bare: Vec<u32>,
}

impl EventBuf {
    pub fn new() -> EventBuf {
        EventBuf::default()
    }

    /// The decoded line (empty before a successful decode).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Takes the line out, wherever the last decode left it (see [`EventBuf::line`]).
    pub fn take_line(&mut self) -> Vec<u8> {
        if self.line.is_empty() {
            std::mem::take(&mut self.text).into_bytes()
        } else {
            std::mem::take(&mut self.line)
        }
    }

    /// The text of a string value.
    #[inline]
    pub fn str(&self, r: StrRef) -> &str {
        let (s, range) = self.backing(r);
        s.get(range).unwrap_or("")
    }

    /// The bytes of a string value: [`EventBuf::str`] without the character-boundary checks,
    /// for comparisons that need no `str`.
    #[inline]
    pub fn bytes(&self, r: StrRef) -> &[u8] {
        let (s, range) = self.backing(r);
        s.as_bytes().get(range).unwrap_or(b"")
    }

    /// The buffer a string value lives in, and its range there.
    #[inline]
    fn backing(&self, r: StrRef) -> (&str, std::ops::Range<usize>) {
        let s = if r.scratch { &self.scratch } else { &self.text };
        let start = r.start as usize;
        (s, start..start + r.len as usize)
    }

    /// The range of [`EventBuf::values`] (and [`EventBuf::pos`]) holding slot `slot`.
    #[inline]
    fn slot_range(&self, slot: usize) -> std::ops::Range<usize> {
        self.slots.get(slot).map_or(0..0, |r| {
            r.start as usize..r.start as usize + r.len as usize
        })
    }

    /// The values of slot `slot` (empty when the field is missing).
    #[inline]
    pub fn slot(&self, slot: usize) -> &[Value] {
        // A missing slot returns early rather than through an empty range: the one bounds
        // check left then knows that the range's end is not below its start.
        match self.slots.get(slot) {
            Some(r) => {
                let start = r.start as usize;
                self.values
                    .get(start..start + r.len as usize)
                    .unwrap_or(&[])
            }
            None => &[],
        }
    }

    /// The document positions of slot `slot`'s values (parallel to [`EventBuf::slot`]).
    pub fn slot_pos(&self, slot: usize) -> &[u32] {
        self.pos.get(self.slot_range(slot)).unwrap_or(&[])
    }

    /// The bitmap of slots with values (see [`EventBuf::filled`]), or `None` when it does not
    /// cover every slot (a buffer not filled by the decoder).
    #[inline]
    pub fn filled(&self) -> Option<&[u64]> {
        Some(self.filled.as_slice()).filter(|f| f.len() >= self.slots.len().div_ceil(64))
    }

    /// Whether slot `slot` was present in the event.
    pub fn present(&self, slot: usize) -> bool {
        self.slots.get(slot).is_some_and(|r| r.present)
    }
}
