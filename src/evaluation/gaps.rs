//! *Not evaluated*: where a rule's data was not collected, the rule reports a gap for that
//! scope instead of a pass or a finding made from missing data.

use std::collections::BTreeSet;

use crate::model::NotEvaluated;
use crate::policy::Rule;
use crate::snapshot::{CollectionError, Snapshot};

/// A rule is *not evaluated* for every scope (account, region or resource) where a section it
/// reads has a collection error: missing data never passes as clean.
pub(super) fn not_evaluated(enabled: &[&Rule], snapshot: &Snapshot) -> Vec<NotEvaluated> {
    let mut gaps = BTreeSet::new();
    for rule in enabled {
        for error in &snapshot.collection_errors {
            if error
                .sections
                .iter()
                .any(|s| rule.metadata.requires.contains(s))
            {
                gaps.insert(NotEvaluated {
                    rule_id: rule.metadata.id.clone(),
                    account_id: snapshot.account.id.clone(),
                    region: error.region.clone(),
                    resource: error.resource.clone(),
                    reason: describe_error(error),
                });
            }
        }
    }
    gaps.into_iter().collect()
}

fn describe_error(error: &CollectionError) -> String {
    let sections: Vec<String> = error.sections.iter().map(|s| s.name()).collect();
    format!(
        "{} {} failed ({}): {} [{}]",
        error.service,
        error.operation,
        error.kind.name(),
        error.message,
        sections.join(", ")
    )
}
