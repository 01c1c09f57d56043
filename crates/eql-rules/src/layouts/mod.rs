//! Reading one rule file: layout detection, dispatch to the layout readers, and the checks every
//! layout shares (non-empty query and id, EQL language, sub-techniques under their technique).

mod behavior;
mod detection_rules;
mod eqlvm;
mod toml_support;
mod yaml_support;

use crate::errors::{ErrorKind, FileDiagnostic, SourceFile};
use crate::model::{Layout, Rule};
use eql_parser::Span;
use std::path::Path;
use std::sync::Arc;
use toml::de::{DeTable, DeValue};
use toml_support::TomlDoc;

/// A rule and its warnings, or the error that stopped it loading.
pub(crate) type Checked = Result<(Rule, Vec<FileDiagnostic>), Box<FileDiagnostic>>;

/// The outcome of reading one file: the rule, if it loaded, and every diagnostic found.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    pub file: Arc<SourceFile>,
    pub layout: Option<Layout>,
    pub rule: Option<Rule>,
    pub diagnostics: Vec<FileDiagnostic>,
}

impl LoadedFile {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(FileDiagnostic::is_error)
    }
}

/// True for the file names a rule set picks up: `*.toml`, `*.yaml`, `*.yml`.
pub fn is_rule_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("toml" | "yaml" | "yml")
    )
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Tells the layout of a parsed TOML document from its keys.
fn detect_toml(table: &DeTable<'_>) -> Layout {
    match table.get("rule").map(|v| v.get_ref()) {
        Some(DeValue::Table(rule)) => {
            let behaviour = !table.contains_key("metadata")
                && !rule.contains_key("rule_id")
                && (rule.contains_key("id") || rule.contains_key("os_list"));
            if behaviour {
                Layout::EndpointBehavior
            } else {
                Layout::DetectionRules
            }
        }
        _ if table.contains_key("metadata") => Layout::DetectionRules,
        _ => Layout::EqlvmToml,
    }
}

/// Reads a rule file from disk.
pub fn load_file(path: &Path) -> LoadedFile {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => load_str(path, &text),
            Err(e) => unreadable(path, format!("not UTF-8 text: {e}")),
        },
        Err(e) => unreadable(path, format!("cannot read the file: {e}")),
    }
}

fn unreadable(path: &Path, message: String) -> LoadedFile {
    let file = Arc::new(SourceFile::new(path, ""));
    let d = ErrorKind::Unreadable.diagnostic(Span::default(), message);
    let diagnostics = vec![FileDiagnostic::new(&file, ErrorKind::Unreadable, None, d)];
    LoadedFile {
        file,
        layout: None,
        rule: None,
        diagnostics,
    }
}

/// Reads a rule from `text`, as if it were the file at `path` (its extension picks TOML or YAML).
pub fn load_str(path: &Path, text: &str) -> LoadedFile {
    let file = Arc::new(SourceFile::new(path, text));
    let mut out = LoadedFile {
        file: Arc::clone(&file),
        layout: None,
        rule: None,
        diagnostics: Vec::new(),
    };
    if !is_rule_file(path) {
        let d = ErrorKind::UnknownLayout.diagnostic(
            Span::default(),
            "not a rule file: expected a .toml, .yaml or .yml extension",
        );
        out.diagnostics.push(FileDiagnostic::new(
            &file,
            ErrorKind::UnknownLayout,
            None,
            d,
        ));
        return out;
    }
    let result = if is_yaml(path) {
        out.layout = Some(Layout::EqlvmYaml);
        eqlvm::load_yaml(&file)
    } else {
        match TomlDoc::parse(&file) {
            Err(e) => Err(e),
            Ok(doc) => {
                let layout = detect_toml(doc.table());
                out.layout = Some(layout);
                match layout {
                    Layout::DetectionRules => detection_rules::load(&file, &doc),
                    Layout::EndpointBehavior => behavior::load(&file, &doc),
                    _ => eqlvm::load_toml(&file, &doc),
                }
            }
        }
    };
    match result {
        Ok((rule, warnings)) => {
            out.rule = Some(rule);
            out.diagnostics = warnings;
        }
        Err(e) => out.diagnostics.push(*e),
    }
    out
}

/// The file key names of one layout, for the shared checks.
pub(crate) struct KeyNames {
    pub id: &'static str,
    pub query: &'static str,
    pub language: &'static str,
    pub threat: &'static str,
    pub technique: &'static str,
    pub subtechnique: &'static str,
}

/// Checks every layout shares; errors reject the rule, warnings ride along with it.
pub(crate) fn check(
    file: &Arc<SourceFile>,
    rule: Rule,
    keys: &KeyNames,
    locate: &dyn Fn(&str) -> Option<Span>,
) -> Checked {
    let at = |key: &str, fallback: Span| locate(key).unwrap_or(fallback);
    if rule.is_eql() && rule.query.trim().is_empty() {
        let span = at(
            keys.query,
            Span::new(rule.origin.offset, rule.origin.offset),
        );
        let d = ErrorKind::MissingKey.diagnostic(
            span,
            format!(
                "`{}` is missing or empty: an EQL rule needs a query",
                keys.query
            ),
        );
        return Err(Box::new(FileDiagnostic::new(
            file,
            ErrorKind::MissingKey,
            Some(keys.query.into()),
            d,
        )));
    }
    if rule.id.trim().is_empty() {
        let d = ErrorKind::InvalidValue.diagnostic(
            at(keys.id, Span::default()),
            format!("`{}` is empty", keys.id),
        );
        return Err(Box::new(FileDiagnostic::new(
            file,
            ErrorKind::InvalidValue,
            Some(keys.id.into()),
            d,
        )));
    }
    let mut warnings = Vec::new();
    if !rule.is_eql() {
        let what = if rule.language == crate::Language::Eql {
            &rule.rule_type
        } else {
            rule.language.as_str()
        };
        let d = ErrorKind::NotEql.diagnostic(
            at(keys.language, Span::default()),
            format!("rule is `{what}`, not EQL; the engine skips it"),
        );
        warnings.push(FileDiagnostic::new(
            file,
            ErrorKind::NotEql,
            Some(keys.language.into()),
            d,
        ));
    }
    for (i, threat) in rule.threat.iter().enumerate() {
        for (j, tech) in threat.techniques.iter().enumerate() {
            for (k, sub) in tech.subtechniques.iter().enumerate() {
                if sub.id.parent() == tech.id.as_str() {
                    continue;
                }
                let key = format!(
                    "{}[{i}].{}[{j}].{}[{k}].id",
                    keys.threat, keys.technique, keys.subtechnique
                );
                let span = locate(&key)
                    .or_else(|| yaml_support::find_text(&file.text, sub.id.as_str()))
                    .unwrap_or_default();
                let d = ErrorKind::SubtechniqueParent.diagnostic(
                    span,
                    format!(
                        "sub-technique {} is listed under technique {}",
                        sub.id, tech.id
                    ),
                );
                warnings.push(FileDiagnostic::new(
                    file,
                    ErrorKind::SubtechniqueParent,
                    Some(key),
                    d,
                ));
            }
        }
    }
    Ok((rule, warnings))
}
