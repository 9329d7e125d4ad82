//! What the integration tests share: where the repository's files are, the outside tools
//! scripts/test.sh installs, and reading a JSON report.

pub mod actions_runner;
pub mod cli;
pub mod hostile;
pub mod moto;
pub mod recorded;
pub mod requests;

use std::path::{Path, PathBuf};

/// The repository root (where fixtures/ and policies/ live).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path of a snapshot in fixtures/, as an argument for keyward.
pub fn fixture(name: &str) -> String {
    repo()
        .join("fixtures")
        .join(name)
        .to_str()
        .expect("the repository path is UTF-8")
        .to_owned()
}

/// Writes `text` to `dir/name` and returns the path, as an argument for keyward.
pub fn write_file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("a file has a parent")).unwrap();
    std::fs::write(&path, text).unwrap();
    path.to_str().expect("temp paths are UTF-8").to_owned()
}

/// The (rule id, resource) pairs of a JSON report's open findings, sorted.
pub fn open_findings(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = report["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .flat_map(|a| a["findings"].as_array().expect("findings").clone())
        .filter(|f| f.get("waiver").is_none())
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["resource"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    pairs
}

/// Path of an env var set by scripts/test.sh, with instructions when it is missing.
pub fn tool_from_env(var: &str, what: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(path) if Path::new(&path).exists() => PathBuf::from(path),
        _ => panic!(
            "{what} is not installed or {var} is not set: run the suite with `scripts/test.sh`, which installs it under .tools/"
        ),
    }
}

/// Markdown as GitHub renders it (cmark-gfm's extensions: tables, strikethrough, autolinks,
/// task lists, footnotes, and alerts such as `> [!WARNING]`), as HTML.
pub fn gfm_html(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    let extension = &mut options.extension;
    (extension.table, extension.strikethrough, extension.autolink) = (true, true, true);
    (extension.tasklist, extension.footnotes, extension.alerts) = (true, true, true);
    comrak::markdown_to_html(markdown, &options)
}
