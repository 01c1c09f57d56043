//! The eqlvm virtual machine: event decoding, the register VM, the sequence and sample engines,
//! and pipes. It depends on eql-bytecode alone: it sees slots and pool indices, never names.

pub mod decode;
pub mod event;
