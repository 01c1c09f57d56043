//! The pest parser generated from `eql.pest`.

use pest_derive::Parser;

/// The generated EQL parser; its `Rule` enum names every grammar rule.
#[derive(Parser)]
#[grammar = "eql.pest"]
pub struct EqlParser;
