//! A compliance report (`keyward scan --compliance FRAMEWORK`): per control of the framework's
//! catalogue, its status and how many resources passed, failed or were waived under the rules
//! that cover it, counted from what each rule evaluated (`AccountReport::rule_results`). Its
//! JSON is a public format, versioned by `COMPLIANCE_VERSION` (README, "Compliance report").

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::control::{Coverage, FrameworkCoverage};
use super::report::{AccountReport, ScanReport, ToolInfo};

/// The version of the compliance report's JSON format.
pub const COMPLIANCE_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceReport {
    pub compliance_version: u32,
    pub tool: ToolInfo,
    pub as_of: DateTime<Utc>,
    pub framework: FrameworkInfo,
    /// The accounts scanned.
    pub accounts: Vec<String>,
    pub summary: ComplianceSummary,
    pub controls: Vec<ControlResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkInfo {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub url: String,
}

/// How many controls have each status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ComplianceSummary {
    pub controls: usize,
    pub pass: usize,
    pub fail: usize,
    pub not_evaluated: usize,
    pub partial: usize,
    pub not_covered: usize,
}

/// Where a control stands, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// A resource failed a rule that checks the control (an unwaived finding).
    Fail,
    /// Nothing failed, but a rule could not be evaluated somewhere: its data was not collected.
    NotEvaluated,
    /// Nothing failed and everything was evaluated, but the rules check only part of the
    /// control (see `leaves_out`): the rest needs checking by other means.
    Partial,
    /// Nothing failed, everything was evaluated, and the rules check all the control asks.
    Pass,
    /// No enabled rule checks the control (see `not_covered`).
    NotCovered,
}

impl ControlStatus {
    pub fn label(self) -> &'static str {
        match self {
            ControlStatus::Fail => "fail",
            ControlStatus::NotEvaluated => "not evaluated",
            ControlStatus::Partial => "partial coverage",
            ControlStatus::Pass => "pass",
            ControlStatus::NotCovered => "not covered",
        }
    }
}

/// Resources judged under a control's rules, one count per rule and resource: a user that two
/// rules of the control judge counts twice, as two checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CheckCounts {
    pub passed: usize,
    pub failed: usize,
    pub waived: usize,
    /// Scopes (account, region, resource) a rule could not be evaluated in.
    pub not_evaluated: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    pub id: String,
    pub title: String,
    pub status: ControlStatus,
    pub coverage: Coverage,
    pub counts: CheckCounts,
    /// The enabled rules that check the control.
    pub rules: Vec<String>,
    /// With partial coverage: what the rules leave out, as `RULE: what`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leaves_out: Vec<String>,
    /// Why no rule checks the control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_covered: Option<String>,
}

impl ComplianceReport {
    /// The compliance of the scanned accounts with one framework, whose coverage by the rules
    /// that ran is `coverage`. Waived findings must still be in `report`.
    pub fn new(coverage: &FrameworkCoverage, report: &ScanReport) -> ComplianceReport {
        let controls: Vec<ControlResult> = coverage
            .controls
            .iter()
            .map(|control| {
                let rules: Vec<String> = control.rules.iter().map(|r| r.rule_id.clone()).collect();
                let mut counts = CheckCounts::default();
                for account in &report.accounts {
                    for rule in &rules {
                        add(
                            &mut counts,
                            account,
                            report,
                            rule,
                            &coverage.id,
                            &control.control.id,
                        );
                    }
                }
                // Only a control the rules cover partly has something left out: partial rules
                // that complete each other cover it fully together.
                let partly = control.coverage == Coverage::Partial;
                let leaves_out = control
                    .rules
                    .iter()
                    .filter(|_| partly)
                    .filter_map(|r| {
                        let gaps = r
                            .threshold_gaps
                            .iter()
                            .map(|g| format!("{} above the control's {}", g.name, g.control));
                        let what: Vec<String> =
                            r.mapping.leaves_out.iter().cloned().chain(gaps).collect();
                        (!what.is_empty()).then(|| format!("{}: {}", r.rule_id, what.join("; ")))
                    })
                    .collect();
                ControlResult {
                    id: control.control.id.clone(),
                    title: control.control.title.clone(),
                    status: status(control.coverage, &counts),
                    coverage: control.coverage,
                    counts,
                    rules,
                    leaves_out,
                    not_covered: control
                        .control
                        .not_covered
                        .clone()
                        .filter(|_| control.rules.is_empty()),
                }
            })
            .collect();
        let count = |s: ControlStatus| controls.iter().filter(|c| c.status == s).count();
        let summary = ComplianceSummary {
            controls: controls.len(),
            pass: count(ControlStatus::Pass),
            fail: count(ControlStatus::Fail),
            not_evaluated: count(ControlStatus::NotEvaluated),
            partial: count(ControlStatus::Partial),
            not_covered: count(ControlStatus::NotCovered),
        };
        ComplianceReport {
            compliance_version: COMPLIANCE_VERSION,
            tool: report.tool.clone(),
            as_of: report.as_of,
            framework: FrameworkInfo {
                id: coverage.id.clone(),
                name: coverage.name.clone(),
                scope: coverage.scope.clone(),
                url: coverage.url.clone(),
            },
            accounts: report
                .accounts
                .iter()
                .map(|a| a.account.id.clone())
                .collect(),
            summary,
            controls,
        }
    }
}

/// Adds one rule's results in one account to a control's counts. A finding that names the
/// controls it fails (a narrower list than its rule's) fails only those: for the others its
/// resource passed.
fn add(
    counts: &mut CheckCounts,
    account: &AccountReport,
    report: &ScanReport,
    rule_id: &str,
    framework: &str,
    control: &str,
) {
    let Some(result) = account.rule_results.iter().find(|r| r.rule_id == rule_id) else {
        return;
    };
    let Some(rule) = report.rule(rule_id) else {
        return;
    };
    let mut all_waived: BTreeMap<&str, bool> = BTreeMap::new();
    for finding in account.findings.iter().filter(|f| f.rule_id == rule_id) {
        let fails_control = rule
            .controls_failed_by(finding)
            .get(framework)
            .is_some_and(|ids| ids.iter().any(|id| id == control));
        if fails_control {
            let waived = all_waived.entry(&finding.resource).or_insert(true);
            *waived &= finding.is_waived();
        }
    }
    let waived = all_waived.values().filter(|&&w| w).count();
    let failed = all_waived.len() - waived;
    let judged = result.passed + result.failed + result.waived;
    counts.passed += judged.saturating_sub(failed + waived);
    counts.failed += failed;
    counts.waived += waived;
    counts.not_evaluated += result.not_evaluated;
}

fn status(coverage: Coverage, counts: &CheckCounts) -> ControlStatus {
    match coverage {
        Coverage::None => ControlStatus::NotCovered,
        _ if counts.failed > 0 => ControlStatus::Fail,
        _ if counts.not_evaluated > 0 => ControlStatus::NotEvaluated,
        Coverage::Partial => ControlStatus::Partial,
        Coverage::Full => ControlStatus::Pass,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(failed: usize, not_evaluated: usize) -> CheckCounts {
        CheckCounts {
            passed: 3,
            failed,
            waived: 1,
            not_evaluated,
        }
    }

    #[test]
    fn a_failure_outranks_a_gap_and_a_gap_outranks_partial_coverage() {
        assert_eq!(status(Coverage::Full, &counts(1, 1)), ControlStatus::Fail);
        assert_eq!(
            status(Coverage::Partial, &counts(1, 0)),
            ControlStatus::Fail
        );
        assert_eq!(
            status(Coverage::Partial, &counts(0, 1)),
            ControlStatus::NotEvaluated
        );
        assert_eq!(
            status(Coverage::Partial, &counts(0, 0)),
            ControlStatus::Partial
        );
        assert_eq!(status(Coverage::Full, &counts(0, 0)), ControlStatus::Pass);
        assert_eq!(
            status(Coverage::None, &counts(0, 0)),
            ControlStatus::NotCovered
        );
    }
}
