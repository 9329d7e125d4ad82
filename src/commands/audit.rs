//! Scheduled audits (`scan --output-dir DIR`): each run writes its report and snapshots into a
//! dated directory and says what changed since the previous run there, so a nightly job shows
//! drift without any other tooling.
//!
//! Layout: `DIR/<UTC time>/report.json`, `report.md`, `snapshots/<account>.json`, and SARIF as
//! `report.sarif`, or `report-01.sarif`, `report-02.sarif`, … when the accounts need more runs
//! than GitHub accepts in one file (each file is uploaded on its own). The SARIF files leave
//! waived findings out: GitHub ignores SARIF suppressions, so uploading a waived finding would
//! open an alert for it. `report.json` and `report.md` keep them, marked as waived.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::model::{Changes, ScanReport};
use crate::report::{self, RenderOptions, ReportFormat, sarif::MAX_RUNS};
use crate::snapshot::SnapshotSource;

use super::error::Error;
use super::files;
use super::report_file::{ScanFile, read_scan_file};
use crate::text::terminal_safe;

/// Written last: an audit directory with a `report.json` is complete.
const REPORT_FILE: &str = "report.json";

/// What changed since the latest earlier audit in `dir` that can be read. An audit whose
/// report is damaged (a run killed by an older keyward, a disk that filled up) is skipped with
/// a warning: it must not stop every later audit.
pub fn changes_since_previous(report: &ScanReport, dir: &Path) -> Result<Option<Changes>, Error> {
    for previous_dir in audits_newest_first(dir) {
        let path = previous_dir.join(REPORT_FILE);
        let previous = match read_scan_file(&path) {
            Ok(ScanFile::Report(report)) => report,
            Ok(ScanFile::Snapshot(_)) => {
                skipping(&path, "it holds a snapshot, not a report");
                continue;
            }
            Err(error) => {
                skipping(&path, &error.to_string());
                continue;
            }
        };
        return Ok(Some(Changes {
            since: dir_name(&previous_dir),
            drift: crate::drift::between(&previous, report),
        }));
    }
    Ok(None)
}

fn skipping(path: &Path, why: &str) {
    super::console::warning(&format!(
        "skipping the earlier audit {}: {why}",
        terminal_safe(&path.display().to_string())
    ));
}

/// An audit being written. Its directory is made when the first account's snapshot is ready,
/// so that each snapshot is written as soon as it is read or collected (and then let go); the
/// reports are written when the scan ends, `report.json` last, so that a run stopped on the way
/// leaves no directory that looks complete.
pub struct Audit {
    parent: PathBuf,
    now: DateTime<Utc>,
    dir: Option<PathBuf>,
}

impl Audit {
    /// An audit in a new directory of `parent` named by `now`; nothing is written yet.
    pub fn new(parent: &Path, now: DateTime<Utc>) -> Audit {
        Audit {
            parent: parent.to_owned(),
            now,
            dir: None,
        }
    }

    /// This audit's directory, made on first use with its `snapshots/`.
    fn dir(&mut self) -> Result<&Path, Error> {
        if self.dir.is_none() {
            let dir = new_audit_dir(&self.parent, self.now)?;
            files::create_dir(&dir.join("snapshots"))?;
            self.dir = Some(dir);
        }
        Ok(self.dir.as_deref().expect("just made"))
    }

    /// Writes one account's snapshot as `snapshots/<account>.json`: a snapshot file read a
    /// chunk at a time is copied, never read whole.
    pub fn save_snapshot(&mut self, source: &SnapshotSource) -> Result<(), Error> {
        let dir = self.dir()?.join("snapshots");
        match source {
            SnapshotSource::Whole(snapshot) => files::save_snapshot_in(snapshot, &dir),
            SnapshotSource::File { path, header } => files::copy_snapshot_in(path, header, &dir),
        }
    }

    /// Writes the reports and returns the audit's directory.
    pub fn finish(
        mut self,
        report: &ScanReport,
        options: &RenderOptions,
    ) -> Result<PathBuf, Error> {
        let dir = self.dir()?.to_owned();
        let render = |report: &ScanReport, format| report::render(report, format, options);
        files::write(
            &dir.join("report.md"),
            render(report, ReportFormat::Markdown)?.text.as_bytes(),
        )?;
        // Without waived findings, part by part (each part is a copy already).
        let parts: Vec<ScanReport> = sarif_parts(report)
            .into_iter()
            .map(ScanReport::without_waived)
            .collect();
        for (index, part) in parts.iter().enumerate() {
            let name = if parts.len() == 1 {
                "report.sarif".to_owned()
            } else {
                format!("report-{:02}.sarif", index + 1)
            };
            files::write(
                &dir.join(name),
                render(part, ReportFormat::Sarif)?.text.as_bytes(),
            )?;
        }
        super::output::write_json(Some(&dir.join(REPORT_FILE)), report)?;
        Ok(dir)
    }
}

/// Creates this audit's directory, named by its UTC time, and new: never one that exists
/// already (nor a link planted under that name), so that no file of this audit lands outside
/// `dir` or mixes with another's. A second audit in the same second gets `-02`, `-03`, … after
/// the time, which sorts after the first.
fn new_audit_dir(dir: &Path, now: DateTime<Utc>) -> Result<PathBuf, Error> {
    files::create_dir(dir)?;
    let time = now.format("%Y-%m-%dT%H-%M-%SZ").to_string();
    for n in 1..100 {
        let name = match n {
            1 => time.clone(),
            n => format!("{time}-{n:02}"),
        };
        let audit = dir.join(name);
        if files::create_new_dir(&audit)? {
            return Ok(audit);
        }
    }
    Err(Error::Output {
        path: dir.join(time),
        source: std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "99 audits of this second exist already",
        ),
    })
}

/// Splits a report so that no SARIF file holds more runs than GitHub accepts; config findings
/// (their own run) go with the first part. Each part copies only its own accounts.
pub fn sarif_parts(report: &ScanReport) -> Vec<ScanReport> {
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
        parts.push(report.with_accounts(chunk.to_vec(), parts.is_empty()));
        if tail.is_empty() {
            return parts;
        }
        rest = tail;
        size = MAX_RUNS;
    }
}

/// The audit directories in `dir` that hold a report, newest first: they are named by their
/// UTC time, so the greatest name is the latest.
fn audits_newest_first(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut audits: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(REPORT_FILE).is_file())
        .collect();
    audits.sort_by_key(|p| std::cmp::Reverse(dir_name(p)));
    audits
}

fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
