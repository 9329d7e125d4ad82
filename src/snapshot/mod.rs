//! The snapshot: the contract between collectors (which write it) and policies (which read it).

mod account_id;
mod detective;
mod filter_pattern;
mod model;
mod policy_document;
mod stream;
mod time_range;
mod yaml_depth;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

pub use account_id::{check_account_id, line_of};
pub use detective::*;
pub use filter_pattern::{Condition, PatternReading, Test};
pub use model::*;
pub use stream::Chunk;
pub use time_range::{MAX_THRESHOLD_DAYS, check_time, time_range};
pub use yaml_depth::{MAX_YAML_DEPTH, check_yaml_depth};

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
    let found = probe.schema_version.as_ref().and_then(|v| v.as_u64());
    check_version(path, found)?;
    // The typed decode reads the text itself, so that serde_json reports the line of a type
    // error.
    let snapshot: Snapshot = decode(path, text)?;
    check_account_id(&snapshot.account.id).map_err(|message| SnapshotError::Malformed {
        path: path.to_owned(),
        line: line_of(text, &snapshot.account.id),
        column: 1,
        message: format!("account.id: {message}"),
    })?;
    if let Some((field, expected, near)) = policy_document::first_malformed_document(&snapshot) {
        return Err(SnapshotError::Malformed {
            path: path.to_owned(),
            line: line_of(text, &near),
            column: 1,
            message: format!(
                "{field}: not an IAM policy document as AWS returns it: expected {expected}"
            ),
        });
    }
    if let Some((field, time)) = time_range::first_time_out_of_range(&snapshot) {
        return Err(SnapshotError::Malformed {
            path: path.to_owned(),
            line: line_of(text, &time.format("%Y-%m-%d").to_string()),
            column: 1,
            message: format!("{field}: {}", check_time(&time).err().unwrap_or_default()),
        });
    }
    Ok(migrate(snapshot))
}

/// An older snapshot in the current format, cumulatively: each step below applies to every
/// version before the one that introduced its data.
///
/// Every version so far only added fields, each with a default that means "not known" (no
/// boundary recorded, root password presence unknown, no deletion date), so the typed decode
/// reads older versions as they are. Two defaults would be read as facts:
/// - version 2 added `organization`: from then on a missing one means "in no organization", so
///   a version 1 snapshot gets a note that its organization was never asked for;
/// - version 3 added `detective`: a snapshot without it gets a collection error, so that the
///   detective rules report *not evaluated* instead of passing on missing data (a plan alone has
///   no detective section by its nature: its rules are not applicable, and it gets none).
///
/// The derived readings of the detective section (metric filter patterns) are computed afresh.
fn migrate(mut snapshot: Snapshot) -> Snapshot {
    let version = snapshot.schema_version;
    if version < 2 {
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
    let by_nature = snapshot
        .absent_sections()
        .contains(&DataSection::CloudTrailTrails);
    match &mut snapshot.detective {
        Some(detective) => detective.derive(),
        None if by_nature => {}
        None => snapshot.collection_errors.push(missing_detective(version)),
    }
    snapshot.schema_version = SCHEMA_VERSION;
    snapshot
}

/// The collection error that stands for a missing `detective` section: the snapshot was
/// written before keyward collected detective controls (schema versions 1 and 2), or by hand
/// without them. Its rules then report *not evaluated*, never a pass.
fn missing_detective(found_version: u32) -> CollectionError {
    let message = if found_version < 3 {
        format!(
            "the snapshot predates detective collection (schema_version {found_version}): collect it again with this keyward to evaluate these rules"
        )
    } else {
        "the snapshot has no `detective` section".to_owned()
    };
    CollectionError {
        sections: DataSection::DETECTIVE.to_vec(),
        service: "keyward".to_owned(),
        operation: "ReadSnapshot".to_owned(),
        region: None,
        resource: None,
        kind: ErrorKind::NotAvailable,
        message,
    }
}

/// Decodes JSON or YAML text (JSON when it opens with a brace) into `T`, errors with file:line.
fn decode<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, SnapshotError> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| json_error(path, &e))
    } else {
        check_yaml_depth(text).map_err(|(line, message)| SnapshotError::Malformed {
            path: path.to_owned(),
            line,
            column: 1,
            message,
        })?;
        yaml_serde::from_str(text).map_err(|e| yaml_error(path, &e))
    }
}

/// A snapshot as evaluation reads it: everything but the users, roles and secrets (the
/// header), then those lists a chunk at a time. A large JSON file is never whole in memory.
pub enum SnapshotSource {
    /// Read whole: a YAML file, a live collection, the demo account.
    Whole(Snapshot),
    /// A JSON file: its header is read, checked and held; its lists are read from the file
    /// again, a chunk at a time, by each `for_each_chunk`.
    File { path: PathBuf, header: Snapshot },
}

/// Why going through a snapshot's chunks stopped: the file, or the caller's function.
#[derive(Debug)]
pub enum ChunkError<E> {
    Snapshot(SnapshotError),
    Each(E),
}

/// Bytes read from a snapshot file at a time.
const READ_BUFFER: usize = 1 << 20;

impl SnapshotSource {
    /// Opens a snapshot file: a JSON file's header is read and checked as `parse` checks a
    /// snapshot; anything else is read whole. Whenever the file is refused, it is read whole
    /// with `load` for the error, so that the message and its line are the same either way
    /// (a file that is refused is not evaluated, so its size no longer matters).
    pub fn open(path: &Path) -> Result<SnapshotSource, SnapshotError> {
        if !opens_with_brace(path)? {
            return load(path).map(SnapshotSource::Whole);
        }
        let header = read_header(path).ok_or_else(|| whole_file_error(path))?;
        Ok(SnapshotSource::File {
            path: path.to_owned(),
            header,
        })
    }

    /// The snapshot's account, collection and everything but its lists (which a whole
    /// snapshot still holds: read them through `for_each_chunk`).
    pub fn header(&self) -> &Snapshot {
        match self {
            SnapshotSource::Whole(snapshot) => snapshot,
            SnapshotSource::File { header, .. } => header,
        }
    }

    /// Hands the users, roles and secrets to `each`, at most `size` at a time.
    pub fn for_each_chunk<E>(
        &self,
        size: usize,
        mut each: impl FnMut(Chunk<'_>) -> Result<(), E>,
    ) -> Result<(), ChunkError<E>> {
        match self {
            SnapshotSource::Whole(snapshot) => Chunk::all_of(snapshot, size)
                .try_for_each(each)
                .map_err(ChunkError::Each),
            SnapshotSource::File { path, header } => {
                let reader = reader(path).map_err(ChunkError::Snapshot)?;
                stream::read_lists(reader, size, header, &mut each).map_err(|e| match e {
                    stream::ListsError::Each(e) => ChunkError::Each(e),
                    stream::ListsError::Refused => ChunkError::Snapshot(whole_file_error(path)),
                })
            }
        }
    }
}

/// A JSON file's header, when its version is one keyward reads and `parse` would accept it,
/// migrated to the current format as `parse` migrates a whole snapshot.
fn read_header(path: &Path) -> Option<Snapshot> {
    let probe: VersionProbe = serde_json::from_reader(reader(path).ok()?).ok()?;
    check_version(path, probe.schema_version.as_ref().and_then(|v| v.as_u64())).ok()?;
    let header = stream::read_header(reader(path).ok()?).ok()?;
    let valid = check_account_id(&header.account.id).is_ok()
        && policy_document::first_malformed_document(&header).is_none()
        && time_range::first_time_out_of_range(&header).is_none();
    valid.then(|| migrate(header))
}

/// The error `load` gives for a file the streaming reader refused.
fn whole_file_error(path: &Path) -> SnapshotError {
    match load(path) {
        Err(error) => error,
        // Read whole, the file passed: it changed between the two readings.
        Ok(_) => SnapshotError::Io {
            path: path.to_owned(),
            source: std::io::Error::other("the file changed while it was read"),
        },
    }
}

fn reader(path: &Path) -> Result<BufReader<std::fs::File>, SnapshotError> {
    std::fs::File::open(path)
        .map(|file| BufReader::with_capacity(READ_BUFFER, file))
        .map_err(|source| SnapshotError::Io {
            path: path.to_owned(),
            source,
        })
}

/// Whether a file's first non-blank character is `{` (JSON; anything else is read as YAML,
/// as `parse` does).
fn opens_with_brace(path: &Path) -> Result<bool, SnapshotError> {
    let io_error = |source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    };
    let mut reader = reader(path)?;
    loop {
        let buffer = reader.fill_buf().map_err(io_error)?;
        if buffer.is_empty() {
            return Ok(false);
        }
        if let Some(&byte) = buffer.iter().find(|b| !b.is_ascii_whitespace()) {
            return Ok(byte == b'{');
        }
        let length = buffer.len();
        reader.consume(length);
    }
}

/// A snapshot as pretty JSON, the form `keyward snapshot` writes.
pub fn to_json(snapshot: &Snapshot) -> String {
    serde_json::to_string_pretty(snapshot).expect("a snapshot always serializes") + "\n"
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
        message: parser_message(&e.to_string()),
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
        message: parser_message(&e.to_string()),
    }
}

/// A serde_json or yaml_serde error message for one of keyward's own: without the " at line L
/// column C" they append (the position is printed up front as `file:line:column`), and with
/// control characters made visible, as the parsers quote keys and values from the file.
pub(crate) fn parser_message(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    crate::text::terminal_safe(message).into_owned()
}

/// The JSON Schema of the snapshot format, generated from the types' doc comments.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Snapshot)).expect("a schema always serializes")
}
