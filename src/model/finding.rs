//! Findings, the gaps where a rule could not be evaluated, and how a finding is identified.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::severity::Severity;

/// One problem on one resource.
///
/// A large account has hundreds of thousands of findings, all held until the report is sorted,
/// so what few findings have (a waiver, a place in a file) is boxed, and equal control lists
/// are shared: every field inline costs each finding, and the list of findings that much again
/// while it grows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// The rule that found it, e.g. `KW-IAM-009`.
    pub rule_id: String,
    pub severity: Severity,
    /// The account the resource belongs to.
    pub account_id: String,
    /// The region of a regional resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// ARN of the resource.
    pub resource: String,
    /// What is wrong, naming the resource and the evidence.
    pub message: String,
    /// The facts behind the message.
    #[serde(default)]
    pub evidence: Evidence,
    /// The controls the finding fails, for the frameworks where that is fewer than its rule
    /// maps to (`RuleMetadata::controls_failed_by` combines the two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controls: Option<Arc<ControlIds>>,
    /// Stable across scans for the same rule, account, resource and key: baselines, diffs and
    /// GitHub alerts follow a finding by it.
    pub fingerprint: String,
    /// The waiver that accepts this finding, if one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Box<AppliedWaiver>>,
    /// A place in a file the finding is about (config findings such as an expired waiver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Box<FileLocation>>,
    /// New or unchanged relative to `--baseline`, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    /// What a Terraform plan does to the finding (`--terraform-plan`): introduces it, fixes it,
    /// or leaves it as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_change: Option<PlanChange>,
}

/// Control ids by framework, e.g. `{"aws-securityhub": ["IAM.22"]}`.
pub type ControlIds = BTreeMap<String, Vec<String>>;

impl Finding {
    pub fn is_waived(&self) -> bool {
        self.waiver.is_some()
    }

    /// Whether the finding can fail a run: not waived, not known to the baseline, and, when a
    /// Terraform plan was judged, introduced by it (a pre-deploy gate fails on what the change
    /// brings, not on what the account already had).
    pub fn is_gating(&self) -> bool {
        !self.is_waived()
            && self.baseline_state != Some(BaselineState::Unchanged)
            && matches!(self.plan_change, None | Some(PlanChange::Introduced))
    }
}

/// The facts behind a finding's message: a JSON object, held as its compact text. A large
/// account has hundreds of thousands of findings, and an object of a few fields takes several
/// times its text as a map; the evidence is only ever written out, never looked into.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence(Box<str>);

impl Evidence {
    /// Whether the object has no field.
    pub fn is_empty(&self) -> bool {
        &*self.0 == "{}"
    }

    /// Evidence from the compact text of a JSON object, written by the caller.
    pub fn from_object_text(text: String) -> Evidence {
        debug_assert!(text.starts_with('{') && text.ends_with('}'));
        Evidence(text.into_boxed_str())
    }

    /// The evidence as a JSON object again (to write it, or for SARIF's property bag).
    pub fn to_map(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(&self.0).expect("evidence holds the text of a JSON object")
    }
}

impl From<&serde_json::Map<String, serde_json::Value>> for Evidence {
    fn from(map: &serde_json::Map<String, serde_json::Value>) -> Evidence {
        Evidence(
            serde_json::to_string(map)
                .expect("a JSON object serializes")
                .into_boxed_str(),
        )
    }
}

impl Default for Evidence {
    fn default() -> Evidence {
        Evidence("{}".into())
    }
}

/// Written as the object it is, so that a pretty-printed report indents it like the rest.
impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Evidence, D::Error> {
        let map = serde_json::Map::deserialize(deserializer)?;
        Ok(Evidence::from(&map))
    }
}

/// What a Terraform plan does to a finding: the account before the plan is compared with the
/// account after it, finding by fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanChange {
    /// Present after the plan, absent before: the plan brings it.
    Introduced,
    /// Present before the plan, gone after it.
    Fixed,
    /// Present before and after.
    Unchanged,
}

impl PlanChange {
    /// The label reports show, e.g. "introduced by the plan".
    pub fn label(self) -> &'static str {
        match self {
            PlanChange::Introduced => "introduced by the plan",
            PlanChange::Fixed => "fixed by the plan",
            PlanChange::Unchanged => "unchanged",
        }
    }
}

/// A rule that does not apply to a snapshot by the snapshot's nature (a Terraform plan has no
/// last use to judge; a live account has no plan): neither passed nor failed, and, unlike *not
/// evaluated*, no sign of missing data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotApplicable {
    pub rule_id: String,
    pub account_id: String,
    /// Why, e.g. "a Terraform plan alone has no activity (ages and last use)".
    pub reason: String,
}

/// The waiver that accepted a finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub owner: String,
    pub reason: String,
    pub expires: NaiveDate,
}

/// A line in a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileLocation {
    pub path: String,
    pub line: usize,
}

/// A finding's state relative to a baseline (SARIF's `baselineState` uses the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline already.
    Unchanged,
}

/// A rule that could not be judged for some scope because its data was not collected.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotEvaluated {
    pub rule_id: String,
    pub account_id: String,
    /// The region the gap is limited to; `null` for global data or every region; `regions not
    /// scanned` when region discovery failed (the regions outside the snapshot's list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The resource the gap is limited to, if it is one resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// What failed, from the snapshot's collection errors.
    pub reason: String,
}

impl NotEvaluated {
    /// Region and resource, as far as the gap is limited to them ("" for the whole account).
    pub fn scope(&self) -> String {
        [self.region.as_deref(), self.resource.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether a finding falls inside this gap. A rule's output there rests on data that was not
    /// collected (an empty list, a `null` read as "none"), so it is dropped: the gap is reported
    /// instead, never a finding or a pass made from missing data.
    ///
    /// A gap about one resource also covers the rule's verdicts over every resource of a kind
    /// (see [`Finding::is_verdict_over_all`]) in the account, or in the gap's region: "no trail
    /// can carry the alarm" rests on each trail's data, the unread one's included.
    pub fn covers(&self, finding: &Finding) -> bool {
        if self.rule_id != finding.rule_id || self.account_id != finding.account_id {
            return false;
        }
        match (&self.resource, &self.region) {
            (Some(resource), region) => {
                *resource == finding.resource
                    || (finding.is_verdict_over_all()
                        && (finding.region.is_none() || finding.region == *region))
            }
            (None, Some(region)) => finding.region.as_ref() == Some(region),
            (None, None) => true,
        }
    }
}

impl Finding {
    /// Whether the finding judges every resource of a kind at once, in its region or the
    /// account: its resource ends in `*` (`arn:aws:cloudtrail::<account>:trail/*`, "no
    /// multi-region trail"; `arn:aws:guardduty:<region>:<account>:detector/*`).
    pub fn is_verdict_over_all(&self) -> bool {
        self.resource.ends_with('*')
    }
}

/// The stable identity of a finding: a hash of what it is about, never of its wording, so a
/// reworded message or a changed age keeps the same fingerprint.
pub fn fingerprint(rule_id: &str, account_id: &str, resource: &str, key: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    for part in [rule_id, account_id, resource, key.unwrap_or("")] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    // One string written in place: a scan fingerprints every finding (tens of thousands for a
    // large account), and a `format!` per byte allocates sixteen times as often.
    let mut hex = String::with_capacity(32);
    for byte in &digest[..16] {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule_id: &str, region: Option<&str>, resource: &str) -> Finding {
        serde_json::from_value(serde_json::json!({
            "rule_id": rule_id,
            "severity": "high",
            "account_id": "123456789012",
            "region": region,
            "resource": resource,
            "message": "",
            "fingerprint": "",
        }))
        .unwrap()
    }

    fn gap(region: Option<&str>, resource: Option<&str>) -> NotEvaluated {
        NotEvaluated {
            rule_id: "KW-CW-001".to_owned(),
            account_id: "123456789012".to_owned(),
            region: region.map(str::to_owned),
            resource: resource.map(str::to_owned),
            reason: String::new(),
        }
    }

    #[test]
    fn a_gap_about_one_resource_covers_it_and_the_verdicts_over_all_of_its_kind() {
        let trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main";
        let unread = gap(Some("us-east-1"), Some(trail));
        let account_wide = "arn:aws:cloudwatch::123456789012:alarm:*";
        assert!(unread.covers(&finding("KW-CW-001", None, account_wide)));
        assert!(unread.covers(&finding("KW-CW-001", Some("us-east-1"), trail)));
        // Another resource, a verdict over another region, another rule: not covered.
        let group = "arn:aws:logs:us-east-1:123456789012:log-group:other";
        assert!(!unread.covers(&finding("KW-CW-001", Some("us-east-1"), group)));
        let elsewhere = "arn:aws:guardduty:eu-west-1:123456789012:detector/*";
        assert!(!unread.covers(&finding("KW-CW-001", Some("eu-west-1"), elsewhere)));
        assert!(!unread.covers(&finding("KW-CW-002", None, account_wide)));
        // A regional gap covers its region only.
        let region = gap(Some("eu-west-1"), None);
        assert!(region.covers(&finding("KW-CW-001", Some("eu-west-1"), elsewhere)));
        assert!(!region.covers(&finding("KW-CW-001", None, account_wide)));
    }

    #[test]
    fn fingerprints_are_stable_and_distinguish_keys() {
        let a = fingerprint(
            "KW-IAM-009",
            "123456789012",
            "arn:aws:iam::123456789012:user/alice",
            Some("k1"),
        );
        assert_eq!(a.len(), 32);
        assert_eq!(
            a,
            fingerprint(
                "KW-IAM-009",
                "123456789012",
                "arn:aws:iam::123456789012:user/alice",
                Some("k1")
            )
        );
        assert_ne!(
            a,
            fingerprint(
                "KW-IAM-009",
                "123456789012",
                "arn:aws:iam::123456789012:user/alice",
                Some("k2")
            )
        );
        assert_ne!(
            a,
            fingerprint(
                "KW-IAM-008",
                "123456789012",
                "arn:aws:iam::123456789012:user/alice",
                Some("k1")
            )
        );
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(
            fingerprint("ab", "c", "", None),
            fingerprint("a", "bc", "", None)
        );
    }
}
