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
            let rule_findings: Vec<&Finding> =
                findings.iter().filter(|f| &f.rule_id == id).collect();
            let passed: BTreeSet<&str> = rule
                .metadata
                .evaluates
                .iter()
                .flat_map(|kind| {
                    resources(*kind, snapshot, &root_arn)
                        .into_iter()
                        .map(move |resource| (*kind, resource))
                })
                .filter(|(kind, r)| !rule_gaps.iter().any(|gap| inside(gap, *kind, r)))
                .filter(|(kind, r)| !reported_on(*kind, r, &rule_findings))
                .map(|(_, r)| r.arn)
                .collect();
            let waived = reported.values().filter(|&&all_waived| all_waived).count();
            let failed = reported.len() - waived;
            RuleResult {
                rule_id: id.clone(),
                passed: passed.len(),
                failed,
                waived,
                not_evaluated: rule_gaps.len(),
            }
        })
        .collect()
}

/// Whether the rule reported on a resource of `kind`: a finding about it; for the account, any
/// finding (an account rule's verdict may name the trail or log group it rests on); for a
/// region, any finding in it.
fn reported_on(kind: ResourceKind, resource: &Resource, findings: &[&Finding]) -> bool {
    findings.iter().any(|f| match kind {
        ResourceKind::Account => true,
        ResourceKind::Regions => f.region.as_deref() == resource.region,
        _ => f.resource == resource.arn,
    })
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
        ResourceKind::Trails => snapshot
            .detective
            .iter()
            .flat_map(|d| &d.trails)
            .filter(|t| t.inherited_from.is_none() && owner(&t.arn) == snapshot.account.id)
            .map(|t| Resource {
                arn: &t.arn,
                region: Some(&t.home_region),
            })
            .collect(),
        // A region is named by itself: only its findings' regions are compared with it.
        ResourceKind::Regions => snapshot
            .collector
            .regions
            .iter()
            .map(|region| Resource {
                arn: region,
                region: Some(region),
            })
            .collect(),
    }
}

/// The account of an ARN (its fifth field).
fn owner(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

/// Whether a resource lies in a scope the rule could not be evaluated in. The account's verdict
/// rests on everything in it, a region's on everything in the region (as
/// `NotEvaluated::covers` has it for findings).
fn inside(gap: &NotEvaluated, kind: ResourceKind, resource: &Resource) -> bool {
    match (kind, &gap.resource, &gap.region) {
        (ResourceKind::Account, _, _) => true,
        (ResourceKind::Regions, _, Some(region)) => resource.region == Some(region.as_str()),
        (ResourceKind::Regions, Some(_), None) => true,
        (_, Some(arn), _) => arn == resource.arn,
        (_, None, Some(region)) => resource.region == Some(region.as_str()),
        (_, None, None) => true,
    }
}
