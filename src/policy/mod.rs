//! The policy engine: the built-in Rego pack plus the user's own, evaluated with regorus.

mod engine;
mod input;
pub mod metadata;
mod raw_finding;
pub mod testing;

use std::path::PathBuf;

pub use engine::{PolicySet, Rule, read_dirs};
pub use input::{PolicyInput, evaluation_input};
pub use raw_finding::RawFinding;

include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

/// A Rego source file and the name it is reported under.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// A path for the user's files, `builtin:<path>` for the embedded pack.
    pub origin: String,
    pub text: String,
}

impl SourceFile {
    /// Test files sit beside the rule they test and are only loaded by `keyward policy test`.
    pub fn is_test(&self) -> bool {
        self.origin.ends_with("_test.rego")
    }

    /// Whether the file is one of the embedded pack's.
    pub fn is_builtin(&self) -> bool {
        self.origin.starts_with(BUILTIN_ORIGIN_PREFIX)
    }
}

/// What the origin of an embedded file starts with, e.g. `builtin:iam/root_access_keys.rego`.
const BUILTIN_ORIGIN_PREFIX: &str = "builtin:";

/// The embedded built-in pack, rule files and tests alike.
pub fn builtin_sources() -> Vec<SourceFile> {
    BUILTIN_POLICIES
        .iter()
        .map(|(path, text)| SourceFile {
            origin: format!("{BUILTIN_ORIGIN_PREFIX}{path}"),
            text: (*text).to_owned(),
        })
        .collect()
}

/// A policy that could not be loaded or evaluated.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policies in {path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error(
        "policy {origin}:{line}: bad METADATA block: {message}\nhint: see policies/README.md for the fields a rule's METADATA needs"
    )]
    Metadata {
        origin: String,
        line: usize,
        message: String,
    },
    /// regorus' message already carries `file:line:column` and the offending source line.
    #[error(
        "policy {origin} does not parse:\n{message}\nhint: keyward reads Rego v1 (`if` and `contains` keywords)"
    )]
    Parse { origin: String, message: String },
    #[error("policy {origin} is not a usable rule: {message}")]
    Shape { origin: String, message: String },
    #[error(
        "rule {rule} ({origin}) failed while evaluating:\n{message}\nhint: run `keyward policy test` on the rule's directory to reproduce it"
    )]
    Runtime {
        rule: String,
        origin: String,
        message: String,
    },
    #[error(
        "rule {rule} ({origin}) returned a malformed finding: {message}\nhint: each `deny` entry is an object with `resource` and `message`, and optionally `region`, `key` and `evidence`"
    )]
    BadFinding {
        rule: String,
        origin: String,
        message: String,
    },
    #[error("cannot pass the snapshot to the policy engine: {0}")]
    Input(String),
}
