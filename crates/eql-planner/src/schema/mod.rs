//! Schemas: which dotted field paths exist, their types, and which may hold arrays.
//!
//! A schema is a union of sources (the built-in table, ECS's flat YAML, integration field lists):
//! build each with [`Schema::from_fields`], [`Schema::builtin`] or [`Schema::load_ecs_flat`] and
//! combine them with [`Schema::merge`].

mod ecs;
mod table;

pub use ecs::SchemaError;

use crate::types::Type;
use ahash::{AHashMap, AHashSet};

/// What the schema says about one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldType {
    pub ty: Type,
    /// The field may hold a JSON array (ECS `normalize: [array]`).
    pub array: bool,
}

impl FieldType {
    pub fn new(ty: Type, array: bool) -> FieldType {
        FieldType { ty, array }
    }
}

/// The answer of [`Schema::lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// A field with a value type (possibly `Type::Object` for an object declared as a field).
    Field(FieldType),
    /// A path that only exists as the prefix of other fields (`process`, `process.parent`).
    Object,
    /// Nothing is known about the path.
    Unknown,
}

/// A set of known fields.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    fields: AHashMap<String, FieldType>,
    /// Every proper prefix of a known field.
    objects: AHashSet<String>,
    /// Fields whose sub-paths are free-form: `flattened` (sub-paths are keywords) and declared
    /// objects (sub-paths unknown but legitimate, e.g. `labels.env`).
    open: AHashMap<String, Type>,
}

impl Schema {
    /// A schema that knows no field.
    pub fn empty() -> Schema {
        Schema::default()
    }

    /// The built-in schema: common ECS fields used by Linux, Windows and macOS endpoint rules.
    pub fn builtin() -> Schema {
        table::builtin()
    }

    /// Builds a schema from `(path, type)` pairs.
    pub fn from_fields<I, S>(fields: I) -> Schema
    where
        I: IntoIterator<Item = (S, FieldType)>,
        S: Into<String>,
    {
        let mut schema = Schema::empty();
        for (path, ft) in fields {
            schema.insert(path, ft);
        }
        schema
    }

    /// Loads ECS's `ecs_flat.yml` (per field: `type`, and `normalize` containing `array`).
    pub fn load_ecs_flat(path: impl AsRef<std::path::Path>) -> Result<Schema, SchemaError> {
        ecs::load_ecs_flat(path.as_ref())
    }

    /// Parses the text of an `ecs_flat.yml` file.
    pub fn parse_ecs_flat(text: &str) -> Result<Schema, SchemaError> {
        ecs::parse_ecs_flat(text)
    }

    /// Adds (or merges) one field.
    pub fn insert(&mut self, path: impl Into<String>, ft: FieldType) {
        let path = path.into();
        let mut end = 0;
        while let Some(i) = path[end..].find('.') {
            self.objects.insert(path[..end + i].to_string());
            end += i + 1;
        }
        if ft.ty == Type::Object {
            self.open.insert(path.clone(), Type::Unknown);
        }
        let merged = match self.fields.get(&path) {
            Some(old) => merge_field(*old, ft),
            None => ft,
        };
        self.fields.insert(path, merged);
    }

    /// Marks `path` as `flattened`: every sub-path is a keyword.
    pub fn insert_flattened(&mut self, path: impl Into<String>, array: bool) {
        let path = path.into();
        self.open.insert(path.clone(), Type::Keyword);
        self.insert(path, FieldType::new(Type::Keyword, array));
    }

    /// Adds every field of `other`. A field both know with different types becomes
    /// `Type::Unknown` (checked at run time); `array` is true when either says so.
    pub fn merge(&mut self, other: &Schema) {
        for (path, ft) in &other.fields {
            self.insert(path.clone(), *ft);
        }
        for (path, ty) in &other.open {
            self.open.insert(path.clone(), *ty);
        }
    }

    /// Builder form of [`Schema::merge`].
    pub fn merged(mut self, other: &Schema) -> Schema {
        self.merge(other);
        self
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Resolves a dotted path.
    pub fn lookup(&self, path: &str) -> Lookup {
        if let Some(ft) = self.fields.get(path) {
            let array = ft.array || self.under_array(path);
            return Lookup::Field(FieldType::new(ft.ty, array));
        }
        if self.objects.contains(path) {
            return Lookup::Object;
        }
        // A sub-path of a flattened field or of a declared object.
        let mut cut = path.len();
        while let Some(i) = path[..cut].rfind('.') {
            cut = i;
            if let Some(ty) = self.open.get(&path[..cut]) {
                return Lookup::Field(FieldType::new(*ty, true));
            }
        }
        Lookup::Unknown
    }

    /// Some ancestor object of `path` is itself an array of objects (`dns.answers.name`).
    fn under_array(&self, path: &str) -> bool {
        let mut cut = path.len();
        while let Some(i) = path[..cut].rfind('.') {
            cut = i;
            if self.fields.get(&path[..cut]).is_some_and(|f| f.array) {
                return true;
            }
        }
        false
    }

    /// The known field paths (unordered).
    pub fn field_paths(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// The known field paths closest to `path` by edit distance (for "did you mean" hints).
    pub fn suggest(&self, path: &str) -> Option<&str> {
        let limit = (path.len() / 3).max(2);
        self.fields
            .keys()
            .filter(|k| k.len().abs_diff(path.len()) <= limit)
            .map(|k| (crate::util::edit_distance(k, path), k))
            .filter(|(d, _)| *d <= limit)
            .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
            .map(|(_, k)| k.as_str())
    }
}

fn merge_field(old: FieldType, new: FieldType) -> FieldType {
    let ty = match (old.ty, new.ty) {
        (a, b) if a == b => a,
        (Type::Unknown, b) => b,
        (a, Type::Unknown) => a,
        (Type::Keyword, Type::Text) | (Type::Text, Type::Keyword) => Type::Keyword,
        (Type::Long, Type::Double) | (Type::Double, Type::Long) => Type::Double,
        _ => Type::Unknown,
    };
    FieldType::new(ty, old.array || new.array)
}

/// Maps an Elasticsearch mapping type name to a field type, with what [`Type::from_es`] leaves
/// out (`geo_point`, `binary`, …) as `Unknown` values.
pub(crate) fn es_type(name: &str) -> Type {
    Type::from_es(name).unwrap_or(Type::Unknown)
}

#[cfg(test)]
mod tests;
