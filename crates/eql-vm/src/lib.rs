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
