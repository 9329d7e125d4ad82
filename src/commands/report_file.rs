//! Reading back a file an earlier run wrote, for `--baseline`, `diff` and scheduled audits: a
//! JSON report, or a snapshot, told apart by their version fields.

use std::path::{Path, PathBuf};

use crate::model::ScanReport;
use crate::snapshot::{self, Snapshot, SnapshotError};

/// A report file that could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReportReadError {
    #[error("report {path}:{line}: {message}\nhint: {hint}")]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
        hint: &'static str,
    },
    /// The file is a snapshot, and the snapshot is broken.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// What a file given to `--baseline` or `diff` holds.
pub enum ScanFile {
    Report(Box<ScanReport>),
    Snapshot(Box<Snapshot>),
}

/// Reads a JSON report (`keyward scan --format json`) or a snapshot, told apart by their
/// version fields.
pub fn read_scan_file(path: &Path) -> Result<ScanFile, ReportReadError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportReadError::Malformed {
        path: path.to_owned(),
        line: 1,
        message: format!("cannot read it: {e}"),
        hint: "give the JSON report of an earlier scan (keyward scan --format json -o FILE)",
    })?;
    if looks_like_snapshot(&text) {
        return Ok(ScanFile::Snapshot(Box::new(snapshot::parse(path, &text)?)));
    }
    let report: ScanReport =
        serde_json::from_str(&text).map_err(|e| ReportReadError::Malformed {
            path: path.to_owned(),
            line: e.line(),
            message: snapshot::parser_message(&e.to_string()),
            hint: REPORT_HINT,
        })?;
    check_account_ids(path, &text, &report)?;
    Ok(ScanFile::Report(Box::new(report)))
}

const REPORT_HINT: &str =
    "give the JSON report of an earlier scan (keyward scan --format json -o FILE) or a snapshot";

/// A report's account ids are checked like a snapshot's: they name accounts in every output.
fn check_account_ids(path: &Path, text: &str, report: &ScanReport) -> Result<(), ReportReadError> {
    let ids = report.accounts.iter().flat_map(|account| {
        std::iter::once(&account.account.id).chain(account.findings.iter().map(|f| &f.account_id))
    });
    for id in ids {
        snapshot::check_account_id(id).map_err(|message| ReportReadError::Malformed {
            path: path.to_owned(),
            line: snapshot::line_of(text, id),
            message: format!("account id: {message}"),
            hint: REPORT_HINT,
        })?;
    }
    Ok(())
}

fn looks_like_snapshot(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v.get("schema_version").is_some() && v.get("report_version").is_none())
        .unwrap_or_else(|_| !text.trim_start().starts_with('{'))
}
