//! What keyward knows about a rule. The built-in and user rules get it from their METADATA
//! block (`policy::metadata` reads it); keyward's own config rule builds it in code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::snapshot::DataSection;

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
    /// Control framework -> control ids, e.g. `aws-securityhub: [IAM.3]`.
    pub controls: BTreeMap<String, Vec<String>>,
    /// Links to further reading.
    pub references: Vec<String>,
    /// Rules naming the same group are evaluated in one query, so that the library rules they
    /// share (e.g. the table of overdue secret rotations) are computed once rather than once per
    /// rule. It changes the time an evaluation takes, never its results, so reports leave it out.
    #[serde(skip)]
    pub evaluation_group: Option<String>,
    /// Whether the rule is one of the built-in pack's, whose pages are published with the
    /// project (SARIF links them). Where a rule was loaded from is a fact of the run, not of its
    /// findings, so reports leave it out; `keyward rules --format json` shows the origin.
    #[serde(skip)]
    pub builtin: bool,
}

impl RuleMetadata {
    /// Tags of the form `framework/control`, e.g. `cis-aws-foundations-v3.0/1.14`.
    pub fn control_tags(&self) -> Vec<String> {
        self.controls
            .iter()
            .flat_map(|(framework, ids)| ids.iter().map(move |id| format!("{framework}/{id}")))
            .collect()
    }
}
