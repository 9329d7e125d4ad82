//! What a reader asks to see: `--severity` (any case, comma-separated), `--fail-on` in any case,
//! `--rule` / `--skip-rule`, `--only-new` with `--baseline`, and `--quiet`. A filtered report
//! holds only what the filter shows, in every format, says so, and gates the run by itself.

use std::collections::BTreeSet;

use crate::support::cli::{Run, keyward, keyward_in};
use crate::support::fixture;

fn scan(fixture_name: &str, extra: &[&str]) -> Run {
    let snapshot = fixture(fixture_name);
    let mut args = vec!["scan", "--snapshot", &snapshot, "--as-of", "snapshot"];
    args.extend_from_slice(extra);
    keyward(&args)
}

fn findings(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["findings"].as_array().unwrap().clone())
        .collect()
}

fn field_values(report: &serde_json::Value, field: &str) -> BTreeSet<String> {
    findings(report)
        .iter()
        .map(|f| f[field].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn severity_takes_any_case_and_a_comma_separated_list() {
    let run = scan(
        "incident.json",
        &["--severity", "HIGH,Critical", "--format", "json"],
    );
    run.assert_code(1);
    let report = run.json();
    assert_eq!(
        field_values(&report, "severity"),
        BTreeSet::from(["critical".to_owned(), "high".to_owned()])
    );
    assert_eq!(report["summary"]["open_total"], 22);
    assert_eq!(
        report["filter"],
        serde_json::json!({"severities": ["high", "critical"]})
    );
    let table = scan("incident.json", &["--severity", "high,critical"]);
    assert!(
        table
            .stdout
            .contains("Filtered to severity critical, high: other findings"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains("MEDIUM ("), "{}", table.stdout);
}

#[test]
fn fail_on_takes_any_case_and_the_exit_code_follows_the_filter() {
    scan("incident.json", &["--fail-on", "HIGH"]).assert_code(1);
    scan("incident.json", &["--fail-on", "Critical"]).assert_code(1);
    // Only low findings are shown: nothing at or above high is left to fail the run.
    scan("incident.json", &["--severity", "LOW", "--fail-on", "HIGH"]).assert_code(0);
    scan("incident.json", &["--severity", "bogus"]).assert_input_error(&["bogus"]);
}

#[test]
fn rules_are_chosen_and_skipped_by_id_or_name_in_any_case() {
    let only = scan(
        "incident.json",
        &["--rule", "kw-iam-009,Root-Access-Keys", "--format", "json"],
    )
    .json();
    let shown = field_values(&only, "rule_id");
    assert!(
        shown.contains("KW-IAM-009") && shown.len() <= 2,
        "{shown:?}"
    );
    assert!(shown.iter().all(|r| r == "KW-IAM-009" || r == "KW-IAM-001"));
    let skipped = scan(
        "incident.json",
        &[
            "--skip-rule",
            "KW-IAM-009",
            "--skip-rule",
            "kw-sm-006",
            "--format",
            "json",
        ],
    )
    .json();
    let left = field_values(&skipped, "rule_id");
    assert!(
        !left.contains("KW-IAM-009") && !left.contains("KW-SM-006"),
        "{left:?}"
    );
    assert!(left.contains("KW-IAM-001"));
    scan("incident.json", &["--rule", "KW-IAM-999"])
        .assert_input_error(&["no rule has the id or name `KW-IAM-999`"]);
}

#[test]
fn checks_of_rules_left_out_do_not_make_the_scan_incomplete() {
    scan("partial.json", &["--fail-on", "none"]).assert_code(3);
    let run = scan(
        "partial.json",
        &[
            "--rule",
            "KW-IAM-009",
            "--fail-on",
            "none",
            "--format",
            "json",
        ],
    );
    run.assert_code(0);
    let report = run.json();
    assert_eq!(report["summary"]["not_evaluated"], 0);
    assert_eq!(
        report["accounts"][0]["not_evaluated"],
        serde_json::json!([])
    );
}

#[test]
fn only_new_shows_what_the_baseline_lacks_and_markdown_marks_it() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = fixture("incident.json");
    let baseline = dir.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    let base = [
        "scan",
        "--snapshot",
        &snapshot,
        "--as-of",
        "snapshot",
        "--rule",
        "KW-IAM-009",
        "--format",
        "json",
        "-o",
        baseline,
    ];
    keyward_in(dir.path(), &base).assert_code(1);
    let with_baseline = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--snapshot",
            &snapshot,
            "--as-of",
            "snapshot",
            "--baseline",
            baseline,
        ];
        args.extend_from_slice(extra);
        keyward_in(dir.path(), &args)
    };
    let all = with_baseline(&["--format", "json"]).json();
    let new = with_baseline(&["--only-new", "--format", "json"]).json();
    let total = findings(&all).len();
    assert_eq!(findings(&new).len(), total - 3);
    assert!(findings(&new).iter().all(|f| f["baseline_state"] == "new"));
    assert!(!field_values(&new, "rule_id").contains("KW-IAM-009"));

    let markdown = with_baseline(&["--format", "markdown"]).stdout;
    let html = crate::support::gfm_html(&markdown);
    let marked = html.matches("<strong>New:</strong>").count();
    assert_eq!(marked, total - 3, "{markdown}");
    assert!(markdown.contains(&format!("{} new since the baseline", total - 3)));

    keyward(&["scan", "--demo", "--only-new"]).assert_input_error(&["--baseline"]);
}

#[test]
fn quiet_prints_the_report_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let audit = |name: &str, extra: &[&str]| {
        let audits = dir.path().join(name);
        let mut args = vec!["scan", "--demo", "--output-dir", audits.to_str().unwrap()];
        args.extend_from_slice(extra);
        keyward_in(dir.path(), &args)
    };
    let loud = audit("loud", &[]);
    assert!(loud.stderr.contains("wrote this audit"), "{}", loud.stderr);
    let quiet = audit("quiet", &["--quiet"]);
    quiet.assert_code(1);
    assert_eq!(quiet.stderr, "");
    assert!(quiet.stdout == loud.stdout, "the report is the same");
}
