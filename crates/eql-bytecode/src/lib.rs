//! The eqlvm bytecode: a compact register instruction set, constant pools, the program format
//! (serde), a verifier that checks every index before a program runs, and a disassembler.

pub mod disasm;
pub mod inst;
pub mod operand;
pub mod pack;
pub mod pool;
pub mod program;
pub mod verify;

pub use inst::Inst;
pub use operand::*;
pub use pool::*;
pub use program::*;
pub use verify::{verify, VerifyError};
