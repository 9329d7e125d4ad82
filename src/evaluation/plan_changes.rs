//! What a Terraform plan does to the findings: the account after the plan is compared with the
//! account before it, finding by fingerprint, as a baseline is.

use std::collections::BTreeSet;

use crate::model::{AccountReport, Finding, PlanChange, ScanReport};

/// Labels every finding of `after` introduced or unchanged, and lists in each account the
/// findings of `before` that are gone as fixed. A finding gone where `after` could not evaluate
/// its rule is not called fixed: nothing says it is.
pub(super) fn label(after: &mut ScanReport, before: &ScanReport) {
    for account in &mut after.accounts {
        let earlier = before
            .accounts
            .iter()
            .find(|a| a.account.id == account.account.id);
        let earlier_findings: &[Finding] = earlier.map_or(&[], |a| &a.findings);
        label_account(account, earlier_findings);
    }
}

fn label_account(account: &mut AccountReport, before: &[Finding]) {
    let known: BTreeSet<&str> = before.iter().map(|f| f.fingerprint.as_str()).collect();
    for finding in &mut account.findings {
        finding.plan_change = Some(if known.contains(finding.fingerprint.as_str()) {
            PlanChange::Unchanged
        } else {
            PlanChange::Introduced
        });
    }
    let remaining: BTreeSet<&str> = account
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let fixed: Vec<Finding> = before
        .iter()
        .filter(|f| !remaining.contains(f.fingerprint.as_str()))
        .filter(|f| !account.not_evaluated.iter().any(|gap| gap.covers(f)))
        .map(|f| Finding {
            plan_change: Some(PlanChange::Fixed),
            ..f.clone()
        })
        .collect();
    account.fixed_by_plan = fixed;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NotEvaluated, REPORT_VERSION, Severity, Summary, ToolInfo};
    use crate::snapshot::Account;

    fn finding(rule: &str, resource: &str) -> Finding {
        Finding {
            rule_id: rule.to_owned(),
            severity: Severity::High,
            account_id: "1".to_owned(),
            region: None,
            resource: resource.to_owned(),
            message: String::new(),
            evidence: Default::default(),
            fingerprint: format!("{rule}|{resource}"),
            waiver: None,
            location: None,
            baseline_state: None,
            plan_change: None,
            controls: None,
        }
    }

    fn report(findings: Vec<Finding>, gaps: Vec<NotEvaluated>) -> ScanReport {
        let now = chrono::Utc::now();
        ScanReport {
            report_version: REPORT_VERSION,
            tool: ToolInfo::keyward(),
            as_of: now,
            rules: Vec::new(),
            disabled_rules: Vec::new(),
            accounts: vec![AccountReport {
                account: Account {
                    id: "1".to_owned(),
                    alias: None,
                    name: None,
                    partition: "aws".to_owned(),
                },
                as_of: now,
                collected_at: now,
                api_requests: None,
                collection_errors: Vec::new(),
                findings,
                not_evaluated: gaps,
                not_applicable: Vec::new(),
                fixed_by_plan: Vec::new(),
                rule_results: Vec::new(),
                access: None,
            }],
            config_findings: Vec::new(),
            baseline: None,
            terraform_plan: None,
            changes: None,
            warnings: Vec::new(),
            filter: None,
            summary: Summary::default(),
        }
    }

    #[test]
    fn findings_are_introduced_unchanged_or_fixed() {
        let before = report(vec![finding("A", "x"), finding("B", "y")], Vec::new());
        let mut after = report(vec![finding("A", "x"), finding("C", "z")], Vec::new());
        label(&mut after, &before);
        let account = &after.accounts[0];
        let changes: Vec<(&str, Option<PlanChange>)> = account
            .findings
            .iter()
            .map(|f| (f.rule_id.as_str(), f.plan_change))
            .collect();
        assert_eq!(
            changes,
            [
                ("A", Some(PlanChange::Unchanged)),
                ("C", Some(PlanChange::Introduced))
            ]
        );
        assert_eq!(account.fixed_by_plan.len(), 1);
        assert_eq!(account.fixed_by_plan[0].rule_id, "B");
        assert_eq!(
            account.fixed_by_plan[0].plan_change,
            Some(PlanChange::Fixed)
        );
        assert!(account.findings[1].is_gating() && !account.findings[0].is_gating());
    }

    #[test]
    fn a_finding_gone_where_the_rule_was_not_evaluated_is_not_fixed() {
        let before = report(vec![finding("B", "y")], Vec::new());
        let gap = NotEvaluated {
            rule_id: "B".to_owned(),
            account_id: "1".to_owned(),
            region: None,
            resource: Some("y".to_owned()),
            reason: "unknown until apply".to_owned(),
        };
        let mut after = report(Vec::new(), vec![gap]);
        label(&mut after, &before);
        assert!(after.accounts[0].fixed_by_plan.is_empty());
    }
}
