//! Reading back a file an earlier run wrote, for `--baseline`, `diff` and scheduled audits: a
//! JSON report, or a snapshot, told apart by their version fields.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::model::{REPORT_VERSION, ScanReport};
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
    parse_scan_file(path, &text)
}

/// Parses the text of a report or snapshot file; `path` only names it in errors.
pub fn parse_scan_file(path: &Path, text: &str) -> Result<ScanFile, ReportReadError> {
    let versions = Versions::of(text);
    if versions.is_snapshot(text) {
        return Ok(ScanFile::Snapshot(Box::new(snapshot::parse(path, text)?)));
    }
    check_report_version(path, text, versions.report_version)?;
    let report: ScanReport =
        serde_json::from_str(text).map_err(|e| ReportReadError::Malformed {
            path: path.to_owned(),
            line: e.line(),
            message: snapshot::parser_message(&e.to_string()),
            hint: REPORT_HINT,
        })?;
    check_account_ids(path, text, &report)?;
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

/// The version fields of a JSON document, read without building the rest of it.
#[derive(Default, Deserialize)]
struct Versions {
    #[serde(default)]
    schema_version: Option<IgnoredAny>,
    #[serde(default)]
    report_version: Option<serde_json::Value>,
    /// Whether the text parsed as JSON at all.
    #[serde(skip)]
    json: bool,
}

impl Versions {
    fn of(text: &str) -> Versions {
        serde_json::from_str::<Versions>(text)
            .map(|v| Versions { json: true, ..v })
            .unwrap_or_default()
    }

    /// A snapshot has a schema version and no report version; one that is not JSON is YAML.
    fn is_snapshot(&self, text: &str) -> bool {
        if self.json {
            self.schema_version.is_some() && self.report_version.is_none()
        } else {
            !text.trim_start().starts_with('{')
        }
    }
}

/// A report from a newer keyward has fields this one does not know: it is refused with what to
/// do, rather than read wrong. Every earlier version (1 is the first) is migrated on read by
/// the model's decoder.
fn check_report_version(
    path: &Path,
    text: &str,
    found: Option<serde_json::Value>,
) -> Result<(), ReportReadError> {
    let Some(found) = found else {
        return Ok(()); // the typed decode names the missing field
    };
    let error = |message: String, hint: &'static str| ReportReadError::Malformed {
        path: path.to_owned(),
        line: snapshot::line_of(text, "\"report_version\""),
        message,
        hint,
    };
    match found.as_u64() {
        Some(version) if (1..=u64::from(REPORT_VERSION)).contains(&version) => Ok(()),
        Some(version) if version > u64::from(REPORT_VERSION) => Err(error(
            format!(
                "report_version {version} was written by a newer keyward; this one reads version {REPORT_VERSION}"
            ),
            "upgrade keyward to read it, or compare reports written by the same version",
        )),
        _ => Err(error(
            format!(
                "report_version {} is not a version keyward ever wrote (1 to {REPORT_VERSION})",
                crate::text::terminal_safe(&found.to_string())
            ),
            REPORT_HINT,
        )),
    }
}
