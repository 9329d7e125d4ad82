//! Evaluation: snapshots in, a `ScanReport` out. Applies disabled rules, waivers and the
//! *not evaluated* logic; knows nothing about AWS or about report formats.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cli::AsOf;
use crate::config::{Config, Waiver};
use crate::findings::{AppliedWaiver, FileLocation, Finding, NotEvaluated, fingerprint};
use crate::policy::{
    PolicyError, PolicyInput, PolicySet, RawFinding, Rule, RuleMetadata, Severity,
};
use crate::snapshot::{Account, CollectionError, DataSection, Snapshot};

/// The version of the JSON report format.
pub const REPORT_VERSION: u32 = 1;

/// The id of the finding keyward raises itself for a waiver past its expiry date.
pub const WAIVER_EXPIRED_RULE: &str = "KW-CFG-001";

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
    /// What changed since the previous scheduled audit (`--output-dir`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<crate::audit::Changes>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
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
    /// Open findings not in the baseline, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_since_baseline: Option<usize>,
}

impl ScanReport {
    /// Every finding, config findings first, then per account.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.config_findings
            .iter()
            .chain(self.accounts.iter().flat_map(|a| a.findings.iter()))
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMetadata> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The process exit code: findings at or above `fail_on` win over an incomplete scan.
    pub fn exit_code(&self, fail_on: Option<Severity>) -> i32 {
        use crate::error::exit;
        let failing = fail_on.is_some_and(|threshold| {
            self.all_findings()
                .any(|f| f.is_gating() && f.severity >= threshold)
        });
        if failing {
            exit::FINDINGS
        } else if self.summary.not_evaluated > 0 {
            exit::INCOMPLETE
        } else {
            exit::CLEAN
        }
    }

    /// Drops waived findings (`--waived omit`), keeping the summary's waived count.
    pub fn omit_waived(&mut self) {
        self.config_findings.retain(|f| !f.is_waived());
        for account in &mut self.accounts {
            account.findings.retain(|f| !f.is_waived());
        }
    }

    /// Compares with an earlier report: only findings it does not know can fail the run.
    pub fn apply_baseline(&mut self, baseline: &ScanReport, source: &str) {
        crate::diff::apply_baseline(self, baseline);
        self.baseline = Some(source.to_owned());
        self.summarize();
    }

    fn summarize(&mut self) {
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
        summary.new_since_baseline = self.baseline.as_ref().map(|_| {
            self.all_findings()
                .filter(|f| !f.is_waived() && f.is_gating())
                .count()
        });
        self.summary = summary;
    }
}

/// Evaluates every snapshot with the enabled rules and applies the config's waivers.
pub fn scan(
    policies: &PolicySet,
    snapshots: &[Snapshot],
    config: &Config,
    as_of: AsOf,
) -> Result<ScanReport, PolicyError> {
    let enabled: Vec<&Rule> = policies
        .rules()
        .iter()
        .filter(|r| !config.disabled_rules.contains(&r.metadata.id))
        .collect();
    let report_time = match as_of {
        AsOf::At(time) => time,
        AsOf::Snapshot => snapshots
            .iter()
            .map(|s| s.collected_at)
            .max()
            .unwrap_or_else(Utc::now),
    };
    let waivers = WaiverSet::new(config, report_time);
    let mut accounts = Vec::with_capacity(snapshots.len());
    for snapshot in snapshots {
        let time = match as_of {
            AsOf::At(time) => time,
            AsOf::Snapshot => snapshot.collected_at,
        };
        let evaluation = evaluation_input(config, time);
        accounts.push(evaluate_account(
            policies,
            &enabled,
            snapshot,
            time,
            &evaluation,
            &waivers,
        )?);
    }
    let mut rules: Vec<RuleMetadata> = enabled.iter().map(|r| r.metadata.clone()).collect();
    let config_findings = waivers.expired_findings();
    if !config_findings.is_empty() {
        rules.push(waiver_expired_rule());
    }
    let mut report = ScanReport {
        report_version: REPORT_VERSION,
        tool: ToolInfo {
            name: "keyward".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        as_of: report_time,
        rules,
        disabled_rules: config.disabled_rules.clone(),
        accounts,
        config_findings,
        baseline: None,
        changes: None,
        summary: Summary::default(),
    };
    report.summarize();
    Ok(report)
}

/// `input.evaluation`: the time and limits the rules measure against.
pub fn evaluation_input(config: &Config, as_of: DateTime<Utc>) -> serde_json::Value {
    json!({
        "as_of": as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "as_of_ns": as_of.timestamp_nanos_opt().unwrap_or(i64::MAX),
        "thresholds": config.thresholds,
        "third_party_key_markers": config
            .third_party_key_markers
            .iter()
            .map(|m| m.to_lowercase())
            .collect::<Vec<_>>(),
    })
}

fn evaluate_account(
    policies: &PolicySet,
    enabled: &[&Rule],
    snapshot: &Snapshot,
    as_of: DateTime<Utc>,
    evaluation: &serde_json::Value,
    waivers: &WaiverSet,
) -> Result<AccountReport, PolicyError> {
    // Built once per account and shared by all rules.
    let input = PolicyInput::new(snapshot, evaluation)?;
    let account_id = &snapshot.account.id;
    let gaps = not_evaluated(enabled, snapshot);
    let mut findings: Vec<Finding> = policies
        .evaluate(&input, enabled.iter().copied())?
        .into_iter()
        .flat_map(|(rule, raw)| raw.into_iter().map(move |f| (rule, f)))
        .map(|(rule, raw)| to_finding(rule, raw, account_id, waivers))
        .filter(|finding| !gaps.iter().any(|gap| gap.covers(finding)))
        .collect();
    findings.sort_by(|a, b| {
        (b.severity, &a.rule_id, &a.resource, &a.fingerprint).cmp(&(
            a.severity,
            &b.rule_id,
            &b.resource,
            &b.fingerprint,
        ))
    });
    Ok(AccountReport {
        account: snapshot.account.clone(),
        as_of,
        collected_at: snapshot.collected_at,
        api_requests: snapshot.collector.api_requests,
        collection_errors: snapshot.collection_errors.clone(),
        findings,
        not_evaluated: gaps,
    })
}

fn to_finding(rule: &Rule, raw: RawFinding, account_id: &str, waivers: &WaiverSet) -> Finding {
    let id = &rule.metadata.id;
    Finding {
        fingerprint: fingerprint(id, account_id, &raw.resource, raw.key.as_deref()),
        waiver: waivers.applying(id, &raw.resource),
        rule_id: id.clone(),
        severity: rule.metadata.severity,
        account_id: account_id.to_owned(),
        region: raw.region,
        resource: raw.resource,
        message: raw.message,
        evidence: raw.evidence,
        location: None,
        baseline_state: None,
    }
}

/// A rule is *not evaluated* for every scope (account, region or resource) where a section it
/// reads has a collection error: missing data never passes as clean.
fn not_evaluated(enabled: &[&Rule], snapshot: &Snapshot) -> Vec<NotEvaluated> {
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
    let sections: Vec<&str> = error
        .sections
        .iter()
        .map(|s| DataSection::name(*s))
        .collect();
    let kind = serde_json::to_value(error.kind).expect("enum serializes");
    format!(
        "{} {} failed ({}): {} [{}]",
        error.service,
        error.operation,
        kind.as_str().unwrap_or("error"),
        error.message,
        sections.join(", ")
    )
}

/// The config's waivers, split by the evaluation time into live and expired.
struct WaiverSet<'a> {
    live: Vec<&'a Waiver>,
    expired: Vec<(usize, &'a Waiver)>,
    config_path: Option<(String, &'a [usize])>,
}

impl<'a> WaiverSet<'a> {
    fn new(config: &'a Config, as_of: DateTime<Utc>) -> Self {
        let today = as_of.date_naive();
        let (live, expired): (Vec<_>, Vec<_>) = config
            .waivers
            .iter()
            .enumerate()
            .partition(|(_, w)| w.expires >= today);
        WaiverSet {
            live: live.into_iter().map(|(_, w)| w).collect(),
            expired,
            config_path: config
                .source
                .as_ref()
                .map(|s| (s.path.display().to_string(), s.waiver_lines.as_slice())),
        }
    }

    fn applying(&self, rule_id: &str, resource: &str) -> Option<AppliedWaiver> {
        self.live
            .iter()
            .find(|w| w.matches(rule_id, resource))
            .map(|w| AppliedWaiver {
                owner: w.owner.clone(),
                reason: w.reason.clone(),
                expires: w.expires,
            })
    }

    /// An expired waiver no longer suppresses anything and is reported itself, pointing at its
    /// line in the config, so that someone renews it or fixes what it covered.
    fn expired_findings(&self) -> Vec<Finding> {
        self.expired
            .iter()
            .map(|(index, waiver)| {
                let (path, lines) = self.config_path.clone().unwrap_or_default();
                let line = lines.get(*index).copied().unwrap_or(1);
                Finding {
                    rule_id: WAIVER_EXPIRED_RULE.to_owned(),
                    severity: Severity::Low,
                    account_id: String::new(),
                    region: None,
                    resource: waiver.resource.clone(),
                    message: format!(
                        "waiver for {} on {} (owner {}) expired on {}; its findings are reported again",
                        waiver.rule, waiver.resource, waiver.owner, waiver.expires
                    ),
                    evidence: json!({
                        "rule": waiver.rule,
                        "owner": waiver.owner,
                        "reason": waiver.reason,
                        "expired": waiver.expires.to_string(),
                    })
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                    fingerprint: fingerprint(WAIVER_EXPIRED_RULE, "", &waiver.rule, Some(&waiver.resource)),
                    waiver: None,
                    location: Some(FileLocation { path, line }),
                    baseline_state: None,
                }
            })
            .collect()
    }
}

/// The metadata of the rule keyward applies to its own config.
pub fn waiver_expired_rule() -> RuleMetadata {
    RuleMetadata {
        id: WAIVER_EXPIRED_RULE.to_owned(),
        name: "waiver-expired".to_owned(),
        title: "Waiver past its expiry date".to_owned(),
        description: "A waiver accepts a finding for a limited time, with an owner and a reason. \
                      Once its expiry date has passed it no longer suppresses anything: the \
                      findings it covered are reported again, and the stale waiver is reported \
                      so that its owner either fixes the finding or renews the waiver on purpose."
            .to_owned(),
        severity: Severity::Low,
        remediation: "Fix the finding the waiver covered and delete the waiver from keyward.yaml, \
                      or, if the risk is still accepted, set a new `expires` date after review \
                      with the owner."
            .to_owned(),
        requires: Vec::new(),
        controls: BTreeMap::new(),
        references: Vec::new(),
        evaluation_group: None,
    }
}
