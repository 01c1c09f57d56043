//! Sets of small numbers (string lengths, positions in a short list) kept as one 64-bit word,
//! whose last bit stands for 63 and every larger number: a test against such a set can say "not
//! in it" for sure, and "maybe" for the numbers that share the last bit.

/// The bit of `n` in a set (63 and above share the last bit).
#[inline(always)]
pub(crate) fn bit(n: usize) -> u64 {
    1 << n.min(63)
}
