//! eqlvm: EQL detection rules compiled to bytecode and run on a register VM (facade crate).
pub use eql_bytecode as bytecode;
pub use eql_emit as emit;
pub use eql_parser as parser;
pub use eql_planner as planner;
pub use eql_rules as rules;
pub use eql_vm as vm;

pub mod pipeline;
