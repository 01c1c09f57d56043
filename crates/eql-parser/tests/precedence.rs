//! Precedence and associativity of every pair of operators, checked against a table: the
//! expression is one flat list climbed by a Pratt parser, so each pair is a case of its own.

mod common;
use common::expr;

/// Binary operators with their binding level (higher binds tighter); comparisons do not chain.
const BINARY: &[(&str, u8)] = &[
    ("or", 1),
    ("and", 2),
    ("==", 3),
    ("!=", 3),
    ("<", 3),
    ("<=", 3),
    (">", 3),
    (">=", 3),
    ("+", 4),
    ("-", 4),
    ("*", 5),
    ("/", 5),
    ("%", 5),
];

#[test]
fn every_pair_of_binary_operators() {
    for &(p, lp) in BINARY {
        for &(q, lq) in BINARY {
            let src = format!("a {p} b {q} c");
            if lp == 3 && lq == 3 {
                // `a < b < c` is a syntax error (E0105), not a tree.
                let err = eql_parser::parse_expression(&src).expect_err(&src);
                assert_eq!(err[0].code, "E0105", "{src}");
                continue;
            }
            // Left-associative: the left pair groups first unless the right operator binds tighter.
            let want = if lq > lp { format!("({p} a ({q} b c))") } else { format!("({q} ({p} a b) c)") };
            assert_eq!(expr(&src), want, "{src}");
        }
    }
}

#[test]
fn four_operands_mix_levels() {
    assert_eq!(expr("a or b == c + d * e"), "(or a (== b (+ c (* d e))))");
    assert_eq!(expr("a * b + c == d and e or f"), "(or (and (== (+ (* a b) c) d) e) f)");
    assert_eq!(expr("a + b * c - d"), "(- (+ a (* b c)) d)");
    assert_eq!(expr("a and b == c or d and e"), "(or (and a (== b c)) (and d e))");
}

#[test]
fn not_binds_looser_than_comparisons_and_tighter_than_and() {
    for &(op, level) in BINARY {
        let src = format!("not a {op} b");
        let want = if level >= 3 { format!("(not ({op} a b))") } else { format!("({op} (not a) b)") };
        assert_eq!(expr(&src), want, "{src}");
        let src = format!("a {op} not b");
        if level <= 2 {
            assert_eq!(expr(&src), format!("({op} a (not b))"), "{src}");
        } else {
            assert!(eql_parser::parse_expression(&src).is_err(), "{src} must be refused");
        }
    }
}

#[test]
fn signs_bind_tighter_than_every_binary_operator() {
    for &(op, _) in BINARY {
        assert_eq!(expr(&format!("-a {op} b")), format!("({op} (neg a) b)"));
        assert_eq!(expr(&format!("a {op} -b")), format!("({op} a (neg b))"));
    }
    assert_eq!(expr("- + - a"), "(neg (plus (neg a)))");
}

#[test]
fn predicates_bind_tightest() {
    let preds = [(r#": "x""#, r#"(: _ ["x"])"#), ("in (1)", "(in _ [1])"), ("not in~ (1)", "(not-in~ _ [1])")];
    for (pred, shape) in preds {
        let on = |v: &str| shape.replace('_', v);
        assert_eq!(expr(&format!("-a {pred}")), format!("(neg {})", on("a")));
        assert_eq!(expr(&format!("not a {pred}")), format!("(not {})", on("a")));
        for &(op, _) in BINARY {
            assert_eq!(expr(&format!("a {op} b {pred}")), format!("({op} a {})", on("b")));
            assert_eq!(expr(&format!("a {pred} {op} b")), format!("({op} {} b)", on("a")));
        }
    }
}

#[test]
fn parentheses_and_calls_are_operands() {
    assert_eq!(expr("(a or b) and c"), "(and (or a b) c)");
    assert_eq!(expr("f(a or b, c) * 2"), "(* (call f (or a b) c) 2)");
    assert_eq!(expr("not (a) == 1"), "(not (== a 1))");
}

#[test]
fn long_runs_of_prefixes_are_refused_by_height() {
    // 600 `not`s: each is a level, the tree is too tall; refused, not a stack overflow.
    let src = format!("{}a", "not ".repeat(600));
    let err = eql_parser::parse_expression(&src).expect_err("too tall");
    assert_eq!(err[0].code, "E0104");
    let src = format!("{}a", "- ".repeat(600));
    assert_eq!(eql_parser::parse_expression(&src).expect_err("too tall")[0].code, "E0104");
    let src = format!("{}a", "not ".repeat(500));
    assert!(eql_parser::parse_expression(&src).is_ok());
}
