//! The command line end to end on fixture snapshots: formats, exit codes, waivers, and every
//! input-error path (exit 2 with file and line, never a panic).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use insta::assert_snapshot;

use crate::support::cli::{Run, assert_input_error_snapshot, keyward, keyward_in};
use crate::support::{fixture, open_findings, repo, write_file};

const INCIDENT_ACCOUNT: &str = "123456789012";

fn iam(kind_name: &str) -> String {
    format!("arn:aws:iam::{INCIDENT_ACCOUNT}:{kind_name}")
}

fn secret(region: &str, name_suffix: &str) -> String {
    format!("arn:aws:secretsmanager:{region}:{INCIDENT_ACCOUNT}:secret:{name_suffix}")
}

/// Every finding the incident account must produce, as of its collection day.
fn expected_incident_findings() -> Vec<(String, String)> {
    let mut expected: Vec<(String, String)> = [
        ("KW-IAM-001", iam("root")),
        ("KW-IAM-002", iam("root")),
        ("KW-IAM-004", iam("root")),
        ("KW-IAM-005", iam("user/alice")),
        ("KW-IAM-006", iam("user/bob")),
        ("KW-IAM-007", iam("user/bob")),
        ("KW-IAM-007", iam("user/ci-deploy")),
        ("KW-IAM-007", iam("user/former-contractor")),
        ("KW-IAM-008", iam("user/ci-deploy")),
        ("KW-IAM-009", iam("user/alice")),
        ("KW-IAM-009", iam("user/ci-deploy")),
        ("KW-IAM-010", iam("user/ci-deploy")),
        // In effect: the admins group's member, not the policy or the group.
        ("KW-IAM-011", iam("user/former-contractor")),
        ("KW-IAM-012", iam("root")),
        ("KW-IAM-013", iam("user/former-contractor")),
        ("KW-IAM-013", iam("role/eval-worker")),
        ("KW-IAM-013", iam("user/ci-deploy")),
        (
            "KW-SM-001",
            secret("us-east-1", "prod/openai-api-key-Ab12Cd"),
        ),
        (
            "KW-SM-001",
            secret("us-east-1", "legacy/reporting-token-Mn78Op"),
        ),
        ("KW-SM-002", secret("us-east-1", "prod/db-password-Ij56Kl")),
        (
            "KW-SM-003",
            secret("eu-west-1", "prod/anthropic-api-key-Ef34Gh"),
        ),
        (
            "KW-SM-004",
            secret("us-east-1", "legacy/reporting-token-Mn78Op"),
        ),
        (
            "KW-SM-005",
            secret("eu-west-1", "shared/partner-webhook-Qr90St"),
        ),
        (
            "KW-SM-006",
            secret("us-east-1", "prod/openai-api-key-Ab12Cd"),
        ),
        (
            "KW-SM-006",
            secret("eu-west-1", "prod/anthropic-api-key-Ef34Gh"),
        ),
        (
            "KW-SM-007",
            secret("us-east-1", "prod/openai-api-key-Ab12Cd"),
        ),
        (
            "KW-SM-007",
            secret("eu-west-1", "prod/anthropic-api-key-Ef34Gh"),
        ),
        (
            "KW-SM-007",
            secret("us-east-1", "legacy/reporting-token-Mn78Op"),
        ),
        // The eval vendor's account reads both provider keys through vendor-evals.
        (
            "KW-SM-009",
            secret("us-east-1", "prod/openai-api-key-Ab12Cd"),
        ),
        (
            "KW-SM-009",
            secret("eu-west-1", "prod/anthropic-api-key-Ef34Gh"),
        ),
        // The detective controls the incident lacked.
        ("KW-CT-001", scoped("cloudtrail::", "trail/*")),
        (
            "KW-CT-003",
            scoped("cloudtrail:us-east-1:", "trail/ops-audit"),
        ),
        (
            "KW-CT-004",
            scoped("cloudtrail:us-east-1:", "trail/ops-audit"),
        ),
        (
            "KW-CT-005",
            scoped("cloudtrail:us-east-1:", "trail/ops-audit"),
        ),
        (
            "KW-CT-007",
            scoped("cloudtrail:us-east-1:", "trail/ops-audit"),
        ),
        ("KW-GD-001", scoped("guardduty:eu-west-1:", "detector/*")),
        (
            "KW-AA-001",
            scoped("access-analyzer:us-east-1:", "analyzer/*"),
        ),
        (
            "KW-AA-001",
            scoped("access-analyzer:eu-west-1:", "analyzer/*"),
        ),
        ("KW-CW-001", scoped("cloudwatch::", "alarm:*")),
        ("KW-CW-002", scoped("cloudwatch::", "alarm:*")),
        ("KW-CW-003", scoped("cloudwatch::", "alarm:*")),
        ("KW-CW-004", scoped("cloudwatch::", "alarm:*")),
        ("KW-CW-005", scoped("cloudwatch::", "alarm:*")),
        ("KW-CE-001", scoped("ce::", "anomalymonitor/*")),
    ]
    .into_iter()
    .map(|(rule, resource)| (rule.to_owned(), resource))
    .collect();
    expected.sort();
    expected
}

/// `arn:aws:<service>:<region>:` (given as `service_and_region`) of the incident account.
fn scoped(service_and_region: &str, what: &str) -> String {
    format!("arn:aws:{service_and_region}123456789012:{what}")
}

#[test]
fn incident_fixture_reports_every_expected_finding_and_nothing_else() {
    let run = keyward(&[
        "scan",
        "--snapshot",
        &fixture("incident.json"),
        "--as-of",
        "snapshot",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(open_findings(&run.json()), expected_incident_findings());
}

#[test]
fn demo_is_the_incident_fixture_as_of_its_collection_day() {
    let run = keyward(&["scan", "--demo", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["as_of"], "2026-05-03T09:00:00Z");
    assert_eq!(open_findings(&report), expected_incident_findings());
}

#[test]
fn clean_fixture_has_no_findings_and_exits_zero() {
    let run = keyward(&[
        "scan",
        "--snapshot",
        &fixture("clean.json"),
        "--as-of",
        "snapshot",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .ends_with("0 open findings (none)\n0 waived, 0 checks not evaluated, 3 not applicable, 1 account\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn looking_ahead_with_as_of_finds_what_will_age_out() {
    // 120 days after collection, the clean account's 50-day-old key is past 90 days.
    let run = keyward(&[
        "scan",
        "--snapshot",
        &fixture("clean.json"),
        "--as-of",
        "2027-03-20",
        "--format",
        "json",
    ]);
    let findings = open_findings(&run.json());
    assert!(
        findings.contains(&(
            "KW-IAM-009".to_owned(),
            "arn:aws:iam::210987654321:user/deploy-bot".to_owned()
        )),
        "{findings:?}"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn table_is_grouped_by_severity_and_fits_80_columns() {
    let run = keyward(&["scan", "--demo"]);
    assert_eq!(run.code, 1);
    let critical = run.stdout.find("CRITICAL (").expect("critical group");
    let high = run.stdout.find("HIGH (").expect("high group");
    let medium = run.stdout.find("MEDIUM (").expect("medium group");
    let low = run.stdout.find("LOW (").expect("low group");
    assert!(
        critical < high && high < medium && medium < low,
        "{}",
        run.stdout
    );
    for line in run.stdout.lines() {
        assert!(
            line.chars().count() <= 80,
            "line wider than 80 columns: {line:?}"
        );
    }
    let lines: Vec<&str> = run.stdout.lines().collect();
    let (findings, rest) = (lines[lines.len() - 2], lines[lines.len() - 1]);
    assert!(
        findings.contains(" open findings (5 critical, "),
        "{findings}"
    );
    // The three KW-TF rules need a Terraform plan.
    assert_eq!(
        rest,
        "0 waived, 0 checks not evaluated, 3 not applicable, 1 account"
    );
}

#[test]
fn messages_never_show_a_full_access_key_id() {
    for format in ["table", "json", "sarif", "markdown"] {
        let run = keyward(&["scan", "--demo", "--format", format]);
        for id in [
            "AKIAQROOT7EXAMPLE001",
            "AKIAQALICE7EXAMPLE02",
            "AKIAQCIDEPLOYEXAMP03",
        ] {
            assert!(!run.stdout.contains(id), "{format} output shows {id}");
        }
    }
}

#[test]
fn markdown_has_a_rollup_and_the_findings() {
    let run = keyward(&["scan", "--demo", "--format", "markdown"]);
    assert!(
        run.stdout
            .contains("| Account | Critical | High | Medium | Low | Waived | Not evaluated |")
    );
    assert!(run.stdout.contains("| 123456789012 (acme-ai-prod) | "));
    assert!(run.stdout.contains("`KW-SM-006`"));
}

#[test]
fn fail_on_sets_the_exit_code() {
    let incident = fixture("incident.json");
    let path = incident.as_str();
    let code = |fail_on: &str| {
        keyward(&[
            "scan",
            "--snapshot",
            path,
            "--as-of",
            "snapshot",
            "--fail-on",
            fail_on,
        ])
        .code
    };
    assert_eq!(code("critical"), 1);
    assert_eq!(code("none"), 0);
    // The clean account has nothing at any level.
    let clean = fixture("clean.json");
    let run = keyward(&[
        "scan",
        "--snapshot",
        &clean,
        "--as-of",
        "snapshot",
        "--fail-on",
        "low",
    ]);
    assert_eq!(run.code, 0);
}

#[test]
fn collection_errors_make_checks_not_evaluated_and_the_scan_incomplete() {
    let run = keyward(&[
        "scan",
        "--snapshot",
        &fixture("partial.json"),
        "--as-of",
        "snapshot",
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let report = run.json();
    let gaps = report["accounts"][0]["not_evaluated"].as_array().unwrap();
    let rules: std::collections::BTreeSet<&str> = gaps
        .iter()
        .map(|g| g["rule_id"].as_str().unwrap())
        .collect();
    // The root row is missing: every root rule is not evaluated (and not reported as passing).
    for rule in ["KW-IAM-001", "KW-IAM-002", "KW-IAM-003", "KW-IAM-004"] {
        assert!(rules.contains(rule), "{rule} missing from {rules:?}");
    }
    // eu-west-1 could not be listed: secrets rules are not evaluated there, but still run in us-east-1.
    let eu_gap = gaps
        .iter()
        .find(|g| g["rule_id"] == "KW-SM-001" && g["region"] == "eu-west-1")
        .expect("KW-SM-001 not evaluated in eu-west-1");
    assert!(
        eu_gap["reason"].as_str().unwrap().contains("access_denied"),
        "{eu_gap}"
    );
    assert!(
        open_findings(&report)
            .iter()
            .any(|(rule, _)| rule == "KW-SM-001")
    );
    // Rules whose data is complete are evaluated as usual.
    assert!(!rules.contains("KW-IAM-012"));
    // With findings at the fail-on level, the findings exit code wins.
    let gated = keyward(&[
        "scan",
        "--snapshot",
        &fixture("partial.json"),
        "--as-of",
        "snapshot",
    ]);
    assert_eq!(gated.code, 1);
}

#[test]
fn a_waiver_suppresses_its_finding_until_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let config = "waivers:\n  - rule: KW-IAM-009\n    resource: \"arn:aws:iam::*:user/ali*\"\n    reason: Key used by the legacy billing export, replacement tracked in OPS-42\n    owner: platform-team@example.com\n    expires: 2026-06-30\n";
    write_file(dir.path(), "keyward.yaml", config);
    let incident = fixture("incident.json");
    let scan = |as_of: &str, format: &str| {
        keyward_in(
            dir.path(),
            &[
                "scan",
                "--snapshot",
                &incident,
                "--as-of",
                as_of,
                "--format",
                format,
            ],
        )
    };

    let report = scan("2026-05-03T09:00:00Z", "json").json();
    let alice_key = "arn:aws:iam::123456789012:user/alice";
    let waived: Vec<_> = report["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("waiver").is_some())
        .collect();
    assert_eq!(waived.len(), 1, "{waived:?}");
    assert_eq!(waived[0]["rule_id"], "KW-IAM-009");
    assert_eq!(waived[0]["resource"], alice_key);
    assert_eq!(waived[0]["waiver"]["owner"], "platform-team@example.com");
    assert_eq!(report["summary"]["waived"], 1);
    assert!(!open_findings(&report).contains(&("KW-IAM-009".to_owned(), alice_key.to_owned())));

    let sarif = scan("2026-05-03T09:00:00Z", "sarif").json();
    let suppressed: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");

    // After the expiry date the finding is open again and the stale waiver is reported at its line.
    let expired = scan("2026-07-01", "json").json();
    assert!(open_findings(&expired).contains(&("KW-IAM-009".to_owned(), alice_key.to_owned())));
    let config_finding = &expired["config_findings"][0];
    assert_eq!(config_finding["rule_id"], "KW-CFG-001");
    assert_eq!(config_finding["location"]["line"], 2);
    assert_eq!(expired["summary"]["waived"], 0);

    // Omitting waived findings leaves them out of the output altogether.
    let omitted = keyward_in(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            &incident,
            "--as-of",
            "2026-05-03",
            "--format",
            "sarif",
            "--waived",
            "omit",
        ],
    );
    assert!(!omitted.stdout.contains("\"suppressions\""));
}

#[test]
fn thresholds_and_disabled_rules_come_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_file(
        dir.path(),
        "strict.yaml",
        "thresholds:\n  max_access_key_age_days: 30\ndisabled_rules:\n  - KW-IAM-012\n",
    );
    let clean = fixture("clean.json");
    let report = keyward(&[
        "scan",
        "--snapshot",
        &clean,
        "--as-of",
        "snapshot",
        "--config",
        &config,
        "--format",
        "json",
    ])
    .json();
    let findings = open_findings(&report);
    assert!(
        findings.contains(&(
            "KW-IAM-009".to_owned(),
            "arn:aws:iam::210987654321:user/deploy-bot".to_owned()
        )),
        "{findings:?}"
    );
    assert_eq!(report["disabled_rules"][0], "KW-IAM-012");
    assert!(
        report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != "KW-IAM-012")
    );
}

/// keyward run in a scratch directory that holds `file` with `text`: the arguments name the file
/// by its relative path, so that messages show it as a user typed it (and snapshots hold no
/// temporary directory).
fn keyward_with_file(file: &str, text: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), file, text);
    keyward_in(dir.path(), args)
}

#[test]
fn malformed_json_snapshot_names_file_and_line() {
    let run = keyward_with_file(
        "broken.json",
        "{\n  \"schema_version\": 1,\n  \"collected_at\": \"2026-01-01T00:00:00Z\",\n  \"account\": {\"id\": 12\n}\n",
        &["scan", "--snapshot", "broken.json"],
    );
    assert_input_error_snapshot!(run, &["broken.json:6:", "snapshot"]);
}

#[test]
fn snapshot_with_a_wrong_type_names_the_line() {
    let text = fs::read_to_string(fixture("clean.json")).unwrap().replacen(
        "\"mfa_enabled\": true",
        "\"mfa_enabled\": \"yes\"",
        1,
    );
    let line = text
        .lines()
        .position(|l| l.contains("\"mfa_enabled\": \"yes\""))
        .unwrap()
        + 1;
    let run = keyward_with_file("typed.json", &text, &["scan", "--snapshot", "typed.json"]);
    assert_input_error_snapshot!(run, &[&format!("typed.json:{line}:")]);
}

#[test]
fn yaml_snapshots_are_read_and_bad_yaml_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fixture("incident.json")).unwrap()).unwrap();
    let yaml = write_file(
        dir.path(),
        "incident.yaml",
        &yaml_serde::to_string(&snapshot).unwrap(),
    );
    let run = keyward(&[
        "scan",
        "--snapshot",
        &yaml,
        "--as-of",
        "snapshot",
        "--format",
        "json",
    ]);
    assert_eq!(open_findings(&run.json()), expected_incident_findings());

    let bad = keyward_with_file(
        "bad.yaml",
        "schema_version: 1\ncollected_at: 2026-01-01T00:00:00Z\naccount: [unclosed\n",
        &["scan", "--snapshot", "bad.yaml"],
    );
    assert_input_error_snapshot!(bad, &["bad.yaml:"]);
}

#[test]
fn a_snapshot_from_a_newer_keyward_says_to_upgrade() {
    let text = fs::read_to_string(fixture("clean.json")).unwrap().replacen(
        "\"schema_version\": 3",
        "\"schema_version\": 7",
        1,
    );
    let run = keyward_with_file("future.json", &text, &["scan", "--snapshot", "future.json"]);
    assert_input_error_snapshot!(run, &["schema_version 7", "upgrade keyward"]);
}

#[test]
fn a_document_that_is_not_a_snapshot_says_so() {
    let list = keyward_with_file(
        "list.json",
        "[1, 2]\n",
        &["scan", "--snapshot", "list.json"],
    );
    assert_input_error_snapshot!(
        "a_list_is_not_a_snapshot",
        list,
        &["list.json:1:", "expected a keyward snapshot"]
    );
    let unversioned = keyward_with_file(
        "other.json",
        "{\"users\": []}\n",
        &["scan", "--snapshot", "other.json"],
    );
    assert_input_error_snapshot!(
        "an_unversioned_document_is_not_a_snapshot",
        unversioned,
        &["other.json:1:", "missing or non-numeric `schema_version`"]
    );
}

#[test]
fn a_missing_snapshot_file_is_an_input_error() {
    assert_input_error_snapshot!(
        keyward(&["scan", "--snapshot", "/nonexistent/snap.json"]),
        &["/nonexistent/snap.json"]
    );
}

#[test]
fn two_snapshots_of_one_account_are_refused() {
    let path = fixture("clean.json");
    let p = path.as_str();
    keyward(&["scan", "--snapshot", p, "--snapshot", p])
        .assert_input_error(&["both of account 210987654321"]);
}

const USER_RULE: &str = "# METADATA\n# title: Users named admin\n# description: A user called admin is a shared account.\n# custom:\n#   id: ACME-IAM-001\n#   name: user-named-admin\n#   severity: medium\n#   requires: [iam.credentials]\n#   remediation: Give each person their own user.\npackage acme.user_named_admin\n\ndeny contains {\"resource\": user.arn, \"message\": sprintf(\"user %s is shared\", [user.name])} if {\n\tsome user in input.snapshot.users\n\tuser.name == \"alice\"\n}\n";

#[test]
fn user_policies_load_beside_the_builtin_pack() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "admin.rego", USER_RULE);
    let policy_dir = dir.path().to_str().unwrap();
    let report = keyward(&["scan", "--demo", "--policy", policy_dir, "--format", "json"]).json();
    let findings = open_findings(&report);
    assert!(findings.contains(&("ACME-IAM-001".to_owned(), iam("user/alice"))));
    assert!(findings.iter().any(|(rule, _)| rule == "KW-IAM-001"));
    let only_mine = keyward(&[
        "scan",
        "--demo",
        "--policy",
        policy_dir,
        "--no-builtin",
        "--format",
        "json",
    ])
    .json();
    assert_eq!(
        open_findings(&only_mine),
        vec![("ACME-IAM-001".to_owned(), iam("user/alice"))]
    );
}

/// `keyward scan --demo` with one user policy file, `acme/{file}` holding `text`.
fn scan_demo_with_policy(file: &str, text: &str) -> Run {
    keyward_with_file(
        &format!("acme/{file}"),
        text,
        &["scan", "--demo", "--policy", "acme"],
    )
}

#[test]
fn rego_that_does_not_parse_names_file_and_line() {
    let broken = USER_RULE.replace(
        "some user in input.snapshot.users",
        "some user in in input.snapshot.users",
    );
    assert_input_error_snapshot!(
        scan_demo_with_policy("broken.rego", &broken),
        &["broken.rego:13:"]
    );
}

#[test]
fn bad_metadata_names_file_and_line() {
    let bad = USER_RULE.replace("severity: medium", "severity: urgent");
    assert_input_error_snapshot!(
        scan_demo_with_policy("meta.rego", &bad),
        &["meta.rego:7:", "urgent"]
    );
}

#[test]
fn a_rule_without_metadata_is_refused_rather_than_ignored() {
    let without = USER_RULE
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert_input_error_snapshot!(
        scan_demo_with_policy("bare.rego", &without),
        &["bare.rego", "no `# METADATA` block"]
    );
}

#[test]
fn a_duplicate_rule_id_is_refused() {
    let duplicate = USER_RULE.replace("ACME-IAM-001", "KW-IAM-001");
    assert_input_error_snapshot!(
        scan_demo_with_policy("dup.rego", &duplicate),
        &["dup.rego", "KW-IAM-001"]
    );
}

#[test]
fn a_rule_failing_at_runtime_is_an_error_naming_it() {
    let failing = USER_RULE.replace(
        "user.name == \"alice\"",
        "user.name == \"alice\"\n\t1 / 0 == 1",
    );
    assert_input_error_snapshot!(
        scan_demo_with_policy("div.rego", &failing),
        &["ACME-IAM-001", "div.rego"]
    );
}

#[test]
fn a_malformed_finding_is_an_error_naming_the_rule_and_the_field() {
    let misnamed = USER_RULE.replace("\"resource\": user.arn", "\"arn\": user.arn");
    assert_input_error_snapshot!(
        scan_demo_with_policy("shape.rego", &misnamed),
        &["rule ACME-IAM-001", "shape.rego", "unknown field `arn`",]
    );
}

#[test]
fn a_waiver_for_an_unknown_rule_names_its_line() {
    let run = keyward_with_file(
        "k.yaml",
        "thresholds:\n  unused_credential_days: 60\nwaivers:\n  - rule: KW-IAM-001\n    resource: \"*\"\n    reason: r\n    owner: o\n    expires: 2030-01-01\n  - rule: KW-NOPE-999\n    resource: \"*\"\n    reason: r\n    owner: o\n    expires: 2030-01-01\n",
        &["scan", "--demo", "--config", "k.yaml"],
    );
    assert_input_error_snapshot!(run, &["k.yaml:9:", "KW-NOPE-999"]);
}

#[test]
fn config_errors_name_their_line() {
    let cases = [
        (
            "unknown.yaml",
            "thresholds:\n  max_key_age: 30\n",
            "unknown.yaml:2:",
        ),
        (
            "value.yaml",
            "thresholds:\n  max_access_key_age_days: -3\n",
            "value.yaml:2:",
        ),
        (
            "date.yaml",
            "waivers:\n  - rule: KW-IAM-001\n    resource: \"*\"\n    reason: r\n    owner: o\n    expires: next year\n",
            "date.yaml:",
        ),
        (
            "empty-owner.yaml",
            "waivers:\n  - rule: KW-IAM-001\n    resource: \"*\"\n    reason: r\n    owner: \"\"\n    expires: 2030-01-01\n",
            "empty-owner.yaml:2:",
        ),
        (
            "disabled.yaml",
            "disabled_rules:\n  - KW-IAM-001\n  - KW-XYZ-1\n",
            "disabled.yaml:3:",
        ),
    ];
    for (name, text, expected) in cases {
        let run = keyward_with_file(name, text, &["scan", "--demo", "--config", name]);
        let snapshot = format!("config_error_in_{}", name.trim_end_matches(".yaml"));
        assert_input_error_snapshot!(snapshot, run, &[expected]);
    }
}

#[test]
fn a_missing_policy_directory_is_an_input_error() {
    assert_input_error_snapshot!(
        keyward(&["scan", "--no-builtin", "--policy", "/nonexistent"]),
        &["/nonexistent"]
    );
}

#[test]
fn rules_lists_every_rule_with_its_controls() {
    let run = keyward(&["rules", "--format", "json"]);
    assert_eq!(run.code, 0);
    let rules = run.json();
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), 40);
    for rule in rules {
        for field in ["id", "name", "title", "description", "remediation"] {
            assert!(
                !rule[field].as_str().unwrap().trim().is_empty(),
                "{field} of {}",
                rule["id"]
            );
        }
        assert!(
            !rule["requires"].as_array().unwrap().is_empty(),
            "requires of {}",
            rule["id"]
        );
    }
    let access_keys = rules.iter().find(|r| r["id"] == "KW-IAM-009").unwrap();
    assert_eq!(access_keys["controls"]["aws-securityhub"][0]["id"], "IAM.3");
    assert_eq!(
        access_keys["controls"]["cis-aws-foundations-v3.0"][0]["id"],
        "1.14"
    );

    let table = keyward(&["rules"]);
    assert!(table.stdout.contains("KW-SM-006"));
    assert!(
        table.stdout.lines().all(|l| l.chars().count() <= 80),
        "{}",
        table.stdout
    );
    let doc = keyward(&["rules", "access-key-not-rotated"]);
    assert!(doc.stdout.contains("How to fix it"), "{}", doc.stdout);
    assert_input_error_snapshot!(
        "an_unknown_rule_has_no_page",
        keyward(&["rules", "KW-NOPE-1"]),
        &["KW-NOPE-1"]
    );
}

/// Tests of USER_RULE: one passes, two fail through assertions, one fails through a plain
/// comparison, and one cannot be evaluated.
const USER_RULE_TESTS: &str = r#"package acme.user_named_admin_test

import data.acme.user_named_admin
import data.keyward.lib.assert

alice := {"snapshot": {"users": [{"name": "alice", "arn": "a"}]}}

test_alice_fires if {
    assert.size(1, user_named_admin.deny) with input as alice
}

test_wrong if {
    assert.size(2, user_named_admin.deny) with input as alice
}

test_wrong_message if {
    findings := user_named_admin.deny with input as alice
    some finding in findings
    assert.equal("user alice is an admin", finding.message)
}

test_plain_comparison if {
    count(user_named_admin.deny) == 2 with input as {"snapshot": {"users": []}}
}

test_broken if {
    count(user_named_admin.deny) == 1 / 0 with input as {"snapshot": {"users": []}}
}
"#;

#[test]
fn policy_test_runs_user_tests_and_fails_on_a_failing_one() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "acme/admin.rego", USER_RULE);
    write_file(dir.path(), "acme/admin_test.rego", USER_RULE_TESTS);
    // The pack's assertions, which a user's tests find beside the built-in rules.
    let assertions = fs::read_to_string(repo().join("policies/lib/assert_test.rego")).unwrap();
    write_file(dir.path(), "acme/lib/assert_test.rego", &assertions);
    let run = keyward_in(
        dir.path(),
        &["policy", "test", "--no-builtin", "--coverage", "acme"],
    );
    run.assert_code(1);
    let test = |name: &str| format!("data.acme.user_named_admin_test.{name} ");
    for line in [
        format!("PASS  {}", test("test_alice_fires")),
        format!("FAIL  {}", test("test_wrong")),
        format!("ERROR {}", test("test_broken")),
    ] {
        assert!(
            run.stdout.contains(&line),
            "no {line:?} in:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("passed, 4 failed"), "{}", run.stdout);
    assert_eq!(
        lines_under(&run.stdout, &test("test_wrong_message")),
        [
            "expected: \"user alice is an admin\"",
            "actual:   \"user alice is shared\"",
        ]
    );
    assert_eq!(
        lines_under(&run.stdout, &test("test_wrong")),
        [
            "expected: count 2",
            "actual:   count 1 of {{\"message\": \"user alice is shared\", \"resource\": \"a\"}}",
        ]
    );
    let silent = lines_under(&run.stdout, &test("test_plain_comparison"));
    assert!(silent[0].starts_with("no assertion reported"), "{silent:?}");
    assert_snapshot!(without_durations(&run.snapshot_text()));
}

/// The indented lines under the line of the test named `name` in `policy test` output.
fn lines_under<'a>(output: &'a str, name: &str) -> Vec<&'a str> {
    output
        .lines()
        .skip_while(|line| !line.contains(name))
        .skip(1)
        .take_while(|line| line.starts_with("      "))
        .map(str::trim)
        .collect()
}

/// `keyward policy test` output with each test's duration, the one part that varies, as [ms].
fn without_durations(text: &str) -> String {
    text.lines()
        .map(|line| match line.rsplit_once(", ") {
            Some((head, tail)) if tail.ends_with(" ms)") => format!("{head}, [ms])\n"),
            _ => format!("{line}\n"),
        })
        .collect()
}

#[test]
fn usage_errors_say_what_is_wrong() {
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "an_unknown_command",
            &["scna"],
            "unrecognized subcommand 'scna'",
        ),
        (
            "an_unknown_severity",
            &["scan", "--demo", "--fail-on", "severe"],
            "invalid value 'severe' for '--fail-on",
        ),
        (
            "a_missing_argument",
            &["diff", "old.json"],
            "required arguments were not provided",
        ),
        (
            "a_directory_without_tests",
            &["policy", "test", "--no-builtin", "."],
            "no Rego tests found",
        ),
    ];
    for (name, args, expected) in cases {
        assert_input_error_snapshot!(name, keyward(args), &[expected]);
    }
}

#[test]
fn schema_command_matches_the_checked_in_schema() {
    let run = keyward(&["schema"]);
    assert_eq!(run.code, 0);
    let checked_in = fs::read_to_string(repo().join("schema/snapshot.schema.json")).unwrap();
    assert_eq!(
        run.stdout, checked_in,
        "schema/snapshot.schema.json is stale: regenerate it with `cargo run -- schema > schema/snapshot.schema.json`"
    );
}

/// Scans the incident fixture as of `date` into a JSON report in `dir`.
fn incident_report(dir: &Path, date: &str) -> String {
    let path = dir.join(format!("report-{date}.json"));
    let run = keyward(&[
        "scan",
        "--snapshot",
        &fixture("incident.json"),
        "--as-of",
        date,
        "--format",
        "json",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_baseline_fails_only_on_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = incident_report(dir.path(), "2026-05-03");
    let incident = fixture("incident.json");
    let scan = |as_of: &str, format: &str| {
        keyward(&[
            "scan",
            "--snapshot",
            &incident,
            "--as-of",
            as_of,
            "--baseline",
            &baseline,
            "--format",
            format,
        ])
    };
    // Same day: everything is known, nothing fails.
    let same = scan("2026-05-03", "json");
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert_eq!(same.json()["summary"]["new_since_baseline"], 0);
    // Three months on, bob's key passed 90 days: new, and failing.
    let later = scan("2026-08-03", "json");
    assert_eq!(later.code, 1);
    let report = later.json();
    let new: Vec<_> = report["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline_state"] == "new")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["resource"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        new.contains(&("KW-IAM-009".to_owned(), iam("user/bob"))),
        "{new:?}"
    );
    assert!(
        new.iter().all(|(rule, _)| rule != "KW-IAM-001"),
        "the root key was in the baseline"
    );
    assert_eq!(report["summary"]["new_since_baseline"], new.len());
    // SARIF carries the same states.
    let sarif = scan("2026-08-03", "sarif").json();
    let states: BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(states, BTreeSet::from(["new", "unchanged"]));
}

#[test]
fn an_unreadable_baseline_is_an_input_error_naming_it() {
    let broken = keyward_with_file(
        "bad.json",
        "{\"report_version\": 1,\n\"tool\": 3}",
        &["scan", "--demo", "--baseline", "bad.json"],
    );
    assert_input_error_snapshot!("a_broken_baseline", broken, &["bad.json:2"]);
    assert_input_error_snapshot!(
        "a_missing_baseline",
        keyward(&["scan", "--demo", "--baseline", "/nonexistent/baseline.json"]),
        &["/nonexistent/baseline.json"]
    );
}

#[test]
fn diff_shows_new_resolved_and_still_open_findings() {
    let dir = tempfile::tempdir().unwrap();
    let old = incident_report(dir.path(), "2026-05-03");
    let new = incident_report(dir.path(), "2026-08-03");
    let run = keyward(&["diff", &old, &new, "--format", "json"]);
    assert_eq!(run.code, 1, "new findings fail by default: {}", run.stderr);
    let diff = run.json();
    let resolved: BTreeSet<&str> = diff["resolved_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        resolved,
        BTreeSet::from(["KW-IAM-004"]),
        "root use ages out of the 30-day window"
    );
    assert!(
        diff["new_findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "KW-IAM-009" && f["resource"] == iam("user/bob"))
    );
    assert_eq!(
        diff["summary"]["still_open"],
        diff["still_open_findings"].as_array().unwrap().len()
    );
    assert_eq!(keyward(&["diff", &old, &new, "--fail-on", "none"]).code, 0);
    assert_eq!(keyward(&["diff", &old, &old]).code, 0);
    // A snapshot on either side is evaluated as of its own collection time.
    let snapshot = fixture("incident.json");
    let same = keyward(&["diff", &old, &snapshot, "--format", "json"]).json();
    assert_eq!(same["summary"]["new"], 0);
    assert_eq!(same["summary"]["resolved"], 0);
    let table = keyward(&["diff", &old, &new]);
    assert!(
        table.stdout.contains("RESOLVED (2)") && table.stdout.contains("new, 2 resolved"),
        "{}",
        table.stdout
    );
}

/// The clean fixture under another account id, to make many accounts.
fn clean_account(dir: &Path, id: &str) -> String {
    let text = fs::read_to_string(fixture("clean.json"))
        .unwrap()
        .replace("210987654321", id);
    write_file(dir, &format!("{id}.json"), &text)
}

#[test]
fn scheduled_audits_write_dated_reports_and_the_drift_since_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let audits = dir.path().join("audits");
    let incident = fixture("incident.json");
    let audit = |as_of: &str| {
        keyward(&[
            "scan",
            "--snapshot",
            &incident,
            "--as-of",
            as_of,
            "--output-dir",
            audits.to_str().unwrap(),
            "--format",
            "json",
        ])
    };
    let first = audit("2026-05-03");
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(
        first.json().get("changes").is_none(),
        "nothing to compare the first audit with"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = audit("2026-08-03");
    let changes = second.json()["changes"].clone();
    assert_eq!(
        changes["resolved"].as_array().unwrap().len(),
        2,
        "{changes:#}"
    );
    assert!(
        changes["new"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["resource"] == iam("user/bob"))
    );
    let mut runs: Vec<_> = fs::read_dir(&audits)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    runs.sort();
    assert_eq!(runs.len(), 2);
    for file in [
        "report.json",
        "report.md",
        "report.sarif",
        "snapshots/123456789012.json",
    ] {
        assert!(
            runs[1].join(file).is_file(),
            "{file} missing in {}",
            runs[1].display()
        );
    }
    let summary = fs::read_to_string(runs[1].join("report.md")).unwrap();
    assert!(
        summary.contains("### Changes since ") && summary.contains(" new, 2 resolved, "),
        "{summary}"
    );
    let table = keyward(&[
        "scan",
        "--snapshot",
        &incident,
        "--as-of",
        "2026-08-03",
        "--output-dir",
        audits.to_str().unwrap(),
    ]);
    assert!(table.stdout.contains("CHANGES SINCE "), "{}", table.stdout);
}

#[test]
fn an_audit_of_many_accounts_splits_sarif_at_githubs_run_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "scan".to_owned(),
        "--as-of".to_owned(),
        "snapshot".to_owned(),
    ];
    for n in 0..25 {
        args.push("--snapshot".to_owned());
        args.push(clean_account(
            dir.path(),
            &format!("{:012}", 500_000_000_000u64 + n),
        ));
    }
    let audits = dir.path().join("audits");
    args.extend([
        "--output-dir".to_owned(),
        audits.to_str().unwrap().to_owned(),
        "--format".to_owned(),
        "table".to_owned(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = keyward(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("ACCOUNTS (25)"));
    let audit = fs::read_dir(&audits)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let runs_in = |name: &str| -> usize {
        let sarif: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(audit.join(name)).unwrap()).unwrap();
        sarif["runs"].as_array().unwrap().len()
    };
    assert_eq!(
        (runs_in("report-01.sarif"), runs_in("report-02.sarif")),
        (20, 5)
    );
    assert!(!audit.join("report.sarif").exists());
    // Asked for directly, a 25-account SARIF is refused with a way out, not written broken.
    let mut direct: Vec<&str> = args
        .iter()
        .copied()
        .take_while(|a| *a != "--output-dir")
        .collect();
    direct.extend(["--format", "sarif"]);
    keyward(&direct).assert_input_error(&["at most 20"]);
}

/// Snapshot formats 1 and 2 (before keyward collected detective controls; main's fixtures were
/// format 2) load, and leave the 15 detective rules not evaluated, naming the version.
#[test]
fn a_snapshot_from_before_detective_collection_leaves_those_rules_not_evaluated() {
    for version in [1, 2] {
        let mut snapshot: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(fixture("incident.json")).unwrap()).unwrap();
        snapshot["schema_version"] = version.into();
        snapshot.as_object_mut().unwrap().remove("detective");
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(dir.path(), "old.json", &snapshot.to_string());
        let run = keyward(&[
            "scan",
            "--snapshot",
            &path,
            "--as-of",
            "snapshot",
            "--format",
            "json",
        ]);
        let report = run.json();
        let detective = |rule: &str| !rule.starts_with("KW-IAM-") && !rule.starts_with("KW-SM-");
        let predates = format!("predates detective collection (schema_version {version})");
        let gaps: std::collections::BTreeSet<String> = report["accounts"][0]["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .inspect(|g| assert!(g["reason"].as_str().unwrap().contains(&predates), "{g}"))
            .map(|g| g["rule_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(gaps.len(), 15, "version {version}: {gaps:?}");
        assert!(gaps.iter().all(|r| detective(r)));
        // Never a pass, never a finding made from the missing section; the other rules still
        // run, the access model's among them.
        let findings = open_findings(&report);
        assert!(
            !findings.iter().any(|(rule, _)| detective(rule)),
            "{findings:?}"
        );
        for rule in ["KW-IAM-001", "KW-SM-009"] {
            assert!(findings.iter().any(|(r, _)| r == rule), "{rule}");
        }
    }
}
