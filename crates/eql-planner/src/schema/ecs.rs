//! Loading ECS's flat field list (`ecs_flat.yml`).

use super::{es_type, FieldType, Schema};
use serde::Deserialize;
use std::collections::HashMap;

/// A schema file could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("cannot read schema file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid ECS flat schema: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("invalid schema file {path}: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("no schema files found in {0} (expected ecs/ecs_flat.yml, integrations/*.json or detection-rules/*.json)")]
    Empty(String),
}

/// The keys of one field that we need; serde skips the rest (descriptions, examples, …).
#[derive(Deserialize)]
struct EcsField {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    normalize: Vec<String>,
}

pub(super) fn load_ecs_flat(path: &std::path::Path) -> Result<Schema, SchemaError> {
    parse_ecs_flat(&read(path)?)
}

/// Reads a schema file to a string.
pub(super) fn read(path: &std::path::Path) -> Result<String, SchemaError> {
    std::fs::read_to_string(path).map_err(|source| SchemaError::Io {
        path: path.display().to_string(),
        source,
    })
}

pub(super) fn parse_ecs_flat(text: &str) -> Result<Schema, SchemaError> {
    let fields: HashMap<String, EcsField> = serde_yaml::from_str(text)?;
    let mut schema = Schema::empty();
    for (path, f) in fields {
        let array = f.normalize.iter().any(|n| n == "array");
        if f.ty == "flattened" {
            schema.insert_flattened(path, array);
        } else {
            schema.insert(path, FieldType::new(es_type(&f.ty), array));
        }
    }
    Ok(schema)
}
