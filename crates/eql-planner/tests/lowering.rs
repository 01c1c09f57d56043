//! Lowering rules: what each operator and form becomes in the typed plan.

mod common;
use common::*;

#[test]
fn null_comparisons_become_null_checks() {
    assert_eq!(
        cond("process where process.name == null"),
        "isnull(process.name:keyword)"
    );
    assert_eq!(
        cond("process where null != process.name"),
        "not(isnull(process.name:keyword))"
    );
    assert_eq!(cond("process where null == null"), "true:boolean");
    assert_eq!(cond("process where null != null"), "false:boolean");
    assert_eq!(cond("process where process.pid < null"), "null:null");
    assert_eq!(cond("process where 1 == null"), "false:boolean");
    assert_eq!(
        cond("process where null == (process.exit_code > -1)"),
        "isnull((process.exit_code:long > -1:long))"
    );
}

#[test]
fn inequality_is_negated_equality_and_constants_move_right() {
    assert_eq!(
        cond(r#"process where process.name != "bash""#),
        r#"not((process.name:keyword == "bash":keyword))"#
    );
    assert_eq!(
        cond("process where 5 < process.pid"),
        "(process.pid:long > 5:long)"
    );
    assert_eq!(
        cond("process where 5 >= process.pid"),
        "(process.pid:long <= 5:long)"
    );
    assert_eq!(
        cond("process where process.pid < 4.5"),
        "(process.pid:long < 4.5:double)"
    );
}

#[test]
fn constants_are_converted_to_the_field_type() {
    assert_eq!(
        cond(r#"network where destination.ip == "::FFFF:0:1""#),
        r#"(destination.ip:ip == "::ffff:0.0.0.1":ip)"#
    );
    assert_eq!(
        cond(r#"network where destination.ip == "10.0.0.0/8""#),
        "cidr(destination.ip:ip; 10.0.0.0/8)"
    );
    assert_eq!(
        cond(r#"network where destination.ip in ("10.0.0.0/8", "1.2.3.4")"#),
        "cidr(destination.ip:ip; 10.0.0.0/8, 1.2.3.4/32)"
    );
    assert_eq!(
        cond(r#"process where @timestamp > "2017-08-30T20:47:33Z""#),
        "(@timestamp:date > 1504126053000000000:date)"
    );
    assert_eq!(
        cond("process where @timestamp == 1516116808349"),
        "(@timestamp:date == 1516116808349000000:date)"
    );
    assert_eq!(
        cond("process where process.interactive == true"),
        "(process.interactive:boolean == true:boolean)"
    );
    assert_eq!(
        cond("process where process.interactive"),
        "(process.interactive:boolean == true:boolean)"
    );
}

#[test]
fn unknown_fields_compare_with_anything() {
    let p = plan(r#"process where foo.bar == 5 and foo.baz == "x" and foo.bar < 3"#);
    let warned: Vec<String> = p
        .map(|p| p.warnings.iter().map(|w| w.message.clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        warned,
        ["unknown field `foo.bar`", "unknown field `foo.baz`"],
        "one warning per field"
    );
    assert_eq!(
        cond("process where ?foo.bar == 5"),
        "(?foo.bar:unknown[] == 5:long)"
    );
}

#[test]
fn optional_unknown_field_is_null_under_the_strict_policy() {
    let p = plan_with(
        "process where ?foo.bar == null",
        &eql_planner::Schema::builtin(),
        &strict(),
    );
    match p.map(|p| p.plan.query) {
        Ok(eql_planner::PlanQuery::Event(f)) => assert_eq!(show(&f.condition), "true:boolean"),
        other => panic!("{other:?}"),
    }
    // Under the default policy it stays a field, without a warning.
    assert_eq!(warnings("process where ?foo.bar == null"), "");
}

#[test]
fn text_fields_behave_as_keywords() {
    let schema = eql_planner::Schema::from_fields([(
        "msg",
        eql_planner::FieldType::new(eql_planner::Type::Text, false),
    )]);
    let p = plan_with(
        r#"any where msg == "x" and msg : "a*""#,
        &schema,
        &Default::default(),
    );
    assert!(p.is_ok(), "{p:?}");
}

#[test]
fn colon_splits_exact_and_wildcard_patterns() {
    assert_eq!(
        cond(r#"process where process.name : "bash""#),
        r#"inset~(process.name:keyword; "bash")"#
    );
    assert_eq!(
        cond(r#"process where process.name : ("a", "b*", "a", "c?")"#),
        r#"or(inset~(process.name:keyword; "a"), wildcard~(process.name:keyword; ["b*", "c?"]))"#
    );
    assert_eq!(
        cond(r#"process where process.name : "*sh""#),
        r#"wildcard~(process.name:keyword; ["*sh"])"#
    );
}

#[test]
fn like_and_regex() {
    assert_eq!(
        cond(r#"process where process.name like "a*""#),
        r#"wildcard(process.name:keyword; ["a*"])"#
    );
    assert_eq!(
        cond(r#"process where process.name like~ ("a", "b?")"#),
        r#"wildcard~(process.name:keyword; ["a", "b?"])"#
    );
    assert_eq!(
        cond(r#"process where process.name regex~ ("a.c", "x<1-2>")"#),
        r#"regex~(process.name:keyword; ["^(?s:a.c)$", "^(?s:x(?:[1-2]))$"])"#
    );
    assert_eq!(
        cond(r#"process where process.name regex "[0-9]+""#),
        r#"regex(process.name:keyword; ["^(?s:(?:[0-9])+)$"])"#
    );
}

#[test]
fn membership() {
    assert_eq!(
        cond(r#"process where process.name in ("a", "b", "a")"#),
        r#"inset(process.name:keyword; "a", "b")"#
    );
    assert_eq!(
        cond(r#"process where process.name in~ ("A")"#),
        r#"inset~(process.name:keyword; "A")"#
    );
    assert_eq!(
        cond(r#"process where process.name not in ("a")"#),
        r#"not(inset(process.name:keyword; "a"))"#
    );
    assert_eq!(
        cond("process where process.pid in (1, 2.5, null)"),
        "inset(process.pid:long; 1, 2.5)"
    );
    assert_eq!(cond("process where process.pid in (null)"), "false:boolean");
    assert_eq!(
        cond("process where process.pid in (1, process.parent.pid)"),
        "inlist(process.pid:long; 1:long, process.parent.pid:long)"
    );
    assert_eq!(cond(r#"process where "a" in~ ("A", "b")"#), "true:boolean");
}

#[test]
fn logic_is_flattened_and_folded() {
    assert_eq!(
        cond("process where process.pid == 1 and (process.pid == 2 and process.pid == 3)"),
        "and((process.pid:long == 1:long), (process.pid:long == 2:long), (process.pid:long == 3:long))"
    );
    assert_eq!(
        cond("process where true and process.pid == 1"),
        "(process.pid:long == 1:long)"
    );
    assert_eq!(
        cond("process where false and process.pid == 1"),
        "false:boolean"
    );
    assert_eq!(
        cond("process where process.pid == 1 or true"),
        "true:boolean"
    );
    assert_eq!(
        cond("process where not not process.pid == 1"),
        "(process.pid:long == 1:long)"
    );
    assert_eq!(cond("process where not true"), "false:boolean");
    assert_eq!(cond("process where not null == 1"), "true:boolean");
}

#[test]
fn arithmetic_folds_with_java_semantics() {
    assert_eq!(
        cond("process where process.pid == 4 / 3"),
        "(process.pid:long == 1:long)"
    );
    assert_eq!(
        cond("process where process.pid == -7 / 2"),
        "(process.pid:long == -3:long)"
    );
    assert_eq!(
        cond("process where process.pid == -10 % 6"),
        "(process.pid:long == -4:long)"
    );
    assert_eq!(
        cond("process where process.pid == 10 % -6"),
        "(process.pid:long == 4:long)"
    );
    assert_eq!(
        cond("process where process.pid == 4.0 / 2"),
        "(process.pid:long == 2.0:double)"
    );
    assert_eq!(
        cond("process where process.pid == -1"),
        "(process.pid:long == -1:long)"
    );
    assert_eq!(
        cond("process where process.pid == +(2 * 3)"),
        "(process.pid:long == 6:long)"
    );
    assert_eq!(
        cond("process where process.pid / 2 == 41"),
        "((process.pid:long / 2:long):long == 41:long)"
    );
    assert_eq!(
        cond("process where -process.pid < 0"),
        "(-(process.pid:long) < 0:long)"
    );
}

#[test]
fn functions_fold_on_constants() {
    assert_eq!(
        cond(r#"process where process.name == concat("a", 1, 2.5, true)"#),
        r#"(process.name:keyword == "a12.5true":keyword)"#
    );
    assert_eq!(
        cond(r#"process where process.name == substring("hello", -3)"#),
        r#"(process.name:keyword == "llo":keyword)"#
    );
    assert_eq!(
        cond(r#"process where process.pid == number("0x32")"#),
        "(process.pid:long == 50:long)"
    );
    assert_eq!(
        cond(r#"process where process.pid == number("11", null)"#),
        "(process.pid:long == 11:long)"
    );
    assert_eq!(
        cond("process where process.pid == add(1, multiply(2, 3))"),
        "(process.pid:long == 7:long)"
    );
    assert_eq!(
        cond(r#"process where process.pid == indexOf("abc", "z")"#),
        "isnull(process.pid:long)"
    );
    assert_eq!(
        cond(r#"process where CIDRMATCH("10.1.2.3", "10.0.0.0/8")"#),
        "true:boolean"
    );
}

#[test]
fn function_calls() {
    assert_eq!(
        cond(r#"process where startsWith~(process.name, "BA")"#),
        r#"startsWith~(process.name:keyword, "BA":keyword):boolean"#
    );
    assert_eq!(
        cond(r#"process where LENGTH(process.name) > 3"#),
        "(length(process.name:keyword):long > 3:long)"
    );
    assert_eq!(
        cond(r#"process where add(process.pid, 1) == 3"#),
        "((process.pid:long + 1:long):long == 3:long)"
    );
    assert_eq!(
        cond(r#"network where not cidrmatch(destination.ip, "127.0.0.0/8", "::1")"#),
        "not(cidr(destination.ip:ip; 127.0.0.0/8, ::1/128))"
    );
    assert_eq!(
        cond(r#"process where number(process.name, null) == 1"#),
        "(number(process.name:keyword):double == 1:long)"
    );
}

#[test]
fn categories() {
    let p = plan(r#"any where true"#).map(|p| p.plan.query);
    assert!(
        matches!(
            p,
            Ok(eql_planner::PlanQuery::Event(eql_planner::Filter {
                category: None,
                ..
            }))
        ),
        "{p:?}"
    );
    let p = plan(r#""my-cat" where true"#).map(|p| p.plan.query);
    assert!(
        matches!(&p, Ok(eql_planner::PlanQuery::Event(f)) if f.category.as_deref() == Some("my-cat")),
        "{p:?}"
    );
}

#[test]
fn pipes() {
    let p = plan("process where true | head 5 | tail 0").map(|p| p.plan.pipes);
    assert_eq!(
        p,
        Ok(vec![
            eql_planner::PipeOp::Head(5),
            eql_planner::PipeOp::Tail(0)
        ])
    );
}

#[test]
fn version_fields_keep_strings() {
    let schema = eql_planner::Schema::from_fields([(
        "v",
        eql_planner::FieldType::new(eql_planner::Type::Version, false),
    )]);
    let p =
        plan_with(r#"any where v < "1.11.3""#, &schema, &Default::default()).map(|p| p.plan.query);
    match p {
        Ok(eql_planner::PlanQuery::Event(f)) => {
            assert_eq!(show(&f.condition), r#"(v:version < "1.11.3":version)"#)
        }
        other => panic!("{other:?}"),
    }
    let err = errors_with("any where v == 5", &schema, &Default::default());
    assert!(
        err.contains("cannot compare version field `v` with a number"),
        "{err}"
    );
}

#[test]
fn optional_unknown_key_is_a_null_key_under_the_strict_policy() {
    let p = plan_with(
        "sequence [process where true] by ?nope [file where true] by ?nope",
        &eql_planner::Schema::builtin(),
        &strict(),
    );
    match p.map(|p| p.plan.query) {
        Ok(eql_planner::PlanQuery::Sequence(s)) => {
            let k = &s.stages[0].keys[0];
            assert!(k.optional);
            assert_eq!(show(&k.expr), "null:null");
        }
        other => panic!("{other:?}"),
    }
}
