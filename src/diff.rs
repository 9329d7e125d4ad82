//! Comparing scans: a baseline (fail only on what is new), `keyward diff`, and the drift since
//! the previous scheduled audit. Findings are matched by fingerprint (rule, account, resource,
//! key), never by message, so a finding whose age grew is still the same finding.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::findings::Finding;
use crate::scan::ScanReport;

/// A finding's state relative to a baseline (SARIF's `baselineState` uses the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline already.
    Unchanged,
}

/// What changed between two scans.
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
    pub fn between(old: &ScanReport, new: &ScanReport) -> Drift {
        let old_prints = fingerprints(old);
        let new_prints = fingerprints(new);
        let open_in_new = new.all_findings().filter(|f| !f.is_waived());
        let (still_open, new_findings): (Vec<&Finding>, Vec<&Finding>) =
            open_in_new.partition(|f| old_prints.contains(f.fingerprint.as_str()));
        Drift {
            new: new_findings.into_iter().cloned().collect(),
            resolved: old
                .all_findings()
                .filter(|f| !new_prints.contains(f.fingerprint.as_str()))
                .cloned()
                .collect(),
            still_open: still_open.into_iter().cloned().collect(),
        }
    }

    pub fn summary_line(&self) -> String {
        format!(
            "{} new, {} resolved, {} still open",
            self.new.len(),
            self.resolved.len(),
            self.still_open.len()
        )
    }
}

/// Marks every finding of `report` new or unchanged relative to `baseline`.
pub fn apply_baseline(report: &mut ScanReport, baseline: &ScanReport) {
    let known = fingerprints(baseline);
    let mark = |finding: &mut Finding| {
        finding.baseline_state = Some(if known.contains(finding.fingerprint.as_str()) {
            BaselineState::Unchanged
        } else {
            BaselineState::New
        });
    };
    report.config_findings.iter_mut().for_each(mark);
    for account in &mut report.accounts {
        account.findings.iter_mut().for_each(mark);
    }
}

/// Every finding of a report counts, waived ones included: a waived finding is known.
fn fingerprints(report: &ScanReport) -> BTreeSet<&str> {
    report
        .all_findings()
        .map(|f| f.fingerprint.as_str())
        .collect()
}

/// A report file that could not be read back.
#[derive(Debug, thiserror::Error)]
#[error("report {path}:{line}: {message}\nhint: {hint}")]
pub struct ReportReadError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
    pub hint: &'static str,
}

/// What a file given to `--baseline` or `diff` holds.
pub enum ScanFile {
    Report(Box<ScanReport>),
    Snapshot(Box<crate::snapshot::Snapshot>),
}

/// Reads a JSON report (`keyward scan --format json`) or a snapshot, told apart by their
/// version fields.
pub fn read_scan_file(path: &Path) -> Result<ScanFile, crate::error::Error> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportReadError {
        path: path.to_owned(),
        line: 1,
        message: format!("cannot read it: {e}"),
        hint: "give the JSON report of an earlier scan (keyward scan --format json -o FILE)",
    })?;
    if looks_like_snapshot(&text) {
        return Ok(ScanFile::Snapshot(Box::new(crate::snapshot::parse(
            path, &text,
        )?)));
    }
    let report = serde_json::from_str(&text).map_err(|e| ReportReadError {
        path: path.to_owned(),
        line: e.line(),
        message: crate::snapshot::strip_position(&e.to_string()),
        hint: "give the JSON report of an earlier scan (keyward scan --format json -o FILE) or a snapshot",
    })?;
    Ok(ScanFile::Report(Box::new(report)))
}

fn looks_like_snapshot(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v.get("schema_version").is_some() && v.get("report_version").is_none())
        .unwrap_or_else(|_| !text.trim_start().starts_with('{'))
}
