//! Skipping an unprojected object or array 64 bytes at a time: per block, bit masks of quotes,
//! backslashes and brackets (`simd.rs`), the bytes inside strings
//! found with a prefix XOR of the unescaped quotes, and only the brackets outside strings looked
//! at one by one. Anything unusual is left to the exact byte scanner of `skip.rs`. On CPUs with
//! AVX2 the same loop runs compiled for it (32-byte compares, a carry-less prefix XOR).

use super::super::simd::{masks, Masks};
use super::MAX_DEPTH;

/// The bytes escaped by a backslash: each backslash that is not itself escaped escapes the byte
/// after it. `carry` says whether the block's first byte is escaped (by a backslash that ended
/// the previous block), and is set for the next block.
#[inline]
fn escaped_bits(backslash: u64, carry: &mut bool) -> u64 {
    let mut escaped = u64::from(*carry);
    *carry = false;
    let mut escapers = backslash & !escaped;
    while escapers != 0 {
        let k = escapers.trailing_zeros();
        if k == 63 {
            *carry = true;
            break;
        }
        let next = 1u64 << (k + 1);
        escaped |= next;
        escapers &= !(1u64 << k) & !next;
    }
    escaped
}

/// Bit `k` of the result is the XOR of bits `0..=k` of `x`.
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The index just past the closing bracket of the object (`array` false) or array whose opening
/// bracket ends right before `b[start]`. `None` leaves the decision to the exact byte scanner:
/// brackets that do not pair, nesting of `limit` levels or more (counting this container), no
/// end before the end of `b`, or a backslash outside a string (which that scanner ignores and
/// this one would take as an escape).
#[cfg(test)]
fn skip_blocks(b: &[u8], start: usize, array: bool, limit: usize) -> Option<usize> {
    BlockScan::new().skip(b, start, array, limit)
}

/// The copy of the block loop this CPU runs, asked once (per line) rather than per container.
#[derive(Debug, Clone, Copy)]
pub(super) struct BlockScan {
    /// Set only when [`has_avx2`](super::super::simd::has_avx2) said yes.
    avx2: bool,
}

impl BlockScan {
    #[inline]
    pub(super) fn new() -> BlockScan {
        #[cfg(target_arch = "x86_64")]
        let avx2 = super::super::simd::has_avx2();
        #[cfg(not(target_arch = "x86_64"))]
        let avx2 = false;
        BlockScan { avx2 }
    }

    /// [`skip_blocks`] without asking the CPU again.
    #[inline(always)]
    pub(super) fn skip(self, b: &[u8], start: usize, array: bool, limit: usize) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `avx2` is set only where the CPU has AVX2 and PCLMULQDQ (`BlockScan::new`).
            return unsafe { skip_blocks_avx2(b, start, array, limit) };
        }
        skip_blocks_baseline(b, start, array, limit)
    }
}

/// [`skip_blocks`] with SSE2 (or bytes), kept out of line so that its callers stay small.
#[inline(never)]
fn skip_blocks_baseline(b: &[u8], start: usize, array: bool, limit: usize) -> Option<usize> {
    skip_blocks_with(b, start, array, limit, masks, prefix_xor)
}

/// [`skip_blocks`] compiled for AVX2 and PCLMULQDQ, which the caller checked the CPU has.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,pclmulqdq")]
unsafe fn skip_blocks_avx2(b: &[u8], start: usize, array: bool, limit: usize) -> Option<usize> {
    use super::super::simd::{masks_avx2, prefix_xor_clmul};
    // SAFETY (both closures): this function runs only where AVX2 and PCLMULQDQ are present.
    skip_blocks_with(
        b,
        start,
        array,
        limit,
        |block| unsafe { masks_avx2(block) },
        |x| unsafe { prefix_xor_clmul(x) },
    )
}

/// The loop of [`skip_blocks`], with the block masks and the prefix XOR given (always inlined,
/// so that each caller gets a copy compiled for its own target features).
#[inline(always)]
fn skip_blocks_with(
    b: &[u8],
    start: usize,
    array: bool,
    limit: usize,
    masks: impl Fn(&[u8; 64]) -> Masks,
    prefix_xor: impl Fn(u64) -> u64,
) -> Option<usize> {
    // Container kinds, one bit per level (set: array), as in `Parser::skip`.
    let mut kinds = [0u64; MAX_DEPTH / 64];
    kinds[0] = u64::from(array);
    let mut depth = 1usize;
    // All ones when the previous block ended inside a string.
    let mut in_string = 0u64;
    let mut escape_carry = false;
    let mut at = start;
    while at < b.len() {
        let rest = b.get(at..)?;
        let m = match rest.first_chunk::<64>() {
            Some(block) => masks(block),
            None => {
                // The last, partial block, padded with spaces (which are none of the bytes looked for).
                let mut block = [b' '; 64];
                block[..rest.len()].copy_from_slice(rest);
                masks(&block)
            }
        };
        let escaped = escaped_bits(m.backslash, &mut escape_carry);
        // Set from an opening quote up to (not including) its closing quote.
        let strings = prefix_xor(m.quote & !escaped) ^ in_string;
        in_string = 0u64.wrapping_sub(strings >> 63);
        let stray = m.backslash & !strings;
        // Only the brackets before the first backslash outside a string are looked at (all of
        // them when there is none); after them, such a backslash declines the line below.
        let before_stray = stray.wrapping_sub(1) & !stray;
        let mut brackets = (m.open | m.close) & !strings & before_stray;
        while brackets != 0 {
            let k = brackets.trailing_zeros();
            brackets &= brackets - 1;
            let c = *rest.get(k as usize)?;
            if c == b'{' || c == b'[' {
                if depth >= limit {
                    return None;
                }
                let (word, bit) = (depth / 64, 1u64 << (depth % 64));
                let w = kinds.get_mut(word)?;
                *w = if c == b'[' { *w | bit } else { *w & !bit };
                depth += 1;
            } else {
                let top = depth - 1;
                let top_is_array = kinds.get(top / 64)? >> (top % 64) & 1 == 1;
                if top_is_array != (c == b']') {
                    return None;
                }
                depth -= 1;
                if depth == 0 {
                    return Some(at + k as usize + 1);
                }
            }
        }
        if stray != 0 {
            return None;
        }
        at += 64;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift) for test bytes.
    fn bytes(seed: u64, len: usize, alphabet: &[u8]) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                alphabet[(x % alphabet.len() as u64) as usize]
            })
            .collect()
    }

    #[test]
    fn escapes_follow_backslash_runs_across_blocks() {
        // Bytes 0..: `\\` `\"` then a backslash in the last byte escapes the next block's first.
        let bs = 0b11 | 0b100 | 1 << 63;
        let mut carry = false;
        assert_eq!(escaped_bits(bs, &mut carry), 0b10 | 0b1000);
        assert!(carry);
        assert_eq!(escaped_bits(0b1, &mut carry), 0b1);
        assert!(!carry);
        let mut carry = false;
        assert_eq!(escaped_bits(0b111, &mut carry), 0b1010);
    }

    /// A random JSON value (objects, arrays, strings with escapes, runs of backslashes and
    /// brackets inside, long strings that cross blocks, scalars) appended to `out`.
    fn json(x: &mut u64, depth: usize, out: &mut String) {
        let mut next = |n: u64| {
            *x ^= *x << 13;
            *x ^= *x >> 7;
            *x ^= *x << 17;
            *x % n
        };
        let pick = if depth >= 6 { 3 + next(3) } else { next(6) };
        match pick {
            0 | 1 => {
                let (open, close) = if pick == 0 { ('{', '}') } else { ('[', ']') };
                out.push(open);
                for i in 0..next(5) {
                    if i > 0 {
                        out.push(',');
                    }
                    if pick == 0 {
                        out.push_str("\"k\":");
                    }
                    json(x, depth + 1, out);
                }
                out.push(close);
            }
            2 | 3 => {
                out.push('"');
                for _ in 0..next(90) {
                    let pieces = ["a", "\\\\", "\\\"", "{", "]", "é", " ", "\\u00e9", "\\n"];
                    out.push_str(pieces[next(pieces.len() as u64) as usize]);
                }
                out.push('"');
            }
            4 => out.push_str("-12.5e3"),
            _ => out.push_str(["true", "null", "0"][next(3) as usize]),
        }
    }

    fn agrees(b: &[u8], start: usize, array: bool, limit: usize) -> bool {
        let exact = super::super::skip::scan_container(b, start, array, limit);
        // The baseline instance (SSE2 or bytes) and the dispatched one (AVX2 where present)
        // take and decline the same inputs.
        let baseline = skip_blocks_with(b, start, array, limit, masks, prefix_xor);
        assert_eq!(baseline, skip_blocks(b, start, array, limit));
        match baseline {
            Some(end) => {
                assert_eq!(exact, Ok(end), "{:?}", String::from_utf8_lossy(b));
                true
            }
            None => false,
        }
    }

    #[test]
    fn skips_valid_containers_like_the_byte_scanner() {
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        let mut taken = 0;
        for _ in 0..3000 {
            let mut doc = String::new();
            json(&mut x, 0, &mut doc);
            let array = doc.starts_with('[');
            if !array && !doc.starts_with('{') {
                continue;
            }
            // Shifted starts move block boundaries across the content; text follows the end.
            for pad in [0, 1, 31, 63] {
                let line = format!("{}{doc},\"after\":[1]}}", " ".repeat(pad));
                assert!(agrees(line.as_bytes(), pad + 1, array, MAX_DEPTH), "{line}");
                taken += 1;
                // Nested too deep: agrees when it takes it (no nesting), else declines.
                agrees(line.as_bytes(), pad + 1, array, 1);
                // Cut short: the block scan declines.
                let cut = pad + doc.len() - 1;
                assert!(!agrees(&line.as_bytes()[..cut], pad + 1, array, MAX_DEPTH));
            }
        }
        assert!(taken > 1000, "{taken}");
    }

    #[test]
    fn never_disagrees_on_random_bytes() {
        let alphabet = b"\"\"\\{}[]{}[]ab:, ";
        let mut somes = 0;
        for seed in 0..20_000 {
            let v = bytes(seed, 1 + (seed as usize % 150), alphabet);
            for array in [false, true] {
                for limit in [1, 2, 4, MAX_DEPTH] {
                    somes += usize::from(agrees(&v, 0, array, limit));
                }
            }
        }
        assert!(somes > 1000, "{somes}");
    }

    #[test]
    fn declines_a_backslash_outside_strings() {
        // The byte scanner ignores it; taken as an escape it would hide the quote.
        let b = br#""a",\"x":1}"#;
        assert_eq!(skip_blocks(b, 0, false, MAX_DEPTH), None);
        assert!(super::super::skip::scan_container(b, 0, false, MAX_DEPTH).is_ok());
        // After the end it does not matter.
        assert_eq!(skip_blocks(br#""a"}\"#, 0, false, MAX_DEPTH), Some(4));
    }

    #[test]
    fn prefix_xor_marks_string_insides() {
        assert_eq!(prefix_xor(0b1001), 0b0111);
        assert_eq!(prefix_xor(1 << 63), 1 << 63);
        assert_eq!(prefix_xor(1), u64::MAX);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn carry_less_prefix_xor_agrees() {
        if !super::super::super::simd::has_avx2() {
            return;
        }
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        for i in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = if i % 3 == 0 { x & x >> 5 } else { x };
            // SAFETY: the CPU has PCLMULQDQ (checked above).
            let clmul = unsafe { super::super::super::simd::prefix_xor_clmul(v) };
            assert_eq!(clmul, prefix_xor(v), "{v:#x}");
        }
    }
}
