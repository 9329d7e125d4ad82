//! *Not evaluated*: where a rule's data is missing or unreadable, the rule reports a gap for that
//! scope instead of a pass or a finding made from what is missing. Three things leave data
//! missing: a collection error (named in the snapshot), a policy document AWS would reject
//! (found by the access model), and a snapshot without a root user that says nothing about why.
//! *Not applicable*: a rule that needs data the snapshot cannot have by its nature (a plan's last
//! use, a live account's plan) is not run at all, and says why.

use std::collections::BTreeSet;

use crate::model::access::{AccessSummary, UnreadablePolicy};
use crate::model::{NotApplicable, NotEvaluated};
use crate::policy::Rule;
use crate::snapshot::{
    CollectionError, DataSection, ErrorKind, REGION_DISCOVERY_SECTIONS, Snapshot, UNSCANNED_REGIONS,
};

/// Splits the enabled rules into those that apply to the snapshot and the reasons the others
/// do not.
pub(super) fn applicable<'r>(
    enabled: &[&'r Rule],
    snapshot: &Snapshot,
) -> (Vec<&'r Rule>, Vec<NotApplicable>) {
    let absent = snapshot.absent_sections();
    let mut applying = Vec::new();
    let mut not_applicable = Vec::new();
    for rule in enabled {
        match absent
            .iter()
            .find(|section| rule.metadata.requires.contains(section))
        {
            Some(section) => not_applicable.push(NotApplicable {
                rule_id: rule.metadata.id.clone(),
                account_id: snapshot.account.id.clone(),
                reason: absence_reason(*section).to_owned(),
            }),
            None => applying.push(*rule),
        }
    }
    (applying, not_applicable)
}

fn absence_reason(section: DataSection) -> &'static str {
    match section {
        DataSection::Terraform => "needs a Terraform plan (--terraform-plan)",
        DataSection::Activity => {
            "a Terraform plan alone has no ages or last use: judge the plan with the live account (a scan or --snapshot) for them"
        }
        DataSection::IamRoot => {
            "a Terraform plan alone has no root user: judge the plan with the live account (a scan or --snapshot) for it"
        }
        DataSection::IamPasswordPolicy => {
            "the plan does not manage the account password policy (aws_iam_account_password_policy): judge the plan with the live account for it"
        }
        _ => "the snapshot has no such data",
    }
}

/// A part of the snapshot that cannot be relied on, and why.
struct Missing {
    sections: Vec<DataSection>,
    region: Option<String>,
    resource: Option<String>,
    reason: String,
}

/// A rule is *not evaluated* for every scope (account, region or resource) where a section it
/// reads is missing: missing data never passes as clean. A failed region discovery leaves the
/// secrets of the regions not scanned unread: their rules are not evaluated there, and what they
/// found in the regions that were scanned stands.
pub(super) fn not_evaluated(
    enabled: &[&Rule],
    snapshot: &Snapshot,
    access: Option<&AccessSummary>,
) -> Vec<NotEvaluated> {
    let mut missing: Vec<Missing> = snapshot
        .collection_errors
        .iter()
        .map(collection_error)
        .collect();
    missing.extend(missing_root(snapshot));
    for policy in access
        .map(|a| a.unreadable_policies.as_slice())
        .unwrap_or_default()
    {
        missing.extend(unreadable(policy));
    }
    let mut gaps = BTreeSet::new();
    for rule in enabled {
        for part in &missing {
            if part
                .sections
                .iter()
                .any(|s| rule.metadata.requires.contains(s))
            {
                gaps.insert(NotEvaluated {
                    rule_id: rule.metadata.id.clone(),
                    account_id: snapshot.account.id.clone(),
                    region: part.region.clone(),
                    resource: part.resource.clone(),
                    reason: part.reason.clone(),
                });
            }
        }
    }
    gaps.into_iter().collect()
}

fn collection_error(error: &CollectionError) -> Missing {
    let (sections, region) = if error.is_region_discovery() {
        (
            REGION_DISCOVERY_SECTIONS.to_vec(),
            Some(UNSCANNED_REGIONS.to_owned()),
        )
    } else {
        (error.sections.clone(), error.region.clone())
    };
    Missing {
        reason: describe_error(error, &sections),
        sections,
        region,
        resource: error.resource.clone(),
    }
}

fn describe_error(error: &CollectionError, sections: &[DataSection]) -> String {
    let sections: Vec<String> = sections.iter().map(|s| s.name()).collect();
    if error.kind == ErrorKind::KnownAfterApply {
        return format!("{} [{}]", error.message, sections.join(", "));
    }
    format!(
        "{} {} failed ({}): {} [{}]",
        error.service,
        error.operation,
        error.kind.name(),
        error.message,
        sections.join(", ")
    )
}

/// A snapshot whose root is null carries a collection error that says why (live collection
/// always records one). Without one, the root rules cannot tell "no problem" from "no data".
fn missing_root(snapshot: &Snapshot) -> Option<Missing> {
    let explained = snapshot
        .collection_errors
        .iter()
        .any(|e| e.sections.contains(&DataSection::IamRoot));
    (snapshot.root.is_none() && !explained).then(|| Missing {
        sections: vec![DataSection::IamRoot],
        region: None,
        resource: None,
        reason: "the snapshot has no root user and no collection error that says why [iam.root]"
            .to_owned(),
    })
}

/// A document AWS would reject leaves unknown what it grants: for an identity policy or a
/// permissions boundary, the documents of each principal it applies to; for a trust policy,
/// its role's; for a resource policy, its secret's; for an SCP or RCP, the account's
/// organization policies.
fn unreadable(policy: &UnreadablePolicy) -> Vec<Missing> {
    let section = match policy.kind.as_str() {
        "resource" => DataSection::SecretResourcePolicies,
        "service_control" | "resource_control" => DataSection::OrganizationPolicies,
        _ => DataSection::IamPolicyDocuments,
    };
    let reason = format!(
        "the {} policy {} cannot be read: {} [{}]",
        policy.kind.replace('_', " "),
        policy.policy,
        policy.problem,
        section.name()
    );
    let mut scopes: Vec<Option<String>> = policy.attached_to.iter().cloned().map(Some).collect();
    if policy.policy.starts_with("arn:") && section == DataSection::IamPolicyDocuments {
        scopes.push(Some(policy.policy.clone()));
    }
    if scopes.is_empty() {
        scopes.push(None);
    }
    scopes
        .into_iter()
        .map(|resource| Missing {
            sections: vec![section],
            region: None,
            resource,
            reason: reason.clone(),
        })
        .collect()
}
