//! Waivers: a live waiver marks the findings it accepts; an expired one is reported itself.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::config::{Config, Waiver};
use crate::model::{
    AppliedWaiver, Evidence, FileLocation, Finding, RuleMetadata, Severity, fingerprint,
};

/// The id of the finding keyward raises itself for a waiver past its expiry date.
pub const WAIVER_EXPIRED_RULE: &str = "KW-CFG-001";

/// The config's waivers, split by the evaluation time into live and expired.
pub(super) struct WaiverSet<'a> {
    live: Vec<&'a Waiver>,
    expired: Vec<(usize, &'a Waiver)>,
    config_path: Option<(String, &'a [usize])>,
}

impl<'a> WaiverSet<'a> {
    pub(super) fn new(config: &'a Config, as_of: DateTime<Utc>) -> Self {
        let today = as_of.date_naive();
        let (live, expired): (Vec<_>, Vec<_>) = config
            .waivers
            .iter()
            .enumerate()
            .partition(|(_, w)| w.expires >= today);
        WaiverSet {
            live: live.into_iter().map(|(_, w)| w).collect(),
            expired,
            config_path: config
                .source
                .as_ref()
                .map(|s| (s.path.display().to_string(), s.waiver_lines.as_slice())),
        }
    }

    pub(super) fn applying(&self, rule_id: &str, resource: &str) -> Option<Box<AppliedWaiver>> {
        self.live
            .iter()
            .find(|w| w.matches(rule_id, resource))
            .map(|w| {
                Box::new(AppliedWaiver {
                    owner: w.owner.clone(),
                    reason: w.reason.clone(),
                    expires: w.expires,
                })
            })
    }

    /// An expired waiver no longer suppresses anything and is reported itself, pointing at its
    /// line in the config, so that someone renews it or fixes what it covered.
    pub(super) fn expired_findings(&self) -> Vec<Finding> {
        self.expired
            .iter()
            .map(|(index, waiver)| {
                let (path, lines) = self.config_path.clone().unwrap_or_default();
                let line = lines.get(*index).copied().unwrap_or(1);
                Finding {
                    rule_id: WAIVER_EXPIRED_RULE.to_owned(),
                    severity: Severity::Low,
                    account_id: String::new(),
                    region: None,
                    resource: waiver.resource.clone(),
                    message: format!(
                        "waiver for {} on {} (owner {}) expired on {}; its findings are reported again",
                        waiver.rule, waiver.resource, waiver.owner, waiver.expires
                    ),
                    evidence: json!({
                        "rule": waiver.rule,
                        "owner": waiver.owner,
                        "reason": waiver.reason,
                        "expired": waiver.expires.to_string(),
                    })
                    .as_object()
                    .map(Evidence::from)
                    .unwrap_or_default(),
                    fingerprint: fingerprint(WAIVER_EXPIRED_RULE, "", &waiver.rule, Some(&waiver.resource)),
                    waiver: None,
                    controls: None,
                    location: Some(Box::new(FileLocation { path, line })),
                    baseline_state: None,
                    plan_change: None,
                }
            })
            .collect()
    }
}

/// The metadata of the rule keyward applies to its own config.
pub fn waiver_expired_rule() -> RuleMetadata {
    RuleMetadata {
        id: WAIVER_EXPIRED_RULE.to_owned(),
        name: "waiver-expired".to_owned(),
        title: "Waiver past its expiry date".to_owned(),
        description: "A waiver accepts a finding for a limited time, with an owner and a reason. \
                      Once its expiry date has passed it no longer suppresses anything: the \
                      findings it covered are reported again, and the stale waiver is reported \
                      so that its owner either fixes the finding or renews the waiver on purpose."
            .to_owned(),
        severity: Severity::Low,
        remediation: "Fix the finding the waiver covered and delete the waiver from keyward.yaml, \
                      or, if the risk is still accepted, set a new `expires` date after review \
                      with the owner."
            .to_owned(),
        requires: Vec::new(),
        controls: BTreeMap::new(),
        references: Vec::new(),
        evaluation_group: None,
        evaluates: Vec::new(),
        builtin: false,
    }
}
