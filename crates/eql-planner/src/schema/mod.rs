//! Schemas: which dotted field paths exist, their types, and which may hold arrays.
//!
//! A schema is a union of sources (the built-in table, ECS's flat YAML, integration field lists):
//! build each with [`Schema::from_fields`], [`Schema::builtin`] or [`Schema::load_ecs_flat`] and
//! combine them with [`Schema::merge`] (a copy) or [`Schema::layered`] (shared, looked up in
//! turn). [`SchemaSet`] holds the real schema files and picks the union a rule's index patterns
//! allow.

mod ecs;
mod set;
mod sources;
mod suggest;
mod table;

pub use ecs::SchemaError;
pub use set::{SchemaSet, SchemaSetStats};

use crate::types::Type;
use ahash::{AHashMap, AHashSet};
use std::sync::Arc;

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
    /// Shared schemas this one is also the union of, consulted at lookup time (not copied).
    layers: Vec<Arc<Schema>>,
    /// Indexes of the own fields for "did you mean" hints.
    hints: suggest::HintIndex,
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

    /// The union of `layers`, which are shared rather than copied: a lookup asks each of them
    /// and merges the answers as [`Schema::merge`] would.
    pub fn layered(layers: Vec<Arc<Schema>>) -> Schema {
        Schema {
            layers,
            ..Schema::default()
        }
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
        match self.fields.get_mut(&path) {
            Some(old) => *old = merge_field(*old, ft),
            None => {
                self.hints.add(&path);
                self.fields.insert(path, ft);
            }
        }
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
        self.layers.extend(other.layers.iter().cloned());
    }

    /// Builder form of [`Schema::merge`].
    pub fn merged(mut self, other: &Schema) -> Schema {
        self.merge(other);
        self
    }

    /// Number of own fields (the fields of [`Schema::layered`] layers are not counted).
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Knows no field, neither itself nor through a layer.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.layers.iter().all(|l| l.is_empty())
    }

    /// The shared layers of a [`Schema::layered`] union.
    pub fn layers(&self) -> &[Arc<Schema>] {
        &self.layers
    }

    /// Resolves a dotted path.
    pub fn lookup(&self, path: &str) -> Lookup {
        if let Some(ft) = self.exact(path) {
            let array = ft.array || self.under_array(path);
            return Lookup::Field(FieldType::new(ft.ty, array));
        }
        if self.is_object(path) {
            return Lookup::Object;
        }
        // A sub-path of a flattened field or of a declared object.
        let mut cut = path.len();
        while let Some(i) = path[..cut].rfind('.') {
            cut = i;
            if let Some(ty) = self.open_type(&path[..cut]) {
                return Lookup::Field(FieldType::new(ty, true));
            }
        }
        Lookup::Unknown
    }

    /// The merged declaration of exactly `path` over this schema and its layers.
    fn exact(&self, path: &str) -> Option<FieldType> {
        let mut out = self.fields.get(path).copied();
        for layer in &self.layers {
            if let Some(ft) = layer.exact(path) {
                out = Some(out.map_or(ft, |old| merge_field(old, ft)));
            }
        }
        out
    }

    fn is_object(&self, path: &str) -> bool {
        self.objects.contains(path) || self.layers.iter().any(|l| l.is_object(path))
    }

    /// The type of the sub-paths of a flattened field or declared object at `path`.
    fn open_type(&self, path: &str) -> Option<Type> {
        let mut out = self.open.get(path).copied();
        for layer in &self.layers {
            if let Some(ty) = layer.open_type(path) {
                out = Some(match out {
                    Some(old) if old != ty => Type::Unknown,
                    _ => ty,
                });
            }
        }
        out
    }

    /// Some ancestor object of `path` is itself an array of objects (`dns.answers.name`).
    fn under_array(&self, path: &str) -> bool {
        let mut cut = path.len();
        while let Some(i) = path[..cut].rfind('.') {
            cut = i;
            if self.exact(&path[..cut]).is_some_and(|f| f.array) {
                return true;
            }
        }
        false
    }

    /// The known field paths, own and of the layers (unordered; a path two layers know comes
    /// twice).
    pub fn field_paths(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(
            self.fields
                .keys()
                .map(String::as_str)
                .chain(self.layers.iter().flat_map(|l| l.field_paths())),
        )
    }

    /// The known field path closest to `path` by edit distance (for "did you mean" hints).
    /// Only the likely candidates are measured: the fields beside `path` (same parent object)
    /// and the fields with the same last segment under another parent.
    pub fn suggest(&self, path: &str) -> Option<&str> {
        let limit = (path.len() / 3).max(2);
        let mut best: Option<(usize, &str)> = None;
        self.each_hint_candidate(path, &mut |k| {
            if k.len().abs_diff(path.len()) > limit {
                return;
            }
            let d = crate::util::edit_distance(k, path);
            let better = match best {
                Some(b) => (d, k) < b,
                None => true,
            };
            if d <= limit && better {
                best = Some((d, k));
            }
        });
        best.map(|(_, k)| k)
    }

    fn each_hint_candidate<'s>(&'s self, path: &str, f: &mut dyn FnMut(&'s str)) {
        self.hints.candidates(path, f);
        for layer in &self.layers {
            layer.each_hint_candidate(path, f);
        }
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

#[cfg(test)]
mod set_tests;
