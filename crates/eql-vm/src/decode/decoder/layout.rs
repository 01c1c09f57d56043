//! Where a decode's values go: kept straight into [`EventBuf::values`] in document order, each
//! slot's values usually together already (then nothing is moved), else grouped by slot at the
//! end; and the slots reset before the next decode, only those the last one named when they
//! are fewer than all.

use super::{Decoder, Parser};
use crate::decode::projection::Projection;
use crate::event::{EventBuf, SlotRange, Value};

impl Parser<'_, '_> {
    /// Keeps `v` as the next value of `slot`. A slot's range starts at its first value; a value
    /// that does not follow its slot's last one (another slot's came between, as in an array of
    /// objects) marks the line `scattered`, and [`Decoder::finish`] then groups the values.
    #[inline(always)]
    pub(super) fn keep(&mut self, slot: u32, v: Value) {
        // Values are fewer than the line's bytes, which fit in u32 (checked before parsing).
        let at = self.values.len() as u32;
        let Some(r) = self.slots.get_mut(slot as usize) else {
            return;
        };
        self.scattered |= r.len != 0 && r.start + r.len != at;
        if r.len == 0 {
            r.start = at;
        }
        r.len += 1;
        self.values.push(v);
        self.slot_of.push(slot);
    }
}

impl Decoder {
    /// Finishes a decode: gives each value its document position, groups the values by slot
    /// when the line left some slot's apart (`scattered`), fills the slots of repeated paths
    /// and, when the projection asks, marks the slots with values in `buf.filled`.
    pub(super) fn finish(&mut self, proj: &Projection, buf: &mut EventBuf, scattered: bool) {
        if scattered {
            self.group_by_slot(buf);
        } else {
            // Every slot's values lie together in the order met: positions are indices.
            buf.pos.extend(0..buf.values.len() as u32);
        }
        let track = proj.tracks_filled();
        if track {
            // A loop of its own, so that decoding without the bitmap pays nothing for it.
            // Through a slice, whose pointer and length stay in registers (a `Vec` is reloaded
            // after every store, which might have changed it).
            let filled = &mut buf.filled[..];
            for &slot in &buf.reset.slot_of {
                mark_filled(filled, slot);
            }
        }
        let slots = &mut buf.slots;
        for &(slot, first) in proj.aliases() {
            let (Some(&src), Some(_)) = (slots.get(first as usize), slots.get(slot as usize))
            else {
                continue;
            };
            let start = buf.values.len() as u32;
            let range = src.start as usize..(src.start + src.len) as usize;
            buf.values.extend_from_within(range.clone());
            buf.pos.extend_from_within(range);
            slots[slot as usize] = SlotRange { start, ..src };
            buf.reset.bare.push(slot);
            if track && src.len > 0 {
                mark_filled(&mut buf.filled, slot);
            }
        }
    }

    /// Groups the values (in document order, their slots in `buf.reset.slot_of`) by slot with a
    /// counting sort through the slots' counts, slots in the order the line first fills them,
    /// each value's document position beside it.
    fn group_by_slot(&mut self, buf: &mut EventBuf) {
        let slots = &mut buf.slots[..];
        // Each slot's start, its count reset to 0 for the fill below: given when the slot is
        // first named (its count is then still above 0).
        let mut at = 0u32;
        for &slot in &buf.reset.slot_of {
            if let Some(r) = slots.get_mut(slot as usize) {
                if r.len > 0 {
                    r.start = at;
                    at += r.len;
                    r.len = 0;
                }
            }
        }
        self.unsorted.clear();
        self.unsorted.extend_from_slice(&buf.values);
        buf.pos.resize(buf.values.len(), 0);
        // Plain slices, whose pointers and lengths stay in registers through the loop.
        let (values, pos) = (&mut buf.values[..], &mut buf.pos[..]);
        for (i, (&slot, &v)) in buf.reset.slot_of.iter().zip(&self.unsorted).enumerate() {
            let Some(r) = slots.get_mut(slot as usize) else {
                continue;
            };
            let at = (r.start + r.len) as usize;
            if let (Some(value), Some(p)) = (values.get_mut(at), pos.get_mut(at)) {
                *value = v;
                *p = i as u32;
            }
            r.len += 1;
        }
    }
}

/// Sets `slot`'s bit in the bitmap of filled slots ([`EventBuf::filled`]).
#[inline(always)]
fn mark_filled(filled: &mut [u64], slot: u32) {
    if let Some(w) = filled.get_mut(slot as usize / 64) {
        *w |= 1 << (slot % 64);
    }
}

/// Empties the `n` slots of `buf` before a decode: only the slots the last decode named
/// ([`ResetLists`](crate::event::ResetLists)) when they are fewer than all and the buffer
/// already has `n` slots, else all of them.
pub(super) fn reset_slots(n: usize, buf: &mut EventBuf) {
    let slots = &mut buf.slots;
    if slots.len() != n {
        slots.clear();
        slots.resize(n, SlotRange::default());
    } else if buf.reset.slot_of.len() + buf.reset.bare.len() < n {
        // Two plain loops (a chained iterator costs twice the instructions a slot), through a
        // slice (see `Decoder::finish`).
        let slots = &mut slots[..];
        for list in [&buf.reset.slot_of, &buf.reset.bare] {
            for &slot in list {
                if let Some(r) = slots.get_mut(slot as usize) {
                    *r = SlotRange::default();
                }
            }
        }
    } else {
        slots.fill(SlotRange::default());
    }
    buf.reset.slot_of.clear();
    buf.reset.bare.clear();
}

/// Drops every value of a failed decode and empties every slot.
pub(super) fn clear_values(buf: &mut EventBuf) {
    buf.values.clear();
    buf.pos.clear();
    buf.reset.slot_of.clear();
    buf.reset.bare.clear();
    buf.slots.fill(SlotRange::default());
}
