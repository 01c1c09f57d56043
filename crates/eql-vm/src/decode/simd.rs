//! Byte-class bit masks over 16- and 64-byte blocks: SSE2 on x86_64 (part of its baseline), a
//! byte loop elsewhere; bit `k` of a mask stands for byte `k` of the block.

/// Bit masks of one 64-byte block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Masks {
    pub(crate) quote: u64,
    pub(crate) backslash: u64,
    /// `{` and `[`.
    pub(crate) open: u64,
    /// `}` and `]`.
    pub(crate) close: u64,
}

/// The quotes, backslashes and brackets of a 64-byte block.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn masks(block: &[u8; 64]) -> Masks {
    // SAFETY: `masks_sse2` needs only SSE2, which is part of the x86_64 baseline: every x86_64
    // CPU has it and every x86_64 target enables it. It reads memory only through `block`.
    unsafe { masks_sse2(block) }
}

/// The quotes, backslashes and brackets of a 64-byte block.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn masks(block: &[u8; 64]) -> Masks {
    masks_portable(block)
}

/// The quotes and backslashes of a 16-byte block.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn quote_or_backslash(block: &[u8; 16]) -> u16 {
    // SAFETY: as in `masks`: SSE2 only, memory read only through `block`.
    unsafe { quote_or_backslash_sse2(block) }
}

/// The quotes and backslashes of a 16-byte block.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn quote_or_backslash(block: &[u8; 16]) -> u16 {
    quote_or_backslash_portable(block)
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "sse2")]
unsafe fn load(c: &[u8; 16]) -> std::arch::x86_64::__m128i {
    use std::arch::x86_64::_mm_set_epi64x;
    let word = |c: &[u8]| c.try_into().map_or(0, i64::from_le_bytes);
    _mm_set_epi64x(word(&c[8..]), word(&c[..8]))
}

/// Bit `k` set where byte `k` of `v` equals `c`.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "sse2")]
unsafe fn eq_bits(v: std::arch::x86_64::__m128i, c: u8) -> u16 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set1_epi8};
    _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))) as u16
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "sse2")]
unsafe fn masks_sse2(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{_mm_or_si128, _mm_set1_epi8};
    let (a, rest) = block.split_first_chunk::<16>().unwrap_or((&[0; 16], &[]));
    let (b, rest) = rest.split_first_chunk::<16>().unwrap_or((&[0; 16], &[]));
    let (c, d) = rest.split_first_chunk::<16>().unwrap_or((&[0; 16], &[]));
    let d = d.first_chunk::<16>().unwrap_or(&[0; 16]);
    let v = [load(a), load(b), load(c), load(d)];
    // `{` and `[` differ only in bit 0x20, and so do `}` and `]`.
    let folded = v.map(|v| _mm_or_si128(v, _mm_set1_epi8(0x20)));
    let join = |v: &[std::arch::x86_64::__m128i; 4], c: u8| {
        v.iter()
            .enumerate()
            .fold(0u64, |m, (k, &v)| m | u64::from(eq_bits(v, c)) << (16 * k))
    };
    Masks {
        quote: join(&v, b'"'),
        backslash: join(&v, b'\\'),
        open: join(&folded, b'{'),
        close: join(&folded, b'}'),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
unsafe fn quote_or_backslash_sse2(block: &[u8; 16]) -> u16 {
    let v = load(block);
    eq_bits(v, b'"') | eq_bits(v, b'\\')
}

/// [`masks`] a byte at a time (other targets, and the reference in tests).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn masks_portable(block: &[u8; 64]) -> Masks {
    let mut m = Masks {
        quote: 0,
        backslash: 0,
        open: 0,
        close: 0,
    };
    for (k, &c) in block.iter().enumerate() {
        let bit = 1u64 << k;
        match c {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'[' => m.open |= bit,
            b'}' | b']' => m.close |= bit,
            _ => {}
        }
    }
    m
}

/// [`quote_or_backslash`] a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn quote_or_backslash_portable(block: &[u8; 16]) -> u16 {
    let m = block
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b'"' || c == b'\\')
        .fold(0u32, |m, (k, _)| m | 1 << k);
    m as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agree_with_the_byte_loops_on_every_byte_value() {
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        let specials = b"\"\\{}[]\x7b\x7d\x5b\x5d\x3b\x5c\x22\xa2\xdc\xfb\xfd";
        let all: Vec<u8> = (0..=255u8).collect();
        let mut blocks: Vec<[u8; 64]> = all
            .chunks(64)
            .map(|c| c.try_into().unwrap_or([0; 64]))
            .collect();
        for _ in 0..300 {
            let mut block = [0u8; 64];
            for b in &mut block {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = if x & 3 == 0 {
                    specials[(x >> 8) as usize % specials.len()]
                } else {
                    (x >> 16) as u8
                };
            }
            blocks.push(block);
        }
        for block in &blocks {
            assert_eq!(masks(block), masks_portable(block));
            for c in block.chunks_exact(16) {
                let c: &[u8; 16] = c.try_into().unwrap();
                assert_eq!(quote_or_backslash(c), quote_or_backslash_portable(c));
            }
        }
        let m = masks(&blocks[0]);
        assert_eq!(m.quote, 1 << b'"');
        assert_eq!(m.backslash, 0);
        assert_eq!(masks(&blocks[1]).backslash, 1 << (b'\\' - 64));
        assert_eq!(masks(&blocks[1]).open, 1 << (b'[' - 64) | 1 << (b'{' - 64));
    }
}
