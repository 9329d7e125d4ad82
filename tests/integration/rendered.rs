//! Everything keyward renders, compared whole with committed snapshots (`snapshots/`): each
//! report format on each fixture, `keyward diff` in each format, the rule list and a rule's
//! page. A change to a renderer shows up as a reviewable diff of its output; docs/testing.md
//! says how to accept one.

use std::path::Path;

use insta::assert_snapshot;

use crate::support::cli::{keyward, keyward_in};
use crate::support::fixture;

/// `keyward scan` of a fixture as of its collection time, in one format (tables 80 wide).
fn scan(fixture_name: &str, format: &str) -> String {
    let snapshot = fixture(fixture_name);
    keyward(&[
        "scan",
        "--snapshot",
        &snapshot,
        "--as-of",
        "snapshot",
        "--format",
        format,
    ])
    .snapshot_text()
}

#[test]
fn table_of_the_incident() {
    assert_snapshot!(scan("incident.json", "table"));
}

#[test]
fn table_of_a_partial_collection() {
    assert_snapshot!(scan("partial.json", "table"));
}

#[test]
fn table_of_a_clean_account() {
    assert_snapshot!(scan("clean.json", "table"));
}

#[test]
fn markdown_of_the_incident() {
    assert_snapshot!(scan("incident.json", "markdown"));
}

#[test]
fn markdown_of_a_partial_collection() {
    assert_snapshot!(scan("partial.json", "markdown"));
}

#[test]
fn markdown_of_a_clean_account() {
    assert_snapshot!(scan("clean.json", "markdown"));
}

// JSON and SARIF of the clean account would add only the rule list the other two carry.

#[test]
fn json_of_the_incident() {
    assert_snapshot!(scan("incident.json", "json"));
}

#[test]
fn json_of_a_partial_collection() {
    assert_snapshot!(scan("partial.json", "json"));
}

#[test]
fn sarif_of_the_incident() {
    assert_snapshot!(scan("incident.json", "sarif"));
}

#[test]
fn sarif_of_a_partial_collection() {
    assert_snapshot!(scan("partial.json", "sarif"));
}

/// The incident scanned with a keyward.yaml holding a waiver in force and an expired one.
fn scan_with_waivers(format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("keyward.yaml"),
        "waivers:\n  - rule: KW-IAM-009\n    resource: \"*alice\"\n    reason: tracked in OPS-1\n    owner: ops\n    expires: 2026-06-01\n  - rule: KW-IAM-001\n    resource: \"*\"\n    reason: old\n    owner: ops\n    expires: 2026-01-01\n",
    )
    .unwrap();
    keyward_in(dir.path(), &["scan", "--demo", "--format", format]).snapshot_text()
}

#[test]
fn table_with_a_waiver_and_an_expired_one() {
    assert_snapshot!(scan_with_waivers("table"));
}

#[test]
fn markdown_with_a_waiver_and_an_expired_one() {
    assert_snapshot!(scan_with_waivers("markdown"));
}

/// `keyward diff` in one format between JSON reports of the incident as of its collection day
/// and three months later, named by relative paths so that no temporary directory shows.
fn diff(format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (file, as_of) in [("may.json", "2026-05-03"), ("august.json", "2026-08-03")] {
        write_report(dir.path(), file, as_of);
    }
    keyward_in(
        dir.path(),
        &["diff", "may.json", "august.json", "--format", format],
    )
    .snapshot_text()
}

fn write_report(dir: &Path, file: &str, as_of: &str) {
    let snapshot = fixture("incident.json");
    keyward_in(
        dir,
        &[
            "scan",
            "--snapshot",
            &snapshot,
            "--as-of",
            as_of,
            "--format",
            "json",
            "-o",
            file,
        ],
    )
    .assert_code(1);
}

#[test]
fn diff_as_a_table() {
    assert_snapshot!(diff("table"));
}

#[test]
fn diff_in_markdown() {
    assert_snapshot!(diff("markdown"));
}

#[test]
fn diff_in_json() {
    assert_snapshot!(diff("json"));
}

#[test]
fn rule_list() {
    assert_snapshot!(keyward(&["rules"]).snapshot_text());
}

#[test]
fn rule_page() {
    assert_snapshot!(keyward(&["rules", "access-key-not-rotated"]).snapshot_text());
}
