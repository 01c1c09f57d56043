//! The real schemas as a set of shared pieces, and the choice of pieces per rule: a rule is
//! checked against the built-in table, ECS, and the fields of the data its index patterns read
//! (integration data streams, detection-rules' non-ECS fields, Endgame).

use super::sources::{parse_by_pattern, parse_field_map, parse_integration};
use super::{ecs, Schema, SchemaError};
use ahash::AHashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// Endpoint data streams named `logs-endpoint.events.<dataset>`; the package's other data
/// streams are `logs-endpoint.<dataset>`.
const ENDPOINT_EVENTS: &[&str] = &[
    "process", "file", "network", "library", "registry", "security", "api",
];

/// Beats indices stand-ins: the integration packages that write the same fields (the beats
/// schemas themselves are not among the files).
const BEATS: &[(&str, &[&str])] = &[
    ("winlogbeat-default", &["windows", "system"]),
    ("auditbeat-default", &["auditd_manager", "fim", "system"]),
    ("packetbeat-default", &["network_traffic"]),
];

/// The Elastic Defend index pattern that behavior rules (which name no index) read.
const BEHAVIOR_INDEX: &str = "logs-endpoint.events.*";

/// One integration data stream.
#[derive(Debug)]
struct Stream {
    package: String,
    /// The data stream names it answers to, e.g. `logs-endpoint.events.process-default`.
    names: Vec<String>,
    fields: Arc<Schema>,
}

/// Counts for reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchemaSetStats {
    pub ecs_fields: usize,
    pub packages: usize,
    pub data_streams: usize,
    pub non_ecs_patterns: usize,
    pub endgame_fields: usize,
    pub endpoint_process_fields: usize,
}

/// The loaded schema files. [`SchemaSet::for_indexes`] gives the schema for one rule; schemas
/// are shared, never copied, and one is built per distinct list of index patterns.
#[derive(Debug, Default)]
pub struct SchemaSet {
    /// Always consulted: the caller's base (built-in table) and ECS.
    base: Vec<Arc<Schema>>,
    streams: Vec<Stream>,
    non_ecs: Vec<(String, Arc<Schema>)>,
    endgame: Option<Arc<Schema>>,
    endpoint_process: Option<Arc<Schema>>,
    stats: SchemaSetStats,
    /// Every piece: for index patterns that match no known data.
    everything: OnceLock<Arc<Schema>>,
    cache: Mutex<AHashMap<Vec<String>, Arc<Schema>>>,
}

impl SchemaSet {
    /// A set with only `base`, to which sources are added.
    pub fn new(base: Schema) -> SchemaSet {
        SchemaSet {
            base: vec![Arc::new(base)],
            ..SchemaSet::default()
        }
    }

    /// Loads a schema folder laid out as `ecs/ecs_flat.yml`, `integrations/*.json` and
    /// `detection-rules/{non-ecs-schema,endpoint_process,endgame_ecs_mapping*}.json` (each part
    /// optional, at least one present) on top of `base`.
    pub fn load_dir(dir: &Path, base: Schema) -> Result<SchemaSet, SchemaError> {
        let mut set = SchemaSet::new(base);
        let mut found = false;
        let ecs_file = dir.join("ecs/ecs_flat.yml");
        if ecs_file.is_file() {
            set.add_ecs(ecs::load_ecs_flat(&ecs_file)?);
            found = true;
        }
        for file in json_files(&dir.join("integrations")) {
            set.add_integration(&file.display().to_string(), &ecs::read(&file)?)?;
            found = true;
        }
        for file in json_files(&dir.join("detection-rules")) {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let shown = file.display().to_string();
            if name == "non-ecs-schema.json" {
                set.add_non_ecs(&shown, &ecs::read(&file)?)?;
            } else if name.starts_with("endpoint_process") {
                set.set_endpoint_process(parse_field_map(&shown, &ecs::read(&file)?)?);
            } else if name.starts_with("endgame") {
                set.set_endgame(parse_field_map(&shown, &ecs::read(&file)?)?);
            } else {
                continue;
            }
            found = true;
        }
        if !found {
            return Err(SchemaError::Empty(dir.display().to_string()));
        }
        Ok(set)
    }

    /// Adds ECS (or any schema every rule may use).
    pub fn add_ecs(&mut self, ecs: Schema) {
        self.stats.ecs_fields += ecs.len();
        self.base.push(Arc::new(ecs));
    }

    /// Adds one integration package file (`{"package", "datasets": {dataset: {field: type}}}`);
    /// `name` names it in errors.
    pub fn add_integration(&mut self, name: &str, text: &str) -> Result<(), SchemaError> {
        let pkg = parse_integration(name, text)?;
        self.stats.packages += 1;
        for (dataset, fields) in pkg.datasets {
            let names = if pkg.package == "endpoint" {
                if ENDPOINT_EVENTS.contains(&dataset.as_str()) {
                    vec![format!("logs-endpoint.events.{dataset}-default")]
                } else {
                    vec![format!("logs-endpoint.{dataset}-default")]
                }
            } else {
                vec![format!("logs-{}.{dataset}-default", pkg.package)]
            };
            self.stats.data_streams += 1;
            self.streams.push(Stream {
                package: pkg.package.clone(),
                names,
                fields: Arc::new(fields),
            });
        }
        Ok(())
    }

    /// Adds detection-rules' non-ECS fields (index pattern → fields).
    pub fn add_non_ecs(&mut self, name: &str, text: &str) -> Result<(), SchemaError> {
        for (pattern, fields) in parse_by_pattern(name, text)? {
            self.stats.non_ecs_patterns += 1;
            self.non_ecs.push((pattern, Arc::new(fields)));
        }
        Ok(())
    }

    /// Adds the Endgame field map (read for `endgame-*`).
    pub fn set_endgame(&mut self, fields: Schema) {
        self.stats.endgame_fields = fields.len();
        self.endgame = Some(Arc::new(fields));
    }

    /// Adds detection-rules' Elastic Defend process fields.
    pub fn set_endpoint_process(&mut self, fields: Schema) {
        self.stats.endpoint_process_fields = fields.len();
        self.endpoint_process = Some(Arc::new(fields));
    }

    /// What every rule sees: the base and ECS (for queries that name no index and are not
    /// behavior rules, e.g. `eqlvm query`).
    pub fn common(&self) -> Schema {
        Schema::layered(self.base.clone())
    }

    pub fn stats(&self) -> SchemaSetStats {
        self.stats
    }

    /// The schema for a rule reading `index` (no patterns: an Elastic Defend behavior rule).
    pub fn for_indexes(&self, index: &[String]) -> Arc<Schema> {
        let mut key: Vec<String> = index.to_vec();
        key.sort_unstable();
        key.dedup();
        let mut cache = match self.cache.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(s) = cache.get(&key) {
            return s.clone();
        }
        let schema = Arc::new(Schema::layered(self.layers_for(&key)));
        cache.insert(key, schema.clone());
        schema
    }

    /// The pieces a list of index patterns selects, base first, each once.
    fn layers_for(&self, patterns: &[String]) -> Vec<Arc<Schema>> {
        let mut out = self.base.clone();
        let behavior = [BEHAVIOR_INDEX.to_string()];
        let patterns = if patterns.is_empty() {
            &behavior[..]
        } else {
            patterns
        };
        let mut fallback = false;
        for pattern in patterns {
            let mut matched = false;
            for s in &self.streams {
                if s.names.iter().any(|n| glob(pattern, n)) {
                    push_once(&mut out, &s.fields);
                    matched = true;
                    if s.package == "endpoint" {
                        if let Some(p) = &self.endpoint_process {
                            push_once(&mut out, p);
                        }
                    }
                }
            }
            for (beat, packages) in BEATS {
                if glob(pattern, beat) {
                    for s in self
                        .streams
                        .iter()
                        .filter(|s| packages.contains(&s.package.as_str()))
                    {
                        push_once(&mut out, &s.fields);
                        matched = true;
                    }
                }
            }
            if let Some(e) = &self.endgame {
                if glob(pattern, "endgame-default") {
                    push_once(&mut out, e);
                    matched = true;
                }
            }
            for (p, fields) in &self.non_ecs {
                if overlap(pattern, p) {
                    push_once(&mut out, fields);
                }
            }
            fallback |= !matched;
        }
        if fallback {
            push_once(&mut out, self.everything());
        }
        out
    }

    /// The union of every piece (built once, when first needed).
    fn everything(&self) -> &Arc<Schema> {
        self.everything.get_or_init(|| {
            let mut all: Vec<Arc<Schema>> = Vec::new();
            all.extend(self.streams.iter().map(|s| s.fields.clone()));
            all.extend(self.non_ecs.iter().map(|(_, f)| f.clone()));
            all.extend(self.endgame.iter().cloned());
            all.extend(self.endpoint_process.iter().cloned());
            Arc::new(Schema::layered(all))
        })
    }
}

fn push_once(out: &mut Vec<Arc<Schema>>, s: &Arc<Schema>) {
    if !out.iter().any(|o| Arc::ptr_eq(o, s)) {
        out.push(s.clone());
    }
}

fn json_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    files
}

/// Index-pattern matching: `*` matches any run of characters (`,`-lists are split by callers).
/// Index names cannot hold `?`, so the EQL wildcard matcher serves as it is.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    crate::eval_const::wildcard_match(pattern, text, false)
}

/// Two index patterns may name the same index (one matches the other read literally).
pub(super) fn overlap(a: &str, b: &str) -> bool {
    glob(a, b) || glob(b, a)
}
