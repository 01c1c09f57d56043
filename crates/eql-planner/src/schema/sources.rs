//! Parsing the JSON field lists of the real schemas: Elastic integration packages (field → type
//! per data stream), detection-rules' non-ECS fields (per index pattern, nested or dotted) and
//! its flat field maps (Elastic Defend process fields, Endgame).

use super::{es_type, FieldType, Schema, SchemaError};
use crate::types::Type;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One integration package: its name and a schema per data stream (`dataset`).
#[derive(Debug)]
pub(super) struct Integration {
    pub package: String,
    pub datasets: Vec<(String, Schema)>,
}

#[derive(Deserialize)]
struct IntegrationFile {
    package: String,
    #[serde(default)]
    datasets: BTreeMap<String, Value>,
}

fn json_error(name: &str, source: serde_json::Error) -> SchemaError {
    SchemaError::Json {
        path: name.to_string(),
        source,
    }
}

/// Parses `{"package", "package_version", "datasets": {dataset: {field: type}}}`. Entries of
/// `datasets` that are not field maps (the ML packages' `jobs` lists) are skipped.
pub(super) fn parse_integration(name: &str, text: &str) -> Result<Integration, SchemaError> {
    let file: IntegrationFile = serde_json::from_str(text).map_err(|e| json_error(name, e))?;
    let datasets = file
        .datasets
        .iter()
        .filter(|(_, v)| v.is_object())
        .map(|(ds, v)| (ds.clone(), schema_from_json(v)))
        .collect();
    Ok(Integration {
        package: file.package,
        datasets,
    })
}

/// Parses a map from index pattern to fields (non-ecs-schema.json).
pub(super) fn parse_by_pattern(
    name: &str,
    text: &str,
) -> Result<Vec<(String, Schema)>, SchemaError> {
    let map: BTreeMap<String, Value> =
        serde_json::from_str(text).map_err(|e| json_error(name, e))?;
    Ok(map
        .iter()
        .map(|(pattern, v)| (pattern.clone(), schema_from_json(v)))
        .collect())
}

/// Parses one field map, dotted (`{"a.b": "keyword"}`) or nested (`{"a": {"b": "keyword"}}`).
pub(super) fn parse_field_map(name: &str, text: &str) -> Result<Schema, SchemaError> {
    let v: Value = serde_json::from_str(text).map_err(|e| json_error(name, e))?;
    Ok(schema_from_json(&v))
}

/// Builds a schema from a (possibly nested) JSON map whose leaves are Elasticsearch type names.
/// Leaves that are not strings are ignored. An `object` or `nested` field whose sub-fields are
/// listed stays a plain object; one listed alone accepts any sub-path.
pub(super) fn schema_from_json(v: &Value) -> Schema {
    let mut leaves = Vec::new();
    flatten(v, &mut String::new(), &mut leaves);
    let mut schema = Schema::empty();
    let mut objects = Vec::new();
    for (path, ty) in leaves {
        match ty {
            "object" | "nested" | "group" => objects.push((path, ty)),
            "flattened" => schema.insert_flattened(path, false),
            // Fleet's `array` type: values of any type, possibly many.
            "array" => schema.insert(path, FieldType::new(Type::Unknown, true)),
            _ => schema.insert(path, FieldType::new(es_type(ty), false)),
        }
    }
    for (path, ty) in objects {
        let listed = schema.objects.contains(&path);
        if !listed || ty == "nested" {
            schema.insert(path.clone(), FieldType::new(Type::Object, ty == "nested"));
        }
        if listed {
            // Its sub-fields are known: other sub-paths are not.
            schema.open.remove(&path);
        }
    }
    schema
}

fn flatten<'v>(v: &'v Value, prefix: &mut String, out: &mut Vec<(String, &'v str)>) {
    match v {
        Value::String(ty) if !prefix.is_empty() => out.push((prefix.clone(), ty)),
        Value::Object(map) => {
            for (k, child) in map {
                let len = prefix.len();
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(k);
                flatten(child, prefix, out);
                prefix.truncate(len);
            }
        }
        _ => {}
    }
}
