//! Live collection against a real AWS API emulator (moto in server mode, on loopback), seeded
//! through the AWS API. moto stamps everything "now", so ages are tested with --as-of ahead.

use std::collections::BTreeSet;

use crate::support::cli::{keyward, keyward_isolated};
use crate::support::moto::{Moto, least_privilege_policy};
use crate::support::open_findings;
use crate::support::requests::{documented_actions, recorded_scan};

const ACCOUNT: &str = "123456789012";

fn iam(kind_name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind_name}")
}

fn rules_of(findings: &[(String, String)]) -> BTreeSet<&str> {
    findings.iter().map(|(rule, _)| rule.as_str()).collect()
}

fn has(findings: &[(String, String)], rule: &str, resource: &str) -> bool {
    findings.iter().any(|(r, res)| r == rule && res == resource)
}

fn secret_named<'a>(findings: &'a [(String, String)], rule: &str, name: &str) -> Option<&'a str> {
    findings
        .iter()
        .find(|(r, res)| r == rule && res.contains(&format!(":secret:{name}-")))
        .map(|(_, res)| res.as_str())
}

#[test]
fn an_incident_shaped_account_is_collected_and_judged() {
    // With AWS's managed policies loaded, as in a real account (about 1,600 of them).
    let moto = Moto::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    moto.seed(&["incident"]);
    let run = moto.keyward(
        &[
            "scan",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--as-of",
            "+400d",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let findings = open_findings(&report);

    for (rule, resource) in [
        ("KW-IAM-005", iam("user/alice")),
        ("KW-IAM-006", iam("user/alice")),
        ("KW-IAM-007", iam("user/alice")),
        ("KW-IAM-007", iam("user/ci-deploy")),
        ("KW-IAM-008", iam("user/ci-deploy")),
        ("KW-IAM-009", iam("user/alice")),
        ("KW-IAM-009", iam("user/ci-deploy")),
        ("KW-IAM-010", iam("user/ci-deploy")),
        ("KW-IAM-011", iam("user/former-contractor")),
        ("KW-IAM-012", iam("root")),
        ("KW-IAM-013", iam("user/former-contractor")),
        ("KW-IAM-013", iam("role/eval-worker")),
        ("KW-IAM-013", iam("user/ci-deploy")),
    ] {
        assert!(
            has(&findings, rule, &resource),
            "{rule} on {resource} missing from {findings:#?}"
        );
    }
    assert!(
        secret_named(&findings, "KW-SM-001", "prod/openai-api-key")
            .is_some_and(|arn| arn.contains(":us-east-1:"))
    );
    assert!(
        secret_named(&findings, "KW-SM-003", "prod/anthropic-api-key")
            .is_some_and(|arn| arn.contains(":eu-west-1:"))
    );
    assert!(secret_named(&findings, "KW-SM-005", "shared/partner-webhook").is_some());
    assert!(secret_named(&findings, "KW-SM-006", "prod/openai-api-key").is_some());
    assert!(secret_named(&findings, "KW-SM-006", "prod/anthropic-api-key").is_some());
    // Only the secret without rotation misses it, and the rotation interval (30 days) is fine.
    assert!(secret_named(&findings, "KW-SM-001", "prod/anthropic-api-key").is_none());
    assert!(!rules_of(&findings).contains("KW-SM-002"));

    // moto's credential report has no root row: root rules are not evaluated, never passed.
    let gaps: BTreeSet<&str> = report["accounts"][0]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        gaps,
        BTreeSet::from(["KW-IAM-001", "KW-IAM-002", "KW-IAM-003", "KW-IAM-004"])
    );
    assert!(run.stderr.contains("AWS API requests"), "{}", run.stderr);
}

#[test]
fn the_snapshot_keeps_only_attached_aws_policies_and_secret_metadata() {
    let moto = Moto::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    moto.seed(&["incident"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    let run = moto.keyward(
        &[
            "snapshot",
            "-o",
            path.to_str().unwrap(),
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
        ],
        None,
    );
    assert_eq!(run.code, 3, "incomplete (no root row): {}", run.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("not-a-real-key"),
        "a secret value reached the snapshot"
    );
    let snapshot: serde_json::Value = serde_json::from_str(&text).unwrap();
    let aws_managed: Vec<&str> = snapshot["policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["aws_managed"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(aws_managed, ["ReadOnlyAccess"]);
    let users: BTreeSet<&str> = snapshot["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        users,
        BTreeSet::from(["alice", "ci-deploy", "former-contractor"])
    );
    let alice = snapshot["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "alice")
        .unwrap();
    assert_eq!(alice["password"]["enabled"], true);
    assert_eq!(alice["access_keys"].as_array().unwrap().len(), 1);
    assert_eq!(alice["groups"][0], "developers");
    let anthropic = snapshot["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "prod/anthropic-api-key")
        .unwrap();
    assert_eq!(anthropic["rotation"]["enabled"], true);
    assert_eq!(
        anthropic["rotation"]["rules"]["automatically_after_days"],
        30
    );
    assert!(
        anthropic["rotation"]["lambda_arn"]
            .as_str()
            .unwrap()
            .contains(":function:secrets-rotation")
    );
    let partner = snapshot["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "shared/partner-webhook")
        .unwrap();
    assert_eq!(
        partner["resource_policy"]["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::999988887777:root"
    );
    // The saved snapshot evaluates like the live scan did.
    let saved = keyward(&[
        "scan",
        "--snapshot",
        path.to_str().unwrap(),
        "--as-of",
        "+400d",
        "--format",
        "json",
    ]);
    assert!(has(
        &open_findings(&saved.json()),
        "KW-IAM-009",
        &iam("user/alice")
    ));
}

#[test]
fn a_clean_account_has_no_findings_but_says_root_was_not_evaluated() {
    let moto = Moto::start();
    moto.seed(&["clean"]);
    let run = moto.keyward(&["scan", "--region", "us-east-1", "--format", "json"], None);
    let report = run.json();
    assert_eq!(
        open_findings(&report),
        Vec::<(String, String)>::new(),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 3, "clean but incomplete (moto has no root row)");
    let user = &report["accounts"][0];
    assert_eq!(user["account"]["id"], ACCOUNT);
    assert!(user["api_requests"].as_u64().unwrap() > 0);
}

#[test]
fn secrets_are_collected_in_every_region_asked_for() {
    let moto = Moto::start();
    moto.seed(&["two-regions"]);
    let regions_of = |args: &[&str]| -> BTreeSet<(String, String)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let mut full = vec!["snapshot", "-o", path.to_str().unwrap()];
        full.extend_from_slice(args);
        let run = moto.keyward(&full, None);
        assert_ne!(run.code, 2, "{}", run.stderr);
        let snapshot: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        snapshot["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["region"].as_str().unwrap().to_owned(),
                    s["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pair = |r: &str, n: &str| (r.to_owned(), n.to_owned());
    // Discovery is not available in moto: the documented default regions are scanned.
    assert_eq!(
        regions_of(&[]),
        BTreeSet::from([
            pair("us-east-1", "east/one"),
            pair("us-east-1", "east/two"),
            pair("eu-west-1", "west/one")
        ])
    );
    assert_eq!(
        regions_of(&["--region", "eu-west-1"]),
        BTreeSet::from([pair("eu-west-1", "west/one")])
    );
}

#[test]
fn a_scan_only_reads_and_never_asks_for_a_secret_value() {
    let moto = Moto::start();
    // Every detective control moto implements, so that every call is made: trails, their
    // bucket, the log group's metric filters and alarms, GuardDuty in both regions.
    moto.seed(&["clean"]);
    let (run, actions) = recorded_scan(&moto, || {
        moto.keyward(
            &[
                "scan",
                "--region",
                "us-east-1",
                "--region",
                "eu-west-1",
                "--format",
                "json",
            ],
            None,
        )
    });
    assert_ne!(run.code, 2, "{}", run.stderr);
    for action in &actions {
        let operation = action.split(':').nth(1).unwrap();
        assert!(
            ["Get", "List", "Describe"]
                .iter()
                .any(|verb| operation.starts_with(verb))
                || action == "iam:GenerateCredentialReport",
            "not a read: {action}"
        );
        assert!(!operation.contains("SecretValue"), "{action}");
    }
    // The documented policy allows exactly what a scan of one account calls: ListRegions only
    // when no --region is given, the organization scan's statement only under --org,
    // GetCallerIdentity needs no permission.
    let called: BTreeSet<String> = actions
        .iter()
        .filter(|a| a.as_str() != "sts:GetCallerIdentity")
        .cloned()
        .collect();
    let documented = documented_actions(&["KeywardOrganizationScansFromTheManagementAccount"]);
    assert_eq!(
        documented.difference(&called).collect::<Vec<_>>(),
        ["account:ListRegions"],
        "allowed but never called"
    );
    assert!(
        called.is_subset(&documented),
        "called without permission: {:?}",
        called.difference(&documented).collect::<Vec<_>>()
    );
    // keyward's own count matches what the servers saw.
    let counted = run.json()["accounts"][0]["api_requests"].as_u64().unwrap();
    assert_eq!(counted as usize, actions.len(), "{actions:?}");
}

/// IAM requests a scan of the seeded account makes.
fn iam_requests_for(users: usize) -> usize {
    let moto = Moto::start();
    moto.seed(&["many-users", &users.to_string()]);
    let (run, actions) = recorded_scan(&moto, || {
        moto.keyward(
            &[
                "scan",
                "--region",
                "us-east-1",
                "--format",
                "json",
                "--fail-on",
                "none",
            ],
            None,
        )
    });
    assert_ne!(run.code, 2, "{}", run.stderr);
    let findings = open_findings(&run.json());
    assert!(
        findings.iter().filter(|(r, _)| r == "KW-IAM-007").count() == 0,
        "keys are new"
    );
    actions.iter().filter(|a| a.starts_with("iam:")).count()
}

#[test]
fn iam_requests_do_not_grow_with_the_number_of_users() {
    assert_eq!(iam_requests_for(3), iam_requests_for(120));
}

#[test]
fn a_scan_with_only_the_least_privilege_policy_succeeds() {
    let moto = Moto::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    moto.seed(&["incident"]);
    // The detective controls too, so that every call is made under the policy.
    moto.seed(&["watched"]);
    let auditor = moto.seed(&["auditor", &least_privilege_policy()]);
    // From here on moto checks every request against the caller's IAM policies.
    moto.control("/moto-api/reset-auth", "0");
    let key = auditor["access_key_id"].as_str().unwrap();
    let secret = auditor["secret_access_key"].as_str().unwrap();
    // moto checks GuardDuty's REST requests against a signature of its own making that never
    // matches (SignatureDoesNotMatch, to boto3 as to the Rust SDK): GuardDuty is asked of a
    // moto that does not check. Its permissions, and those of the recorded services, are
    // checked against the calls made (a_scan_only_reads_and_never_asks_for_a_secret_value).
    let guardduty = Moto::start();
    let mut env = moto.env((key, secret));
    env.push(("AWS_ENDPOINT_URL_GUARDDUTY", &guardduty.endpoint));
    let run = keyward_isolated(
        &[
            "scan",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--as-of",
            "+400d",
            "--format",
            "json",
        ],
        &env,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let denied: Vec<&serde_json::Value> = report["accounts"][0]["collection_errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "access_denied")
        .collect();
    assert!(denied.is_empty(), "{denied:#?}");
    assert!(has(
        &open_findings(&report),
        "KW-IAM-009",
        &iam("user/alice")
    ));
}

#[test]
fn a_missing_permission_leaves_its_checks_not_evaluated() {
    let moto = Moto::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    moto.seed(&["incident"]);
    let auditor = moto.seed(&[
        "auditor",
        &least_privilege_policy(),
        "secretsmanager:ListSecrets",
    ]);
    moto.control("/moto-api/reset-auth", "0");
    let key = auditor["access_key_id"].as_str().unwrap();
    let secret = auditor["secret_access_key"].as_str().unwrap();
    let run = moto.keyward(
        &[
            "scan",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
        Some((key, secret)),
    );
    assert_eq!(run.code, 3, "incomplete: {}", run.stderr);
    let report = run.json();
    let gaps = report["accounts"][0]["not_evaluated"].as_array().unwrap();
    for region in ["us-east-1", "eu-west-1"] {
        let gap = gaps
            .iter()
            .find(|g| g["rule_id"] == "KW-SM-001" && g["region"] == region)
            .unwrap_or_else(|| panic!("KW-SM-001 not marked for {region}: {gaps:#?}"));
        assert!(
            gap["reason"].as_str().unwrap().contains("access_denied"),
            "{gap}"
        );
    }
    // Secrets rules produced nothing (no data), and IAM rules still ran.
    let findings = open_findings(&report);
    assert!(
        !rules_of(&findings).iter().any(|r| r.starts_with("KW-SM-")),
        "{findings:?}"
    );
    assert!(has(&findings, "KW-IAM-005", &iam("user/alice")));
}

/// An organization of a management account and three members (one without the role).
fn organization(moto: &Moto) -> (serde_json::Value, (String, String)) {
    let seeded = moto.seed(&["organization", &least_privilege_policy()]);
    moto.control("/moto-api/reset-auth", "0");
    let key = seeded["access_key_id"].as_str().unwrap().to_owned();
    let secret = seeded["secret_access_key"].as_str().unwrap().to_owned();
    (seeded["members"].clone(), (key, secret))
}

#[test]
fn an_organization_is_audited_account_by_account() {
    let moto = Moto::start();
    let (members, (key, secret)) = organization(&moto);
    let member = |name: &str| members[name].as_str().unwrap().to_owned();
    let run = moto.keyward(
        &[
            "scan",
            "--org",
            "--region",
            "us-east-1",
            "--as-of",
            "+100d",
            "--format",
            "json",
            "--concurrency",
            "2",
        ],
        Some((&key, &secret)),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let accounts = report["accounts"].as_array().unwrap();
    let ids: BTreeSet<&str> = accounts
        .iter()
        .map(|a| a["account"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            ACCOUNT,
            members["old-keys"].as_str().unwrap(),
            members["open-secret"].as_str().unwrap(),
            members["no-role"].as_str().unwrap()
        ])
    );
    let account = |id: &str| accounts.iter().find(|a| a["account"]["id"] == id).unwrap();

    // The member without the role: its failure is its own, every rule not evaluated, no finding.
    let no_role = account(&member("no-role"));
    assert_eq!(no_role["account"]["name"], "no-role");
    assert_eq!(no_role["collection_errors"][0]["operation"], "AssumeRole");
    assert_eq!(no_role["collection_errors"][0]["kind"], "access_denied");
    assert_eq!(no_role["not_evaluated"].as_array().unwrap().len(), 37);
    assert!(no_role["findings"].as_array().unwrap().is_empty());

    // The others were scanned with their own problems.
    let findings = open_findings(&report);
    let old_keys = member("old-keys");
    assert!(has(
        &findings,
        "KW-IAM-009",
        &format!("arn:aws:iam::{old_keys}:user/legacy-ci")
    ));
    let open_secret = member("open-secret");
    assert!(findings.iter().any(|(r, res)| r == "KW-SM-005"
        && res.contains(&format!(":{open_secret}:secret:prod/openai-api-key-"))));
    assert!(
        !findings
            .iter()
            .any(|(r, res)| r == "KW-SM-005" && !res.contains(&open_secret))
    );
    assert!(run.stderr.contains("in 4 accounts"), "{}", run.stderr);

    // SARIF keeps each account's alerts apart.
    let sarif = moto
        .keyward(
            &[
                "scan",
                "--org",
                "--region",
                "us-east-1",
                "--format",
                "sarif",
            ],
            Some((&key, &secret)),
        )
        .json();
    let categories: BTreeSet<String> = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        categories,
        ids.iter().map(|id| format!("keyward/aws/{id}/")).collect()
    );
}

#[test]
fn named_accounts_are_scanned_without_organizations_access() {
    let moto = Moto::start();
    let (members, (key, secret)) = organization(&moto);
    let old_keys = members["old-keys"].as_str().unwrap();
    let open_secret = members["open-secret"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshots");
    let accounts = format!("{old_keys},{open_secret}");
    let run = moto.keyward(
        &[
            "snapshot",
            "--accounts",
            &accounts,
            "--role-name",
            "OrganizationAccountAccessRole",
            "--region",
            "us-east-1",
            "-o",
            out.to_str().unwrap(),
        ],
        Some((&key, &secret)),
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected = vec![format!("{old_keys}.json"), format!("{open_secret}.json")];
    expected.sort();
    assert_eq!(files, expected);
    let snapshot: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join(format!("{old_keys}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(snapshot["account"]["id"], old_keys);
    assert_eq!(snapshot["users"][0]["name"], "legacy-ci");

    // --exclude-accounts narrows an organization scan.
    let run = moto.keyward(
        &[
            "scan",
            "--org",
            "--exclude-accounts",
            &accounts,
            "--region",
            "us-east-1",
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
        Some((&key, &secret)),
    );
    let ids: BTreeSet<String> = run.json()["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            ACCOUNT.to_owned(),
            members["no-role"].as_str().unwrap().to_owned()
        ])
    );
}
