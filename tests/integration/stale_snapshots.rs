//! A snapshot judged long after it was collected is reported with a warning, in every format:
//! the table and markdown at the top, JSON in `warnings`, SARIF as a notification of the
//! account's run, and stderr for everything that is not the table on screen. The age comes from
//! keyward.yaml (`max_snapshot_age_days`, default 7) or `--max-snapshot-age`.
//! The fixtures were collected in 2026 and are judged as of now here: always older than a week.

use crate::support::cli::{Run, keyward_in};
use crate::support::{fixture, write_file};

const WARNING: &str = "the snapshot of account 123456789012 was collected ";

fn scan_in(dir: &std::path::Path, extra: &[&str]) -> Run {
    let snapshot = fixture("incident.json");
    let mut args = vec!["scan", "--snapshot", &snapshot];
    args.extend_from_slice(extra);
    keyward_in(dir, &args)
}

fn scan(extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    scan_in(dir.path(), extra)
}

#[test]
fn an_old_snapshot_judged_now_is_warned_about_in_every_format() {
    let table = scan(&[]);
    table.assert_code(1);
    assert!(table.stdout.starts_with("keyward "), "{}", table.stdout);
    assert!(
        table.stdout.contains(&format!("WARNING: {WARNING}")),
        "{}",
        table.stdout
    );
    assert!(!table.stderr.contains(WARNING), "shown once, on screen");

    let json = scan(&["--format", "json"]);
    let report = json.json();
    assert_eq!(report["warnings"][0]["account_id"], "123456789012");
    let message = report["warnings"][0]["message"].as_str().unwrap();
    assert!(message.starts_with(WARNING), "{message}");
    assert!(
        message.contains("more than the 7 days allowed"),
        "{message}"
    );
    assert!(
        json.stderr
            .contains(&format!("keyward: warning: {WARNING}"))
    );

    let markdown = scan(&["--format", "markdown"]).stdout;
    let html = crate::support::gfm_html(&markdown);
    assert!(html.contains("markdown-alert-warning"), "{html}");
    assert!(html.contains(WARNING), "{html}");

    let sarif: serde_json::Value =
        serde_json::from_str(&scan(&["--format", "sarif"]).stdout).unwrap();
    let notifications = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    let texts: Vec<&str> = notifications
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["message"]["text"].as_str())
        .collect();
    assert!(texts.iter().any(|t| t.starts_with(WARNING)), "{texts:?}");
}

#[test]
fn a_snapshot_judged_as_of_its_collection_gets_no_warning() {
    for format in ["table", "json", "markdown", "sarif"] {
        let run = scan(&["--as-of", "snapshot", "--format", format]);
        assert!(!run.stdout.contains(WARNING), "{format}");
        assert!(!run.stderr.contains(WARNING), "{format}");
    }
}

#[test]
fn the_age_comes_from_the_config_or_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let json = |extra: &[&str]| {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        scan_in(dir.path(), &args).json()["warnings"].clone()
    };
    assert!(json(&[]).is_array());
    write_file(dir.path(), "keyward.yaml", "max_snapshot_age_days: 36500\n");
    assert!(json(&[]).is_null(), "a century is young enough");
    write_file(dir.path(), "keyward.yaml", "max_snapshot_age_days: 1\n");
    let warnings = json(&[]);
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .contains("more than the 1 day allowed"),
        "{warnings}"
    );
    assert!(
        json(&["--max-snapshot-age", "36500"]).is_null(),
        "the flag wins"
    );
    scan(&["--max-snapshot-age", "soon"]).assert_input_error(&["soon"]);
}
