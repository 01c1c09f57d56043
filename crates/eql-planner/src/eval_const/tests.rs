//! Function semantics on constants (SEMANTICS.md §6 edge cases).

use super::*;

fn s(x: &str) -> Const {
    Const::Str(x.to_string())
}

fn ev(func: Func, ci: bool, args: &[Const]) -> Const {
    eval(func, ci, args).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn between_edges() {
    assert_eq!(between("a/b/c/d", "/", "/", false, false), "b");
    assert_eq!(between("a/b/c/d", "/", "/", true, false), "b/c");
    assert_eq!(between("", "a", "b", false, false), "");
    assert_eq!(between("abc", "", "c", false, false), "abc");
    assert_eq!(between("abc", "x", "c", false, false), "");
    assert_eq!(between("abc", "a", "x", false, false), "");
    assert_eq!(between("XaYbZ", "A", "B", false, true), "Y");
    assert_eq!(between("XaYbZ", "A", "B", false, false), "");
    assert_eq!(
        ev(Func::Between, false, &[s("a"), Const::Null, s("b")]),
        Const::Null
    );
}

#[test]
fn index_of_edges() {
    assert_eq!(index_of("abcabc", "c", 0, false), Some(2));
    assert_eq!(index_of("abcabc", "c", 3, false), Some(5));
    assert_eq!(index_of("abc", "c", -5, false), Some(2));
    assert_eq!(index_of("abc", "z", 0, false), None);
    assert_eq!(index_of("abc", "", 2, false), Some(2));
    assert_eq!(index_of("abc", "", 0, false), Some(0));
    assert_eq!(index_of("abc", "a", 4, false), None);
    assert_eq!(index_of("ABC", "b", 0, true), Some(1));
}

#[test]
fn substring_is_a_python_slice() {
    assert_eq!(substring("hello", Some(1), Some(3)), "el");
    assert_eq!(substring("hello", Some(-3), None), "llo");
    assert_eq!(substring("hello", Some(-30), Some(2)), "he");
    assert_eq!(substring("hello", Some(3), Some(1)), "");
    assert_eq!(substring("hello", Some(2), Some(-1)), "ll");
    assert_eq!(substring("hello", Some(10), None), "");
}

#[test]
fn string_predicates() {
    assert_eq!(
        ev(Func::EndsWith, false, &[s(""), s("")]),
        Const::Bool(true)
    );
    assert_eq!(
        ev(Func::StartsWith, false, &[s(""), s("")]),
        Const::Bool(true)
    );
    assert_eq!(
        ev(Func::StartsWith, true, &[s("Bash"), s("bA")]),
        Const::Bool(true)
    );
    assert_eq!(
        ev(Func::StartsWith, false, &[s("Bash"), s("bA")]),
        Const::Bool(false)
    );
    assert_eq!(
        ev(Func::StringContains, false, &[s("abc"), s("")]),
        Const::Bool(false)
    );
    assert_eq!(
        ev(Func::StringContains, false, &[s(""), s("")]),
        Const::Bool(false)
    );
    assert_eq!(
        ev(Func::StringContains, true, &[s("xABCx"), s("bc")]),
        Const::Bool(true)
    );
    assert_eq!(ev(Func::Length, false, &[s("héllo")]), Const::Int(5));
    assert_eq!(ev(Func::Length, false, &[Const::Null]), Const::Null);
}

#[test]
fn number_parsing() {
    assert_eq!(number(" 42 ", None), Ok(Const::Int(42)));
    assert_eq!(number("-0x32", None), Ok(Const::Int(-50)));
    assert_eq!(number("0x32", Some(16)), Ok(Const::Int(50)));
    assert_eq!(number("101", Some(2)), Ok(Const::Int(5)));
    assert_eq!(number("zz", Some(36)), Ok(Const::Int(1295)));
    assert_eq!(number("+4.5", None), Ok(Const::Float(4.5)));
    assert!(number("abc", None).is_err());
    assert!(number("", None).is_err());
    assert!(number("--1", None).is_err());
    assert!(number("1.5", Some(16)).is_err());
    assert_eq!(
        ev(Func::Number, false, &[Const::Null, Const::Int(16)]),
        Const::Null
    );
}

#[test]
fn concat_and_string_print_values() {
    assert_eq!(
        ev(
            Func::Concat,
            false,
            &[
                s("a"),
                Const::Int(-1),
                Const::Float(42.5),
                Const::Float(1.0),
                Const::Bool(false)
            ]
        ),
        s("a-142.51.0false")
    );
    assert_eq!(ev(Func::Concat, false, &[s("a"), Const::Null]), Const::Null);
    assert_eq!(ev(Func::String, false, &[Const::Int(7)]), s("7"));
}

#[test]
fn arithmetic_functions() {
    assert_eq!(
        ev(Func::Modulo, false, &[Const::Int(10), Const::Int(-6)]),
        Const::Int(4)
    );
    assert_eq!(
        ev(Func::Modulo, false, &[Const::Int(-10), Const::Int(-6)]),
        Const::Int(-4)
    );
    assert_eq!(
        ev(Func::Divide, false, &[Const::Int(4), Const::Int(3)]),
        Const::Int(1)
    );
    assert!(eval(Func::Divide, false, &[Const::Int(4), Const::Int(0)]).is_err());
    assert!(eval(Func::Add, false, &[Const::Int(i64::MAX), Const::Int(1)]).is_err());
}

#[test]
fn wildcards() {
    assert!(wildcard_match("*exec*", "bash -c exec", false));
    assert!(wildcard_match("a?c", "abc", false));
    assert!(!wildcard_match("a?c", "ac", false));
    assert!(wildcard_match("*", "", false));
    assert!(!wildcard_match("", "a", false));
    assert!(wildcard_match("BASH", "bash", true));
    assert!(!wildcard_match("BASH", "bash", false));
    assert!(
        !wildcard_match("É", "é", true),
        "case folding is ASCII-only"
    );
    assert!(wildcard_match(
        r"*\red_ttp\winin*.*",
        r"C:\red_ttp\wininit.exe",
        false
    ));
    assert!(wildcard_match("a*b*c", "aXbYbZc", false));
    assert!(!wildcard_match("a*b*c", "aXbYbZ", false));
}
