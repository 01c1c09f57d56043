//! Schema lookups, merging and the built-in table.

use super::*;

fn field(ty: Type, array: bool) -> Lookup {
    Lookup::Field(FieldType::new(ty, array))
}

#[test]
fn builtin_knows_common_endpoint_fields() {
    let s = Schema::builtin();
    assert!(s.len() > 300 && s.len() < 700, "{}", s.len());
    assert_eq!(s.lookup("@timestamp"), field(Type::Date, false));
    assert_eq!(s.lookup("process.args"), field(Type::Keyword, true));
    assert_eq!(s.lookup("process.parent.args"), field(Type::Keyword, true));
    assert_eq!(s.lookup("event.category"), field(Type::Keyword, true));
    assert_eq!(s.lookup("event.type"), field(Type::Keyword, true));
    assert_eq!(s.lookup("tags"), field(Type::Keyword, true));
    assert_eq!(s.lookup("related.ip"), field(Type::Ip, true));
    assert_eq!(s.lookup("threat.technique.id"), field(Type::Keyword, true));
    assert_eq!(s.lookup("process.pid"), field(Type::Long, false));
    assert_eq!(s.lookup("destination.ip"), field(Type::Ip, false));
    assert_eq!(s.lookup("destination.port"), field(Type::Long, false));
    assert_eq!(
        s.lookup("process.command_line"),
        field(Type::Keyword, false)
    );
    assert_eq!(
        s.lookup("process.parent.entity_id"),
        field(Type::Keyword, false)
    );
    for obj in [
        "process",
        "process.parent",
        "host.os",
        "registry",
        "dll.code_signature",
    ] {
        assert_eq!(s.lookup(obj), Lookup::Object, "{obj}");
    }
    assert_eq!(s.lookup("process.nosuch"), Lookup::Unknown);
}

#[test]
fn sub_fields_of_object_arrays_are_arrays() {
    let s = Schema::builtin();
    assert_eq!(s.lookup("dns.answers.name"), field(Type::Keyword, true));
}

#[test]
fn declared_objects_and_flattened_fields_accept_sub_paths() {
    let mut s = Schema::from_fields([("labels", FieldType::new(Type::Object, false))]);
    s.insert_flattened("attrs", false);
    assert_eq!(s.lookup("labels.env"), field(Type::Unknown, true));
    assert_eq!(s.lookup("attrs.a.b"), field(Type::Keyword, true));
    assert_eq!(s.lookup("labels"), field(Type::Object, false));
}

#[test]
fn merge_is_a_union() {
    let a = Schema::from_fields([
        ("x.a", FieldType::new(Type::Long, false)),
        ("y", FieldType::new(Type::Keyword, false)),
    ]);
    let b = Schema::from_fields([
        ("x.b", FieldType::new(Type::Ip, false)),
        ("y", FieldType::new(Type::Keyword, true)),
        ("x.a", FieldType::new(Type::Double, false)),
    ]);
    let mut m = a.clone();
    m.merge(&b);
    assert_eq!(m.lookup("x.b"), field(Type::Ip, false));
    assert_eq!(m.lookup("x"), Lookup::Object);
    assert_eq!(
        m.lookup("y"),
        field(Type::Keyword, true),
        "array when either says so"
    );
    assert_eq!(
        m.lookup("x.a"),
        field(Type::Double, false),
        "long and double widen"
    );
    let c = Schema::from_fields([("y", FieldType::new(Type::Long, false))]);
    assert_eq!(
        m.merged(&c).lookup("y"),
        field(Type::Unknown, true),
        "conflicting types are checked at run time"
    );
}

#[test]
fn table_parsing_skips_comments_and_maps_types() {
    let s = table::parse_table(
        "# comment\na.b keyword array\nc geo_point\nd   long # trailing\n\nbroken\n",
    );
    assert_eq!(s.lookup("a.b"), field(Type::Keyword, true));
    assert_eq!(s.lookup("c"), field(Type::Unknown, false));
    assert_eq!(s.lookup("d"), field(Type::Long, false));
    assert_eq!(s.len(), 3);
}

#[test]
fn ecs_flat_text() {
    let yaml = "a.b:\n  type: keyword\n  normalize:\n  - array\n  description: x\nc:\n  type: flattened\n  normalize: []\nd:\n  type: long\n";
    let s = Schema::parse_ecs_flat(yaml).unwrap_or_default();
    assert_eq!(s.lookup("a.b"), field(Type::Keyword, true));
    assert_eq!(s.lookup("c.any"), field(Type::Keyword, true));
    assert_eq!(s.lookup("d"), field(Type::Long, false));
    assert!(Schema::parse_ecs_flat("a: [").is_err());
    assert!(Schema::load_ecs_flat("/nonexistent/ecs.yml").is_err());
}

#[test]
fn suggestions() {
    let s = Schema::builtin();
    assert_eq!(s.suggest("process.nmae"), Some("process.name"));
    assert_eq!(s.suggest("zzzzzzzz.qqqqqq"), None);
}
