//! The eqlvm command's global allocator: mimalloc, asked for a plain block wherever any block
//! it hands out is aligned enough.
//!
//! `mimalloc::MiMalloc` asks for every block through `mi_malloc_aligned`, which serves a block
//! over 1 kB (a stored event's copy of its line) only by over-allocating and re-aligning
//! unless its size class is a power of two. Every mimalloc block is aligned to at least a word
//! (block sizes are multiples of it, pages start aligned), so for alignments up to a word the
//! plain `mi_malloc` gives the same guarantee on its fast path.

use mimalloc::MiMalloc;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

/// See the module docs.
pub struct Alloc;

/// Whether any mimalloc block suits `layout`'s alignment.
fn plain(align: usize) -> bool {
    align <= WORD
}

// SAFETY: each method either delegates to `MiMalloc` (a correct `GlobalAlloc`) or, for
// alignments of at most a word, calls the mimalloc function of the same contract without the
// alignment argument: `mi_malloc`/`mi_zalloc`/`mi_realloc` return blocks (or null) aligned to
// at least a word, and `mi_free` (which `MiMalloc::dealloc` calls too) frees blocks from
// either family.
unsafe impl GlobalAlloc for Alloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align()) {
            // SAFETY: see the impl.
            unsafe { libmimalloc_sys::mi_malloc(layout.size()) as *mut u8 }
        } else {
            // SAFETY: the caller keeps `GlobalAlloc::alloc`'s contract.
            unsafe { MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align()) {
            // SAFETY: see the impl.
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()) as *mut u8 }
        } else {
            // SAFETY: the caller keeps `GlobalAlloc::alloc_zeroed`'s contract.
            unsafe { MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, i.e. from mimalloc.
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if plain(layout.align()) {
            // SAFETY: see the impl; `ptr` came from mimalloc.
            unsafe { libmimalloc_sys::mi_realloc(ptr as *mut c_void, new_size) as *mut u8 }
        } else {
            // SAFETY: the caller keeps `GlobalAlloc::realloc`'s contract.
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_every_size_and_alignment_are_aligned_and_hold_their_bytes() {
        let a = Alloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=40).chain([255, 1000, 1025, 1200, 1500, 4097, 70_000]) {
                let Ok(layout) = Layout::from_size_align(size, align) else {
                    continue;
                };
                // SAFETY: a non-zero size; each block is written within its size, read back,
                // grown and freed once with its layout.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "{size} {align}");
                    p.write_bytes(0xa5, size);
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0, "{size} {align}");
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);
                    let q = a.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0, "{size} {align}");
                    assert!((0..size).all(|i| *q.add(i) == 0xa5));
                    let grown = Layout::from_size_align(size * 3, align).unwrap_or(layout);
                    a.dealloc(q, grown);
                }
            }
        }
    }
}
