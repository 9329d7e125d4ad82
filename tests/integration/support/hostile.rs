//! Helpers for the hardening tests: hostile variants of the fixtures, written to scratch files.

use std::path::{Path, PathBuf};

/// Writes `text` to `dir/name` and returns the path as a string, for the command line.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A fixture snapshot as JSON, to change before writing it out.
pub fn fixture_json(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(super::fixture(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The incident fixture changed by `change`, written to `dir/name`.
pub fn incident_with(
    dir: &Path,
    name: &str,
    change: impl FnOnce(&mut serde_json::Value),
) -> String {
    let mut snapshot = fixture_json("incident.json");
    change(&mut snapshot);
    write(dir, name, &serde_json::to_string_pretty(&snapshot).unwrap())
}

/// Every file below `dir`, relative to it, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                pending.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}
