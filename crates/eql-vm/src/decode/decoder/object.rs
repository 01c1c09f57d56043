//! An object's members in the optimistic pass. With a large projection (`HINTS`), each key is
//! first checked against the one its predecessor's hint names (see `hints.rs`: lines of one
//! source order their keys alike), which spares the scan for its closing quote and its hash;
//! with a small one (most keys unprojected, where a failed check for each would cost more than
//! the hits save) keys are scanned and hashed as they come.

use super::fast::{at_byte, ws};
use super::Parser;
use crate::decode::keys::Target;
use crate::decode::lexer::find_quote_or_backslash;
use crate::decode::projection::NodeId;

/// The index of the closing quote of the key that opens at `b[open]`; `None` when a backslash
/// comes first (or no quote), which the exact parser handles.
#[inline(always)]
fn key_close(b: &[u8], open: usize) -> Option<usize> {
    let close = find_quote_or_backslash(b, open + 1)?;
    (b.get(close) == Some(&b'"')).then_some(close)
}

impl Parser<'_, '_> {
    /// The members of the object of `node` whose `{` ends right before `b[at]`, with `depth`
    /// containers open counting this one; the index past its `}`.
    pub(super) fn fast_object<const HINTS: bool>(
        &mut self,
        at: usize,
        node: NodeId,
        depth: usize,
    ) -> Option<usize> {
        let b = self.text.as_bytes();
        let at = ws(b, at);
        if b.get(at) == Some(&b'}') {
            return Some(at + 1);
        }
        if HINTS {
            self.hinted_members(at, node, depth)
        } else {
            self.members(at, node, depth)
        }
    }

    /// [`Parser::fast_object`]'s members from the first key's opening quote at or after
    /// `b[at]`, checked against hints first.
    fn hinted_members(&mut self, mut at: usize, node: NodeId, depth: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        // The object's node, looked up once for all its keys.
        let this = self.proj.node(node);
        let keys = this.keys();
        // The hint that names the key expected next, and what it names.
        let mut at_hint = node as usize;
        let mut hint = self.hints.get(at_hint);
        loop {
            let open = at_byte(b, at, b'"')?;
            let (close, target) = match keys.hinted(hint, b, open + 1) {
                Some((close, i, t)) => {
                    at_hint = this.hint_of(i);
                    hint = self.hints.get(at_hint);
                    (close, Some(t))
                }
                None => {
                    let close = key_close(b, open)?;
                    let found = keys.find_key(b.get(open + 1..close)?);
                    // A projected key: the hint that named another one (or none) names it now.
                    // An unprojected key leaves the hint as it is: it names the next projected
                    // key, which the keys in between are checked against (and fail, as a hint
                    // names only projected keys).
                    if let Some((i, _)) = found {
                        self.hints.set(at_hint, i);
                        at_hint = this.hint_of(i);
                        hint = self.hints.get(at_hint);
                    }
                    (close, found.map(|(_, t)| t))
                }
            };
            at = self.member_value::<true>(close, target, depth)?;
            match b.get(at)? {
                b',' => at += 1,
                b'}' => return Some(at + 1),
                _ => return None,
            }
        }
    }

    /// [`Parser::fast_object`]'s members without hints: each key scanned for and hashed.
    fn members(&mut self, mut at: usize, node: NodeId, depth: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let this = self.proj.node(node);
        loop {
            let open = at_byte(b, at, b'"')?;
            let close = key_close(b, open)?;
            let target = this.child(b.get(open + 1..close)?);
            at = self.member_value::<false>(close, target, depth)?;
            match b.get(at)? {
                b',' => at += 1,
                b'}' => return Some(at + 1),
                _ => return None,
            }
        }
    }

    /// The colon after the key whose closing quote is `b[close]`, and the member's value, kept
    /// when the key led to a `target`, else skipped; the index of the first byte after the
    /// value that is not whitespace.
    #[inline(always)]
    fn member_value<const HINTS: bool>(
        &mut self,
        close: usize,
        target: Option<&Target>,
        depth: usize,
    ) -> Option<usize> {
        let b = self.text.as_bytes();
        let colon = at_byte(b, close + 1, b':')?;
        let value = ws(b, colon + 1);
        let end = match target {
            None => self.fast_skip(value, depth, value > colon + 1)?,
            Some(&t) => self.fast_member::<HINTS>(value, t, depth)?,
        };
        Some(ws(b, end))
    }
}
