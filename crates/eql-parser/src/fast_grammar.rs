//! The pest parser generated from `eql_fast.pest`, the grammar parsing runs (the reference
//! grammar `eql.pest` only words syntax errors; see `grammar`).

use pest_derive::Parser;

/// The generated parser of the fast grammar; its `Rule` enum names the rules the builder reads.
#[derive(Parser)]
#[grammar = "eql_fast.pest"]
pub struct FastParser;
