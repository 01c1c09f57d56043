//! The pest parser generated from `eql.pest`, the reference grammar: it defines the language
//! and words syntax errors (a query the fast grammar refuses is parsed again with it).

use pest_derive::Parser;

/// The generated EQL parser; its `Rule` enum names every grammar rule.
#[derive(Parser)]
#[grammar = "eql.pest"]
pub struct EqlParser;
