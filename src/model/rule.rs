//! What keyward knows about a rule. The built-in and user rules get it from their METADATA
//! block (`policy::metadata` reads it); keyward's own config rule builds it in code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::snapshot::DataSection;

use super::control::{ControlMapping, MappedRule};
use super::severity::Severity;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleMetadata {
    /// Stable id, e.g. `KW-IAM-009`; waivers, fingerprints and SARIF rule ids use it.
    pub id: String,
    /// Short kebab-case name, e.g. `access-key-not-rotated`.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// Why it matters.
    pub description: String,
    pub severity: Severity,
    /// How to fix a finding.
    pub remediation: String,
    /// Snapshot sections the rule reads; a collection error in one of them makes the rule
    /// *not evaluated* for the affected scope.
    pub requires: Vec<DataSection>,
    /// Control framework -> the controls the rule maps to, e.g. `aws-securityhub: [IAM.3]`,
    /// each saying whether the rule covers all of it (see `ControlMapping`).
    pub controls: BTreeMap<String, Vec<ControlMapping>>,
    /// Links to further reading.
    pub references: Vec<String>,
    /// Rules naming the same group are evaluated in one query, so that the library rules they
    /// share (e.g. the table of overdue secret rotations) are computed once rather than once per
    /// rule. It changes the time an evaluation takes, never its results, so reports leave it out.
    #[serde(skip)]
    pub evaluation_group: Option<String>,
}

impl RuleMetadata {
    /// Tags of the form `framework/control`, e.g. `cis-aws-foundations-v3.0/1.14`.
    pub fn control_tags(&self) -> Vec<String> {
        self.controls
            .iter()
            .flat_map(|(framework, mappings)| {
                mappings
                    .iter()
                    .map(move |m| format!("{framework}/{}", m.id))
            })
            .collect()
    }

    /// The rule as one framework's coverage reads it; `None` when it maps to none of its
    /// controls.
    pub fn mapped(&self, framework: &str) -> Option<MappedRule<'_>> {
        self.controls.get(framework).map(|mappings| MappedRule {
            id: &self.id,
            title: &self.title,
            mappings,
        })
    }
}
