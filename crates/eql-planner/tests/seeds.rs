//! The seed rules plan cleanly against the built-in schema and against ECS; the seed document's
//! broken copy (empty CIDR strings) fails at the first empty string.

mod common;
use common::*;
use eql_planner::{PlanOptions, PlanQuery, Schema, TKind};
use std::path::Path;

const SEEDS: &str = "/work/shared/seeds";

/// The `query = '''…'''` of a detection-rules TOML file.
fn rule_query(file: &str) -> Option<String> {
    let text = std::fs::read_to_string(Path::new(SEEDS).join(file)).ok()?;
    let start = text.find("query = '''")? + "query = '''".len();
    let end = start + text[start..].find("'''")?;
    Some(text[start..end].to_string())
}

const REVERSE_SHELL: &str = r#"sequence by host.id with maxspan=5s
  [network where event.type == "start" and host.os.type == "linux" and
     event.action in ("connection_attempted", "connection_accepted") and
     process.name : ("bash", "dash", "sh", "tcsh", "csh", "zsh", "ksh", "fish", "socat") and destination.ip != null and
     not cidrmatch(destination.ip, "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "::1")] by process.entity_id
  [process where event.type == "start" and host.os.type == "linux" and event.action in ("exec", "fork") and
     process.name in ("bash", "dash", "sh", "tcsh", "csh", "zsh", "ksh", "fish") and (
       (process.args : ("-i", "-l")) or (process.parent.name == "socat" and process.parent.args : "*exec*")
   )] by process.parent.entity_id"#;

fn seed_queries() -> Vec<String> {
    let mut qs = vec![REVERSE_SHELL.to_string()];
    for f in [
        "potential_reverse_shell.v9.upstream.toml",
        "reverse_shell_activity_via_terminal.v4.upstream.toml",
    ] {
        qs.extend(rule_query(f));
    }
    qs
}

#[test]
fn seeds_plan_against_the_builtin_schema_without_warnings() {
    for q in seed_queries() {
        let planned = plan(&q).unwrap_or_else(|e| panic!("{e}"));
        let warnings: Vec<String> = planned
            .warnings
            .iter()
            .map(|d| d.render("<seed>", &q))
            .collect();
        assert!(warnings.is_empty(), "{}", warnings.join(""));
    }
}

#[test]
fn reverse_shell_plan_shape() {
    let planned = plan(REVERSE_SHELL).unwrap_or_else(|e| panic!("{e}"));
    let PlanQuery::Sequence(s) = planned.plan.query else {
        panic!("not a sequence")
    };
    assert_eq!(s.maxspan_ns, Some(5_000_000_000));
    assert_eq!(s.stages.len(), 2);
    assert_eq!(s.stages[0].keys.len(), 2);
    let cond = show(&s.stages[0].filter.condition);
    assert!(
        cond.contains(
            "not(cidr(destination.ip:ip; 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4, ::1/128))"
        ),
        "{cond}"
    );
    assert!(cond.contains("not(isnull(destination.ip:ip))"), "{cond}");
    assert!(
        cond.contains(r#"inset(event.type:keyword[]; "start")"#)
            || cond.contains(r#"(event.type:keyword[] == "start":keyword)"#),
        "{cond}"
    );
    let second = show(&s.stages[1].filter.condition);
    assert!(
        second.contains(r#"inset~(process.args:keyword[]; "-i", "-l")"#),
        "{second}"
    );
    assert!(
        second.contains(r#"wildcard~(process.parent.args:keyword[]; ["*exec*"])"#),
        "{second}"
    );
    assert!(
        matches!(s.stages[1].keys[1].expr.kind, TKind::Field(ref f) if f.path == "process.parent.entity_id")
    );
}

#[test]
fn broken_seed_document_fails_at_the_first_empty_cidr() {
    let text = std::fs::read_to_string(Path::new(SEEDS).join("000_edb4d48d4f6c7953.txt"));
    let broken = match text {
        Ok(t) => {
            let start = t.find("sequence by host.id").unwrap_or(0);
            let end = t[start..]
                .find("by process.parent.entity_id")
                .map_or(t.len(), |i| start + i + "by process.parent.entity_id".len());
            t[start..end].to_string()
        }
        Err(_) => REVERSE_SHELL.replace(
            r#""127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4""#,
            r#""", "", """#,
        ),
    };
    assert!(
        broken.contains(r#"cidrmatch(destination.ip, "", "", "", "::1")"#),
        "{broken}"
    );
    let errs = eql_planner::plan_text(&broken, &Schema::builtin(), &PlanOptions::default())
        .err()
        .unwrap_or_default();
    let first = errs
        .first()
        .map(|d| (d.code, d.message.clone(), &broken[d.span.range()]));
    assert_eq!(
        first,
        Some((
            "E0218",
            "an empty string is not a CIDR block or IP address".to_string(),
            r#""""#
        ))
    );
    let at = errs.first().map(|d| d.span.start as usize).unwrap_or(0);
    assert_eq!(
        at,
        broken.find(r#""", "", "", "::1""#).unwrap_or(usize::MAX)
    );
}

#[test]
fn ecs_flat_schema_loads_and_seeds_plan_without_warnings() {
    let path = Path::new("/work/shared/schema/ecs/ecs_flat.yml");
    if !path.exists() {
        eprintln!("skipping: {} not found", path.display());
        return;
    }
    let ecs = Schema::load_ecs_flat(path).unwrap_or_else(|e| panic!("{e}"));
    assert!(ecs.len() > 1500, "{} fields", ecs.len());
    assert_eq!(
        ecs.lookup("process.args"),
        eql_planner::Lookup::Field(eql_planner::FieldType::new(
            eql_planner::Type::Keyword,
            true
        ))
    );
    assert_eq!(
        ecs.lookup("destination.ip"),
        eql_planner::Lookup::Field(eql_planner::FieldType::new(eql_planner::Type::Ip, false))
    );
    assert_eq!(ecs.lookup("process.parent"), eql_planner::Lookup::Object);
    for q in seed_queries() {
        let planned = plan_with(&q, &ecs, &strict()).unwrap_or_else(|e| panic!("{e}"));
        assert!(planned.warnings.is_empty(), "{:?}", planned.warnings);
    }
}
