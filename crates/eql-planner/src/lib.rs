//! The EQL planner: resolves fields against a schema, type-checks, folds constants and lowers
//! the syntax tree to the typed plan the emitter compiles.

pub mod plan;
pub mod types;

pub use plan::*;
pub use types::Type;
