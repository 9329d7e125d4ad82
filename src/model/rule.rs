//! What keyward knows about a rule. The built-in and user rules get it from their METADATA
//! block (`policy::metadata` reads it); keyward's own config rule builds it in code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::snapshot::DataSection;

use super::control::{ControlMapping, MappedRule};
use super::finding::Finding;
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
    /// The kinds of resource the rule judges (`custom.evaluates`): every resource of these kinds
    /// in a snapshot that has no finding of the rule passed it. A rule without them (a user rule
    /// that does not say) counts only the resources it reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluates: Vec<ResourceKind>,
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

/// A kind of resource a rule judges; `evaluation` lists them in a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// The account itself, named by its root user's ARN: root user and password policy rules,
    /// and the detective rules whose verdict is the account's (a trail, an alarm, a cost
    /// monitor somewhere in it). It passes when the rule reported nothing in it.
    Account,
    /// IAM users.
    Users,
    /// IAM users, groups and roles.
    Principals,
    /// Customer-managed IAM policies.
    Policies,
    /// Secrets Manager secrets, in every region collected.
    Secrets,
    /// CloudTrail trails the account owns (not those another account's snapshot supplied).
    Trails,
    /// The regions scanned: a regional service's verdict per region (GuardDuty, Access
    /// Analyzer).
    Regions,
}

impl ResourceKind {
    /// The name METADATA and reports use.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::Account => "account",
            ResourceKind::Users => "users",
            ResourceKind::Principals => "principals",
            ResourceKind::Policies => "policies",
            ResourceKind::Secrets => "secrets",
            ResourceKind::Trails => "trails",
            ResourceKind::Regions => "regions",
        }
    }
}

impl RuleMetadata {
    /// The snapshot's lists (users, roles, secrets) the rule reads: for a built-in rule, those
    /// its `requires` names; for a user's rule or a plan rule, all of them.
    pub fn lists_read(&self) -> [bool; 3] {
        let requires = &self.requires;
        if !self.builtin || requires.contains(&DataSection::Terraform) {
            return [true; 3];
        }
        let reads = |sections: &[DataSection]| sections.iter().any(|s| requires.contains(s));
        let principals = [
            DataSection::IamAuthorization,
            DataSection::IamPolicyDocuments,
        ];
        [
            reads(&principals) || reads(&[DataSection::IamCredentials]),
            reads(&principals),
            reads(&[DataSection::Secrets, DataSection::SecretResourcePolicies]),
        ]
    }

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

    /// The controls a finding of this rule fails, by framework: the finding's own list where it
    /// names one (a narrower list), the rule's mapping otherwise.
    pub fn controls_failed_by(&self, finding: &Finding) -> BTreeMap<String, Vec<String>> {
        self.controls
            .iter()
            .map(|(framework, mappings)| {
                let ids = match finding.controls.as_ref().and_then(|c| c.get(framework)) {
                    Some(narrowed) => narrowed.clone(),
                    None => mappings.iter().map(|m| m.id.clone()).collect(),
                };
                (framework.clone(), ids)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_fails_its_own_controls_where_it_names_them_and_the_rules_elsewhere() {
        let rule: RuleMetadata = serde_json::from_value(serde_json::json!({
            "id": "KW-IAM-012", "name": "n", "title": "t", "description": "d", "severity": "medium",
            "remediation": "r", "requires": [], "references": [],
            "controls": {"cis-aws-foundations-v3.0": ["1.8", "1.9"], "mitre-attack": ["T1110"]},
        }))
        .unwrap();
        let finding: Finding = serde_json::from_value(serde_json::json!({
            "rule_id": "KW-IAM-012", "severity": "medium", "account_id": "1", "resource": "r",
            "message": "m", "fingerprint": "f",
            "controls": {"cis-aws-foundations-v3.0": ["1.9"]},
        }))
        .unwrap();
        let failed = rule.controls_failed_by(&finding);
        assert_eq!(failed["cis-aws-foundations-v3.0"], ["1.9"]);
        assert_eq!(failed["mitre-attack"], ["T1110"]);
    }
}
