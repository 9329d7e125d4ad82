//! *Not evaluated*: where a rule's data was not collected, the rule reports a gap for that
//! scope instead of a pass or a finding made from missing data.

use std::collections::BTreeSet;

use crate::model::NotEvaluated;
use crate::policy::Rule;
use crate::snapshot::{
    CollectionError, DataSection, REGION_DISCOVERY_SECTIONS, Snapshot, UNSCANNED_REGIONS,
};

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
    format!(
        "{} {} failed ({}): {} [{}]",
        error.service,
        error.operation,
        error.kind.name(),
        error.message,
        sections.join(", ")
    )
}
