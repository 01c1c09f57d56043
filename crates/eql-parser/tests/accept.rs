//! Accepted syntax: the shape of the tree for every construct, precedence included.

mod common;
use common::{expr, q};

#[test]
fn event_queries() {
    assert_eq!(q("process where true"), "process where true");
    assert_eq!(q("any where x == 1"), "any where (== x 1)");
    assert_eq!(q(r#""my-category" where x"#), "my-category where x");
    assert_eq!(q(r#""""raw cat""" where x"#), "raw cat where x");
    assert_eq!(q("OPTIONAL where x"), "OPTIONAL where x");
    assert_eq!(q("alert_1 where x"), "alert_1 where x");
}

#[test]
fn boolean_precedence() {
    assert_eq!(expr("a or b and c"), "(or a (and b c))");
    assert_eq!(expr("a and b or c and d"), "(or (and a b) (and c d))");
    assert_eq!(expr("a or b or c"), "(or (or a b) c)");
    assert_eq!(expr("a and b and c"), "(and (and a b) c)");
    assert_eq!(expr("not a == 1 and b"), "(and (not (== a 1)) b)");
    assert_eq!(expr("not exit_code > -1"), "(not (> exit_code (neg 1)))");
    assert_eq!(expr("not not a"), "(not (not a))");
    assert_eq!(expr("not (a or b)"), "(not (or a b))");
    assert_eq!(expr("a or not b and c"), "(or a (and (not b) c))");
}

#[test]
fn keywords_are_lowercase_only() {
    assert_eq!(expr("AND == 1"), "(== AND 1)");
    assert_eq!(q("Where where Sequence"), "Where where Sequence");
}

#[test]
fn comparisons() {
    for op in ["==", "!=", "<", "<=", ">", ">="] {
        assert_eq!(expr(&format!("a {op} b")), format!("({op} a b)"));
    }
    assert_eq!(expr("1 < x + 2"), "(< 1 (+ x 2))");
}

#[test]
fn arithmetic_precedence() {
    assert_eq!(expr("a + b * c"), "(+ a (* b c))");
    assert_eq!(expr("a - b - c"), "(- (- a b) c)");
    assert_eq!(expr("a * b / c % d"), "(% (/ (* a b) c) d)");
    assert_eq!(expr("-a * b"), "(* (neg a) b)");
    assert_eq!(expr("- - a"), "(neg (neg a))");
    assert_eq!(expr("+a - -1"), "(- (plus a) (neg 1))");
    assert_eq!(expr("(a + b) * c"), "(* (+ a b) c)");
}

#[test]
fn pattern_predicates() {
    assert_eq!(expr(r#"x : "a*""#), r#"(: x ["a*"])"#);
    assert_eq!(expr(r#"x : ("a", "b")"#), r#"(: x ["a" "b"])"#);
    assert_eq!(expr(r#"x like "a""#), r#"(like x ["a"])"#);
    assert_eq!(expr(r#"x like~ ("a")"#), r#"(like~ x ["a"])"#);
    assert_eq!(expr(r#"x regex "a.*""#), r#"(regex x ["a.*"])"#);
    assert_eq!(expr(r#"x regex~ ("a", "b")"#), r#"(regex~ x ["a" "b"])"#);
    // a predicate belongs to the primary expression it follows
    assert_eq!(expr(r#"a + b : "x""#), r#"(+ a (: b ["x"]))"#);
    assert_eq!(expr(r#"not x : "a" and y"#), r#"(and (not (: x ["a"])) y)"#);
    assert_eq!(expr(r#"x:1"#), "(: x [1])");
}

#[test]
fn membership() {
    assert_eq!(expr("x in (1, 2)"), "(in x [1 2])");
    assert_eq!(expr(r#"x in~ ("A")"#), r#"(in~ x ["A"])"#);
    assert_eq!(expr("x not in (1)"), "(not-in x [1])");
    assert_eq!(expr(r#"x not in~ ("a", y, 1 + 2)"#), r#"(not-in~ x ["a" y (+ 1 2)])"#);
    assert_eq!(expr("x in (a and b)"), "(in x [(and a b)])");
    assert_eq!(expr("not x in (1)"), "(not (in x [1]))");
}

#[test]
fn function_calls() {
    assert_eq!(expr("length(x) > 3"), "(> (call length x) 3)");
    assert_eq!(expr(r#"startsWith~(x, "a")"#), r#"(call startsWith~ x "a")"#);
    assert_eq!(expr("f()"), "(call f )");
    assert_eq!(expr("f (a, g(b))"), "(call f a (call g b))");
    assert_eq!(expr("CONCAT(a)"), "(call CONCAT a)");
}

#[test]
fn field_paths() {
    assert_eq!(expr("process.parent.name"), "process.parent.name");
    assert_eq!(expr("?x"), "?x");
    assert_eq!(expr("?process.pid"), "?process.pid");
    assert_eq!(expr("`a b`"), "a b");
    assert_eq!(expr("?`my field`.x"), "?my field.x");
    assert_eq!(expr("`a``b`"), "a`b");
    assert_eq!(expr("`sequence` == 20"), "(== sequence 20)");
    assert_eq!(expr("`a.b`.c"), "a.b.c");
    assert_eq!(expr("@timestamp"), "@timestamp");
    assert_eq!(expr("x[0]"), "x[0]");
    assert_eq!(expr("a.b[1][2]"), "a.b[1][2]");
    assert_eq!(expr("event0.process.pid"), "event0.process.pid");
}

#[test]
fn literals() {
    assert_eq!(expr("null"), "null");
    assert_eq!(expr("true"), "true");
    assert_eq!(expr("42"), "42");
    assert_eq!(expr("9223372036854775807"), "9223372036854775807");
    assert_eq!(expr("9223372036854775808"), "9.223372036854776e18");
    assert_eq!(expr("1.5"), "1.5");
    assert_eq!(expr(".5"), "0.5");
    assert_eq!(expr("1."), "1.0");
    assert_eq!(expr("1e3"), "1000.0");
    assert_eq!(expr("2.5E-1"), "0.25");
    assert_eq!(expr(r#""a\"b\\c\n\r\t\b\f\'""#), r#""a\"b\\c\n\r\t\u{8}\u{c}'""#);
    assert_eq!(expr(r#""\u{41}\u{1F600}\u{0000e9}""#), r#""A😀é""#);
    assert_eq!(expr(r#""""C:\path\"x""""#), r#""C:\\path\\\"x""#);
    assert_eq!(expr(r#""""ends with quotes""""""#), r#""ends with quotes\"\"""#);
    assert_eq!(expr(r#""""""""#), r#""""#);
}

#[test]
fn comments() {
    assert_eq!(q("process where // comment\n x == 1 // end"), "process where (== x 1)");
    assert_eq!(q("/* a /* nested */ comment */ process where x"), "process where x");
    assert_eq!(q("process where x /* c */ == /**/ 1"), "process where (== x 1)");
}

#[test]
fn sequences() {
    assert_eq!(
        q("sequence by host.id with maxspan=5m [process where a] by p [file where b] by q"),
        "sequence by host.id maxspan=5m [process a] by p [file b] by q"
    );
    for unit in ["ms", "s", "m", "h", "d"] {
        let src = format!("sequence with maxspan=10{unit} [a where x] [b where y]");
        assert_eq!(q(&src), format!("sequence maxspan=10{unit} [a x] [b y]"));
    }
    assert_eq!(q("sequence with maxspan=0.5s [a where x] [b where y]"), "sequence maxspan=0.5s [a x] [b y]");
    assert_eq!(q("sequence with maxspan=2 [a where x] [b where y]"), "sequence maxspan=2 [a x] [b y]");
    assert_eq!(q("sequence [a where x] by k with runs=3"), "sequence [a x] by k runs=3");
    assert_eq!(
        q("sequence by k [a where x] ![b where y] [c where z] until [d where w] by u"),
        "sequence by k [a x] ![b y] [c z] until [d w] by u"
    );
    assert_eq!(q("sequence [a where x] by f(a), b [b where y] by c, d"), "sequence [a x] by (call f a),b [b y] by c,d");
}

#[test]
fn samples_and_joins() {
    assert_eq!(q("sample by host [a where x] [b where y]"), "sample by host [a x] [b y]");
    assert_eq!(q("sample [a where x]"), "sample [a x]");
    assert_eq!(q("join by k [a where x] [b where y] until [c where z]"), "join by k [a x] [b y] until [c z]");
}

#[test]
fn pipes() {
    assert_eq!(q("process where true | head 5"), "process where true | head 5");
    assert_eq!(q("process where true | head 4 | tail 2"), "process where true | head 4 | tail 2");
    assert_eq!(q("process where true | unique a, b"), "process where true | unique a,b");
    assert_eq!(q("process where true | count"), "process where true | count ");
    assert_eq!(q("sequence [a where x] [b where y] | tail 1"), "sequence [a x] [b y] | tail 1");
}

#[test]
fn defend_dialect() {
    assert_eq!(
        q("sequence by process.entity_id [process where x] as event0 [file where event0.process.pid == 1] as event1"),
        "sequence by process.entity_id [process x] as event0 [file (== event0.process.pid 1)] as event1"
    );
    assert_eq!(q("sequence [a where x] by k with runs=2 as e0 [b where y]"), "sequence [a x] by k runs=2 as e0 [b y]");
    assert_eq!(
        expr(r#"_arraysearch(process.thread.Ext.call_stack, $entry, $entry.symbol_info : "*x*")"#),
        r#"(call _arraysearch process.thread.Ext.call_stack $entry (: $entry.symbol_info ["*x*"]))"#
    );
    assert_eq!(expr("$entry.a.`b c`"), "$entry.a.b c");
    assert_eq!(
        expr("descendant of [process where name == \"x\"] and not child of [any where true]"),
        r#"(and (descendant of process (== name "x")) (not (child of any true)))"#
    );
    assert_eq!(expr("event of [file where true] or a"), "(or (event of file true) a)");
}
