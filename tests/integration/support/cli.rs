//! Running the keyward binary cargo built for these tests, and checking what it said.

use std::path::Path;
use std::process::{Command, Output};

/// The binary under test.
pub const KEYWARD_BIN: &str = env!("CARGO_BIN_EXE_keyward");

/// The credentials moto accepts from anyone (and that nothing real accepts).
pub const TEST_CREDENTIALS: (&str, &str) = ("testing", "testing");

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

    pub fn assert_code(&self, expected: i32) {
        assert_eq!(
            self.code, expected,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
    }

    /// The run as a snapshot records it: exit code, stdout and stderr (each left out when
    /// empty), with keyward's version replaced, so that a release changes no snapshot.
    pub fn snapshot_text(&self) -> String {
        let mut text = format!("exit code: {}\n", self.code);
        for (name, output) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if !output.is_empty() {
                text += &format!("--- {name}\n{output}");
            }
        }
        without_version(&text)
    }

    /// An input error: exit 2, a message naming what to fix, and never a panic.
    pub fn assert_input_error(&self, expected: &[&str]) {
        self.assert_code(2);
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

/// Asserts an input error (`Run::assert_input_error`) and compares the whole run with the
/// snapshot named after the calling test, or after the name given first. A macro, because insta
/// names a snapshot after the function its assertion is written in.
macro_rules! assert_input_error_snapshot {
    ($run:expr, $expected:expr) => {{
        let run = $run;
        run.assert_input_error($expected);
        insta::assert_snapshot!(run.snapshot_text());
    }};
    ($name:expr, $run:expr, $expected:expr) => {{
        let run = $run;
        run.assert_input_error($expected);
        insta::assert_snapshot!($name, run.snapshot_text());
    }};
}
pub(crate) use assert_input_error_snapshot;

/// `text` with keyward's version as [version] where reports print it: after the name in the
/// table's heading, and as a JSON string (the report's tool, SARIF's driver).
fn without_version(text: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    text.replace(&format!("keyward {version} "), "keyward [version] ")
        .replace(&format!("\"{version}\""), "\"[version]\"")
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
/// keyward.yaml of the developer's is picked up), its tables 80 columns wide.
pub fn keyward_in(dir: &Path, args: &[&str]) -> Run {
    keyward_in_env(dir, args, &[("COLUMNS", "80")])
}

/// Runs keyward in `dir` with these variables set, and none of the developer's that change
/// how output looks (a forced colour, a fixed width).
pub fn keyward_in_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    Command::new(KEYWARD_BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .envs(env.iter().copied())
        .output()
        .expect("keyward runs")
        .into()
}

pub fn keyward(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    keyward_in(dir.path(), args)
}

/// Runs keyward with nothing of the developer's environment (AWS profiles, credentials,
/// region) but PATH: a scratch HOME and working directory, and the given variables.
pub fn keyward_isolated(args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    Command::new(KEYWARD_BIN)
        .args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .envs(env.iter().copied())
        .output()
        .expect("keyward runs")
        .into()
}

/// The variables that send keyward's AWS calls to `endpoint` with the given credentials, in
/// us-east-1, and keep the SDK from asking instance metadata for credentials of its own.
pub fn aws_env<'a>(
    endpoint: &'a str,
    (key, secret): (&'a str, &'a str),
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ACCESS_KEY_ID", key),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]
}
