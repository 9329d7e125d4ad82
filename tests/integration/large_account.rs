//! Large synthetic accounts (`keyward::synthetic`, the generator the benchmarks use) written as
//! snapshots and scanned through the command line. Each rule's number of findings is pinned: a
//! change to a rule, to the engine or to the generator that moves one fails here (when the
//! change is meant, update the numbers, and the README's benchmark figures if they move too).

use std::collections::BTreeMap;

use crate::support::cli::keyward_in;
use chrono::{TimeZone, Utc};
use keyward::synthetic::{Profile, Shape, generate};

/// Large enough for every rule to find something or be sure to find nothing, small enough for
/// a few seconds in a debug build.
const USERS_AND_SECRETS: usize = 2_000;

/// The findings of each rule in the account of `profile`, as of its collection time.
fn findings_per_rule(profile: Profile) -> BTreeMap<String, u64> {
    let dir = tempfile::tempdir().expect("temp dir");
    let as_of = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let shape = Shape::new(USERS_AND_SECRETS, USERS_AND_SECRETS, profile, as_of);
    let path = dir.path().join("synthetic.json");
    std::fs::write(&path, keyward::snapshot::to_json(&generate(&shape)))
        .expect("the snapshot is written");

    let run = keyward_in(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            path.to_str().unwrap(),
            "--as-of",
            "snapshot",
            "--format",
            "json",
        ],
    );
    // Findings at the default --fail-on (low), and every check evaluated (not 3).
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    let report = run.json();
    assert_eq!(report["summary"]["not_evaluated"], 0);
    let mut counts = BTreeMap::new();
    for finding in report["accounts"][0]["findings"]
        .as_array()
        .expect("findings")
    {
        let rule = finding["rule_id"].as_str().expect("rule_id").to_owned();
        *counts.entry(rule).or_default() += 1;
    }
    counts
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs
        .iter()
        .map(|&(rule, n)| (rule.to_owned(), n))
        .collect()
}

#[test]
fn a_finding_heavy_account_of_2000_users_and_secrets_has_its_known_findings() {
    let expected = counts(&[
        // The synthetic account has no detective controls: one finding per account-wide
        // detective rule, one per region (3) for GuardDuty and Access Analyzer.
        ("KW-AA-001", 3),
        ("KW-CE-001", 1),
        ("KW-CT-001", 1),
        ("KW-CW-001", 1),
        ("KW-CW-002", 1),
        ("KW-CW-003", 1),
        ("KW-CW-004", 1),
        ("KW-CW-005", 1),
        ("KW-GD-001", 3),
        ("KW-IAM-003", 1),
        ("KW-IAM-005", 364),
        ("KW-IAM-006", 13),
        ("KW-IAM-007", 833),
        ("KW-IAM-008", 406),
        ("KW-IAM-009", 1407),
        ("KW-IAM-010", 204),
        ("KW-IAM-011", 523),
        ("KW-IAM-012", 1),
        ("KW-IAM-013", 808),
        ("KW-SM-001", 914),
        ("KW-SM-002", 76),
        ("KW-SM-003", 211),
        ("KW-SM-004", 662),
        ("KW-SM-005", 40),
        ("KW-SM-006", 67),
        ("KW-SM-007", 1027),
        ("KW-SM-009", 113),
    ]);
    assert_eq!(findings_per_rule(Profile::FindingHeavy), expected);
}

#[test]
fn a_mostly_compliant_account_of_2000_users_and_secrets_has_a_tenth_of_them() {
    let expected = counts(&[
        // The synthetic account has no detective controls: one finding per account-wide
        // detective rule, one per region (3) for GuardDuty and Access Analyzer.
        ("KW-AA-001", 3),
        ("KW-CE-001", 1),
        ("KW-CT-001", 1),
        ("KW-CW-001", 1),
        ("KW-CW-002", 1),
        ("KW-CW-003", 1),
        ("KW-CW-004", 1),
        ("KW-CW-005", 1),
        ("KW-GD-001", 3),
        ("KW-IAM-003", 1),
        ("KW-IAM-005", 35),
        ("KW-IAM-006", 1),
        ("KW-IAM-007", 83),
        ("KW-IAM-008", 45),
        ("KW-IAM-009", 137),
        ("KW-IAM-010", 21),
        ("KW-IAM-011", 523),
        ("KW-IAM-012", 1),
        ("KW-IAM-013", 805),
        ("KW-SM-001", 87),
        ("KW-SM-002", 7),
        ("KW-SM-003", 20),
        ("KW-SM-004", 75),
        ("KW-SM-005", 4),
        ("KW-SM-006", 8),
        ("KW-SM-007", 97),
        ("KW-SM-009", 113),
    ]);
    assert_eq!(findings_per_rule(Profile::MostlyCompliant), expected);
}
