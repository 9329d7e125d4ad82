//! `keyward merge`: the JSON reports of the parts of a sharded scan (`scan --shard K/N`) as one
//! report of the whole organization. Pure: reports in, a report out; files are the command
//! layer's.
//!
//! - Every account is in one part only: an account in two reports is refused, as two snapshots
//!   of one account are by `scan` (its findings would count twice and its SARIF runs clash).
//! - The parts were scanned with one config, so their config findings (expired waivers) are
//!   the same: each is kept once, by fingerprint. Rules and disabled rules are the union, in
//!   the first part's order.
//! - The report's time is the latest part's (each account keeps its own); accounts are listed
//!   by id, as a scan of the whole organization lists them; the summary is counted again.
//! - What changed since an earlier audit (`changes`) belongs to one part's audit directory and
//!   is left out; a baseline (or Terraform plan) is kept when every part named the same one.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    Finding, REPORT_VERSION, ReportWarning, RuleMetadata, ScanReport, Summary, ToolInfo,
};

/// Reports that cannot be merged.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error("no report to merge")]
    Nothing,
    /// Indexes into the reports given, and the account in both.
    #[error("account {account} is in two reports")]
    DuplicateAccount {
        account: String,
        first: usize,
        second: usize,
    },
}

/// One report of the accounts of every part.
pub fn merge(parts: Vec<ScanReport>) -> Result<ScanReport, MergeError> {
    let as_of = parts
        .iter()
        .map(|p| p.as_of)
        .max()
        .ok_or(MergeError::Nothing)?;
    let baseline = common(parts.iter().map(|p| p.baseline.clone()));
    let terraform_plan = common(parts.iter().map(|p| p.terraform_plan.clone()));
    // A filter applies to the merged report only when every part was narrowed alike.
    let filter = match parts.iter().all(|p| p.filter == parts[0].filter) {
        true => parts[0].filter.clone(),
        false => None,
    };
    let mut warnings: Vec<ReportWarning> = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut rules: Vec<RuleMetadata> = Vec::new();
    let mut disabled_rules: Vec<String> = Vec::new();
    let mut config_findings: Vec<Finding> = Vec::new();
    let mut accounts = Vec::new();
    for (index, part) in parts.into_iter().enumerate() {
        for account in part.accounts {
            if let Some(first) = seen.insert(account.account.id.clone(), index) {
                return Err(MergeError::DuplicateAccount {
                    account: account.account.id,
                    first,
                    second: index,
                });
            }
            accounts.push(account);
        }
        add_new(&mut rules, part.rules, |r| r.id.clone());
        add_new(&mut disabled_rules, part.disabled_rules, String::clone);
        add_new(&mut warnings, part.warnings, ReportWarning::clone);
        add_new(&mut config_findings, part.config_findings, |f| {
            f.fingerprint.clone()
        });
    }
    accounts.sort_by(|a, b| a.account.id.cmp(&b.account.id));
    let mut report = ScanReport {
        report_version: REPORT_VERSION,
        tool: ToolInfo::keyward(),
        as_of,
        rules,
        disabled_rules,
        accounts,
        config_findings,
        baseline,
        terraform_plan,
        changes: None,
        warnings,
        filter,
        summary: Summary::default(),
    };
    report.summary = report.summarize();
    Ok(report)
}

/// The value every part has, or none when they differ.
fn common(values: impl Iterator<Item = Option<String>>) -> Option<String> {
    let values: BTreeSet<Option<String>> = values.collect();
    match values.len() {
        1 => values.into_iter().next().flatten(),
        _ => None,
    }
}

/// Appends the items whose key `into` does not hold yet, in their order: the parts' rules and
/// config findings are mostly the same, and the first part's order is kept.
fn add_new<T, K: PartialEq>(into: &mut Vec<T>, items: Vec<T>, key: impl Fn(&T) -> K) {
    for item in items {
        let k = key(&item);
        if !into.iter().any(|existing| key(existing) == k) {
            into.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of accounts without findings, scanned at `day` of November 2026.
    fn report(day: u32, accounts: &[&str]) -> ScanReport {
        let accounts: Vec<serde_json::Value> = accounts
            .iter()
            .map(|id| {
                serde_json::json!({
                    "account": {"id": id, "partition": "aws"},
                    "as_of": format!("2026-11-{day:02}T00:00:00Z"),
                    "collected_at": format!("2026-11-{day:02}T00:00:00Z"),
                    "findings": [],
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "report_version": REPORT_VERSION,
            "tool": {"name": "keyward", "version": "0"},
            "as_of": format!("2026-11-{day:02}T00:00:00Z"),
            "rules": [],
            "disabled_rules": [format!("KW-{day}")],
            "accounts": accounts,
            "summary": Summary::default(),
        }))
        .unwrap()
    }

    #[test]
    fn parts_merge_into_one_report_of_every_account() {
        let merged = merge(vec![
            report(3, &["333333333333", "111111111111"]),
            report(5, &["222222222222"]),
        ])
        .unwrap();
        let ids: Vec<&str> = merged
            .accounts
            .iter()
            .map(|a| a.account.id.as_str())
            .collect();
        assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
        assert_eq!(merged.summary.accounts, 3);
        assert_eq!(merged.as_of.to_rfc3339(), "2026-11-05T00:00:00+00:00");
        assert_eq!(merged.disabled_rules, ["KW-3", "KW-5"]);
    }

    #[test]
    fn an_account_in_two_parts_is_refused() {
        let error = merge(vec![
            report(3, &["111111111111"]),
            report(3, &["222222222222"]),
            report(3, &["111111111111"]),
        ])
        .unwrap_err();
        assert_eq!(
            error,
            MergeError::DuplicateAccount {
                account: "111111111111".to_owned(),
                first: 0,
                second: 2
            }
        );
        assert_eq!(merge(Vec::new()).unwrap_err(), MergeError::Nothing);
    }
}
