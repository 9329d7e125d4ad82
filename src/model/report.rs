//! The result of a scan, as every report format renders it and as the JSON report stores it
//! (a public format: see `REPORT_VERSION`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::snapshot::{Account, CollectionError};

use super::access::AccessSummary;
use super::filter::ReportFilter;
use super::finding::{Finding, NotApplicable, NotEvaluated, PlanChange};
use super::outcome::Outcome;
use super::rule::RuleMetadata;
use super::severity::Severity;

/// The version of the JSON report format. Version 2 wrote each control a rule maps to as an
/// object (`{"id": "1.16", "partial": true, "leaves_out": "..."}`) where version 1 wrote the bare
/// id. Version 3 adds what each rule evaluated per account (`accounts[].rule_results`) and the
/// resource kinds a rule judges (`rules[].evaluates`); a compliance report made from an earlier
/// report has no pass counts. Version 4 adds what a Terraform plan brings: `not_applicable` (per
/// account and in the summary), `fixed_by_plan`, `terraform_plan`, each finding's `plan_change`
/// and the summary's `plan`. Version 5 adds the filter a report was narrowed to (`filter`), its
/// caveats (`warnings`, e.g. a stale snapshot) and gaps scoped to `regions not scanned`. Earlier
/// versions keep loading: a bare id reads as a mapping to the whole control, and a report
/// without the later fields reads as one of a scan without a plan, a filter or a warning (see
/// `README.md`, "Public formats and what changed"). Version 6 adds `accounts[].access` (the
/// effective access of each account); earlier reports load without it. Version 7 makes who can
/// assume a role compact: the account's own principals as grants listed once
/// (`access.assumers`, a group once with its member count) that roles' `assumed_by` refer to by
/// index, the trust statements under the role's `trust`, and everyone else under
/// `assumed_by_outside`; a version 6 report's lists are converted on read.
pub const REPORT_VERSION: u32 = 7;

/// The whole result of a scan: what every format renders.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanReport {
    pub report_version: u32,
    pub tool: ToolInfo,
    /// The evaluation time (the latest one when each snapshot was judged at its own time).
    pub as_of: DateTime<Utc>,
    /// The rules that ran (and `KW-CFG-001` when a waiver expired).
    pub rules: Vec<RuleMetadata>,
    /// Rule ids switched off in the config.
    #[serde(default)]
    pub disabled_rules: Vec<String>,
    pub accounts: Vec<AccountReport>,
    /// Findings about the config itself (expired waivers).
    #[serde(default)]
    pub config_findings: Vec<Finding>,
    /// The baseline report the findings were compared with (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The Terraform plan judged (`--terraform-plan`); its findings carry a `plan_change`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terraform_plan: Option<String>,
    /// What changed since the previous scheduled audit (`--output-dir`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
    /// What the reader should know before trusting the report (a snapshot judged long after
    /// it was collected).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ReportWarning>,
    /// What the report was narrowed to (`--severity`, `--rule`, `--skip-rule`, `--only-new`),
    /// when it was: its findings, gaps and summary are only those the filter shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<ReportFilter>,
    pub summary: Summary,
}

/// A caveat on the whole report, or on one account's part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportWarning {
    /// The account it concerns, when it concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub message: String,
}

/// The program that wrote a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl ToolInfo {
    /// This build of keyward.
    pub fn keyward() -> ToolInfo {
        ToolInfo {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// The result for one account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountReport {
    pub account: Account,
    /// The time this account's ages were measured against.
    pub as_of: DateTime<Utc>,
    /// When its snapshot was collected.
    pub collected_at: DateTime<Utc>,
    /// API requests the collection made, when it was live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_requests: Option<u64>,
    #[serde(default)]
    pub collection_errors: Vec<CollectionError>,
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub not_evaluated: Vec<NotEvaluated>,
    /// Rules that do not apply to this account's snapshot (see `NotApplicable`).
    #[serde(default)]
    pub not_applicable: Vec<NotApplicable>,
    /// Findings of the account before a Terraform plan that the plan removes (`--terraform-plan`
    /// with a live scan or `--snapshot`); they are not open and never fail a run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed_by_plan: Vec<Finding>,
    /// What each rule that applies judged in this account, in rule order.
    #[serde(default)]
    pub rule_results: Vec<RuleResult>,
    /// Who can read the account's secrets, and who has administrative access, in effect.
    /// Absent from reports before version 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<AccessSummary>,
}

/// What one rule judged in one account, counted in resources (an access key's findings count
/// for its user). `passed + failed + waived` resources were evaluated; a resource inside a
/// not-evaluated scope is in none of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    pub rule_id: String,
    /// Resources of the kinds the rule judges without a finding of it.
    pub passed: usize,
    /// Resources with at least one unwaived finding.
    pub failed: usize,
    /// Resources whose every finding is waived.
    pub waived: usize,
    /// Scopes (the account, a region or one resource) the rule could not be evaluated in,
    /// because data it reads was not collected: how many resources they hold is unknown.
    pub not_evaluated: usize,
}

impl AccountReport {
    /// Unwaived findings of one severity.
    pub fn open_count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| !f.is_waived() && f.severity == severity)
            .count()
    }

    pub fn waived_count(&self) -> usize {
        self.findings.iter().filter(|f| f.is_waived()).count()
    }

    /// The id, with the Organizations name or the alias when there is one.
    pub fn label(&self) -> String {
        match self.account.name.as_ref().or(self.account.alias.as_ref()) {
            Some(name) => format!("{} ({name})", self.account.id),
            None => self.account.id.clone(),
        }
    }
}

/// Counts over the whole report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub accounts: usize,
    /// Unwaived findings per severity.
    pub open: BTreeMap<Severity, usize>,
    pub open_total: usize,
    pub waived: usize,
    pub not_evaluated: usize,
    /// Rules not applicable, counted per account.
    #[serde(default)]
    pub not_applicable: usize,
    /// Open findings not in the baseline, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_since_baseline: Option<usize>,
    /// What a Terraform plan does to the findings, when one was judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanSummary>,
}

/// Findings by what a Terraform plan does to them (open ones; waived ones are not counted).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanSummary {
    pub introduced: usize,
    pub fixed: usize,
    pub unchanged: usize,
}

/// What changed since the previous audit in the same directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Changes {
    /// The previous audit's directory name (its time).
    pub since: String,
    #[serde(flatten)]
    pub drift: Drift,
}

/// What changed between two scans. Findings are matched by fingerprint, never by message.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Drift {
    /// Open in the newer scan, absent from the older one.
    pub new: Vec<Finding>,
    /// In the older scan, gone from the newer one.
    pub resolved: Vec<Finding>,
    /// Open in both.
    pub still_open: Vec<Finding>,
}

impl Drift {
    pub fn summary_line(&self) -> String {
        format!(
            "{} new, {} resolved, {} still open",
            self.new.len(),
            self.resolved.len(),
            self.still_open.len()
        )
    }
}

impl ScanReport {
    /// Every finding, config findings first, then per account.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.config_findings
            .iter()
            .chain(self.accounts.iter().flat_map(|a| a.findings.iter()))
    }

    /// Open findings by plan change, when the findings were labelled by a Terraform plan.
    fn plan_summary(&self) -> Option<PlanSummary> {
        self.terraform_plan.as_ref()?;
        let labelled = self
            .all_findings()
            .chain(self.accounts.iter().flat_map(|a| a.fixed_by_plan.iter()))
            .filter(|f| !f.is_waived())
            .filter_map(|f| f.plan_change);
        let mut counts = PlanSummary::default();
        for change in labelled {
            match change {
                PlanChange::Introduced => counts.introduced += 1,
                PlanChange::Fixed => counts.fixed += 1,
                PlanChange::Unchanged => counts.unchanged += 1,
            }
        }
        Some(counts)
    }

    /// Every finding, mutably, in the order of `all_findings`.
    pub fn all_findings_mut(&mut self) -> impl Iterator<Item = &mut Finding> {
        self.config_findings
            .iter_mut()
            .chain(self.accounts.iter_mut().flat_map(|a| a.findings.iter_mut()))
    }

    /// The fingerprints of every finding, waived ones included: a waived finding is known.
    pub fn fingerprints(&self) -> BTreeSet<&str> {
        self.all_findings()
            .map(|f| f.fingerprint.as_str())
            .collect()
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMetadata> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// How the run ended: gating findings at or above `fail_on` win over an incomplete scan;
    /// `None` never fails on findings.
    pub fn outcome(&self, fail_on: Option<Severity>) -> Outcome {
        let failing = fail_on.is_some_and(|threshold| {
            self.all_findings()
                .any(|f| f.is_gating() && f.severity >= threshold)
        });
        if failing {
            Outcome::Findings
        } else if self.summary.not_evaluated > 0 {
            Outcome::Incomplete
        } else {
            Outcome::Clean
        }
    }

    /// The report narrowed to `filter`: findings, config findings and *not evaluated* gaps of
    /// the rules it shows, the summary recounted. An empty filter changes nothing.
    pub fn filtered(mut self, filter: &ReportFilter) -> ScanReport {
        if filter.is_empty() {
            return self;
        }
        let severity_of = |id: &str| self.rule(id).map(|r| r.severity);
        let gap_shown: Vec<Vec<bool>> = self
            .accounts
            .iter()
            .map(|a| {
                a.not_evaluated
                    .iter()
                    // A gap is not a finding: `--only-new` keeps it, as nothing says it is old.
                    .map(|g| filter.shows_rule(&g.rule_id, severity_of(&g.rule_id)))
                    .collect()
            })
            .collect();
        self.config_findings.retain(|f| filter.shows(f));
        let rules_shown: BTreeSet<String> = self
            .rules
            .iter()
            .filter(|r| filter.shows_rule(&r.id, Some(r.severity)))
            .map(|r| r.id.clone())
            .collect();
        for (account, shown) in self.accounts.iter_mut().zip(gap_shown) {
            account.findings.retain(|f| filter.shows(f));
            account
                .rule_results
                .retain(|r| rules_shown.contains(&r.rule_id));
            account
                .not_applicable
                .retain(|n| rules_shown.contains(&n.rule_id));
            account
                .fixed_by_plan
                .retain(|f| filter.shows_rule(&f.rule_id, Some(f.severity)));
            let mut shown = shown.into_iter();
            account
                .not_evaluated
                .retain(|_| shown.next().unwrap_or(true));
        }
        self.filter = Some(filter.clone());
        self.summary = self.summarize();
        self
    }

    /// The report without its waived findings (`--waived omit`); the summary keeps counting
    /// them, so the reader still learns that waivers applied.
    /// The report of some of its accounts (a SARIF file of at most 20 runs), with or without
    /// the config findings; the rest is copied, but not the other accounts.
    pub fn with_accounts(
        &self,
        accounts: Vec<AccountReport>,
        with_config_findings: bool,
    ) -> ScanReport {
        ScanReport {
            report_version: self.report_version,
            tool: self.tool.clone(),
            as_of: self.as_of,
            rules: self.rules.clone(),
            disabled_rules: self.disabled_rules.clone(),
            accounts,
            config_findings: if with_config_findings {
                self.config_findings.clone()
            } else {
                Vec::new()
            },
            baseline: self.baseline.clone(),
            terraform_plan: self.terraform_plan.clone(),
            changes: self.changes.clone(),
            warnings: self.warnings.clone(),
            filter: self.filter.clone(),
            summary: self.summary.clone(),
        }
    }

    pub fn without_waived(mut self) -> ScanReport {
        self.config_findings.retain(|f| !f.is_waived());
        for account in &mut self.accounts {
            account.findings.retain(|f| !f.is_waived());
        }
        self
    }

    /// The summary recounted from the findings, gaps and baseline marks.
    pub fn summarize(&self) -> Summary {
        let mut summary = Summary {
            accounts: self.accounts.len(),
            ..Summary::default()
        };
        for finding in self.all_findings() {
            if finding.is_waived() {
                summary.waived += 1;
            } else {
                *summary.open.entry(finding.severity).or_default() += 1;
                summary.open_total += 1;
            }
        }
        summary.not_evaluated = self.accounts.iter().map(|a| a.not_evaluated.len()).sum();
        summary.not_applicable = self.accounts.iter().map(|a| a.not_applicable.len()).sum();
        summary.plan = self.plan_summary();
        summary.new_since_baseline = self.baseline.as_ref().map(|_| {
            self.all_findings()
                .filter(|f| !f.is_waived() && f.is_gating())
                .count()
        });
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version 1 report, as keyward 0.1 wrote it: controls were bare ids.
    const VERSION_1: &str = r#"{
      "report_version": 1,
      "tool": {"name": "keyward", "version": "0.1.0"},
      "as_of": "2026-05-03T09:00:00Z",
      "rules": [{
        "id": "KW-IAM-009", "name": "access-key-not-rotated", "title": "t", "description": "d",
        "severity": "high", "remediation": "r", "requires": ["iam.credentials"],
        "controls": {"cis-aws-foundations-v3.0": ["1.14"], "aws-securityhub": ["IAM.3"]},
        "references": []
      }],
      "accounts": [],
      "summary": {"accounts": 0, "open": {}, "open_total": 0, "waived": 0, "not_evaluated": 0}
    }"#;

    #[test]
    fn a_version_1_report_loads_and_its_controls_map_whole_controls() {
        let report: ScanReport = serde_json::from_str(VERSION_1).unwrap();
        let rule = report.rule("KW-IAM-009").unwrap();
        assert_eq!(rule.controls["aws-securityhub"][0].id, "IAM.3");
        assert!(!rule.controls["cis-aws-foundations-v3.0"][0].partial);
        let written = serde_json::to_value(&report).unwrap();
        assert_eq!(
            written["rules"][0]["controls"]["aws-securityhub"][0],
            serde_json::json!({"id": "IAM.3", "partial": false})
        );
    }

    /// A version 2 report as keyward wrote it before Terraform plans: controls are objects, a
    /// finding may name the controls it fails, and there is nothing about a plan.
    const VERSION_2: &str = r#"{
      "report_version": 2,
      "tool": {"name": "keyward", "version": "0.1.0"},
      "as_of": "2026-09-01T12:00:00Z",
      "rules": [{
        "id": "KW-IAM-012", "name": "weak-password-policy", "title": "t", "description": "d",
        "severity": "medium", "remediation": "r", "requires": ["iam.password_policy"],
        "controls": {"cis-aws-foundations-v3.0": [
          {"id": "1.8", "partial": false},
          {"id": "1.9", "partial": true, "leaves_out": "x", "completed_by": ["KW-IAM-005"]}
        ]},
        "references": []
      }],
      "accounts": [{
        "account": {"id": "123456789012", "partition": "aws"},
        "as_of": "2026-09-01T12:00:00Z",
        "collected_at": "2026-09-01T11:59:00Z",
        "findings": [{
          "rule_id": "KW-IAM-012", "severity": "medium", "account_id": "123456789012",
          "resource": "arn:aws:iam::123456789012:root", "message": "m",
          "controls": {"cis-aws-foundations-v3.0": ["1.9"]},
          "fingerprint": "f"
        }],
        "not_evaluated": []
      }],
      "summary": {"accounts": 1, "open": {"medium": 1}, "open_total": 1, "waived": 0,
                  "not_evaluated": 0}
    }"#;

    #[test]
    fn a_version_2_report_loads_as_a_scan_without_a_plan() {
        let report: ScanReport = serde_json::from_str(VERSION_2).unwrap();
        let mapping = &report.rule("KW-IAM-012").unwrap().controls["cis-aws-foundations-v3.0"];
        assert!(mapping[1].partial);
        assert_eq!(mapping[1].completed_by, ["KW-IAM-005"]);
        assert_eq!(report.terraform_plan, None);
        let account = &report.accounts[0];
        assert!(account.not_applicable.is_empty() && account.fixed_by_plan.is_empty());
        let finding = &account.findings[0];
        assert_eq!(finding.plan_change, None);
        assert_eq!(
            finding.controls.as_ref().unwrap()["cis-aws-foundations-v3.0"],
            ["1.9"]
        );
        // Without a plan, an open finding gates as it did.
        assert!(finding.is_gating());
        let summary = report.summarize();
        assert_eq!((summary.open_total, summary.not_applicable), (1, 0));
        assert_eq!(summary.plan, None);
    }

    #[test]
    fn a_version_3_report_loads_with_its_rule_results_and_without_a_plan() {
        let text = VERSION_2
            .replace(r#""report_version": 2"#, r#""report_version": 3"#)
            .replace(
                r#""requires": ["iam.password_policy"],"#,
                r#""requires": ["iam.password_policy"], "evaluates": ["account"],"#,
            )
            .replace(
                r#""not_evaluated": []"#,
                r#""not_evaluated": [], "rule_results": [{"rule_id": "KW-IAM-012",
                   "passed": 0, "failed": 1, "waived": 0, "not_evaluated": 0}]"#,
            );
        let report: ScanReport = serde_json::from_str(&text).unwrap();
        let account = &report.accounts[0];
        assert_eq!(account.rule_results[0].failed, 1);
        assert!(account.not_applicable.is_empty() && account.fixed_by_plan.is_empty());
        assert_eq!(report.terraform_plan, None);
        assert!(account.findings[0].is_gating());
    }

    #[test]
    fn a_version_2_report_of_a_development_build_keeps_its_plan_fields() {
        // Before the Terraform support was released as version 4, a development build of it
        // also wrote version 2: bare control ids, and the plan's fields.
        let text = VERSION_2
            .replace(
                r#"[
          {"id": "1.8", "partial": false},
          {"id": "1.9", "partial": true, "leaves_out": "x", "completed_by": ["KW-IAM-005"]}
        ]"#,
                r#"["1.8", "1.9"]"#,
            )
            .replace(
                r#""fingerprint": "f""#,
                r#""fingerprint": "f", "plan_change": "unchanged""#,
            )
            .replace(
                r#""not_evaluated": []"#,
                r#""not_evaluated": [], "not_applicable": [{"rule_id": "KW-IAM-009",
                   "account_id": "123456789012", "reason": "a plan alone has no ages"}]"#,
            )
            .replace(
                r#""accounts": [{"#,
                r#""terraform_plan": "plan.json", "accounts": [{"#,
            );
        let report: ScanReport = serde_json::from_str(&text).unwrap();
        let mapping = &report.rule("KW-IAM-012").unwrap().controls["cis-aws-foundations-v3.0"];
        assert!(mapping.iter().all(|m| !m.partial));
        assert_eq!(report.terraform_plan.as_deref(), Some("plan.json"));
        let finding = &report.accounts[0].findings[0];
        assert_eq!(finding.plan_change, Some(PlanChange::Unchanged));
        // An unchanged finding does not fail a pre-deploy gate.
        assert!(!finding.is_gating());
        let summary = report.summarize();
        assert_eq!(summary.not_applicable, 1);
        assert_eq!(
            summary.plan,
            Some(PlanSummary {
                introduced: 0,
                fixed: 0,
                unchanged: 1
            })
        );
    }
}
