//! Datasets: an Elasticsearch index rebuilt from a data file and its mapping. Each document
//! goes through what indexing would do to it (the suite's timestamp transform, `null_value`,
//! custom date formats, field aliases made into real fields) and becomes one NDJSON line; the
//! mapping plus the documents' dynamic fields give the schema the planner checks fields against.

use eqlvm::planner::{FieldType, Lookup, Schema, Type};
use eqlvm::vm::decode::timestamp::{days_from_civil, parse_date};
use serde_json::{Map, Value};
use std::path::Path;

/// How a dataset's documents are transformed before indexing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    None,
    /// endgame-140: `@timestamp` = the FILETIME `timestamp` as epoch milliseconds.
    FileTime,
    /// endgame-140-nanos: the FILETIME digits read as epoch nanoseconds.
    Nanos,
}

/// One indexed document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The document as an NDJSON line, aliases materialised.
    pub line: String,
    /// The value of the suite's id field.
    pub id: Option<i64>,
    /// `@timestamp` in epoch nanoseconds.
    pub ts: Option<i64>,
    /// The tiebreaker value.
    pub tiebreak: Option<i64>,
}

/// Documents of one or more indices searched together, in search order, and their schema.
#[derive(Debug, Default)]
pub struct Dataset {
    pub docs: Vec<Doc>,
    pub schema: Schema,
}

/// What a mapping says.
#[derive(Debug, Default)]
pub struct Mapping {
    pub fields: Vec<(String, FieldType)>,
    /// `(alias, target)` pairs.
    pub aliases: Vec<(String, String)>,
    pub null_values: Vec<(String, Value)>,
    /// Date fields with a custom `format`.
    pub date_formats: Vec<(String, String)>,
}

impl Mapping {
    /// Parses mapping text: `#` comment lines dropped, the random keyword-type placeholder
    /// read as `keyword`.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let clean: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
            .replace("[runtime_random_keyword_type]", "keyword");
        let v: Value = serde_json::from_str(&clean).map_err(|e| format!("mapping: {e}"))?;
        let props = v
            .get("properties")
            .and_then(Value::as_object)
            .ok_or("mapping: no top-level `properties`")?;
        let mut m = Mapping::default();
        m.walk(props, "");
        let targets: Vec<(String, FieldType)> = m
            .aliases
            .iter()
            .map(|(alias, target)| {
                let ft = m
                    .fields
                    .iter()
                    .find(|(p, _)| p == target)
                    .map_or(FieldType::new(Type::Unknown, false), |(_, ft)| *ft);
                (alias.clone(), ft)
            })
            .collect();
        m.fields.extend(targets);
        Ok(m)
    }

    fn walk(&mut self, props: &Map<String, Value>, prefix: &str) {
        for (name, def) in props {
            let path = format!("{prefix}{name}");
            if let Some(sub) = def.get("properties").and_then(Value::as_object) {
                self.walk(sub, &format!("{path}."));
                continue;
            }
            let Some(ty) = def.get("type").and_then(Value::as_str) else {
                continue;
            };
            if ty == "alias" {
                if let Some(target) = def.get("path").and_then(Value::as_str) {
                    self.aliases.push((path, target.to_string()));
                }
                continue;
            }
            let t = match ty {
                // EQL reads a text field through its exact (keyword) sub-field.
                "text" => Type::Keyword,
                other => Type::from_es(other).unwrap_or(Type::Unknown),
            };
            if let Some(nv) = def.get("null_value") {
                self.null_values.push((path.clone(), nv.clone()));
            }
            if t == Type::Date {
                if let Some(f) = def.get("format").and_then(Value::as_str) {
                    self.date_formats.push((path.clone(), f.to_string()));
                }
            }
            self.fields.push((path, FieldType::new(t, false)));
        }
    }
}

/// Parses a data file: a JSON array of objects; lines starting with `//` are comments.
pub fn parse_docs(text: &str) -> Result<Vec<Map<String, Value>>, String> {
    let clean: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let v: Value = serde_json::from_str(&clean).map_err(|e| format!("data: {e}"))?;
    let Value::Array(items) = v else {
        return Err("data: not a JSON array".into());
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, d)| match d {
            Value::Object(m) => Ok(m),
            _ => Err(format!("data: element {i} is not an object")),
        })
        .collect()
}

/// Applies a suite's timestamp transform to one document.
pub fn transform(doc: &mut Map<String, Value>, t: Transform) {
    let Some(ft) = doc.get("timestamp").and_then(Value::as_i64) else {
        return;
    };
    match t {
        Transform::None => {}
        Transform::FileTime => {
            let ms = ft.div_euclid(10_000) - 11_644_473_600_000;
            doc.insert("@timestamp".into(), ms.into());
        }
        Transform::Nanos => {
            let s = ft.to_string();
            let ts = match (s.get(..12), s.get(12..)) {
                (Some(head), Some("000000")) => head.to_string(),
                (Some(head), Some(tail)) if !tail.is_empty() => format!("{head}.{tail}"),
                _ => s.clone(),
            };
            doc.insert("@timestamp".into(), ts.into());
            doc.insert("timestamp".into(), (ft / 1_000_000).into());
        }
    }
}

/// Indexes one document: `null_value`s, custom date formats, aliases.
pub fn index_doc(doc: &mut Map<String, Value>, m: &Mapping) {
    for (path, nv) in &m.null_values {
        if let Some(v) = get_mut(doc, path) {
            match v {
                Value::Null => *v = nv.clone(),
                Value::Array(items) => {
                    for x in items.iter_mut().filter(|x| x.is_null()) {
                        *x = nv.clone();
                    }
                }
                _ => {}
            }
        }
    }
    for (path, format) in &m.date_formats {
        if let Some(v) = get_mut(doc, path) {
            reformat_dates(v, format);
        }
    }
    for (alias, target) in &m.aliases {
        if let Some(v) = get(doc, target).cloned() {
            set(doc, alias, v);
        }
    }
}

fn reformat_dates(v: &mut Value, format: &str) {
    match v {
        Value::String(s) => {
            if let Some(iso) = parse_with_format(s, format) {
                *s = iso;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| reformat_dates(x, format)),
        _ => {}
    }
}

/// Parses `text` with a Java-style date pattern of `yyyy`, `MM`, `dd`, `HH`, `mm`, `ss` and
/// literal characters (several formats may be joined by `||`); returns RFC 3339 text.
pub fn parse_with_format(text: &str, format: &str) -> Option<String> {
    format.split("||").find_map(|f| match f {
        "epoch_millis" | "strict_date_optional_time" | "date_optional_time" => {
            parse_date(text).map(|_| text.to_string())
        }
        pattern => parse_pattern(text, pattern),
    })
}

fn parse_pattern(text: &str, pattern: &str) -> Option<String> {
    let (mut y, mut mo, mut d, mut h, mut mi, mut s) = (1970i64, 1u32, 1u32, 0u32, 0u32, 0u32);
    let (mut t, mut p) = (text, pattern);
    while !p.is_empty() {
        let tok = ["yyyy", "MM", "dd", "HH", "mm", "ss"]
            .into_iter()
            .find(|k| p.starts_with(k));
        match tok {
            Some(k) => {
                let n: u32 = t.get(..k.len())?.parse().ok()?;
                match k {
                    "yyyy" => y = i64::from(n),
                    "MM" => mo = n,
                    "dd" => d = n,
                    "HH" => h = n,
                    "mm" => mi = n,
                    _ => s = n,
                }
                t = &t[k.len()..];
                p = &p[k.len()..];
            }
            None => {
                let c = p.chars().next()?;
                t = t.strip_prefix(c)?;
                p = &p[c.len_utf8()..];
            }
        }
    }
    if !t.is_empty() || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    if d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.000Z"))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    let next = if m == 12 {
        days_from_civil(y + 1, 1, 1)
    } else {
        days_from_civil(y, m + 1, 1)
    };
    (next - days_from_civil(y, m, 1)) as u32
}

/// The value at a dotted path (object keys may themselves contain dots).
pub fn get<'a>(obj: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if let Some(v) = obj.get(path) {
        return Some(v);
    }
    obj.iter().find_map(|(k, v)| {
        let rest = path.strip_prefix(k.as_str())?.strip_prefix('.')?;
        get(v.as_object()?, rest)
    })
}

fn get_mut<'a>(obj: &'a mut Map<String, Value>, path: &str) -> Option<&'a mut Value> {
    if obj.contains_key(path) {
        return obj.get_mut(path);
    }
    let key = obj
        .iter()
        .find(|(k, v)| {
            v.is_object()
                && path
                    .strip_prefix(k.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
        .map(|(k, _)| k.clone())?;
    let rest = &path[key.len() + 1..];
    get_mut(obj.get_mut(&key)?.as_object_mut()?, rest)
}

/// Sets a dotted path, creating objects on the way; leaves a non-object in the way alone.
fn set(obj: &mut Map<String, Value>, path: &str, v: Value) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_string(), v);
        }
        Some((head, rest)) => {
            let child = obj
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = child {
                set(m, rest, v);
            }
        }
    }
}

/// Adds to `schema` the fields of `doc` the mapping does not name (dynamic mapping).
pub fn dynamic_fields(doc: &Map<String, Value>, mapped: &Schema, schema: &mut Schema) {
    fn walk(v: &Value, path: &str, array: bool, mapped: &Schema, schema: &mut Schema) {
        let ty = match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(x, &p, array, mapped, schema);
                }
                return;
            }
            Value::Array(items) => {
                for x in items {
                    walk(x, path, true, mapped, schema);
                }
                return;
            }
            Value::Null => return,
            Value::Bool(_) => Type::Bool,
            Value::Number(n) if n.is_i64() || n.is_u64() => Type::Long,
            Value::Number(_) => Type::Double,
            // Elasticsearch's date detection maps ISO-looking strings as dates.
            Value::String(s)
                if s.len() >= 10 && s.as_bytes()[4] == b'-' && parse_date(s).is_some() =>
            {
                Type::Date
            }
            Value::String(_) => Type::Keyword,
        };
        match mapped.lookup(path) {
            // Mapped fields keep their type; only note that they may hold arrays.
            Lookup::Field(ft) if array => schema.insert(path, FieldType::new(ft.ty, true)),
            Lookup::Field(_) => {}
            _ => schema.insert(path, FieldType::new(ty, array)),
        }
    }
    for (k, v) in doc {
        walk(v, k, false, mapped, schema);
    }
}

/// Loads one index: data file, mapping, transform; `id_field` and `tiebreaker` are read from
/// each document after indexing.
pub fn load_index(
    data: &Path,
    mapping: &Path,
    t: Transform,
    id_field: &str,
    tiebreaker: Option<&str>,
) -> Result<Dataset, String> {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let m = Mapping::parse(&read(mapping)?).map_err(|e| format!("{}: {e}", mapping.display()))?;
    let docs = parse_docs(&read(data)?).map_err(|e| format!("{}: {e}", data.display()))?;
    let mapped = Schema::from_fields(m.fields.iter().cloned());
    let mut schema = mapped.clone();
    let mut out = Vec::with_capacity(docs.len());
    for mut doc in docs {
        transform(&mut doc, t);
        index_doc(&mut doc, &m);
        dynamic_fields(&doc, &mapped, &mut schema);
        let ts = get(&doc, "@timestamp").and_then(timestamp_ns);
        let id = get(&doc, id_field).and_then(Value::as_i64);
        let tiebreak = tiebreaker
            .and_then(|f| get(&doc, f))
            .and_then(Value::as_i64);
        let line = serde_json::to_string(&Value::Object(doc)).map_err(|e| e.to_string())?;
        out.push(Doc {
            line,
            id,
            ts,
            tiebreak,
        });
    }
    Ok(Dataset { docs: out, schema })
}

/// A `@timestamp` value in epoch nanoseconds: a number of epoch milliseconds or a date string.
pub fn timestamp_ns(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(ms) => ms.checked_mul(1_000_000),
            None => n.as_f64().map(|ms| (ms * 1e6) as i64),
        },
        Value::String(s) => parse_date(s),
        Value::Array(a) if a.len() == 1 => timestamp_ns(&a[0]),
        _ => None,
    }
}

impl Dataset {
    /// Appends another index searched together with this one.
    pub fn extend(&mut self, other: Dataset) {
        self.docs.extend(other.docs);
        self.schema.merge(&other.schema);
    }

    /// Puts the documents in search order: `@timestamp`, tiebreaker (missing last), then
    /// indexing order (a stable sort keeps it).
    pub fn sort(&mut self) {
        self.docs
            .sort_by_key(|d| (d.ts.is_none(), d.ts, d.tiebreak.is_none(), d.tiebreak));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn filetime_becomes_epoch_millis() {
        let mut d = obj(serde_json::json!({"timestamp": 131485996510000000i64}));
        transform(&mut d, Transform::FileTime);
        assert_eq!(d["@timestamp"], 1504126051000i64);
        let mut d = obj(serde_json::json!({"timestamp": 116444736000000000i64}));
        transform(&mut d, Transform::FileTime);
        assert_eq!(d["@timestamp"], 0);
        // Sub-millisecond ticks are truncated.
        let mut d = obj(serde_json::json!({"timestamp": 131485996510009999i64}));
        transform(&mut d, Transform::FileTime);
        assert_eq!(d["@timestamp"], 1504126051000i64);
    }

    #[test]
    fn nanos_transform_reads_digits_as_nanoseconds() {
        let mut d = obj(serde_json::json!({"timestamp": 131509374294365140i64}));
        transform(&mut d, Transform::Nanos);
        assert_eq!(d["@timestamp"], "131509374294.365140");
        assert_eq!(d["timestamp"], 131509374294i64);
        assert_eq!(
            timestamp_ns(&d["@timestamp"]),
            Some(131_509_374_294_365_140)
        );
        let mut d = obj(serde_json::json!({"timestamp": 131509374294000000i64}));
        transform(&mut d, Transform::Nanos);
        assert_eq!(d["@timestamp"], "131509374294");
    }

    #[test]
    fn null_value_aliases_and_formats() {
        let m = Mapping::parse(
            "# comment\n{\"properties\": {\"t\": {\"type\": \"[runtime_random_keyword_type]\"},\
             \"f\": {\"type\": \"keyword\", \"null_value\": \"NULL\"},\
             \"d\": {\"type\": \"date\", \"format\": \"dd-MM-yyyy\"},\
             \"event\": {\"properties\": {\"category\": {\"type\": \"alias\", \"path\": \"t\"}}}}}",
        )
        .unwrap();
        let mut d = obj(serde_json::json!({"t": "x", "f": null, "d": "17-12-2022"}));
        index_doc(&mut d, &m);
        assert_eq!(d["f"], "NULL");
        assert_eq!(d["d"], "2022-12-17T00:00:00.000Z");
        assert_eq!(d["event"]["category"], "x");
        let schema = Schema::from_fields(m.fields.iter().cloned());
        assert!(matches!(
            schema.lookup("event.category"),
            Lookup::Field(FieldType {
                ty: Type::Keyword,
                ..
            })
        ));
        // A document lacking the field keeps lacking it.
        let mut d = obj(serde_json::json!({"t": "x"}));
        index_doc(&mut d, &m);
        assert!(!d.contains_key("f"));
    }

    #[test]
    fn comment_lines_are_dropped() {
        let docs = parse_docs("[\n//// test2\n {\"a\": 1},\n  // x\n {\"a\": 2}\n]").unwrap();
        assert_eq!(docs.len(), 2);
    }
}
