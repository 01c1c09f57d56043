//! Byte-class bit masks over 16- and 64-byte blocks: SSE2 on x86_64 (part of its baseline),
//! AVX2 and a carry-less multiply for callers that checked the CPU at run time ([`has_avx2`]), a
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

/// The backslashes of a 16-byte block.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn backslashes(block: &[u8; 16]) -> u16 {
    // SAFETY: as in `masks`: SSE2 only, memory read only through `block`.
    unsafe { eq_bits(load(block), b'\\') }
}

/// The backslashes of a 16-byte block.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn backslashes(block: &[u8; 16]) -> u16 {
    backslashes_portable(block)
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "sse2")]
unsafe fn load(c: &[u8; 16]) -> std::arch::x86_64::__m128i {
    use std::arch::x86_64::_mm_loadu_si128;
    // SAFETY: `c` is 16 readable bytes; the load has no alignment requirement.
    unsafe { _mm_loadu_si128(c.as_ptr().cast()) }
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
    let bit = _mm_set1_epi8(0x20);
    let f = [
        _mm_or_si128(v[0], bit),
        _mm_or_si128(v[1], bit),
        _mm_or_si128(v[2], bit),
        _mm_or_si128(v[3], bit),
    ];
    let join = |m: [u16; 4]| {
        u64::from(m[0]) | u64::from(m[1]) << 16 | u64::from(m[2]) << 32 | u64::from(m[3]) << 48
    };
    let each = |v: &[std::arch::x86_64::__m128i; 4], c: u8| {
        [
            eq_bits(v[0], c),
            eq_bits(v[1], c),
            eq_bits(v[2], c),
            eq_bits(v[3], c),
        ]
    };
    Masks {
        quote: join(each(&v, b'"')),
        backslash: join(each(&v, b'\\')),
        open: join(each(&f, b'{')),
        close: join(each(&f, b'}')),
    }
}

/// Whether the AVX2 and carry-less multiplication paths may run on this CPU (checked once;
/// the standard library caches the answer).
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("pclmulqdq")
}

/// [`masks`] with two 32-byte AVX2 compares per byte class. Only for callers compiled with AVX2
/// enabled (it is always inlined into them), after [`has_avx2`] said yes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) unsafe fn masks_avx2(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{_mm256_loadu_si256, _mm256_or_si256, _mm256_set1_epi8};
    let (a, b) = block.split_first_chunk::<32>().unwrap_or((&[0; 32], &[]));
    let b = b.first_chunk::<32>().unwrap_or(&[0; 32]);
    // SAFETY: the caller runs with AVX2 enabled (see above); each load reads 32 bytes of
    // `block`, with no alignment requirement.
    unsafe {
        let lo = _mm256_loadu_si256(a.as_ptr().cast());
        let hi = _mm256_loadu_si256(b.as_ptr().cast());
        let bit = _mm256_set1_epi8(0x20);
        let (flo, fhi) = (_mm256_or_si256(lo, bit), _mm256_or_si256(hi, bit));
        Masks {
            quote: eq_bits_avx2(lo, hi, b'"'),
            backslash: eq_bits_avx2(lo, hi, b'\\'),
            open: eq_bits_avx2(flo, fhi, b'{'),
            close: eq_bits_avx2(flo, fhi, b'}'),
        }
    }
}

/// Bit `k` set where byte `k` of the 64 bytes `lo` then `hi` equals `c` (AVX2 callers only).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn eq_bits_avx2(
    lo: std::arch::x86_64::__m256i,
    hi: std::arch::x86_64::__m256i,
    c: u8,
) -> u64 {
    use std::arch::x86_64::{_mm256_cmpeq_epi8, _mm256_movemask_epi8, _mm256_set1_epi8};
    // SAFETY: the caller runs with AVX2 enabled; no memory is touched.
    unsafe {
        let c = _mm256_set1_epi8(c as i8);
        let l = _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, c)) as u32;
        let h = _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, c)) as u32;
        u64::from(l) | u64::from(h) << 32
    }
}

/// Bit `k` of the result is the XOR of bits `0..=k` of `x`, by one carry-less multiplication
/// with all ones. Only for callers compiled with PCLMULQDQ enabled, after [`has_avx2`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) unsafe fn prefix_xor_clmul(x: u64) -> u64 {
    use std::arch::x86_64::{_mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x};
    // SAFETY: the caller runs with PCLMULQDQ enabled; no memory is touched.
    unsafe {
        let p = _mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set_epi64x(0, -1), 0);
        _mm_cvtsi128_si64(p) as u64
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

/// [`backslashes`] a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn backslashes_portable(block: &[u8; 16]) -> u16 {
    let m = block
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b'\\')
        .fold(0u32, |m, (k, _)| m | 1 << k);
    m as u16
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
            #[cfg(target_arch = "x86_64")]
            if has_avx2() {
                // SAFETY: the CPU has AVX2 (checked just above).
                assert_eq!(unsafe { masks_avx2(block) }, masks_portable(block));
            }
            for c in block.chunks_exact(16) {
                let c: &[u8; 16] = c.try_into().unwrap();
                assert_eq!(quote_or_backslash(c), quote_or_backslash_portable(c));
                assert_eq!(backslashes(c), backslashes_portable(c));
            }
        }
        let m = masks(&blocks[0]);
        assert_eq!(m.quote, 1 << b'"');
        assert_eq!(m.backslash, 0);
        assert_eq!(masks(&blocks[1]).backslash, 1 << (b'\\' - 64));
        assert_eq!(masks(&blocks[1]).open, 1 << (b'[' - 64) | 1 << (b'{' - 64));
    }
}
