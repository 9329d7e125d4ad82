//! The snapshot: the contract between collectors (which write it) and policies (which read it).

mod model;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

pub use model::*;

/// A snapshot that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "snapshot {path}:{line}:{column}: {message}\nhint: a snapshot is written by `keyward snapshot`; its format is described by `keyward schema`"
    )]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "snapshot {path} has schema_version {found}, but this keyward reads versions {first} to {supported}\nhint: {hint}"
    )]
    Version {
        path: PathBuf,
        found: u64,
        first: u32,
        supported: u32,
        hint: &'static str,
    },
    #[error("cannot write snapshot {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Reads a snapshot from a JSON or YAML file.
pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
    let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

/// Parses snapshot text; `path` only names the source in errors. JSON is recognised by its
/// opening brace, anything else is read as YAML.
pub fn parse(path: &Path, text: &str) -> Result<Snapshot, SnapshotError> {
    let probe: VersionProbe = decode(path, text)?;
    check_version(path, probe.schema_version.as_ref().and_then(|v| v.as_u64()))?;
    // The typed decode reads the text itself, so that serde_json reports the line of a type
    // error.
    let snapshot: Snapshot = decode(path, text)?;
    Ok(migrate(snapshot))
}

/// An older snapshot in the current format. Every version so far only added fields, each with
/// a default that means "not known" (no boundary recorded, root password presence unknown, no
/// deletion date), so the typed decode reads older versions as they are. One default would be
/// read as a fact: a missing `organization` means "in no organization" from version 2 on, so a
/// version 1 snapshot gets a note that its organization was never asked for.
fn migrate(mut snapshot: Snapshot) -> Snapshot {
    if snapshot.schema_version < 2 {
        snapshot.collection_errors.push(CollectionError {
            sections: Vec::new(),
            service: "organizations".to_owned(),
            operation: "DescribeOrganization".to_owned(),
            region: None,
            resource: None,
            kind: ErrorKind::NotAvailable,
            message: "snapshot format 1 does not record the account's organization: conditions on aws:PrincipalOrgID are reported as conditional; collect the snapshot again to judge them".to_owned(),
        });
    }
    snapshot.schema_version = SCHEMA_VERSION;
    snapshot
}

/// Decodes JSON or YAML text (JSON when it opens with a brace) into `T`, errors with file:line.
fn decode<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, SnapshotError> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| json_error(path, &e))
    } else {
        yaml_serde::from_str(text).map_err(|e| yaml_error(path, &e))
    }
}

/// Writes a snapshot as pretty JSON.
pub fn save(snapshot: &Snapshot, path: &Path) -> Result<(), SnapshotError> {
    let json = serde_json::to_string_pretty(snapshot).expect("a snapshot always serializes");
    std::fs::write(path, json + "\n").map_err(|source| SnapshotError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Writes one `<account>.json` per snapshot into a directory (created if missing).
pub fn save_all(snapshots: &[Snapshot], dir: &Path) -> Result<(), SnapshotError> {
    std::fs::create_dir_all(dir).map_err(|source| SnapshotError::Write {
        path: dir.to_owned(),
        source,
    })?;
    snapshots
        .iter()
        .try_for_each(|s| save(s, &dir.join(format!("{}.json", s.account.id))))
}

/// The one field read before the typed decode. The rest of the document is skipped, not
/// built: a snapshot of 10,000 users and secrets is 13 MB of JSON.
#[derive(Deserialize)]
#[serde(expecting = "a keyward snapshot (an object with `schema_version`)")]
struct VersionProbe {
    #[serde(default)]
    schema_version: Option<serde_json::Value>,
}

/// Checked before the typed decode, so that a snapshot from a newer keyward gets a version
/// message rather than a confusing "unknown field".
fn check_version(path: &Path, found: Option<u64>) -> Result<(), SnapshotError> {
    let Some(found) = found else {
        return Err(SnapshotError::Malformed {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: "missing or non-numeric `schema_version`: this is not a keyward snapshot"
                .to_owned(),
        });
    };
    if (u64::from(FIRST_SCHEMA_VERSION)..=u64::from(SCHEMA_VERSION)).contains(&found) {
        return Ok(());
    }
    let hint = if found > u64::from(SCHEMA_VERSION) {
        "the snapshot was written by a newer keyward: upgrade keyward to read it"
    } else {
        "this is not a version keyward ever wrote: collect the snapshot again with `keyward snapshot`"
    };
    Err(SnapshotError::Version {
        path: path.to_owned(),
        found,
        first: FIRST_SCHEMA_VERSION,
        supported: SCHEMA_VERSION,
        hint,
    })
}

fn json_error(path: &Path, e: &serde_json::Error) -> SnapshotError {
    SnapshotError::Malformed {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    }
}

fn yaml_error(path: &Path, e: &yaml_serde::Error) -> SnapshotError {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    SnapshotError::Malformed {
        path: path.to_owned(),
        line,
        column,
        message: strip_position(&e.to_string()),
    }
}

/// serde_json and yaml_serde append " at line L column C"; the position is printed up front
/// as `file:line:column`, so the tail would only repeat it.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The JSON Schema of the snapshot format, generated from the types' doc comments.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Snapshot)).expect("a schema always serializes")
}
