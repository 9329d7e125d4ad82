//! Scheduled audits (`scan --output-dir DIR`): each run writes its report and snapshots into a
//! dated directory and says what changed since the previous run there, so a nightly job shows
//! drift without any other tooling.
//!
//! Layout: `DIR/<UTC time>/report.json`, `report.md`, `snapshots/<account>.json`, and SARIF as
//! `report.sarif`, or `report-01.sarif`, `report-02.sarif`, … when the accounts need more runs
//! than GitHub accepts in one file (each file is uploaded on its own).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::model::{Changes, ScanReport};
use crate::report::{self, RenderOptions, ReportFormat, sarif::MAX_RUNS};
use crate::snapshot::Snapshot;

use super::error::Error;
use super::report_file::{ScanFile, read_scan_file};

const REPORT_FILE: &str = "report.json";

/// What changed since the latest earlier audit in `dir`, if there is one.
pub fn changes_since_previous(report: &ScanReport, dir: &Path) -> Result<Option<Changes>, Error> {
    let Some(previous_dir) = latest_audit(dir) else {
        return Ok(None);
    };
    let path = previous_dir.join(REPORT_FILE);
    let previous = match read_scan_file(&path)? {
        ScanFile::Report(report) => report,
        ScanFile::Snapshot(_) => {
            return Err(Error::Usage(format!(
                "{} holds a snapshot, not a report: --output-dir is keyward's own directory",
                path.display()
            )));
        }
    };
    Ok(Some(Changes {
        since: dir_name(&previous_dir),
        drift: crate::drift::between(&previous, report),
    }))
}

/// Writes this audit's files and returns its directory.
pub fn write(
    report: &ScanReport,
    snapshots: &[Snapshot],
    dir: &Path,
    options: &RenderOptions,
    now: DateTime<Utc>,
) -> Result<PathBuf, Error> {
    let audit = dir.join(now.format("%Y-%m-%dT%H-%M-%SZ").to_string());
    create_dir(&audit.join("snapshots"))?;
    crate::snapshot::save_all(snapshots, &audit.join("snapshots"))?;
    write_file(
        &audit.join(REPORT_FILE),
        &report::render(report, ReportFormat::Json, options)?.text,
    )?;
    write_file(
        &audit.join("report.md"),
        &report::render(report, ReportFormat::Markdown, options)?.text,
    )?;
    let parts = sarif_parts(report);
    for (index, part) in parts.iter().enumerate() {
        let name = if parts.len() == 1 {
            "report.sarif".to_owned()
        } else {
            format!("report-{:02}.sarif", index + 1)
        };
        write_file(
            &audit.join(name),
            &report::render(part, ReportFormat::Sarif, options)?.text,
        )?;
    }
    Ok(audit)
}

/// Splits a report so that no SARIF file holds more runs than GitHub accepts; config findings
/// (their own run) go with the first part.
fn sarif_parts(report: &ScanReport) -> Vec<ScanReport> {
    let first_size = if report.config_findings.is_empty() {
        MAX_RUNS
    } else {
        MAX_RUNS - 1
    };
    let mut parts = Vec::new();
    let mut rest = report.accounts.as_slice();
    let mut size = first_size;
    loop {
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        let mut part = report.clone();
        part.accounts = chunk.to_vec();
        if !parts.is_empty() {
            part.config_findings.clear();
        }
        parts.push(part);
        if tail.is_empty() {
            return parts;
        }
        rest = tail;
        size = MAX_RUNS;
    }
}

/// Audit directories are named by their UTC time, so the greatest name is the latest.
fn latest_audit(dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(REPORT_FILE).is_file())
        .max_by_key(|p| dir_name(p))
}

fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn create_dir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|source| Error::Output {
        path: path.to_owned(),
        source,
    })
}

fn write_file(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|source| Error::Output {
        path: path.to_owned(),
        source,
    })
}
