//! The eqlvm virtual machine: event decoding, the register VM, the sequence and sample engines,
//! and pipes. It depends on eql-bytecode alone: it sees slots and pool indices, never names.

pub mod builtins;
pub mod decode;
mod domains;
pub mod engine;
pub mod event;
mod glob;
mod lits;
pub mod machine;
pub mod matchers;
pub mod reorder;
mod scan;
mod small_set;
pub mod time;
pub mod value;
mod word_table;
mod words;

/// Helpers for the unit tests.
#[cfg(test)]
pub(crate) mod test_util {
    /// A small deterministic generator (xorshift64) of numbers below `n`, seeded with `seed`
    /// (not 0), for tests that draw random strings.
    pub(crate) fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        }
    }
}
