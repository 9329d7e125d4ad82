//! Evaluation: snapshots in, a `ScanReport` out. Applies disabled rules, waivers and the
//! *not evaluated* logic; knows nothing about AWS, about report formats or about the command
//! line.

mod gaps;
mod plan_changes;
mod results;
mod staleness;
mod waivers;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::model::{
    Finding, REPORT_VERSION, RuleMetadata, ScanReport, Summary, ToolInfo, fingerprint,
};
use crate::policy::{PolicyError, PolicyInput, PolicySet, RawFinding, Rule, evaluation_input};
use crate::snapshot::Snapshot;

pub use staleness::stale_snapshot_warnings;
pub use waivers::{WAIVER_EXPIRED_RULE, waiver_expired_rule};

use gaps::{applicable, not_evaluated};
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
    let accounts = snapshots
        .iter()
        .map(|snapshot| {
            let time = as_of.for_snapshot(snapshot);
            // --as-of and snapshot times are checked where they enter; a library caller's
            // time is checked here, as the rules' nanosecond arithmetic depends on it.
            crate::snapshot::check_time(&time)
                .map_err(|e| PolicyError::Input(format!("the evaluation time {e}")))?;
            let evaluation = evaluation_input(config, time);
            evaluate_account(policies, &enabled, snapshot, time, &evaluation, &waivers)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut rules: Vec<RuleMetadata> = enabled.iter().map(|r| r.metadata.clone()).collect();
    let config_findings = waivers.expired_findings();
    if !config_findings.is_empty() {
        rules.push(waiver_expired_rule());
    }
    let mut report = ScanReport {
        report_version: REPORT_VERSION,
        tool: ToolInfo::keyward(),
        as_of: report_time,
        rules,
        disabled_rules: config.disabled_rules.clone(),
        accounts,
        config_findings,
        baseline: None,
        terraform_plan: None,
        changes: None,
        warnings: Vec::new(),
        filter: None,
        summary: Summary::default(),
    };
    report.summary = report.summarize();
    Ok(report)
}

fn evaluate_account(
    policies: &PolicySet,
    enabled: &[&Rule],
    snapshot: &Snapshot,
    as_of: DateTime<Utc>,
    evaluation: &serde_json::Value,
    waivers: &WaiverSet,
) -> Result<crate::model::AccountReport, PolicyError> {
    // Built once per account and shared by all rules.
    let mut input = PolicyInput::new(snapshot, evaluation)?;
    let access = input.take_access();
    let account_id = &snapshot.account.id;
    let (applying, not_applicable) = applicable(enabled, snapshot);
    let gaps = not_evaluated(&applying, snapshot, access.as_ref());
    let mut findings: Vec<Finding> = policies
        .evaluate(&input, applying.iter().copied())?
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
    // A rule that does not apply judged nothing: counting its resources as passed would make a
    // compliance report claim what was never checked.
    let rule_results = results::rule_results(&applying, snapshot, &findings, &gaps);
    Ok(crate::model::AccountReport {
        account: snapshot.account.clone(),
        as_of,
        collected_at: snapshot.collected_at,
        api_requests: snapshot.collector.api_requests,
        collection_errors: snapshot.collection_errors.clone(),
        findings,
        not_evaluated: gaps,
        not_applicable,
        fixed_by_plan: Vec::new(),
        rule_results,
        access,
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
        controls: raw.controls,
        location: None,
        baseline_state: None,
        plan_change: None,
    }
}

/// Judges a Terraform plan: the accounts before it and after it are evaluated alike, and each
/// finding after it is labelled introduced or unchanged, each finding gone fixed. `plan` names
/// the plan file in the report.
pub fn evaluate_plan(
    policies: &PolicySet,
    before: &[Snapshot],
    after: &[Snapshot],
    config: &Config,
    as_of: AsOf,
    plan: &str,
) -> Result<ScanReport, PolicyError> {
    let before = evaluate(policies, before, config, as_of)?;
    let mut report = evaluate(policies, after, config, as_of)?;
    plan_changes::label(&mut report, &before);
    report.terraform_plan = Some(plan.to_owned());
    report.summary = report.summarize();
    Ok(report)
}
