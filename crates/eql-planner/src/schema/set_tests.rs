//! The real-schema loaders and the choice of schema per index pattern: small inline sources,
//! and the files under /work/shared/schema when they are there.

use super::set::{glob, overlap};
use super::*;
use std::path::Path;

fn field(ty: Type, array: bool) -> Lookup {
    Lookup::Field(FieldType::new(ty, array))
}

fn idx(patterns: &[&str]) -> Vec<String> {
    patterns.iter().map(|s| s.to_string()).collect()
}

#[test]
fn glob_and_overlap() {
    assert!(glob(
        "logs-endpoint.events.*",
        "logs-endpoint.events.process-default"
    ));
    assert!(glob("logs-aws*", "logs-aws.cloudtrail-default"));
    assert!(glob("*", "x"));
    assert!(!glob("logs-windows.*", "logs-system.security-default"));
    assert!(!glob("endgame-*", "endgame"));
    assert!(overlap(
        "logs-endpoint.events.process*",
        "logs-endpoint.events.*"
    ));
    assert!(overlap("logs-system.security*", "logs-system.security-*"));
    assert!(!overlap("logs-windows.*", "winlogbeat-*"));
}

fn small_set() -> SchemaSet {
    let mut set = SchemaSet::new(Schema::empty());
    set.add_ecs(Schema::from_fields([
        ("process.name", FieldType::new(Type::Keyword, false)),
        ("process.pid", FieldType::new(Type::Long, false)),
        ("user.id", FieldType::new(Type::Keyword, false)),
    ]));
    let endpoint = r#"{"package": "endpoint", "package_version": "1",
        "datasets": {"process": {"process.Ext.token.integrity_level_name": "keyword",
                                 "process.pid": "long", "process.io": "object",
                                 "process.Ext.code_signature": "nested",
                                 "process.Ext.code_signature.trusted": "boolean"},
                     "alerts": {"Target.process.name": "keyword"}}}"#;
    let windows = r#"{"package": "windows", "datasets": {"sysmon_operational":
        {"winlog.event_data.TargetObject": "keyword", "user.id": "long",
         "winlog.event_data.Details": "wildcard", "labels": "flattened"}},
        "jobs_pkg": null}"#;
    let ml = r#"{"package": "dga", "datasets": {"jobs": ["a", "b"]}}"#;
    for (n, t) in [("endpoint", endpoint), ("windows", windows), ("dga", ml)] {
        assert!(set.add_integration(n, t).is_ok(), "{n}");
    }
    let non_ecs = r#"{"logs-endpoint.events.*": {"process.Ext.relative_file_creation_time": "double"},
        "winlogbeat-*": {"winlog": {"event_data": {"AccessMask": "keyword"}}}}"#;
    assert!(set.add_non_ecs("non-ecs", non_ecs).is_ok());
    set.set_endgame(sources::schema_from_json(
        &serde_json::json!({"endgame.event_subtype_full": "keyword"}),
    ));
    set
}

#[test]
fn rules_see_the_fields_their_indexes_allow() {
    let set = small_set();
    let proc_ = set.for_indexes(&idx(&["logs-endpoint.events.process-*"]));
    assert_eq!(proc_.lookup("process.name"), field(Type::Keyword, false));
    assert_eq!(
        proc_.lookup("process.Ext.token.integrity_level_name"),
        field(Type::Keyword, false)
    );
    assert_eq!(
        proc_.lookup("process.Ext.relative_file_creation_time"),
        field(Type::Double, false),
        "non-ECS fields of an overlapping pattern"
    );
    assert_eq!(proc_.lookup("process.io.text"), field(Type::Unknown, true));
    assert_eq!(
        proc_.lookup("process.Ext.code_signature.trusted"),
        field(Type::Bool, true),
        "nested objects are arrays"
    );
    assert_eq!(
        proc_.lookup("Target.process.name"),
        Lookup::Unknown,
        "alerts stream not read"
    );
    assert_eq!(
        proc_.lookup("winlog.event_data.TargetObject"),
        Lookup::Unknown
    );

    let win = set.for_indexes(&idx(&["winlogbeat-*"]));
    assert_eq!(
        win.lookup("winlog.event_data.Details"),
        field(Type::Keyword, false)
    );
    assert_eq!(
        win.lookup("winlog.event_data.AccessMask"),
        field(Type::Keyword, false)
    );
    assert_eq!(win.lookup("labels.anything"), field(Type::Keyword, true));
    assert_eq!(
        win.lookup("user.id"),
        field(Type::Unknown, false),
        "sources disagree"
    );
    assert_eq!(
        win.lookup("process.Ext.token.integrity_level_name"),
        Lookup::Unknown
    );

    let endgame = set.for_indexes(&idx(&["endgame-*"]));
    assert_eq!(
        endgame.lookup("endgame.event_subtype_full"),
        field(Type::Keyword, false)
    );
    assert_eq!(endgame.lookup("winlog.event_data.Details"), Lookup::Unknown);

    let behavior = set.for_indexes(&[]);
    assert_eq!(
        behavior.lookup("process.Ext.token.integrity_level_name"),
        field(Type::Keyword, false)
    );
    assert_eq!(behavior.lookup("user.id"), field(Type::Keyword, false));

    let unknown = set.for_indexes(&idx(&["logs-crowdstrike.fdr*"]));
    assert_eq!(
        unknown.lookup("winlog.event_data.Details"),
        field(Type::Keyword, false),
        "patterns no schema covers see every source"
    );
    assert!(Arc::ptr_eq(
        &unknown,
        &set.for_indexes(&idx(&["logs-crowdstrike.fdr*", "logs-crowdstrike.fdr*"]))
    ));
}

#[test]
fn bad_schema_files_are_errors() {
    let mut set = SchemaSet::new(Schema::empty());
    assert!(set.add_integration("x", "{").is_err());
    assert!(
        set.add_integration("x", r#"{"datasets": {}}"#).is_err(),
        "no package"
    );
    assert!(set.add_non_ecs("x", "[1]").is_err());
    assert!(SchemaSet::load_dir(Path::new("/nonexistent"), Schema::empty()).is_err());
}

#[test]
fn layered_suggestions_and_paths() {
    let set = small_set();
    let s = set.for_indexes(&idx(&["logs-endpoint.events.process-*"]));
    assert_eq!(s.suggest("process.nmae"), Some("process.name"));
    assert_eq!(
        s.suggest("process.Ext.token.integrity_levle_name"),
        Some("process.Ext.token.integrity_level_name")
    );
    assert_eq!(
        s.suggest("procss.pid"),
        Some("process.pid"),
        "same last segment"
    );
    assert_eq!(s.suggest("zzzz.qqqq"), None);
    assert!(s
        .field_paths()
        .any(|p| p == "process.Ext.token.integrity_level_name"));
    assert!(!s.is_empty());
}

const SHARED: &str = "/work/shared/schema";

#[test]
fn real_schema_files() {
    if !Path::new(SHARED).is_dir() {
        eprintln!("{SHARED} absent; skipped");
        return;
    }
    let set = match SchemaSet::load_dir(Path::new(SHARED), Schema::builtin()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let st = set.stats();
    assert!(st.ecs_fields > 2500, "{st:?}");
    assert!(st.packages >= 25 && st.data_streams > 100, "{st:?}");
    assert!(
        st.non_ecs_patterns > 20 && st.endgame_fields > 200,
        "{st:?}"
    );
    assert!(st.endpoint_process_fields > 50, "{st:?}");

    // ECS, for every rule.
    let endpoint = set.for_indexes(&idx(&["logs-endpoint.events.process-*"]));
    assert_eq!(endpoint.lookup("process.args"), field(Type::Keyword, true));
    assert_eq!(endpoint.lookup("destination.ip"), field(Type::Ip, false));
    // Elastic Defend process data stream and endpoint_process.json.
    assert_eq!(
        endpoint.lookup("process.Ext.token.integrity_level_name"),
        field(Type::Keyword, false)
    );
    assert_eq!(
        endpoint.lookup("process.parent.Ext.real.pid"),
        field(Type::Long, false)
    );
    // Windows integration and non-ECS winlogbeat fields.
    let win = set.for_indexes(&idx(&["winlogbeat-*", "logs-windows.*"]));
    assert_eq!(
        win.lookup("winlog.event_data.AccessMask"),
        field(Type::Keyword, false)
    );
    assert_eq!(win.lookup("winlog.event_id"), field(Type::Keyword, false));
    // Endgame.
    let endgame = set.for_indexes(&idx(&["endgame-*"]));
    assert_eq!(
        endgame.lookup("endgame.metadata.type"),
        field(Type::Keyword, false)
    );
    // AWS CloudTrail.
    let aws = set.for_indexes(&idx(&["logs-aws.cloudtrail-*"]));
    assert!(matches!(
        aws.lookup("aws.cloudtrail.user_identity.type"),
        Lookup::Field(_)
    ));
    assert_eq!(aws.lookup("winlog.event_id"), Lookup::Unknown);
}
