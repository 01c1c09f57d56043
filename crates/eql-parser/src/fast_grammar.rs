//! The pest parser generated from `eql_fast.pest`, the grammar parsing runs (the reference
//! grammar `eql.pest` only words syntax errors; see `grammar`).

use pest_derive::Parser;

/// The generated parser of the fast grammar; its `Rule` enum names the rules the builder reads.
#[derive(Parser)]
#[grammar = "eql_fast.pest"]
pub struct FastParser;

#[cfg(test)]
mod tests {
    //! The fast grammar must accept exactly what the reference grammar accepts.
    use super::{FastParser, Rule};
    use crate::grammar::{EqlParser, Rule as RefRule};
    use pest::Parser;

    /// Tokens chosen around the grammar's delicate spots: keyword names before `~`, `not` at the
    /// head of an operand, calls against fields, predicates, signs, lineage, comparisons.
    const TOKENS: &[&str] = &[
        "a",
        "b.c",
        "?d",
        "`e f`",
        "$v",
        "$v.w",
        "x[0]",
        "x[1 2]",
        "1",
        "2.5",
        ".5",
        "1e3",
        "\"s\"",
        "\"t*\"",
        "\"\"\"r\"\"\"",
        "null",
        "true",
        "false",
        "and",
        "or",
        "not",
        "==",
        "!=",
        "<",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "%",
        ":",
        "like",
        "like~",
        "regex~",
        "in",
        "in~",
        "not in",
        "(",
        ")",
        ",",
        "[",
        "]",
        "f(",
        "g~(",
        "and~(",
        "not~(",
        "in~(",
        "null~(",
        "_h~(",
        "descendant of [process where",
        "~",
        ".",
        "any",
        "of",
        "@ts",
        "f (",
        "not(",
        "-(",
        "x .y",
        "? z",
        "/* c */",
        "// c\n",
        "not~(a)",
        "and~(b)",
        "in~(1)",
        "null~(1)",
        "_h~(1)",
        "g~(a)",
        "g ~(a)",
        "f(a, 1)",
        "descendant of [process where a]",
        "@p of [a where b]",
        "a.b of [a where b]",
        "c(1) of",
        "offset",
        "\"a\\u{41}\\n\"",
        "vx",
        "notx",
        "r_a.w1",
        "Where",
        "x in (\"a\", 1, b)",
        "x : (\"a\", \"b\")",
        "true~(1)",
    ];
    const FRAMES: &[&str] = &[
        "process where {}",
        "sequence by {} [a where true] [b where true]",
        "process where true | head {}",
        "process where x in ({})",
        "process where f({})",
    ];

    #[test]
    fn the_grammars_accept_the_same_queries() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..6000 {
            let len = 1 + next(6);
            let words: Vec<&str> = (0..len).map(|_| TOKENS[next(TOKENS.len())]).collect();
            let query = FRAMES[next(FRAMES.len())].replace("{}", &words.join(" "));
            let fast = FastParser::parse(Rule::query_main, &query).is_ok();
            let reference = EqlParser::parse(RefRule::query_main, &query).is_ok();
            assert_eq!(fast, reference, "the grammars disagree on {query:?}");
            let fast = FastParser::parse(Rule::expr_main, &words.join(" ")).is_ok();
            let reference = EqlParser::parse(RefRule::expr_main, &words.join(" ")).is_ok();
            assert_eq!(fast, reference, "the grammars disagree on the expression {:?}", words.join(" "));
            if fast {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        // Both outcomes are exercised.
        assert!(accepted > 300 && refused > 300, "{accepted} accepted, {refused} refused");
    }
}
