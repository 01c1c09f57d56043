//! Every planner error class: exact message, position and rendering.

mod common;
use common::*;

#[test]
fn unknown_field_is_an_error_under_the_strict_policy() {
    insta::assert_snapshot!(errors_with(r#"process where process.nmae == "bash""#, &eql_planner::Schema::builtin(), &strict()), @r###"
        [E0201] Error: unknown field `process.nmae` (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where process.nmae == "bash"
           │               ──────┬─────  
           │                     ╰─────── not in the schema
           │ 
           │ Help: did you mean `process.name`?
        ───╯
        "###);
}

#[test]
fn unknown_field_without_suggestion_strict() {
    insta::assert_snapshot!(errors_with(r#"process where zzz.qqq.www == 1"#, &eql_planner::Schema::builtin(), &strict()), @r###"
        [E0201] Error: unknown field `zzz.qqq.www` (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where zzz.qqq.www == 1
           │               ─────┬─────  
           │                    ╰─────── not in the schema
        ───╯
        "###);
}

#[test]
fn unknown_field_is_a_warning_by_default() {
    insta::assert_snapshot!(warnings(r#"process where foo.bar == 1"#), @r###"
        [W0201] Warning: unknown field `foo.bar` (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where foo.bar == 1
           │               ───┬───  
           │                  ╰───── not in the schema
           │ 
           │ Help: write `?foo.bar` if the field is optional
        ───╯
        "###);
}

#[test]
fn object_used_as_value() {
    insta::assert_snapshot!(errors(r#"process where process.parent == "x""#), @r###"
        [E0202] Error: `process.parent` is an object, not a value (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where process.parent == "x"
           │               ───────┬──────  
           │                      ╰──────── object used as a value
           │ 
           │ Help: compare one of its sub-fields instead
        ───╯
        "###);
}

#[test]
fn array_indexing() {
    insta::assert_snapshot!(errors(r#"process where process.args[0] == "x""#), @r###"
        [E0203] Error: array indexing is not supported (<query>:1:28)
           ╭─[ <query>:1:28 ]
           │
         1 │ process where process.args[0] == "x"
           │                            ┬  
           │                            ╰── index not supported
           │ 
           │ Help: a predicate on an array field matches when any element matches
        ───╯
        "###);
}

#[test]
fn variables_rejected_in_elasticsearch_dialect() {
    insta::assert_snapshot!(errors(r#"process where $entry.name == "x""#), @r###"
        [E0204] Error: variables (`$entry`) are not supported by Elasticsearch EQL (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where $entry.name == "x"
           │               ─────┬─────  
           │                    ╰─────── variable
           │ 
           │ Help: this is Elastic Defend's dialect, which eqlvm accepts in Elastic Defend behavior rules
        ───╯
        "###);
}

#[test]
fn lineage_rejected_in_elasticsearch_dialect() {
    insta::assert_snapshot!(errors(r#"process where descendant of [process where process.name == "x"]"#), @r###"
        [E0204] Error: `descendant of` is not supported by Elasticsearch EQL (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where descendant of [process where process.name == "x"]
           │               ────────────────────────┬────────────────────────  
           │                                       ╰────────────────────────── lineage check
           │ 
           │ Help: this is Elastic Defend's dialect, which eqlvm accepts in Elastic Defend behavior rules
        ───╯
        "###);
}

#[test]
fn arraysearch_rejected_in_elasticsearch_dialect() {
    insta::assert_snapshot!(errors(r#"process where _arraysearch(process.args, $e, $e == "x")"#), @r###"
        [E0204] Error: `_arraysearch` is not supported yet (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where _arraysearch(process.args, $e, $e == "x")
           │               ──────┬─────  
           │                     ╰─────── Elastic Defend function
        ───╯
        "###);
}

#[test]
fn stage_alias_rejected_in_elasticsearch_dialect() {
    insta::assert_snapshot!(errors(r#"sequence [process where true] as e0 [process where true] as e1"#), @r###"
        [E0204] Error: stage aliases (`as name`) are not supported by Elasticsearch EQL (<query>:1:34)
           ╭─[ <query>:1:34 ]
           │
         1 │ sequence [process where true] as e0 [process where true] as e1
           │                                  ─┬  
           │                                   ╰── stage alias
        ───╯
        [E0204] Error: stage aliases (`as name`) are not supported by Elasticsearch EQL (<query>:1:61)
           ╭─[ <query>:1:61 ]
           │
         1 │ sequence [process where true] as e0 [process where true] as e1
           │                                                             ─┬  
           │                                                              ╰── stage alias
        ───╯
        "###);
}

#[test]
fn join_rejected() {
    insta::assert_snapshot!(errors(r#"join [process where true] [file where true]"#), @r###"
        [E0205] Error: join is not supported by Elasticsearch EQL; use sequence (<query>:1:1)
           ╭─[ <query>:1:1 ]
           │
         1 │ join [process where true] [file where true]
           │ ─────────────────────┬─────────────────────  
           │                      ╰─────────────────────── join query
        ───╯
        "###);
}

#[test]
fn keyword_vs_number() {
    insta::assert_snapshot!(errors(r#"process where process.name == 5"#), @r###"
        [E0206] Error: cannot compare keyword field `process.name` with a number (<query>:1:31)
           ╭─[ <query>:1:31 ]
           │
         1 │ process where process.name == 5
           │               ──────┬─────    ┬  
           │                     ╰──────────── this is a keyword
           │                               │  
           │                               ╰── this is a number
        ───╯
        "###);
}

#[test]
fn long_vs_string() {
    insta::assert_snapshot!(errors(r#"process where process.pid >= "5""#), @r###"
        [E0206] Error: cannot compare long field `process.pid` with a string (<query>:1:30)
           ╭─[ <query>:1:30 ]
           │
         1 │ process where process.pid >= "5"
           │               ─────┬─────    ─┬─  
           │                    ╰────────────── this is a long
           │                               │   
           │                               ╰─── this is a string
        ───╯
        "###);
}

#[test]
fn in_member_type() {
    insta::assert_snapshot!(errors(r#"process where process.pid in (1, "two", 3)"#), @r###"
        [E0206] Error: cannot compare long field `process.pid` with a string (<query>:1:34)
           ╭─[ <query>:1:34 ]
           │
         1 │ process where process.pid in (1, "two", 3)
           │               ─────┬─────        ──┬──  
           │                    ╰──────────────────── this is a long
           │                                    │    
           │                                    ╰──── this is a string
        ───╯
        "###);
}

#[test]
fn bool_ordering() {
    insta::assert_snapshot!(errors(r#"process where process.interactive < true"#), @r###"
        [E0206] Error: booleans cannot be ordered with `<` (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where process.interactive < true
           │               ─────────────┬────────────  
           │                            ╰────────────── ordering comparison on a boolean
        ───╯
        "###);
}

#[test]
fn field_vs_field() {
    insta::assert_snapshot!(errors(r#"process where process.pid == process.parent.pid"#), @r###"
        [E0207] Error: comparisons between fields are not supported (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where process.pid == process.parent.pid
           │               ─────┬──────────┬───────┬────────  
           │                    ╰───────────────────────────── long field `process.pid`
           │                               │       │          
           │                               ╰────────────────── neither side is a constant
           │                                       │          
           │                                       ╰────────── long field `process.parent.pid`
           │ 
           │ Help: Elasticsearch EQL requires one side of a comparison to be a constant (Elastic Defend's dialect allows this)
        ───╯
        "###);
}

#[test]
fn field_vs_field_through_function() {
    insta::assert_snapshot!(errors(r#"process where length(process.name) < process.pid + 1"#), @r###"
        [E0207] Error: comparisons between fields are not supported (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where length(process.name) < process.pid + 1
           │               ──────────┬────────┬──────────┬───────  
           │                         ╰───────────────────────────── a long value
           │                                  │          │         
           │                                  ╰──────────────────── neither side is a constant
           │                                             │         
           │                                             ╰───────── a long value
           │ 
           │ Help: Elasticsearch EQL requires one side of a comparison to be a constant (Elastic Defend's dialect allows this)
        ───╯
        "###);
}

#[test]
fn bad_ip() {
    insta::assert_snapshot!(errors(r#"network where destination.ip == "10.0.0.256""#), @r###"
        [E0208] Error: `10.0.0.256` is not an IP address (<query>:1:33)
           ╭─[ <query>:1:33 ]
           │
         1 │ network where destination.ip == "10.0.0.256"
           │               ───────┬──────    ──────┬─────  
           │                      ╰──────────────────────── this is an ip
           │                                       │       
           │                                       ╰─────── expected an IPv4 or IPv6 address
        ───╯
        "###);
}

#[test]
fn bad_date() {
    insta::assert_snapshot!(errors(r#"process where @timestamp > "yesterday""#), @r###"
        [E0209] Error: cannot parse `yesterday` as a date (<query>:1:28)
           ╭─[ <query>:1:28 ]
           │
         1 │ process where @timestamp > "yesterday"
           │                            ─────┬─────  
           │                                 ╰─────── not a date
           │ 
           │ Help: write an ISO-8601 date such as "2024-01-31T12:00:00Z" or epoch milliseconds
        ───╯
        "###);
}

#[test]
fn colon_on_number() {
    insta::assert_snapshot!(errors(r#"process where process.pid : "1*""#), @r###"
        [E0210] Error: `:` needs a string, found long field `process.pid` (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where process.pid : "1*"
           │               ─────┬─────  
           │                    ╰─────── this is a long
           │ 
           │ Help: use `==` or `in` for numbers
        ───╯
        "###);
}

#[test]
fn like_on_ip() {
    insta::assert_snapshot!(errors(r#"network where destination.ip like "10.*""#), @r###"
        [E0210] Error: `like` needs a string, found ip field `destination.ip` (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ network where destination.ip like "10.*"
           │               ───────┬──────  
           │                      ╰──────── this is an ip
           │ 
           │ Help: use `cidrMatch` or `==` for ip fields
        ───╯
        "###);
}

#[test]
fn pattern_not_string() {
    insta::assert_snapshot!(errors(r#"process where process.name : 5"#), @r###"
        [E0210] Error: the pattern of `:` must be a string, found a number (<query>:1:30)
           ╭─[ <query>:1:30 ]
           │
         1 │ process where process.name : 5
           │                              ┬  
           │                              ╰── not a string
        ───╯
        "###);
}

#[test]
fn in_insensitive_on_number() {
    insta::assert_snapshot!(errors(r#"process where process.pid in~ (1, 2)"#), @r###"
        [E0210] Error: `in~` needs a string, found long field `process.pid` (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where process.pid in~ (1, 2)
           │               ─────┬─────  
           │                    ╰─────── this is a long
           │ 
           │ Help: use `==` or `in` for numbers
        ───╯
        "###);
}

#[test]
fn regex_complement() {
    insta::assert_snapshot!(errors(r#"process where process.name regex "a~b""#), @r###"
        [E0211] Error: invalid regular expression: the complement operator `~` is not supported (escape it as `\~` to match a literal `~`) (<query>:1:34)
           ╭─[ <query>:1:34 ]
           │
         1 │ process where process.name regex "a~b"
           │                                  ──┬──  
           │                                    ╰──── at character 2 of this pattern
        ───╯
        "###);
}

#[test]
fn regex_unbalanced() {
    insta::assert_snapshot!(errors(r#"process where process.name regex~ ("ok", "(ab")"#), @r###"
        [E0211] Error: invalid regular expression: expected `)` (<query>:1:42)
           ╭─[ <query>:1:42 ]
           │
         1 │ process where process.name regex~ ("ok", "(ab")
           │                                          ──┬──  
           │                                            ╰──── at character 4 of this pattern
        ───╯
        "###);
}

#[test]
fn division_by_zero() {
    insta::assert_snapshot!(errors(r#"process where process.pid / 0 == 1"#), @r###"
        [E0213] Error: division by zero (<query>:1:29)
           ╭─[ <query>:1:29 ]
           │
         1 │ process where process.pid / 0 == 1
           │                             ┬  
           │                             ╰── this divisor is zero
        ───╯
        "###);
}

#[test]
fn constant_overflow() {
    insta::assert_snapshot!(errors(r#"process where process.pid == 9223372036854775807 + 1"#), @r###"
        [E0213] Error: arithmetic overflow (<query>:1:30)
           ╭─[ <query>:1:30 ]
           │
         1 │ process where process.pid == 9223372036854775807 + 1
           │                              ───────────┬───────────  
           │                                         ╰───────────── in this constant expression
        ───╯
        "###);
}

#[test]
fn arithmetic_on_string() {
    insta::assert_snapshot!(errors(r#"process where process.name + 1 == 2"#), @r###"
        [E0206] Error: `+` needs numbers, found keyword field `process.name` (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where process.name + 1 == 2
           │               ──────┬─────  
           │                     ╰─────── this is a keyword
        ───╯
        "###);
}

#[test]
fn unknown_function() {
    insta::assert_snapshot!(errors(r#"process where lenght(process.name) == 3"#), @r###"
        [E0214] Error: unknown function `lenght` (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where lenght(process.name) == 3
           │               ───┬──  
           │                  ╰──── unknown function
           │ 
           │ Help: did you mean `length`?
        ───╯
        "###);
}

#[test]
fn unsupported_function() {
    insta::assert_snapshot!(errors(r#"process where wildcard(process.name, "a*")"#), @r###"
        [E0214] Error: `wildcard` is not supported by Elasticsearch EQL (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where wildcard(process.name, "a*")
           │               ────┬───  
           │                   ╰───── unsupported function
           │ 
           │ Help: use `:` or `like`
        ───╯
        "###);
}

#[test]
fn no_insensitive_form() {
    insta::assert_snapshot!(errors(r#"process where length~(process.name) == 3"#), @r###"
        [E0215] Error: `length` has no case-insensitive form (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where length~(process.name) == 3
           │               ───┬───  
           │                  ╰───── `~` not allowed here
           │ 
           │ Help: `~` exists for between, endsWith, indexOf, startsWith and stringContains
        ───╯
        "###);
}

#[test]
fn arity() {
    insta::assert_snapshot!(errors(r#"process where startsWith(process.name) == true"#), @r###"
        [E0216] Error: `startsWith` takes 2 arguments, found 1 (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where startsWith(process.name) == true
           │               ────────────┬───────────  
           │                           ╰───────────── wrong number of arguments
        ───╯
        "###);
}

#[test]
fn arity_variadic() {
    insta::assert_snapshot!(errors(r#"process where cidrMatch(source.ip)"#), @r###"
        [E0216] Error: `cidrMatch` takes at least 2 arguments, found 1 (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where cidrMatch(source.ip)
           │               ──────────┬─────────  
           │                         ╰─────────── wrong number of arguments
        ───╯
        "###);
}

#[test]
fn argument_type() {
    insta::assert_snapshot!(errors(r#"process where length(process.pid) == 3"#), @r###"
        [E0217] Error: argument 1 of `length` must be a string, found long field `process.pid` (<query>:1:22)
           ╭─[ <query>:1:22 ]
           │
         1 │ process where length(process.pid) == 3
           │                      ─────┬─────  
           │                           ╰─────── expected a string
        ───╯
        "###);
}

#[test]
fn number_base_range() {
    insta::assert_snapshot!(errors(r#"process where number(process.name, 99) == 1"#), @r###"
        [E0217] Error: argument 2 of `number` must be an integer constant between 2 and 36, found a number (<query>:1:36)
           ╭─[ <query>:1:36 ]
           │
         1 │ process where number(process.name, 99) == 1
           │                                    ─┬  
           │                                     ╰── expected an integer constant between 2 and 36
        ───╯
        "###);
}

#[test]
fn between_greedy_constant() {
    insta::assert_snapshot!(errors(r#"process where between(process.name, "a", "b", process.interactive) == "x""#), @r###"
        [E0217] Error: argument 4 of `between` must be a boolean constant, found boolean field `process.interactive` (<query>:1:47)
           ╭─[ <query>:1:47 ]
           │
         1 │ process where between(process.name, "a", "b", process.interactive) == "x"
           │                                               ─────────┬─────────  
           │                                                        ╰─────────── expected a boolean constant
        ───╯
        "###);
}

#[test]
fn cidr_invalid() {
    insta::assert_snapshot!(errors(r#"network where cidrMatch(destination.ip, "10.0.0.0/33")"#), @r###"
        [E0218] Error: `10.0.0.0/33` is not a CIDR block or IP address (<query>:1:41)
           ╭─[ <query>:1:41 ]
           │
         1 │ network where cidrMatch(destination.ip, "10.0.0.0/33")
           │                                         ──────┬──────  
           │                                               ╰──────── invalid CIDR
           │ 
           │ Help: write a block such as "10.0.0.0/8" or "fe80::/10", or a single address
        ───╯
        "###);
}

#[test]
fn number_unparsable_constant() {
    insta::assert_snapshot!(errors(r#"process where number("abc") == 1"#), @r###"
        [E0219] Error: cannot parse `abc` as a number (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where number("abc") == 1
           │               ──────┬──────  
           │                     ╰──────── in this constant call
        ───╯
        "###);
}

#[test]
fn key_count() {
    insta::assert_snapshot!(errors(r#"sequence by host.id [process where true] by process.entity_id [file where true]"#), @r###"
        [E0220] Error: this stage has 1 join key(s) but the first stage has 2 (<query>:1:63)
           ╭─[ <query>:1:63 ]
           │
         1 │ sequence by host.id [process where true] by process.entity_id [file where true]
           │                     ────────────────────┬──────────────────── ────────┬────────  
           │                                         ╰──────────────────────────────────────── first stage
           │                                                                       │          
           │                                                                       ╰────────── wrong number of join keys
           │ 
           │ Help: every stage must list the same number of `by` keys
        ───╯
        "###);
}

#[test]
fn maxspan_no_unit() {
    insta::assert_snapshot!(errors(r#"sequence with maxspan=5 [process where true] [file where true]"#), @r###"
        [E0221] Error: `maxspan` needs a time unit (<query>:1:23)
           ╭─[ <query>:1:23 ]
           │
         1 │ sequence with maxspan=5 [process where true] [file where true]
           │                       ┬  
           │                       ╰── no unit
           │ 
           │ Help: units: ms, s, m, h, d (also micros, nanos)
        ───╯
        "###);
}

#[test]
fn maxspan_unknown_unit() {
    insta::assert_snapshot!(errors(r#"sequence with maxspan=5y [process where true] [file where true]"#), @r###"
        [E0221] Error: unknown time unit `y` (<query>:1:24)
           ╭─[ <query>:1:24 ]
           │
         1 │ sequence with maxspan=5y [process where true] [file where true]
           │                        ┬  
           │                        ╰── unknown unit
           │ 
           │ Help: units: ms, s, m, h, d (also micros, nanos)
        ───╯
        "###);
}

#[test]
fn maxspan_zero() {
    insta::assert_snapshot!(errors(r#"sequence with maxspan=0s [process where true] [file where true]"#), @r###"
        [E0221] Error: `maxspan` must be positive (<query>:1:23)
           ╭─[ <query>:1:23 ]
           │
         1 │ sequence with maxspan=0s [process where true] [file where true]
           │                       ─┬  
           │                        ╰── not a positive duration
        ───╯
        "###);
}

#[test]
fn maxspan_fraction_of_ns() {
    insta::assert_snapshot!(errors(r#"sequence with maxspan=0.5nanos [process where true] [file where true]"#), @r###"
        [E0221] Error: `maxspan` must be a whole number of nanoseconds and fit in 64 bits (<query>:1:23)
           ╭─[ <query>:1:23 ]
           │
         1 │ sequence with maxspan=0.5nanos [process where true] [file where true]
           │                       ────┬───  
           │                           ╰───── invalid duration
        ───╯
        "###);
}

#[test]
fn runs_out_of_range() {
    insta::assert_snapshot!(errors(r#"sequence [process where true] with runs=101 [file where true]"#), @r###"
        [E0222] Error: `runs` must be between 1 and 100, found 101 (<query>:1:41)
           ╭─[ <query>:1:41 ]
           │
         1 │ sequence [process where true] with runs=101 [file where true]
           │                                         ─┬─  
           │                                          ╰─── invalid repeat count
        ───╯
        "###);
}

#[test]
fn missing_needs_maxspan() {
    insta::assert_snapshot!(errors(r#"sequence [process where true] ![file where true]"#), @r###"
        [E0223] Error: a missing-event stage requires `with maxspan` (<query>:1:31)
           ╭─[ <query>:1:31 ]
           │
         1 │ sequence [process where true] ![file where true]
           │                               ─────────┬────────  
           │                                        ╰────────── missing-event stage
           │ 
           │ Help: add `with maxspan=<time>` after `sequence`
        ───╯
        "###);
}

#[test]
fn missing_only() {
    insta::assert_snapshot!(errors(r#"sequence with maxspan=1h ![process where true] ![file where true]"#), @r###"
        [E0223] Error: a sequence needs at least one stage that is not a missing event (<query>:1:1)
           ╭─[ <query>:1:1 ]
           │
         1 │ sequence with maxspan=1h ![process where true] ![file where true]
           │ ────────────────────────────────┬────────────────────────────────  
           │                                 ╰────────────────────────────────── only missing-event stages
        ───╯
        "###);
}

#[test]
fn missing_in_sample() {
    insta::assert_snapshot!(errors(r#"sample by host.id [process where true] ![file where true]"#), @r###"
        [E0223] Error: missing-event stages are only allowed in sequences (<query>:1:40)
           ╭─[ <query>:1:40 ]
           │
         1 │ sample by host.id [process where true] ![file where true]
           │                                        ─────────┬────────  
           │                                                 ╰────────── missing-event stage in a sample
        ───╯
        "###);
}

#[test]
fn missing_until() {
    insta::assert_snapshot!(errors(r#"sequence with maxspan=1h [process where true] [file where true] until ![network where true]"#), @r###"
        [E0223] Error: the `until` stage cannot be a missing event (<query>:1:71)
           ╭─[ <query>:1:71 ]
           │
         1 │ sequence with maxspan=1h [process where true] [file where true] until ![network where true]
           │                                                                       ──────────┬──────────  
           │                                                                                 ╰──────────── here
        ───╯
        "###);
}

#[test]
fn sample_one_stage() {
    insta::assert_snapshot!(errors(r#"sample by host.id [process where true]"#), @r###"
        [E0224] Error: a sample needs at least two stages (<query>:1:1)
           ╭─[ <query>:1:1 ]
           │
         1 │ sample by host.id [process where true]
           │ ───────────────────┬──────────────────  
           │                    ╰──────────────────── too few stages
        ───╯
        "###);
}

#[test]
fn unsupported_pipe() {
    insta::assert_snapshot!(errors(r#"process where true | unique process.name"#), @r###"
        [E0225] Error: pipe `unique` is not supported (<query>:1:22)
           ╭─[ <query>:1:22 ]
           │
         1 │ process where true | unique process.name
           │                      ───┬──  
           │                         ╰──── unsupported pipe
           │ 
           │ Help: only `head N` and `tail N` are supported
        ───╯
        "###);
}

#[test]
fn pipe_argument() {
    insta::assert_snapshot!(errors(r#"process where true | head -1"#), @r###"
        [E0226] Error: `head` needs a non-negative integer constant (<query>:1:27)
           ╭─[ <query>:1:27 ]
           │
         1 │ process where true | head -1
           │                           ─┬  
           │                            ╰── not a count
        ───╯
        "###);
}

#[test]
fn pipe_argument_count() {
    insta::assert_snapshot!(errors(r#"process where true | tail"#), @r###"
        [E0226] Error: `tail` takes one argument, found 0 (<query>:1:20)
           ╭─[ <query>:1:20 ]
           │
         1 │ process where true | tail
           │                    ───┬──  
           │                       ╰──── expected a count
        ───╯
        "###);
}

#[test]
fn condition_not_boolean() {
    insta::assert_snapshot!(errors(r#"process where process.pid"#), @r###"
        [E0227] Error: the condition must be a boolean, found a long (<query>:1:15)
           ╭─[ <query>:1:15 ]
           │
         1 │ process where process.pid
           │               ─────┬─────  
           │                    ╰─────── this is a long
        ───╯
        "###);
}

#[test]
fn and_operand_not_boolean() {
    insta::assert_snapshot!(errors(r#"process where process.name == "a" and length(process.name)"#), @r###"
        [E0227] Error: an operand of `and` must be a boolean, found a long (<query>:1:39)
           ╭─[ <query>:1:39 ]
           │
         1 │ process where process.name == "a" and length(process.name)
           │                                       ──────────┬─────────  
           │                                                 ╰─────────── this is a long
        ───╯
        "###);
}

#[test]
fn several_errors_in_one_pass() {
    insta::assert_snapshot!(errors(r#"process where process.name == 1 and process.pid == "x" and nosuch(1)"#), @r###"
        [E0206] Error: cannot compare keyword field `process.name` with a number (<query>:1:31)
           ╭─[ <query>:1:31 ]
           │
         1 │ process where process.name == 1 and process.pid == "x" and nosuch(1)
           │               ──────┬─────    ┬  
           │                     ╰──────────── this is a keyword
           │                               │  
           │                               ╰── this is a number
        ───╯
        [E0206] Error: cannot compare long field `process.pid` with a string (<query>:1:52)
           ╭─[ <query>:1:52 ]
           │
         1 │ process where process.name == 1 and process.pid == "x" and nosuch(1)
           │                                     ─────┬─────    ─┬─  
           │                                          ╰────────────── this is a long
           │                                                     │   
           │                                                     ╰─── this is a string
        ───╯
        [E0214] Error: unknown function `nosuch` (<query>:1:60)
           ╭─[ <query>:1:60 ]
           │
         1 │ process where process.name == 1 and process.pid == "x" and nosuch(1)
           │                                                            ───┬──  
           │                                                               ╰──── unknown function
        ───╯
        "###);
}
