//! Evaluation: snapshots in, a `ScanReport` out. Applies disabled rules, waivers and the
//! *not evaluated* logic; knows nothing about AWS, about report formats or about the command
//! line.

mod gaps;
mod waivers;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::model::{
    AccountReport, Finding, REPORT_VERSION, RuleMetadata, ScanReport, Summary, ToolInfo,
    fingerprint,
};
use crate::policy::{PolicyError, PolicyInput, PolicySet, RawFinding, Rule, evaluation_input};
use crate::snapshot::Snapshot;

pub use waivers::{WAIVER_EXPIRED_RULE, waiver_expired_rule};

use gaps::not_evaluated;
use waivers::WaiverSet;

/// The time rules measure ages against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    At(DateTime<Utc>),
    /// Each snapshot's own collection time: reproduces the result of the day it was taken.
    Snapshot,
}

impl AsOf {
    /// The time one snapshot is judged at.
    fn for_snapshot(self, snapshot: &Snapshot) -> DateTime<Utc> {
        match self {
            AsOf::At(time) => time,
            AsOf::Snapshot => snapshot.collected_at,
        }
    }
}

/// Evaluates every snapshot with the enabled rules and applies the config's waivers.
pub fn evaluate(
    policies: &PolicySet,
    snapshots: &[Snapshot],
    config: &Config,
    as_of: AsOf,
) -> Result<ScanReport, PolicyError> {
    let mut evaluation = Evaluation::new(policies, config, as_of);
    for snapshot in snapshots {
        evaluation.add(snapshot)?;
    }
    Ok(evaluation.finish())
}

/// A scan in progress: accounts are added one at a time, as each snapshot is read or its
/// collection ends, and only their results are kept; the caller drops each snapshot once it
/// is added, so that a scan of thousands of accounts never holds more than a few snapshots.
/// `finish` makes the report.
pub struct Evaluation<'a> {
    policies: &'a PolicySet,
    config: &'a Config,
    enabled: Vec<&'a Rule>,
    as_of: AsOf,
    accounts: Vec<AccountReport>,
}

impl<'a> Evaluation<'a> {
    pub fn new(policies: &'a PolicySet, config: &'a Config, as_of: AsOf) -> Self {
        let enabled = policies
            .rules()
            .iter()
            .filter(|r| !config.disabled_rules.contains(&r.metadata.id))
            .collect();
        Evaluation {
            policies,
            config,
            enabled,
            as_of,
            accounts: Vec::new(),
        }
    }

    /// Evaluates one account and keeps its findings (waivers are applied by `finish`).
    pub fn add(&mut self, snapshot: &Snapshot) -> Result<&AccountReport, PolicyError> {
        let time = self.as_of.for_snapshot(snapshot);
        // --as-of and snapshot times are checked where they enter; a library caller's time is
        // checked here, as the rules' nanosecond arithmetic depends on it.
        crate::snapshot::check_time(&time)
            .map_err(|e| PolicyError::Input(format!("the evaluation time {e}")))?;
        let evaluation = evaluation_input(self.config, time);
        let account = evaluate_account(self.policies, &self.enabled, snapshot, time, &evaluation)?;
        self.accounts.push(account);
        Ok(self.accounts.last().expect("just added"))
    }

    /// Orders the accounts evaluated so far by account id (a collection of many accounts ends
    /// them in any order).
    pub fn sort_accounts(&mut self) {
        self.accounts
            .sort_by(|a, b| a.account.id.cmp(&b.account.id));
    }

    /// The report: waivers applied as of the report's time (with `AsOf::Snapshot` the latest
    /// account's collection time, known only once every account is in), expired waivers
    /// reported.
    pub fn finish(self) -> ScanReport {
        let report_time = match self.as_of {
            AsOf::At(time) => time,
            AsOf::Snapshot => self
                .accounts
                .iter()
                .map(|a| a.collected_at)
                .max()
                .unwrap_or_else(Utc::now),
        };
        let waivers = WaiverSet::new(self.config, report_time);
        let mut accounts = self.accounts;
        for finding in accounts.iter_mut().flat_map(|a| a.findings.iter_mut()) {
            finding.waiver = waivers.applying(&finding.rule_id, &finding.resource);
        }
        let mut rules: Vec<RuleMetadata> =
            self.enabled.iter().map(|r| r.metadata.clone()).collect();
        let config_findings = waivers.expired_findings();
        if !config_findings.is_empty() {
            rules.push(waiver_expired_rule());
        }
        let mut report = ScanReport {
            report_version: REPORT_VERSION,
            tool: ToolInfo::keyward(),
            as_of: report_time,
            rules,
            disabled_rules: self.config.disabled_rules.clone(),
            accounts,
            config_findings,
            baseline: None,
            changes: None,
            summary: Summary::default(),
        };
        report.summary = report.summarize();
        report
    }
}

fn evaluate_account(
    policies: &PolicySet,
    enabled: &[&Rule],
    snapshot: &Snapshot,
    as_of: DateTime<Utc>,
    evaluation: &serde_json::Value,
) -> Result<AccountReport, PolicyError> {
    // Built once per account and shared by all rules.
    let input = PolicyInput::new(snapshot, evaluation)?;
    let account_id = &snapshot.account.id;
    let gaps = not_evaluated(enabled, snapshot);
    let mut findings: Vec<Finding> = policies
        .evaluate(&input, enabled.iter().copied())?
        .into_iter()
        .flat_map(|(rule, raw)| raw.into_iter().map(move |f| (rule, f)))
        .map(|(rule, raw)| to_finding(rule, raw, account_id))
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

fn to_finding(rule: &Rule, raw: RawFinding, account_id: &str) -> Finding {
    let id = &rule.metadata.id;
    Finding {
        fingerprint: fingerprint(id, account_id, &raw.resource, raw.key.as_deref()),
        waiver: None,
        rule_id: id.clone(),
        severity: rule.metadata.severity,
        account_id: account_id.to_owned(),
        region: raw.region,
        resource: raw.resource,
        message: raw.message,
        evidence: raw.evidence,
        controls: raw.controls,
        location: None,
        baseline_state: None,
    }
}
