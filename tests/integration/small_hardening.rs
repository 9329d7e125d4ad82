//! The small findings of the hardening review: a closed or broken stderr, report versions,
//! `deny` that is not a set, user packages in the built-in namespace, deeply nested YAML, and
//! `..` in SARIF artifact paths.

use std::process::{Command, Stdio};

use crate::support::cli::{Run, keyward};
use crate::support::fixture;
use crate::support::hostile::{incident_with, write};

fn keyward_with_stderr(stderr: Stdio, args: &[&str]) -> i32 {
    Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(stderr)
        .status()
        .unwrap()
        .code()
        .expect("exited, not killed")
}

#[cfg(unix)]
#[test]
fn an_error_with_stderr_broken_or_closed_still_exits_2() {
    let missing = ["scan", "--snapshot", "/no/such/snapshot.json"];
    // A pipe whose reader is gone: writing to it fails with EPIPE (it made eprintln! panic,
    // exit 101).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    assert_eq!(keyward_with_stderr(writer.into(), &missing), 2);
    // Closed outright (`2>&-`).
    let closed = Command::new("bash")
        .arg("-c")
        .arg("exec 2>&-; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_keyward"))
        .args(missing)
        .status()
        .unwrap();
    assert_eq!(closed.code(), Some(2));
}

fn report_text() -> String {
    let incident = fixture("incident.json");
    keyward(&["scan", "--snapshot", &incident, "--format", "json"]).stdout
}

#[test]
fn a_report_of_another_version_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let current = write(dir.path(), "current.json", &report_text());
    let current_version = keyward::model::REPORT_VERSION;
    let newer = (current_version + 1).to_string();
    for (name, version, expected) in [
        (
            "newer.json",
            newer.as_str(),
            format!(
                "report_version {newer} was written by a newer keyward; this one reads version {current_version}"
            ),
        ),
        (
            "zero.json",
            "0",
            "report_version 0 is not a version keyward ever wrote".to_owned(),
        ),
        (
            "text.json",
            "\"1\"",
            "report_version \"1\" is not a version keyward ever wrote".to_owned(),
        ),
    ] {
        let text = report_text().replacen(
            &format!("\"report_version\": {current_version}"),
            &format!("\"report_version\": {version}"),
            1,
        );
        let path = write(dir.path(), name, &text);
        let run: Run = keyward(&["diff", &current, &path]);
        run.assert_input_error(&[&format!("report {path}:2: {expected}")]);
    }
    assert_eq!(
        keyward(&["diff", &current, &current, "--fail-on", "none"]).code,
        0
    );
}

fn policy_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const METADATA: &str = "# METADATA\n# title: T\n# description: D.\n# custom:\n#   id: ACME-D-001\n#   name: d\n#   severity: low\n#   remediation: R.\n";

#[test]
fn a_deny_that_is_not_a_set_of_findings_is_refused_when_it_loads() {
    for (body, line) in [
        ("deny(x) := {\"resource\": x, \"message\": \"m\"}", 11),
        ("deny := {{\"resource\": \"r\", \"message\": \"m\"}}", 11),
        (
            "default deny := set()\n\ndeny contains {\"resource\": \"r\", \"message\": \"m\"} if false",
            11,
        ),
    ] {
        let text = format!(
            "{METADATA}package acme.d\n\n{}\n",
            body.replace("{{", "{").replace("}}", "}")
        );
        let dir = policy_dir(&[("d.rego", &text)]);
        let run = keyward(&["scan", "--demo", "--policy", dir.path().to_str().unwrap()]);
        run.assert_input_error(&[
            &format!("d.rego:{line} is not a usable rule: `deny` is defined as something other than a set of findings"),
        ]);
    }
}

#[test]
fn a_user_package_in_the_builtin_namespace_is_refused_unless_the_pack_is_left_out() {
    let lib = "package keyward.lib.time\n\ndays_since(x) := 5\n";
    let dir = policy_dir(&[("time.rego", lib)]);
    let path = dir.path().to_str().unwrap();
    for args in [
        vec!["scan", "--demo", "--policy", path],
        vec!["policy", "test", path],
    ] {
        keyward(&args).assert_input_error(&[
            "time.rego is not a usable rule: package data.keyward.lib.time is in the built-in pack's namespace",
        ]);
    }
    // Without the pack, a checkout of policies/ is tested under its own names.
    let policies = crate::support::repo().join("policies");
    let run = keyward(&["policy", "test", "--no-builtin", policies.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn yaml_nested_a_hundred_thousand_levels_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let snapshot = write(
        dir.path(),
        "deep.yaml",
        &format!("schema_version: 1\nusers: {deep}\n"),
    );
    keyward(&["scan", "--snapshot", &snapshot]).assert_input_error(&[&format!(
        "snapshot {snapshot}:2:1: YAML nested more than 128 levels deep"
    )]);
    let config = write(
        dir.path(),
        "keyward.yaml",
        &format!("disabled_rules: {deep}\n"),
    );
    keyward(&["scan", "--demo", "--config", &config]).assert_input_error(&[&format!(
        "config {config}:1: YAML nested more than 128 levels deep"
    )]);
    let policy = format!("# METADATA\n# title: T\n# related_resources: {deep}\npackage acme.y\n");
    let policies = policy_dir(&[("y.rego", &policy)]);
    keyward(&["rules", "--policy", policies.path().to_str().unwrap()]).assert_input_error(&[
        "y.rego:3: bad METADATA block: YAML nested more than 128 levels deep",
    ]);
}

#[test]
fn sarif_artifact_paths_keep_no_dot_segments() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = incident_with(dir.path(), "dots.json", |s| {
        s["users"][0]["arn"] =
            "arn:aws:iam::123456789012:user/../../../.github/workflows/alice".into();
    });
    let run = keyward(&[
        "scan",
        "--snapshot",
        &snapshot,
        "--format",
        "sarif",
        "--fail-on",
        "none",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sarif = run.json();
    let mut uris = Vec::new();
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        for location in result["locations"].as_array().unwrap() {
            uris.push(
                location["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    assert!(
        uris.iter()
            .any(|u| u.contains("%2E%2E/%2E%2E/%2E%2E/.github/workflows/alice")),
        "{uris:?}"
    );
    for uri in &uris {
        assert!(uri.split('/').all(|s| s != ".." && s != "."), "{uri}");
    }
}
