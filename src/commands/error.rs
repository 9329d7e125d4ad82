//! The one error type the commands return, and the exit codes in one place: the only module
//! that knows how an outcome or an error becomes a process exit code.

use crate::model::Outcome;
use crate::policy::PolicyError;
use crate::snapshot::SnapshotError;

use super::report_file::ReportReadError;

/// Exit codes, as documented in README.md.
pub mod exit {
    /// No finding at or above `--fail-on`, and every check was evaluated.
    pub const CLEAN: i32 = 0;
    /// At least one unwaived finding at or above `--fail-on`.
    pub const FINDINGS: i32 = 1;
    /// Bad usage or bad input (snapshot, policy, config): nothing was scanned.
    pub const ERROR: i32 = 2;
    /// No finding at or above `--fail-on`, but some checks could not be evaluated.
    pub const INCOMPLETE: i32 = 3;
}

/// The exit code of a run that ended with `outcome`.
pub fn exit_code(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Clean => exit::CLEAN,
        Outcome::Findings => exit::FINDINGS,
        Outcome::Incomplete => exit::INCOMPLETE,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Evaluation(#[from] crate::evaluation::EvaluationError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error(transparent)]
    Identity(#[from] crate::collect::IdentityError),
    #[error(transparent)]
    ReportRead(#[from] ReportReadError),
    #[error(transparent)]
    Terraform(#[from] crate::terraform::TerraformError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write {path}: {source}")]
    Output {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}
