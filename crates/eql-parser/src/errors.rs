//! Syntax error codes, and what each grammar rule stands for in EQL words.

use crate::grammar::Rule;

/// The `E01xx` codes of the parser (the registry is mirrored in docs/grammar.md).
pub mod codes {
    /// Unexpected token: "expected …, found …".
    pub const SYNTAX: &str = "E0100";
    /// Unterminated string, raw string, comment or back-quoted name.
    pub const UNTERMINATED: &str = "E0101";
    /// Invalid escape sequence in a string.
    pub const BAD_ESCAPE: &str = "E0102";
    /// Legacy syntax: single quotes, `?"…"`, `!:`, `=` as equality, `&&`/`||`.
    pub const LEGACY: &str = "E0103";
    /// Nesting beyond the parser's limit.
    pub const TOO_DEEP: &str = "E0104";
    /// Chained comparison (`a < b < c`).
    pub const CHAINED: &str = "E0105";
    /// A sequence or join with fewer than two stages.
    pub const STAGES: &str = "E0106";
    /// `sequence with maxspan=… by …` (keys must come first).
    pub const ORDER: &str = "E0107";
    /// Bad stage option (`with foo=1`, `with runs=1.5`, runs outside a sequence).
    pub const STAGE_OPTION: &str = "E0108";
    /// A number that cannot be represented (array index too large, …).
    pub const BAD_NUMBER: &str = "E0109";
    /// Unclosed `(` or `[`.
    pub const UNCLOSED: &str = "E0110";
    /// A bug: the builder met a shape the grammar should not produce.
    pub const INTERNAL: &str = "E0199";
}

/// What a grammar rule stands for, in EQL words.
pub fn describe(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        condition => "a condition",
        expr | or_expr | and_expr | not_expr | list_item | argument | pipe_arg | comparison => "an expression",
        join_key => "a join key (a field or expression)",
        arith | term | unary | postfix | paren | variable => "a value",
        field | plain_ident | quoted_ident => "a field name",
        call | func_name | tilde_ident => "a function call",
        pattern | pattern_list => "a string or a parenthesised list of strings",
        string => "a string",
        integer | index_value => "an integer",
        decimal | time_value => "a number",
        time_unit => "a time unit (`ms`, `s`, `m`, `h`, `d`)",
        category => "an event category (such as `process` or `any`)",
        event_filter | event_query => "`CATEGORY where CONDITION`",
        sequence | kw_sequence => "`sequence`",
        sample | kw_sample => "`sample`",
        join | kw_join => "`join`",
        query_main => "a query (`CATEGORY where CONDITION`, `sequence`, `sample` or `join`)",
        stage | stage_open | lineage_open => "a stage `[…]`",
        stage_close => "`]` to close the stage",
        stage_option => "`with runs=N`",
        stage_alias | kw_as => "`as`",
        alias_name => "an alias name",
        option_name => "`runs`",
        join_keys | late_keys | kw_by => "`by`",
        maxspan | kw_with => "`with`",
        kw_maxspan => "`maxspan`",
        until_clause | kw_until => "`until`",
        pipe | pipe_bar => "`|`",
        pipe_name => "a pipe name (such as `head`)",
        lineage | lineage_rel => "`descendant of [`…`]`",
        kw_of => "`of`",
        in_pred | match_pred => "`in`, `:`, `like` or `regex`",
        cmp_op => "a comparison operator",
        add_op | mul_op => "an arithmetic operator",
        sign => "`-`",
        in_op => "`in`",
        match_op => "`:`, `like` or `regex`",
        assign => "`=`",
        comma => "`,`",
        dot => "`.`",
        lparen => "`(`",
        rparen => "`)`",
        lbracket => "`[`",
        rbracket => "`]`",
        optional_mark => "`?`",
        var_name => "a `$` variable",
        index => "`[`",
        kw_and => "`and`",
        kw_or => "`or`",
        kw_not => "`not`",
        kw_any => "`any`",
        kw_where => "`where`",
        kw_null | kw_true | kw_false => "a value",
        EOI => "end of query",
        _ => "something else",
    }
}

/// Rules that start an expression.
pub fn is_expr_start(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        condition
            | expr
            | or_expr
            | and_expr
            | not_expr
            | comparison
            | arith
            | term
            | unary
            | postfix
            | paren
            | field
            | call
            | func_name
            | tilde_ident
            | variable
            | var_name
            | sign
            | lineage
            | lineage_rel
            | kw_null
            | kw_true
            | kw_false
            | string
            | integer
            | decimal
            | optional_mark
            | join_key
            | pipe_arg
            | argument
            | list_item
    )
}

/// Rules that continue a complete expression (operators, predicates, path steps).
pub fn is_continuation(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        kw_and
            | kw_or
            | kw_not
            | kw_of
            | cmp_op
            | add_op
            | mul_op
            | in_pred
            | match_pred
            | in_op
            | match_op
            | dot
            | index
            | lbracket
            | lparen
    )
}

/// The EQL keywords (lowercase only), including the `~` forms.
pub fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "and"
            | "any"
            | "by"
            | "false"
            | "in"
            | "join"
            | "like"
            | "maxspan"
            | "not"
            | "null"
            | "of"
            | "or"
            | "regex"
            | "sample"
            | "sequence"
            | "true"
            | "until"
            | "where"
            | "with"
            | "in~"
            | "like~"
            | "regex~"
    )
}
