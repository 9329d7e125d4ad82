//! Helpers shared by the integration tests: running the built binary and reading its output.
#![allow(dead_code)] // each test crate uses its own subset of these helpers

pub mod hostile;
pub mod moto;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where fixtures/ and policies/ live).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("fixtures").join(name)
}

/// The result of one keyward run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// An input error: exit 2, a message naming what to fix, and never a panic.
    pub fn assert_input_error(&self, expected: &[&str]) {
        assert_eq!(
            self.code, 2,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        for text in expected {
            assert!(
                self.stderr.contains(text),
                "stderr lacks {text:?}:\n{}",
                self.stderr
            );
        }
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().expect("keyward exited normally"),
            stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
        }
    }
}

/// Runs keyward with the given arguments in `dir` (a scratch directory, so that no
/// keyward.yaml of the developer's is picked up).
pub fn keyward_in(dir: &Path, args: &[&str]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .output()
        .expect("keyward runs")
        .into()
}

pub fn keyward(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    keyward_in(dir.path(), args)
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
