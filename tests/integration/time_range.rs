//! Times outside what keyward computes with (1800 to 2200; regorus' nanosecond times reach
//! 1677 to 2262) are refused where they enter, naming the flag, the config key or the snapshot
//! field: never a panic, never a built-in rule blamed, never a time silently changed.

use crate::support::cli::keyward;
use crate::support::hostile::{incident_with, write};

#[test]
fn an_as_of_outside_the_range_is_refused_not_panicked_on_or_wrapped() {
    for (as_of, why) in [
        ("+100000000d", "expected +Nd with a whole number of days"),
        (
            "+9223372036854775807d",
            "expected +Nd with a whole number of days",
        ),
        (
            "1600-01-01",
            "1600-01-01T00:00:00Z is outside the times keyward computes with, 1800-01-01 to 2200-12-31",
        ),
        (
            "2262-04-12T00:00:00Z",
            "is outside the times keyward computes with",
        ),
    ] {
        let run = keyward(&["scan", "--demo", "--as-of", as_of]);
        run.assert_input_error(&["--as-of", &format!("`{as_of}`: "), why]);
    }
    // Inside the range, as before: the report says the time asked for.
    let run = keyward(&[
        "scan",
        "--demo",
        "--as-of",
        "1800-01-01",
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["as_of"], "1800-01-01T00:00:00Z");
}

#[test]
fn a_snapshot_time_outside_the_range_names_its_field_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (name, year) in [("early.json", "1600"), ("late.json", "2262")] {
        let snapshot = incident_with(dir.path(), name, |s| {
            s["users"][0]["access_keys"][0]["created"] = format!("{year}-03-20T12:00:00Z").into();
        });
        let text = std::fs::read_to_string(&snapshot).unwrap();
        let line = text
            .lines()
            .position(|l| l.contains(&format!("{year}-03-20")))
            .unwrap()
            + 1;
        keyward(&["scan", "--snapshot", &snapshot]).assert_input_error(&[
            &format!("snapshot {snapshot}:{line}:"),
            &format!("users[0].access_keys[0].created: {year}-03-20T12:00:00Z is outside the times keyward computes with"),
        ]);
    }
    let yaml = write(
        dir.path(),
        "early.yaml",
        "schema_version: 1\ncollected_at: 1500-01-01T00:00:00Z\ncollector: {tool: t, version: v}\naccount: {id: \"123456789012\"}\n",
    );
    keyward(&["scan", "--snapshot", &yaml]).assert_input_error(&[
        &format!("snapshot {yaml}:2:"),
        "collected_at: 1500-01-01T00:00:00Z is outside",
    ]);
}

#[test]
fn a_threshold_past_a_hundred_years_names_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "keyward.yaml",
        "thresholds:\n  rotation_grace_days: 3\n  max_access_key_age_days: 129000\n",
    );
    keyward(&["scan", "--demo", "--config", &config]).assert_input_error(&[
        &format!("config {config}:3: thresholds.max_access_key_age_days: 129000 days is more than the 36500 keyward allows"),
    ]);
}

/// A rotation interval from the snapshot is any number AWS (or a forged file) says: the
/// built-in rules judge it instead of failing on it.
#[test]
fn a_huge_rotation_interval_in_a_snapshot_does_not_break_a_builtin_rule() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = incident_with(dir.path(), "rotation.json", |s| {
        s["secrets"][1]["rotation"]["rules"]["automatically_after_days"] = 4_000_000_000u32.into();
        s["secrets"][2]["rotation"]["rules"]["schedule_expression"] =
            "rate(99999999999 days)".into();
    });
    let run = keyward(&[
        "scan",
        "--snapshot",
        &snapshot,
        "--as-of",
        "snapshot",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let too_long: Vec<&str> = report["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "KW-SM-002")
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    assert!(
        too_long.iter().any(|r| r.contains("anthropic")),
        "{too_long:?}"
    );
    assert!(
        too_long.iter().any(|r| r.contains("db-password")),
        "{too_long:?}"
    );
}
