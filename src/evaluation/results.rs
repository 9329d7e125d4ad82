//! What each rule judged in an account: the resources of the kinds it evaluates
//! (`custom.evaluates`) split into passed, failed and waived, and the scopes it could not be
//! evaluated in. A compliance report is counted from these.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Finding, NotEvaluated, ResourceKind, RuleResult};
use crate::policy::Rule;
use crate::snapshot::Snapshot;

/// One resource a rule may judge: its ARN, and its region when it is regional.
struct Resource<'a> {
    arn: &'a str,
    region: Option<&'a str>,
}

pub(super) fn rule_results(
    enabled: &[&Rule],
    snapshot: &Snapshot,
    findings: &[Finding],
    gaps: &[NotEvaluated],
) -> Vec<RuleResult> {
    let root_arn = format!(
        "arn:{}:iam::{}:root",
        snapshot.account.partition, snapshot.account.id
    );
    enabled
        .iter()
        .map(|rule| {
            let id = &rule.metadata.id;
            let rule_gaps: Vec<&NotEvaluated> = gaps.iter().filter(|g| &g.rule_id == id).collect();
            // Per resource: whether every finding on it is waived.
            let mut reported: BTreeMap<&str, bool> = BTreeMap::new();
            for finding in findings.iter().filter(|f| &f.rule_id == id) {
                let all_waived = reported.entry(&finding.resource).or_insert(true);
                *all_waived &= finding.is_waived();
            }
            let judged: BTreeSet<&str> = rule
                .metadata
                .evaluates
                .iter()
                .flat_map(|kind| resources(*kind, snapshot, &root_arn))
                .filter(|r| !rule_gaps.iter().any(|gap| inside(gap, r)))
                .map(|r| r.arn)
                .chain(reported.keys().copied())
                .collect();
            let waived = reported.values().filter(|&&all_waived| all_waived).count();
            let failed = reported.len() - waived;
            RuleResult {
                rule_id: id.clone(),
                passed: judged.len() - reported.len(),
                failed,
                waived,
                not_evaluated: rule_gaps.len(),
            }
        })
        .collect()
}

/// The resources of one kind in a snapshot.
fn resources<'a>(
    kind: ResourceKind,
    snapshot: &'a Snapshot,
    root_arn: &'a str,
) -> Vec<Resource<'a>> {
    let global = |arn: &'a String| Resource { arn, region: None };
    match kind {
        ResourceKind::Account => vec![Resource {
            arn: root_arn,
            region: None,
        }],
        ResourceKind::Users => snapshot.users.iter().map(|u| global(&u.arn)).collect(),
        ResourceKind::Principals => snapshot
            .users
            .iter()
            .map(|u| &u.arn)
            .chain(snapshot.groups.iter().map(|g| &g.arn))
            .chain(snapshot.roles.iter().map(|r| &r.arn))
            .map(global)
            .collect(),
        ResourceKind::Policies => snapshot
            .policies
            .iter()
            .filter(|p| !p.aws_managed)
            .map(|p| global(&p.arn))
            .collect(),
        ResourceKind::Secrets => snapshot
            .secrets
            .iter()
            .map(|s| Resource {
                arn: &s.arn,
                region: Some(&s.region),
            })
            .collect(),
    }
}

/// Whether a resource lies in a scope the rule could not be evaluated in.
fn inside(gap: &NotEvaluated, resource: &Resource) -> bool {
    match (&gap.resource, &gap.region) {
        (Some(arn), _) => arn == resource.arn,
        (None, Some(region)) => resource.region == Some(region.as_str()),
        (None, None) => true,
    }
}
