//! *Not evaluated*: where a rule's data was not collected, the rule reports a gap for that
//! scope instead of a pass or a finding made from missing data. *Not applicable*: a rule that
//! needs data the snapshot cannot have by its nature (a plan's last use, a live account's plan)
//! is not run at all, and says why.

use std::collections::BTreeSet;

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

/// A rule is *not evaluated* for every scope (account, region or resource) where a section it
/// reads has a collection error: missing data never passes as clean. A failed region discovery
/// leaves the secrets of the regions not scanned unread: their rules are not evaluated there,
/// and what they found in the regions that were scanned stands.
pub(super) fn not_evaluated(enabled: &[&Rule], snapshot: &Snapshot) -> Vec<NotEvaluated> {
    let mut gaps = BTreeSet::new();
    for error in &snapshot.collection_errors {
        let (sections, region) = if error.is_region_discovery() {
            (
                &REGION_DISCOVERY_SECTIONS[..],
                Some(UNSCANNED_REGIONS.to_owned()),
            )
        } else {
            (&error.sections[..], error.region.clone())
        };
        for rule in enabled {
            if sections.iter().any(|s| rule.metadata.requires.contains(s)) {
                gaps.insert(NotEvaluated {
                    rule_id: rule.metadata.id.clone(),
                    account_id: snapshot.account.id.clone(),
                    region: region.clone(),
                    resource: error.resource.clone(),
                    reason: describe_error(error, sections),
                });
            }
        }
    }
    gaps.into_iter().collect()
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
