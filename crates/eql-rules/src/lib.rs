//! Detection-rule files: a typed rule model, three input layouts (eqlvm TOML/YAML, Elastic
//! detection-rules, Elastic Defend behaviour rules), rule sets, and load diagnostics (`E03xx`).
//!
//! ```no_run
//! let set = eql_rules::RuleSet::load_path("rules/");
//! eprint!("{}", set.render_diagnostics());
//! for rule in set.rules.iter().filter(|r| r.is_eql()) {
//!     println!("{} {}", rule.id, rule.name);
//! }
//! ```

pub mod alert;
pub mod attack;
pub mod errors;
mod layouts;
pub mod model;
pub mod query_map;
pub mod ruleset;
pub mod values;

pub use alert::AlertRule;
pub use attack::{Subtechnique, SubtechniqueId, Tactic, TacticId, Technique, TechniqueId, Threat};
pub use errors::{ErrorKind, FileDiagnostic, SourceFile};
pub use layouts::{is_rule_file, load_file, load_str, LoadedFile};
pub use model::{Layout, QueryMapping, QueryOrigin, ResponseAction, Rule};
pub use query_map::render_query_diagnostic;
pub use ruleset::{FileSummary, RuleSet};
pub use values::{Interval, Language, Maturity, RiskScore, Severity};
