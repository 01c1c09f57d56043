//! Rejected syntax: each error's position, code and message (and a few full renderings).

mod common;
use common::err;

#[track_caller]
fn check(src: &str, expected: &str) {
    assert_eq!(err(src), expected, "for {src:?}");
}

/// The rendered first diagnostic, with trailing spaces trimmed for stable snapshots.
fn render(src: &str) -> String {
    let errs = eql_parser::parse(src).expect_err("must fail");
    let out = errs[0].render("<query>", src);
    out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

#[test]
fn missing_pieces() {
    check("process where", "1:14 E0100 expected a condition after `where`, found end of query");
    check("process where x ==", "1:19 E0100 expected a value after `==`, found end of query");
    check("process where x == 1 and\n", "1:25 E0100 expected an expression after `and`, found end of query");
    check("process where not", "1:18 E0100 expected an expression after `not`, found end of query");
    check("process where x.", "1:17 E0100 expected a field name after `.`, found end of query");
    check("process where ?", "1:16 E0100 expected a field name after `?`, found end of query");
    check("process where f(x,", "1:19 E0100 expected an expression after `,`, found end of query");
    check("process where x == 1 |", "1:23 E0100 expected a pipe name (such as `head`) after `|`, found end of query");
    check("process x", "1:9 E0100 expected `where`, found `x`");
    check("sequence where x", "1:10 E0100 expected a stage `[…]`, `by` or `with` after `sequence`, found `where`");
    check(
        "sequence [a where true] [b where true] until",
        "1:45 E0100 expected a stage `[…]` after `until`, found end of query",
    );
    check("sequence with maxspan= [a where x] [b where y]", "1:24 E0100 expected a number after `=`, found `[`");
    check("sequence with maxspan 5m [a where x] [b where y]", "1:23 E0100 expected `=` after `maxspan`, found `5`");
    check("process where x[a]", "1:17 E0100 expected an integer after `[`, found `a`");
    check("process where descendant of process", "1:29 E0100 expected a stage `[…]` after `of`, found `process`");
    check("process where x == 1\n  and y ==\n  | head 3", "3:3 E0100 expected a value after `==`, found `|`");
}

#[test]
fn queries_and_stages() {
    let q = "expected a query (`CATEGORY where CONDITION`, `sequence`, `sample` or `join`)";
    check("", &format!("1:1 E0100 {q}, found end of query"));
    check("[process where true]", &format!("1:1 E0100 {q}, found `[`"));
    check("sequence [process where true]", "1:1 E0106 a sequence needs at least two stages");
    check("join [a where true]", "1:1 E0106 a join needs at least two stages");
    check(
        "sequence\n  [process where true]\n  [file where x",
        "3:16 E0110 expected `]` to close the stage, found end of query",
    );
    check(
        "sequence with maxspan=1h by x [a where true] [b where true]",
        "1:29 E0107 `by` must come before `with maxspan`",
    );
    check("sequence [a where x] with runs=2 [b where y] with foo=3", "1:51 E0108 unknown stage option `foo`");
    check("sequence [a where x] with runs=1.5 [b where y]", "1:32 E0108 `runs` must be a whole number");
    check(
        "sample [a where x] with runs=3 [b where y]",
        "1:20 E0108 `with runs` is only allowed in a sequence, not in a sample",
    );
    check("sequence [a where x] as [b where y]", "1:25 E0100 expected an alias name, found `[`");
}

#[test]
fn operators() {
    check("process where a < b < c", "1:21 E0105 comparisons cannot be chained");
    check("process where a == b != c", "1:22 E0105 comparisons cannot be chained");
    check("process where x like", "1:21 E0100 expected `(` or a string after `like`, found end of query");
    check("process where x like~ foo", "1:23 E0100 expected `(` or a string after `like~`, found `foo`");
    check("process where x : (\"a\",", "1:24 E0100 expected a string, found end of query");
    check("process where x in 1", "1:20 E0100 expected `(` after `in`, found `1`");
    check("process where x in ()", "1:21 E0100 expected an expression after `(`, found `)`");
    check("process where x in (1, 2", "1:25 E0110 expected `)`, found end of query");
    check("process where (x == 1", "1:22 E0110 expected `)`, found end of query");
    check("process where x == 1)", "1:21 E0100 unexpected `)`: there is nothing to close");
    check("process where f(x y)", "1:19 E0100 expected `)`, found `y`");
    check(
        "process where x AND y",
        "1:17 E0100 expected end of query, `|` or an operator (`and`, `or`, `==`, …), found `AND`",
    );
    check("process where where == 1", "1:15 E0100 expected a condition after `where`, found `where`");
}

#[test]
fn legacy_forms() {
    check("process where x = 1", "1:17 E0103 `=` is not a comparison operator; use `==`");
    check("process where x !: \"a\"", "1:17 E0103 the `!:` operator no longer exists");
    check("process where 'abc' == x", "1:15 E0103 single-quoted strings are not supported; use double quotes");
    check("process where x == ?\"abc\"", "1:20 E0103 `?\"…\"` raw strings are not supported; use double quotes");
    check("process where x == ?'abc'", "1:20 E0103 `?\"…\"` raw strings are not supported; use double quotes");
    check("process where x == 1 && y", "1:22 E0103 `&&` is not an EQL operator; use `and`");
    check("process where x == 1 || y", "1:22 E0103 `||` is not an EQL operator; use `or`");
    check("process where !x", "1:15 E0103 `!` is not an EQL operator; use `not`");
}

#[test]
fn lexical_errors() {
    check("process where x == \"abc", "1:20 E0101 unterminated string");
    check("process where x == \"abc\nand y", "1:20 E0101 unterminated string");
    check("process where x == \"\"\"abc", "1:20 E0101 unterminated raw string");
    check("process where /* a /* b */", "1:15 E0101 unterminated comment");
    check("process where `abc", "1:15 E0101 unterminated back-quoted name");
    check("process where x == \"a\\qb\"", "1:22 E0102 invalid escape sequence `\\q`");
    check("process where x == \"\\u{1}\"", "1:21 E0102 invalid unicode escape");
    check("process where x == \"\\u{123456789}\"", "1:21 E0102 invalid unicode escape");
    check("process where x == \"\\u{D800}\"", "1:21 E0102 invalid unicode escape");
    check("process where x == \"\\u41\"", "1:21 E0102 invalid unicode escape");
}

#[test]
fn several_lexical_errors_are_reported_together() {
    let src = "process where x == 'a' and y == \"\\z\" and z == \"open";
    let errs = eql_parser::parse(src).expect_err("must fail");
    let got: Vec<String> = errs
        .iter()
        .map(|d| {
            let (l, c) = d.line_col(src);
            format!("{l}:{c} {}", d.code)
        })
        .collect();
    assert_eq!(got, ["1:20 E0103", "1:34 E0102", "1:47 E0101"]);
}

/// The first error's code and message (for inputs too large to print).
fn code_and_message(src: &str) -> String {
    match eql_parser::parse(src) {
        Ok(_) => "parsed".to_string(),
        Err(errs) => format!("{} {}", errs[0].code, errs[0].message),
    }
}

#[test]
fn nesting_limit() {
    let deep = format!("process where {}x{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(code_and_message(&deep), "E0104 query nests too deeply (limit 256)");
    let ok = format!("process where {}x{}", "(".repeat(256), ")".repeat(256));
    assert_eq!(code_and_message(&ok), "parsed");
    let nots = format!("process where {}x", "not ".repeat(20_000));
    assert_eq!(code_and_message(&nots), "E0104 expression is too deeply nested (limit 512)");
    let ors = format!("process where x{}", " or x".repeat(20_000));
    assert_eq!(code_and_message(&ors), "E0104 expression is too deeply nested (limit 512)");
    let comments = format!("process where {} x", "/*".repeat(100_000));
    assert_eq!(code_and_message(&comments), "E0104 query nests too deeply (limit 256)");
    let stages = format!("sequence {}", "[a where true] ".repeat(2_000));
    assert_eq!(code_and_message(&stages), "parsed");
}

#[test]
fn rendered_condition_after_where() {
    insta::assert_snapshot!(render("process where"), @r"
    [E0100] Error: expected a condition after `where`, found end of query (<query>:1:14)
       ╭─[ <query>:1:14 ]
       │
     1 │ process where
       │              │
       │              ╰─ found end of query
    ───╯
    ");
}

#[test]
fn rendered_unclosed_stage() {
    insta::assert_snapshot!(render("sequence\n  [process where true]\n  [file where x == 1\n| head 1"), @r"
    [E0100] Error: expected `]` to close the stage, found `|` (<query>:4:1)
       ╭─[ <query>:4:1 ]
       │
     4 │ | head 1
       │ ┬
       │ ╰── found `|`
       │
       ├─[ <query>:4:1 ]
       │
     3 │   [file where x == 1
       │   ┬
       │   ╰── the stage starts here
    ───╯
    ");
}

#[test]
fn rendered_legacy_equality() {
    insta::assert_snapshot!(render("process where process.name = \"cmd.exe\""), @r#"
    [E0103] Error: `=` is not a comparison operator; use `==` (<query>:1:28)
       ╭─[ <query>:1:28 ]
       │
     1 │ process where process.name = "cmd.exe"
       │                            ┬
       │                            ╰── use `==` here
       │
       │ Help: EQL compares with `==` (case-sensitive) or `:` (case-insensitive)
    ───╯
    "#);
}

#[test]
fn rendered_bad_escape() {
    insta::assert_snapshot!(render("process where file.path == \"C:\\Windows\""), @r#"
    [E0102] Error: invalid escape sequence `\W` (<query>:1:31)
       ╭─[ <query>:1:31 ]
       │
     1 │ process where file.path == "C:\Windows"
       │                               ─┬
       │                                ╰── invalid escape sequence `\W`
       │
       │ Help: valid escapes are \n \r \t \" \\ \b \f \' and \u{XXXX}; a """raw""" string takes backslashes literally
    ───╯
    "#);
}

#[test]
fn rendered_two_stages() {
    insta::assert_snapshot!(render("sequence by host.id\n  [process where true]"), @r"
    [E0106] Error: a sequence needs at least two stages (<query>:1:1)
       ╭─[ <query>:1:1 ]
       │
     1 │ sequence by host.id
       │ ────┬───
       │     ╰───── this sequence has 1 stage
       │
       │ Help: add another `[category where condition]` stage
    ───╯
    ");
}
