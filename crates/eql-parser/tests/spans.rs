//! Every node's span covers exactly its text: no surrounding blanks or comments, parentheses
//! included around a parenthesised expression. Also: no input makes the parser panic.

use eql_parser::ast::{Expr, ExprKind, QueryBody, Stage};

fn text(src: &str, span: eql_parser::Span) -> &str {
    &src[span.range()]
}

#[test]
fn spans_are_exact() {
    let src = "  process where /* c */ not x == 1  and ?a.b[0] in (1, 2)  or (f~(y) : \"z*\")  | head 3  // end\n";
    let q = eql_parser::parse(src).expect("parses");
    assert_eq!(
        text(src, q.span),
        "process where /* c */ not x == 1  and ?a.b[0] in (1, 2)  or (f~(y) : \"z*\")  | head 3"
    );
    let QueryBody::Event(f) = &q.body else { panic!("event query expected") };
    assert_eq!(text(src, f.category.span()), "process");
    let ExprKind::Or(lhs, rhs) = &f.condition.kind else { panic!("or expected") };
    assert_eq!(text(src, lhs.span), "not x == 1  and ?a.b[0] in (1, 2)");
    assert_eq!(text(src, rhs.span), "(f~(y) : \"z*\")");
    let ExprKind::And(not, inn) = &lhs.kind else { panic!("and expected") };
    assert_eq!(text(src, not.span), "not x == 1");
    let ExprKind::In { expr, list, .. } = &inn.kind else { panic!("in expected") };
    assert_eq!(text(src, expr.span), "?a.b[0]");
    assert_eq!(text(src, list[1].span), "2");
    let ExprKind::Field(path) = &expr.kind else { panic!("field expected") };
    assert_eq!(text(src, path.indexes[0].span), "0");
    let ExprKind::Match { expr: call, patterns, .. } = &rhs.kind else { panic!("match expected") };
    assert_eq!(text(src, call.span), "f~(y)");
    assert_eq!(text(src, patterns[0].span), "\"z*\"");
    let ExprKind::Call { name, .. } = &call.kind else { panic!("call expected") };
    assert_eq!(text(src, name.span), "f~");
    assert_eq!(name.name, "f");
    assert_eq!(text(src, q.pipes[0].span), "| head 3");
}

#[test]
fn sequence_spans() {
    let src =
        "sequence by h with maxspan=5 m\n [a where x] by k with runs=2 as e0\n ![b where y]  \n until [c where z] ";
    let q = eql_parser::parse(src).expect("parses");
    let QueryBody::Sequence(s) = &q.body else { panic!("sequence expected") };
    assert_eq!(text(src, s.span), src.trim_end());
    let maxspan = s.maxspan.as_ref().expect("maxspan");
    assert_eq!(text(src, maxspan.span), "5 m");
    assert_eq!(text(src, s.stages[0].span), "[a where x] by k with runs=2 as e0");
    assert_eq!(text(src, s.stages[0].filter.span), "a where x");
    assert_eq!(text(src, s.stages[0].runs.as_ref().expect("runs").span), "2");
    assert_eq!(text(src, s.stages[1].span), "![b where y]");
    assert_eq!(text(src, s.until.as_ref().expect("until").span), "[c where z]");
}

fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    out.push(e);
    match &e.kind {
        ExprKind::Not(a) | ExprKind::Neg(a) | ExprKind::Plus(a) => walk(a, out),
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            walk(a, out);
            walk(b, out);
        }
        ExprKind::Compare { lhs, rhs, .. } | ExprKind::Arith { lhs, rhs, .. } => {
            walk(lhs, out);
            walk(rhs, out);
        }
        ExprKind::In { expr, list, .. } => {
            walk(expr, out);
            list.iter().for_each(|x| walk(x, out));
        }
        ExprKind::Match { expr, patterns, .. } => {
            walk(expr, out);
            patterns.iter().for_each(|x| walk(x, out));
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|x| walk(x, out)),
        ExprKind::Lineage { filter, .. } => walk(&filter.condition, out),
        _ => {}
    }
}

fn stages(q: &QueryBody) -> Vec<&Stage> {
    match q {
        QueryBody::Event(_) => Vec::new(),
        QueryBody::Sequence(s) => s.stages.iter().chain(s.until.iter()).collect(),
        QueryBody::Sample(s) => s.stages.iter().collect(),
        QueryBody::Join(j) => j.stages.iter().chain(j.until.iter()).collect(),
    }
}

/// Every expression span of a query is trimmed (no blanks or comments at either end).
fn assert_trimmed(src: &str) {
    let q = eql_parser::parse(src).expect("parses");
    let mut roots: Vec<&Expr> = Vec::new();
    match &q.body {
        QueryBody::Event(f) => roots.push(&f.condition),
        body => {
            for s in stages(body) {
                roots.push(&s.filter.condition);
                roots.extend(s.by.iter());
            }
        }
    }
    let mut all = Vec::new();
    for r in roots {
        walk(r, &mut all);
    }
    for e in all {
        let t = text(src, e.span);
        assert!(!t.is_empty() && t.trim() == t, "span {:?} of {:?} is not trimmed", t, e.kind);
        assert!(!t.ends_with("*/") && !t.starts_with("/*"), "span {t:?} includes a comment");
    }
}

#[test]
fn spans_are_trimmed() {
    assert_trimmed("process where a /* x */ and\n  (b or c /* y */ )  and d in (1 , 2 /* z */)  and e : \"x\" /* w */");
    assert_trimmed("sequence by a /* k */ [x where b == 1 /* c */ ] by c /* d */ [y where -  e > 1 ]");
    assert_trimmed("sample by a [x where f(1 , g( 2 ) ) ] [y where $e.f . g == 1] | head 1");
}

/// Cuts and splices of real queries must give a result or diagnostics, never a panic.
#[test]
fn no_panic_on_mangled_input() {
    let seeds = [
        "sequence by host.id with maxspan=1m [process where a : (\"x\", \"y\") and not b in~ (1, 2)] by p.e ![file where `odd`` name` == \"\\u{41}\\n\"] with runs=2 as e0 until [any where ?x[0] > -1.5e3] | head 3",
        "process where descendant of [process where f~(x, $entry.y) == \"\"\"raw\\\"\"\"] /* c /* n */ */ // x\n and 'q' = ?\"r\" !: 1 && y",
        "sample by x [a where (((b))) < c + d * e % f / g - h] [b where x regex~ \"[a-z]+\"]",
    ];
    let pieces = [
        "(",
        ")",
        "[",
        "]",
        "![",
        "\"",
        "\"\"\"",
        "`",
        "\\",
        "/*",
        "*/",
        "//",
        "?",
        "$",
        "~",
        "=",
        "!",
        "é",
        "\n",
        "\u{1F600}",
        "9999999999999999999999",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for seed in seeds {
        let cuts: Vec<usize> = (0..=seed.len()).filter(|&i| seed.is_char_boundary(i)).collect();
        for &c in &cuts {
            let _ = eql_parser::parse(&seed[..c]);
            let _ = eql_parser::parse(&seed[c..]);
            let _ = eql_parser::parse_expression(&seed[c..]);
        }
        for _ in 0..400 {
            let at = cuts[next(cuts.len())];
            let piece = pieces[next(pieces.len())];
            let mangled = format!("{}{piece}{}", &seed[..at], &seed[at..]);
            if let Err(errs) = eql_parser::parse(&mangled) {
                assert!(!errs.is_empty());
                for d in &errs {
                    assert!(d.code.starts_with("E01") && d.code != "E0199", "{d} for {mangled:?}");
                    assert!((d.span.end as usize) <= mangled.len(), "{d} for {mangled:?}");
                    let _ = d.render("<q>", &mangled);
                }
            }
        }
    }
}
