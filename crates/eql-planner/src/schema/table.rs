//! The built-in schema table (`builtin.txt`): one `path type [array]` per line.

use super::{es_type, FieldType, Schema};

const BUILTIN: &str = include_str!("builtin.txt");

pub(super) fn builtin() -> Schema {
    parse_table(BUILTIN)
}

/// Parses a table of `path type [array]` lines; `#` starts a comment. Lines that do not have
/// that shape are skipped (the table is ours and tested).
pub(crate) fn parse_table(text: &str) -> Schema {
    let mut schema = Schema::empty();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(path), Some(ty)) = (words.next(), words.next()) else {
            continue;
        };
        let array = words.next() == Some("array");
        if ty == "flattened" {
            schema.insert_flattened(path, array);
        } else {
            schema.insert(path, FieldType::new(es_type(ty), array));
        }
    }
    schema
}
