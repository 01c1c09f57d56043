//! Rule sets: every rule file under a path, loaded with all problems collected, and ids checked
//! for duplicates across the set.

use crate::errors::{ErrorKind, FileDiagnostic, SourceFile};
use crate::layouts::{is_rule_file, load_file, LoadedFile};
use crate::model::{Layout, Rule};
use eql_parser::Span;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What happened to one file of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub path: PathBuf,
    /// The layout detected, if the file could be read and parsed far enough to tell.
    pub layout: Option<Layout>,
    /// The id of the rule it contributed, if it loaded.
    pub rule_id: Option<String>,
}

/// The rules of a file or folder, with every diagnostic found while loading them.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Loaded rules in path order; a rule whose id repeats an earlier one is left out.
    pub rules: Vec<Rule>,
    /// Errors and warnings, in path order.
    pub diagnostics: Vec<FileDiagnostic>,
    /// Each file looked at, in path order.
    pub files: Vec<FileSummary>,
}

/// Deepest folder nesting followed (guards against symlink cycles).
const MAX_DEPTH: usize = 64;

impl RuleSet {
    /// Loads one rule file, or every `*.toml`, `*.yaml`, `*.yml` under a folder (recursively,
    /// sorted by path). Never fails: problems are in [`RuleSet::diagnostics`].
    pub fn load_path(path: impl AsRef<Path>) -> RuleSet {
        let path = path.as_ref();
        let mut paths = Vec::new();
        let mut problems = Vec::new();
        if path.is_dir() {
            walk(path, 0, &mut paths, &mut problems);
            paths.sort();
            if paths.is_empty() && problems.is_empty() {
                problems.push(note(
                    path,
                    ErrorKind::NoRules,
                    "no .toml, .yaml or .yml rule files in this folder",
                ));
            }
        } else if path.exists() {
            paths.push(path.to_path_buf());
        } else {
            problems.push(note(path, ErrorKind::Unreadable, "no such file or folder"));
        }
        let mut set = RuleSet::from_loaded(paths.iter().map(|p| load_file(p)));
        problems.extend(set.diagnostics);
        set.diagnostics = problems;
        set
    }

    /// Builds a set from files already read (with [`crate::load_str`], for instance).
    pub fn from_loaded(files: impl IntoIterator<Item = LoadedFile>) -> RuleSet {
        let mut set = RuleSet::default();
        let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
        for loaded in files {
            set.files.push(FileSummary {
                path: loaded.file.path.clone(),
                layout: loaded.layout,
                rule_id: loaded.rule.as_ref().map(|r| r.id.clone()),
            });
            set.diagnostics.extend(loaded.diagnostics);
            let Some(rule) = loaded.rule else { continue };
            let same_id = seen.entry(rule.id.clone()).or_default();
            if let Some(&first) = same_id.iter().find(|&&i| clashes(&set.rules[i], &rule)) {
                set.diagnostics
                    .push(duplicate(&set.rules[first], &rule, &loaded.file));
                continue;
            }
            same_id.push(set.rules.len());
            set.rules.push(rule);
        }
        set
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(FileDiagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &FileDiagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// The (first) rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Every diagnostic rendered against its file, one after another.
    pub fn render_diagnostics(&self) -> String {
        self.diagnostics
            .iter()
            .map(FileDiagnostic::render)
            .collect()
    }
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>, problems: &mut Vec<FileDiagnostic>) {
    if depth > MAX_DEPTH {
        problems.push(note(
            dir,
            ErrorKind::Unreadable,
            "folders nested too deeply (symlink cycle?)",
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(note(
                dir,
                ErrorKind::Unreadable,
                &format!("cannot list the folder: {e}"),
            ));
            return;
        }
    };
    for entry in entries {
        match entry {
            Ok(entry) => {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, depth + 1, out, problems);
                } else if is_rule_file(&p) {
                    out.push(p);
                }
            }
            Err(e) => problems.push(note(
                dir,
                ErrorKind::Unreadable,
                &format!("cannot list the folder: {e}"),
            )),
        }
    }
}

fn note(path: &Path, kind: ErrorKind, message: &str) -> FileDiagnostic {
    let file = Arc::new(SourceFile::new(path, ""));
    FileDiagnostic::new(&file, kind, None, kind.diagnostic(Span::default(), message))
}

/// Two rules with one id clash unless they live in different id spaces or both name operating
/// systems and share none. Elastic Defend behaviour rules (run by the endpoint) and the other
/// layouts (Kibana detection rules, eqlvm's own) are separate products with separate ids: Elastic
/// ships one id in both. And Elastic ships some behaviour rules twice under one id, once per
/// platform (`os_list = ["macos"]` and `os_list = ["linux", "windows"]`).
fn clashes(a: &Rule, b: &Rule) -> bool {
    let behavior = |r: &Rule| r.layout == crate::Layout::EndpointBehavior;
    if behavior(a) != behavior(b) {
        return false;
    }
    a.os_list.is_empty()
        || b.os_list.is_empty()
        || a.os_list.iter().any(|os| b.os_list.contains(os))
}

fn duplicate(first: &Rule, again: &Rule, file: &Arc<SourceFile>) -> FileDiagnostic {
    let (line, col) =
        eql_parser::diag::line_col(&first.origin.file_text, first.id_span.start as usize);
    let first_at = format!("{}:{line}:{col}", first.origin.path.display());
    let d = ErrorKind::DuplicateId
        .diagnostic(
            again.id_span,
            format!(
                "duplicate rule id `{}`: {} and {} both use it",
                again.id,
                first.origin.path.display(),
                again.origin.path.display()
            ),
        )
        .with_label("this id is already taken")
        .with_hint(format!(
            "first defined at {first_at} (rule \"{}\")",
            first.name
        ));
    let key = match again.layout {
        Layout::DetectionRules => "rule.rule_id",
        Layout::EndpointBehavior => "rule.id",
        Layout::EqlvmToml | Layout::EqlvmYaml => "id",
    };
    FileDiagnostic::new(file, ErrorKind::DuplicateId, Some(key.to_string()), d)
}
