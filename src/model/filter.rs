//! What a reader asked to see (`--severity`, `--rule`, `--skip-rule`, `--only-new`): a report
//! narrowed to it. The filtered report is what every format shows and what the exit code is
//! computed from; it records the filter, so that nobody takes it for the whole scan.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::finding::{BaselineState, Finding};
use super::severity::Severity;

/// The findings and gaps a report is narrowed to. Empty lists mean "no restriction".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    /// Only rules of these severities.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub severities: BTreeSet<Severity>,
    /// Only these rules (ids as the rules spell them).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub rules: BTreeSet<String>,
    /// Not these rules.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub skip_rules: BTreeSet<String>,
    /// Only findings that the baseline does not contain.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_new: bool,
}

impl ReportFilter {
    pub fn is_empty(&self) -> bool {
        *self == ReportFilter::default()
    }

    /// Whether a rule of this id and severity is shown at all (its findings and its gaps).
    pub(super) fn shows_rule(&self, rule_id: &str, severity: Option<Severity>) -> bool {
        let severity_shown =
            self.severities.is_empty() || severity.is_some_and(|s| self.severities.contains(&s));
        severity_shown
            && (self.rules.is_empty() || self.rules.contains(rule_id))
            && !self.skip_rules.contains(rule_id)
    }

    pub(super) fn shows(&self, finding: &Finding) -> bool {
        self.shows_rule(&finding.rule_id, Some(finding.severity))
            && (!self.only_new || finding.baseline_state == Some(BaselineState::New))
    }

    /// What the filter keeps, in words: "severity critical, high; rule KW-IAM-009; new only".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.severities.is_empty() {
            let names: Vec<&str> = Severity::DESCENDING
                .iter()
                .filter(|s| self.severities.contains(s))
                .map(|s| s.as_str())
                .collect();
            parts.push(format!("severity {}", names.join(", ")));
        }
        if !self.rules.is_empty() {
            parts.push(format!("rules {}", join(&self.rules)));
        }
        if !self.skip_rules.is_empty() {
            parts.push(format!("without rules {}", join(&self.skip_rules)));
        }
        if self.only_new {
            parts.push("only findings new since the baseline".to_owned());
        }
        parts.join("; ")
    }
}

fn join(ids: &BTreeSet<String>) -> String {
    ids.iter().cloned().collect::<Vec<_>>().join(", ")
}
