//! The `rule` object carried by every alert: who fired, how bad, and the ATT&CK mapping.

use crate::attack::Threat;
use crate::model::{ResponseAction, Rule};
use crate::values::{RiskScore, Severity};
use serde::Serialize;

/// The alert's `rule` header. `version`, `severity` and `risk_score` are `null` when the rule
/// has none (upstream detection-rules files carry no version; behaviour rules no severity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertRule {
    pub id: String,
    pub name: String,
    pub version: Option<u32>,
    pub severity: Option<Severity>,
    pub risk_score: Option<RiskScore>,
    pub tags: Vec<String>,
    pub threat: Vec<Threat>,
    pub references: Vec<String>,
    /// Behaviour rules' dotted version (`1.0.8`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub os_list: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ResponseAction>,
}

impl Rule {
    /// The header an alert from this rule carries.
    pub fn alert_rule(&self) -> AlertRule {
        AlertRule {
            id: self.id.clone(),
            name: self.name.clone(),
            version: self.version,
            severity: self.severity,
            risk_score: self.risk_score,
            tags: self.tags.clone(),
            threat: self.threat.clone(),
            references: self.references.clone(),
            artifact_version: self.artifact_version.clone(),
            os_list: self.os_list.clone(),
            actions: self.actions.clone(),
        }
    }
}
