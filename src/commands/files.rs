//! Every file keyward writes: reports (`-o`), snapshots, audits and rule pages.
//!
//! - A file is written whole or not at all: into a temporary file beside it (created anew, never
//!   through a link), flushed to disk, then renamed over the target. A run killed mid-write
//!   leaves the previous file as it was, and at worst a hidden `.keyward-*.tmp` beside it; a
//!   symlink at the target is replaced, never followed.
//! - Files are the owner's alone (0600 on Unix), and so are the directories keyward creates
//!   (0700): snapshots and reports map an account's credentials.
//! - Nothing is written over one of the run's own inputs.

use std::io::Write;
use std::path::Path;

use super::error::Error;
use crate::snapshot::{Snapshot, check_account_id};
use crate::text::terminal_safe;

/// Writes `bytes` to `path`, atomically replacing whatever was there.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_with(path, |file| file.write_all(bytes))
}

/// Writes to `path` with `fill`, as `write` writes bytes: into a temporary file beside it,
/// renamed over `path` once whole.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), Error> {
    let error = |source| Error::Output {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".keyward-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(error)?;
    fill(temporary.as_file_mut()).map_err(error)?;
    temporary.as_file().sync_all().map_err(error)?;
    temporary.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

/// Creates a directory and its missing parents, owner-only.
pub fn create_dir(path: &Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path).map_err(|source| Error::Output {
        path: path.to_owned(),
        source,
    })
}

/// Creates a directory that must not exist yet (owner-only): not an existing directory, nor a
/// link planted in its place. `Ok(false)` when something is there already.
pub fn create_new_dir(path: &Path) -> Result<bool, Error> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(source) => Err(Error::Output {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Refuses an output file that is one of the inputs (`scan --snapshot a.json -o a.json`),
/// however it is spelled: through `..`, a symlink or a relative path.
pub fn refuse_overwriting_inputs<'a>(
    output: &Path,
    inputs: impl IntoIterator<Item = &'a Path>,
) -> Result<(), Error> {
    // A file that does not exist yet is no input.
    let Ok(target) = output.canonicalize() else {
        return Ok(());
    };
    for input in inputs {
        if input.canonicalize().is_ok_and(|input| input == target) {
            return Err(Error::Usage(format!(
                "--output {} is {}, an input of this run: write the report to another file",
                terminal_safe(&output.display().to_string()),
                terminal_safe(&input.display().to_string())
            )));
        }
    }
    Ok(())
}

/// Writes a snapshot as pretty JSON.
pub fn save_snapshot(snapshot: &Snapshot, path: &Path) -> Result<(), Error> {
    write(path, crate::snapshot::to_json(snapshot).as_bytes())
}

/// Writes a snapshot as `<account>.json` into `dir`.
pub fn save_snapshot_in(snapshot: &Snapshot, dir: &Path) -> Result<(), Error> {
    save_snapshot(snapshot, &account_file(dir, &snapshot.account.id)?)
}

/// Copies a snapshot file (whose header is `header`) as `<account>.json` into `dir`, a buffer
/// at a time.
pub fn copy_snapshot_in(path: &Path, header: &Snapshot, dir: &Path) -> Result<(), Error> {
    let target = account_file(dir, &header.account.id)?;
    let mut source = std::fs::File::open(path).map_err(|source| Error::Output {
        path: path.to_owned(),
        source,
    })?;
    write_with(&target, |file| std::io::copy(&mut source, file).map(|_| ()))
}

/// `dir/<account>.json`. Loaded snapshots were checked already; this keeps any other way in
/// from naming a file outside `dir`.
fn account_file(dir: &Path, id: &str) -> Result<std::path::PathBuf, Error> {
    check_account_id(id).map_err(|message| Error::Output {
        path: dir.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, message),
    })?;
    Ok(dir.join(format!("{id}.json")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_replaces_the_file_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        write(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.json"]);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir/report.json");
        assert!(write(&missing, b"new").is_err());
        assert!(!missing.exists());
    }
}
