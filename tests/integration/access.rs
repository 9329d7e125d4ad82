//! Effective access end to end: small snapshots that each differ from a clean account in one
//! thing, scanned as a user would, and the `keyward access` command.

use std::path::Path;

use crate::support::cli::{keyward, keyward_in};
use crate::support::requests::{MotoRequest, moto_requests, recorded_scan};
use crate::support::{fixture, open_findings, repo, write_file};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn secret_arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{name}-AbCdEf")
}

/// A clean account (root with hardware MFA, a strong password policy, the clean fixture's
/// detective controls) with `extra` merged in.
fn account(extra: Value) -> Value {
    let mut snapshot = json!({
        "schema_version": 3,
        "collected_at": "2026-05-10T00:00:00Z",
        "collector": {"tool": "test", "version": "0", "regions": ["us-east-1"]},
        "account": {"id": ACCOUNT, "partition": "aws"},
        "root": {"arn": format!("arn:aws:iam::{ACCOUNT}:root"), "mfa_enabled": true, "mfa_kind": "hardware", "access_keys": [], "password_last_used": null, "password_present": true},
        "password_policy": {"minimum_length": 16, "require_symbols": true, "require_numbers": true, "require_uppercase": true, "require_lowercase": true, "reuse_prevention": 24},
        "users": [], "groups": [], "roles": [], "policies": [], "secrets": [],
        "detective": watched(),
    });
    if let (Value::Object(base), Value::Object(more)) = (&mut snapshot, extra) {
        base.extend(more);
    }
    snapshot
}

/// The detective controls of the clean fixture (every detective rule passes), moved to this
/// account, so that these tests see only what the access model changes.
fn watched() -> Value {
    let clean = std::fs::read_to_string(fixture("clean.json")).unwrap();
    let clean: Value = serde_json::from_str(&clean.replace("210987654321", ACCOUNT)).unwrap();
    clean["detective"].clone()
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn user(name: &str, policies: Value) -> Value {
    json!({"name": name, "arn": arn("user", name), "created": "2025-01-01T00:00:00Z", "mfa_active": true,
        "inline_policies": [{"name": format!("{name}-policy"), "document": policies}]})
}

fn role(name: &str, policies: Value) -> Value {
    json!({"name": name, "arn": arn("role", name),
        "assume_role_policy": doc(json!({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"})),
        "inline_policies": [{"name": format!("{name}-policy"), "document": policies}]})
}

/// A secret read yesterday, rotating every 30 days and rotated 5 days ago, unless `extra` says
/// otherwise.
fn secret(name: &str, extra: Value) -> Value {
    let mut s = json!({
        "arn": secret_arn(name), "name": name, "region": "us-east-1",
        "created": "2025-01-01T00:00:00Z", "last_accessed": "2026-05-09T00:00:00Z",
        "rotation": {"enabled": true, "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:rotate",
            "rules": {"automatically_after_days": 30}, "last_rotated": "2026-05-05T00:00:00Z", "next_rotation": "2026-06-04T00:00:00Z"},
    });
    if let (Value::Object(base), Value::Object(more)) = (&mut s, extra) {
        base.extend(more);
    }
    s
}

struct Scan {
    code: i32,
    report: Value,
    stderr: String,
}

impl Scan {
    fn findings(&self) -> Vec<(String, String)> {
        open_findings(&self.report)
    }

    fn has(&self, rule: &str, resource: &str) -> bool {
        self.findings()
            .iter()
            .any(|(r, res)| r == rule && res == resource)
    }

    fn rules(&self) -> Vec<String> {
        self.findings().into_iter().map(|(r, _)| r).collect()
    }

    fn gaps(&self) -> Vec<(String, Option<String>, String)> {
        self.report["accounts"][0]["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["rule_id"].as_str().unwrap().to_owned(),
                    g["resource"].as_str().map(str::to_owned),
                    g["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

fn write(dir: &Path, snapshot: &Value) -> String {
    let path = dir.join("snapshot.json");
    std::fs::write(&path, serde_json::to_string_pretty(snapshot).unwrap()).unwrap();
    path.to_str().unwrap().to_owned()
}

fn scan(snapshot: Value) -> Scan {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &snapshot);
    let run = keyward_in(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            &path,
            "--as-of",
            "snapshot",
            "--format",
            "json",
        ],
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_ne!(run.code, 2, "{}", run.stderr);
    Scan {
        code: run.code,
        report: run.json(),
        stderr: run.stderr,
    }
}

#[test]
fn an_explicit_deny_ends_reading_every_secret() {
    let denied = doc(json!([
        {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
    ]));
    let open = doc(json!({"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}));
    let result = scan(account(
        json!({"roles": [role("denied", denied), role("open", open)], "secrets": [secret("db", json!({}))]}),
    ));
    assert!(
        !result.has("KW-IAM-013", &arn("role", "denied")),
        "{:?}",
        result.findings()
    );
    assert!(result.has("KW-IAM-013", &arn("role", "open")));
    let access = &result.report["accounts"][0]["access"];
    assert_eq!(access["secrets"][secret_arn("db")]["readers"], 1);
}

#[test]
fn the_resource_policy_aws_recommends_is_not_too_open_and_secure_transport_alone_is() {
    let recommended = doc(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}},
    ]));
    let tls_only = doc(
        json!({"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "true"}}}),
    );
    let result = scan(account(json!({"secrets": [
        secret("org-only", json!({"resource_policy": recommended})),
        secret("tls-only", json!({"resource_policy": tls_only})),
    ]})));
    assert!(
        !result.has("KW-SM-005", &secret_arn("org-only")),
        "{:?}",
        result.findings()
    );
    assert!(result.has("KW-SM-005", &secret_arn("tls-only")));
    let finding = result.report["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "KW-SM-005")
        .unwrap();
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("anyone (principal *)"),
        "{finding}"
    );
}

#[test]
fn permissions_boundaries_are_read_and_weighed() {
    let read_all =
        doc(json!({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}));
    let mut bounded = user("bounded", read_all.clone());
    bounded["permissions_boundary"] = json!(arn("policy", "s3-only"));
    let result = scan(account(json!({
        "users": [bounded, user("free", read_all)],
        "policies": [{"name": "s3-only", "arn": arn("policy", "s3-only"), "aws_managed": false, "attachment_count": 0,
            "permissions_boundary_count": 1, "document": doc(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))}],
        "secrets": [secret("db", json!({}))],
    })));
    assert!(
        !result.has("KW-IAM-013", &arn("user", "bounded")),
        "{:?}",
        result.findings()
    );
    assert!(result.has("KW-IAM-013", &arn("user", "free")));
}

#[test]
fn administrative_access_in_effect_whatever_its_spelling() {
    let power_user = doc(json!([
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions"], "Resource": "*"},
    ]));
    let result = scan(account(json!({"users": [
        user("not-resource", doc(json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit-logs/*"}))),
        user("not-action", doc(json!({"Effect": "Allow", "NotAction": "aws-portal:ViewBilling", "Resource": "*"}))),
        user("power", power_user),
    ]})));
    assert!(
        result.has("KW-IAM-011", &arn("user", "not-resource")),
        "{:?}",
        result.findings()
    );
    assert!(result.has("KW-IAM-011", &arn("user", "not-action")));
    assert!(!result.has("KW-IAM-011", &arn("user", "power")));
}

#[test]
fn rotation_is_judged_by_the_longest_gap_of_the_schedule() {
    let on = |expression: &str, last: Option<&str>, next: &str| {
        json!({"enabled": true, "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:rotate",
            "rules": {"schedule_expression": expression}, "last_rotated": last, "next_rotation": next})
    };
    let result = scan(account(json!({"secrets": [
        // Quarterly (AWS's example): 92 days at most, so 100 days without rotation is overdue.
        secret("quarterly", json!({"rotation": on("cron(0 0 1 JAN,APR,JUL,OCT ? *)", Some("2026-01-30T00:00:00Z"), "2026-04-01T00:00:00Z")})),
        // Bimonthly: 62 days at most, within the 90-day maximum.
        secret("bimonthly", json!({"rotation": on("cron(0 0 1 1,3,5,7,9,11 ? *)", Some("2026-05-01T00:00:00Z"), "2026-07-01T00:00:00Z")})),
        // Weekly by day-of-month steps: 7 days at most; 12 days is overdue.
        secret("stepped", json!({"rotation": on("cron(0 3 1/7 * ? *)", Some("2026-04-28T00:00:00Z"), "2026-05-01T00:00:00Z")})),
        // Just turned on with --no-rotate-immediately: never rotated, first run ahead.
        secret("just-enabled", json!({"created": "2025-06-01T00:00:00Z", "rotation": on("rate(30 days)", None, "2026-05-20T00:00:00Z")})),
        // AI-provider keys (KW-SM-006): a month range with a step (every other month from
        // January, 62 days at most) stalled for 70 days, and one just turned on.
        secret("prod/openai-api-key", json!({"rotation": on("cron(0 0 1 JAN-DEC/2 ? *)", Some("2026-03-01T00:00:00Z"), "2026-05-01T00:00:00Z")})),
        secret("prod/anthropic-api-key", json!({"created": "2025-06-01T00:00:00Z", "rotation": on("cron(0 0 1 JAN,APR,JUL,OCT ? *)", None, "2026-07-01T00:00:00Z")})),
    ]})));
    assert!(
        result.has("KW-SM-003", &secret_arn("quarterly")),
        "{:?}",
        result.findings()
    );
    assert!(result.has("KW-SM-003", &secret_arn("stepped")));
    assert!(!result.has("KW-SM-002", &secret_arn("bimonthly")));
    assert!(!result.has("KW-SM-003", &secret_arn("just-enabled")));
    assert!(result.has("KW-SM-006", &secret_arn("prod/openai-api-key")));
    assert!(!result.has("KW-SM-002", &secret_arn("prod/openai-api-key")));
    assert!(!result.has("KW-SM-006", &secret_arn("prod/anthropic-api-key")));
    assert!(!result.has("KW-SM-003", &secret_arn("prod/anthropic-api-key")));
}

#[test]
fn a_secret_scheduled_for_deletion_is_reported_as_such_not_judged_for_rotation() {
    let snapshot = account(json!({"secrets": [secret("retired", json!({
        "deleted_date": "2026-05-08T00:00:00Z",
        "rotation": {"enabled": false},
        "last_accessed": "2025-01-01T00:00:00Z",
    }))]}));
    let result = scan(snapshot.clone());
    assert!(result.findings().is_empty(), "{:?}", result.findings());
    assert_eq!(
        result.report["accounts"][0]["access"]["secrets"][secret_arn("retired")]["scheduled_for_deletion"],
        true
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &snapshot);
    let table = keyward_in(
        dir.path(),
        &["scan", "--snapshot", &path, "--as-of", "snapshot"],
    );
    assert!(
        table.stdout.contains("SCHEDULED FOR DELETION"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("retired: not judged for rotation"),
        "{}",
        table.stdout
    );
}

#[test]
fn root_rules_honour_a_root_user_without_a_password() {
    let mut snapshot = account(json!({}));
    snapshot["root"]["mfa_enabled"] = json!(false);
    snapshot["root"]["mfa_kind"] = json!(null);
    snapshot["root"]["password_present"] = json!(false);
    let result = scan(snapshot.clone());
    assert!(
        !result.rules().contains(&"KW-IAM-002".to_owned()),
        "{:?}",
        result.findings()
    );
    snapshot["root"]["password_present"] = json!(true);
    assert!(scan(snapshot).rules().contains(&"KW-IAM-002".to_owned()));
}

#[test]
fn a_missing_root_with_no_collection_error_is_not_evaluated() {
    let mut snapshot = account(json!({}));
    snapshot["root"] = json!(null);
    let result = scan(snapshot);
    assert_eq!(result.code, 3, "incomplete: {}", result.stderr);
    let rules: Vec<String> = result.gaps().into_iter().map(|(rule, _, _)| rule).collect();
    assert_eq!(
        rules,
        ["KW-IAM-001", "KW-IAM-002", "KW-IAM-003", "KW-IAM-004"]
    );
    assert!(
        result.gaps()[0]
            .2
            .contains("no root user and no collection error")
    );
}

#[test]
fn a_policy_aws_would_reject_leaves_its_checks_not_evaluated_naming_it() {
    // Roles, so that nothing else (KW-IAM-010 on users' own policies) reports them.
    let mut broken = role(
        "broken",
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Permit", "Action": "*", "Resource": "*"}}),
    );
    broken["inline_policies"][0]["name"] = json!("typo-policy");
    let mut garbled = role("garbled", json!("{\"Statement\": [ {\"Effect\": \"Allow\""));
    garbled["inline_policies"][0]["name"] = json!("cut-off");
    let result = scan(account(
        json!({"roles": [broken, garbled], "secrets": [secret("db", json!({}))]}),
    ));
    assert_eq!(
        result.code,
        3,
        "not evaluated, not a crash: {:?}",
        result.findings()
    );
    let gaps = result.gaps();
    for (who, policy, problem) in [
        ("broken", "typo-policy", "unknown `Effect`"),
        ("garbled", "cut-off", "not valid JSON"),
    ] {
        for rule in ["KW-IAM-011", "KW-IAM-013"] {
            let gap = gaps
                .iter()
                .find(|(r, resource, _)| {
                    r == rule && resource.as_deref() == Some(arn("role", who).as_str())
                })
                .unwrap_or_else(|| panic!("{rule} for {who}: {gaps:?}"));
            assert!(gap.2.contains(policy) && gap.2.contains(problem), "{gap:?}");
        }
    }
    // Never a silent allow: the reader count says they might read.
    assert_eq!(
        result.report["accounts"][0]["access"]["secrets"][secret_arn("db")]["conditional_readers"],
        2
    );
}

/// A format 1 snapshot has neither the organization (format 2) nor the detective controls
/// (format 3): it loads with a note for each.
#[test]
fn a_snapshot_of_format_1_still_loads() {
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("clean.json")).unwrap()).unwrap();
    snapshot["schema_version"] = 1.into();
    for (object, field) in [
        ("", "organization"),
        ("", "detective"),
        ("/root", "password_present"),
    ] {
        let object = snapshot
            .pointer_mut(object)
            .unwrap()
            .as_object_mut()
            .unwrap();
        assert!(object.remove(field).is_some(), "{field}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.json");
    std::fs::write(&path, snapshot.to_string()).unwrap();
    let run = keyward(&[
        "scan",
        "--snapshot",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--as-of",
        "snapshot",
    ]);
    // Incomplete (exit code 3): the detective rules could not be evaluated.
    assert_eq!(run.code, 3, "{}", run.stderr);
    let errors = &run.json()["accounts"][0]["collection_errors"];
    let messages: Vec<&str> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{errors}");
    assert!(messages[0].contains("snapshot format 1"), "{errors}");
    assert!(
        messages[1].contains("predates detective collection (schema_version 1)"),
        "{errors}"
    );
}

#[test]
fn the_access_command_lists_readers_with_their_routes() {
    let table = keyward(&["access", "--demo"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    for expected in [
        "prod/openai-api-key",
        "prod/anthropic-api-key",
        "user/former-contractor",
        "LegacyAdmin",
        "account 444455556666",
        "as role/vendor-evals",
    ] {
        assert!(
            table.stdout.contains(expected),
            "{expected}:\n{}",
            table.stdout
        );
    }
    assert!(
        !table.stdout.contains("db-password"),
        "only third-party keys by default"
    );
    let json = keyward(&[
        "access",
        "--demo",
        "--format",
        "json",
        "shared/partner-webhook",
    ])
    .json();
    let secret = &json["accounts"][0]["secrets"][0];
    assert_eq!(secret["name"], "shared/partner-webhook");
    assert_eq!(secret["outside_account"], true);
    assert_eq!(secret["outside"][0]["accounts"][0], "999988887777");
    let readers: Vec<&str> = secret["readers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["principal"].as_str().unwrap())
        .collect();
    assert!(
        readers.contains(&arn("user", "former-contractor").as_str()),
        "{readers:?}"
    );
    keyward(&["access", "--demo", "no/such-secret"])
        .assert_input_error(&["no/such-secret", "no secret has the ARN or name"]);
}

/// The listing is written as the secrets' readers are worked out: an account where no secret
/// looks like a key still says so in the table, and is an empty list in JSON.
#[test]
fn an_account_without_third_party_keys_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "keyward.yaml",
        "third_party_key_markers: [no-such-marker]\n",
    );
    let snapshot = fixture("clean.json");
    let list = |format: &str| {
        keyward_in(
            dir.path(),
            &["access", "--snapshot", &snapshot, "--format", format],
        )
    };
    let table = list("table");
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table
            .stdout
            .contains("no secret looks like a third-party API key (name them to see others)"),
        "{}",
        table.stdout
    );
    let json = list("json").json();
    assert_eq!(json["accounts"][0]["secrets"], json!([]));
}

#[test]
fn the_access_schema_is_printed_and_checked_in() {
    let run = keyward(&["schema", "access"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let checked_in = std::fs::read_to_string(repo().join("schema/access.schema.json")).unwrap();
    assert_eq!(
        run.stdout, checked_in,
        "schema/access.schema.json is stale: regenerate it with `cargo run -- schema access > schema/access.schema.json`"
    );
    let schema: Value = serde_json::from_str(&run.stdout).unwrap();
    for field in [
        "principals",
        "secrets",
        "grants",
        "outside",
        "every_secret",
        "unreadable_policies",
        "basis",
    ] {
        assert!(schema["properties"][field].is_object(), "{field}");
    }
}

/// A moto organization of tests/moto/seed.py (`scp-organization` or `rcp-organization`: two
/// member accounts, "kept" and "blocked", a control policy that bites in "blocked"), scanned
/// with `--org` by a user holding `policy`: the seeding's answer, the JSON report, and the
/// requests the scan sent.
fn org_scan(scenario: &str, policy: &str) -> (Value, Value, Vec<MotoRequest>) {
    let moto = crate::support::moto::Moto::start();
    let scanner = moto.seed_scanner(&[scenario, policy]);
    let (run, _) = recorded_scan(&moto, || {
        moto.keyward(
            &[
                "scan",
                "--org",
                "--region",
                "us-east-1",
                "--format",
                "json",
                "--fail-on",
                "none",
            ],
            scanner.credentials(),
        )
    });
    assert_ne!(run.code, 2, "{}", run.stderr);
    (scanner.seeded, run.json(), moto_requests(&moto))
}

/// The report's account of the member `name` of an `org_scan` organization.
fn member(seeded: &Value, report: &Value, name: &str) -> Value {
    let id = seeded["members"][name].as_str().unwrap();
    report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"]["id"] == id)
        .unwrap_or_else(|| panic!("account {name} ({id}) in {report}"))
        .clone()
}

/// The access data of an account's `prod/openai-api-key`.
fn api_key_access(account: &Value) -> Value {
    let secrets = account["access"]["secrets"].as_object().unwrap();
    let (_, secret) = secrets
        .iter()
        .find(|(arn, _)| arn.contains(":secret:prod/openai-api-key-"))
        .unwrap_or_else(|| panic!("no API key in {}", account["access"]));
    secret.clone()
}

/// The organizations calls an account's collection was denied or failed.
fn organization_errors(account: &Value) -> Vec<Value> {
    account["collection_errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["service"] == "organizations")
        .cloned()
        .collect()
}

/// An organization in moto whose SCP denies GetSecretValue in one member account: collected
/// with `--org` (ListRoots, ListParents, ListPoliciesForTarget, DescribePolicy) under keyward's
/// least-privilege policy, the blocked account's readers disappear and the other's stay.
#[test]
fn an_scp_that_denies_reading_secrets_removes_that_accounts_readers() {
    let (seeded, report, _) = org_scan(
        "scp-organization",
        &crate::support::moto::least_privilege_policy(),
    );
    for name in ["kept", "blocked"] {
        let this = member(&seeded, &report, name);
        assert!(organization_errors(&this).is_empty(), "{name}: {this}");
        assert_eq!(
            this["access"]["basis"]["service_control_policies"],
            "weighed"
        );
    }
    let kept = member(&seeded, &report, "kept");
    let blocked = member(&seeded, &report, "blocked");
    // The reader user and the account's admin role read the key where the SCP does not apply.
    assert_eq!(api_key_access(&kept)["readers"], 2, "{}", kept["access"]);
    assert_eq!(
        api_key_access(&blocked)["readers"],
        0,
        "{}",
        blocked["access"]
    );
    let readers_of = |account: &Value| -> Vec<String> {
        account["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "KW-IAM-013")
            .map(|f| f["resource"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        readers_of(&kept)
            .iter()
            .any(|r| r.ends_with(":user/reader")),
        "{:?}",
        readers_of(&kept)
    );
    assert!(
        readers_of(&blocked).is_empty(),
        "{:?}",
        readers_of(&blocked)
    );
}

/// The same organization scanned by a user whose policy lacks organizations:ListPoliciesForTarget:
/// the SCPs cannot be read, so in every account the checks that weigh them are not evaluated,
/// naming the call that was denied, and the access basis says the SCPs were not collected.
#[test]
fn without_permission_to_read_the_scps_the_checks_that_weigh_them_are_not_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let mut policy: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::moto::least_privilege_policy()).unwrap(),
    )
    .unwrap();
    for statement in policy["Statement"].as_array_mut().unwrap() {
        if let Some(actions) = statement["Action"].as_array_mut() {
            actions.retain(|a| a != "organizations:ListPoliciesForTarget");
        }
    }
    let path = write(dir.path(), &policy);
    let (seeded, report, _) = org_scan("scp-organization", &path);
    for name in ["kept", "blocked"] {
        let account = member(&seeded, &report, name);
        let errors = account["collection_errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["operation"] == "ListPoliciesForTarget"
                    && e["kind"] == "access_denied"
                    && e["sections"] == json!(["organizations.policies"])),
            "{name}: {errors:?}"
        );
        let gaps: Vec<&str> = account["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| {
                g["reason"]
                    .as_str()
                    .unwrap()
                    .contains("ListPoliciesForTarget")
            })
            .map(|g| g["rule_id"].as_str().unwrap())
            .collect();
        for rule in ["KW-IAM-011", "KW-IAM-013", "KW-SM-005", "KW-SM-009"] {
            assert!(gaps.contains(&rule), "{name}: {rule} not in {gaps:?}");
        }
        assert_ne!(
            account["access"]["basis"]["service_control_policies"], "weighed",
            "{name}: {}",
            account["access"]["basis"]
        );
    }
}

/// An organization in moto whose RCP, on the organizational unit of one member account, denies
/// GetSecretValue to principals outside the organization (AWS's data-perimeter example). Both
/// members' API keys let an external account read them. Collected with `--org` under keyward's
/// least-privilege policy (ListPoliciesForTarget with the RESOURCE_CONTROL_POLICY filter on the
/// root, the unit and the account; ListAccounts for the organization's accounts): the external
/// reader is gone where the RCP applies and stays in the other account, and the organization's
/// own readers stay in both.
#[test]
fn an_rcp_that_keeps_secrets_in_the_organization_removes_the_outside_reader() {
    let (seeded, report, requests) = org_scan(
        "rcp-organization",
        &crate::support::moto::least_privilege_policy(),
    );
    // The RCPs are listed on every level of the path: the root, the unit, each account.
    let rcp_listings = requests
        .iter()
        .filter(|r| {
            r.action == "organizations:ListPoliciesForTarget"
                && r.body.contains("RESOURCE_CONTROL_POLICY")
        })
        .count();
    assert!(rcp_listings >= 4, "{rcp_listings} RCP listings");
    let external = "999988887777";
    let outside_readers = |account: &Value| -> Vec<String> {
        let all = account["access"]["outside"].as_array().unwrap();
        api_key_access(account)["outside"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                all[i.as_u64().unwrap() as usize]["principal"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    // The findings that name the external account (the management account reaches both keys
    // through OrganizationAccountAccessRole, in either account: KW-SM-009 names it).
    let naming_external = |account: &Value| -> Vec<String> {
        account["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["message"].as_str().unwrap().contains(external))
            .map(|f| f["rule_id"].as_str().unwrap().to_owned())
            .collect()
    };
    for name in ["kept", "blocked"] {
        let this = member(&seeded, &report, name);
        assert!(organization_errors(&this).is_empty(), "{name}: {this}");
        assert_eq!(
            this["access"]["basis"]["resource_control_policies"], "weighed",
            "{name}: {}",
            this["access"]["basis"]
        );
        assert_eq!(
            api_key_access(&this)["readers"],
            2,
            "{name}: the reader user and the admin role are in the organization: {}",
            this["access"]
        );
    }
    let kept = member(&seeded, &report, "kept");
    let blocked = member(&seeded, &report, "blocked");
    assert_eq!(outside_readers(&kept), [external], "{}", kept["access"]);
    assert_eq!(naming_external(&kept), ["KW-SM-005", "KW-SM-009"]);
    assert!(
        outside_readers(&blocked).is_empty(),
        "{}",
        blocked["access"]
    );
    assert!(
        naming_external(&blocked).is_empty(),
        "{:?}",
        naming_external(&blocked)
    );
}

/// Two roles the account trusts and a group of three that may assume any role.
fn assumable_roles() -> Value {
    let trust_account = doc(json!({"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}));
    let mut users: Vec<Value> = ["alice", "bob", "carol"]
        .iter()
        .map(|name| {
            let mut u = user(
                name,
                doc(json!({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})),
            );
            u["groups"] = json!(["ops"]);
            u
        })
        .collect();
    users[1]["inline_policies"][0]["document"] = doc(json!({"Effect": "Deny",
        "Action": "sts:AssumeRole", "Resource": arn("role", "build")}));
    let roles: Vec<Value> = ["deploy", "build"]
        .iter()
        .map(|name| {
            let mut r = role(
                name,
                doc(json!({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})),
            );
            r["assume_role_policy"] = trust_account.clone();
            r
        })
        .collect();
    account(json!({
        "users": users,
        "groups": [{"name": "ops", "arn": arn("group", "ops"), "inline_policies": [{"name": "ops-policy",
            "document": doc(json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))}]}],
        "roles": roles,
    }))
}

/// The account's assumer grants of a role in a report: (holder, members, except).
fn assumers_of(access: &Value, role: &str) -> Vec<(String, Value, Value)> {
    access["principals"][arn("role", role)]["assumed_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let g = &access["assumers"][i.as_u64().unwrap() as usize];
            (
                g["holder"].as_str().unwrap().to_owned(),
                g["members"].clone(),
                g["except"].clone(),
            )
        })
        .collect()
}

#[test]
fn who_can_assume_a_role_is_each_grant_once_and_a_version_6_report_still_loads() {
    let scan = scan(assumable_roles());
    let access = &scan.report["accounts"][0]["access"];
    assert_eq!(scan.report["report_version"], 7);
    assert_eq!(
        assumers_of(access, "deploy"),
        [(arn("group", "ops"), json!(3), Value::Null)],
        "the group once with its member count, not alice, bob and carol"
    );
    assert_eq!(
        assumers_of(access, "build"),
        [(arn("group", "ops"), json!(3), json!([arn("user", "bob")]))],
        "bob's Deny makes him an exception"
    );
    let deploy = &access["principals"][arn("role", "deploy")];
    assert_eq!(deploy["trust"][0]["policy"], "trust policy");

    // The same report as version 6 wrote it: each user under each role, with its statements.
    let mut old = scan.report.clone();
    old["report_version"] = json!(6);
    let old_access = &mut old["accounts"][0]["access"];
    old_access.as_object_mut().unwrap().remove("assumers");
    for (role, users) in [
        ("deploy", ["alice", "bob", "carol"].as_slice()),
        ("build", &["alice", "carol"]),
    ] {
        let principal = old_access["principals"][arn("role", role)]
            .as_object_mut()
            .unwrap();
        principal.remove("trust");
        let listed: Vec<Value> = users
            .iter()
            .map(|u| json!({"principal": arn("user", u), "scope": "account", "access": "allowed",
                "paths": [{"policy": "trust policy", "attached_to": arn("role", role), "statement": "#1"},
                          {"policy": "ops-policy", "attached_to": arn("group", "ops"), "statement": "#1"}]}))
            .collect();
        principal.insert("assumed_by".to_owned(), json!(listed));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("version-6.json");
    std::fs::write(&path, serde_json::to_string(&old).unwrap()).unwrap();
    let merged = keyward(&["merge", path.to_str().unwrap(), "--format", "json"]);
    assert_ne!(merged.code, 2, "{}", merged.stderr);
    let merged = merged.json();
    assert_eq!(merged["report_version"], 7);
    let access = &merged["accounts"][0]["access"];
    let holders = |role: &str| -> Vec<String> {
        let mut holders: Vec<String> = assumers_of(access, role)
            .into_iter()
            .map(|(holder, _, _)| holder)
            .collect();
        holders.sort();
        holders
    };
    assert_eq!(
        holders("deploy"),
        [
            arn("user", "alice"),
            arn("user", "bob"),
            arn("user", "carol")
        ]
    );
    assert_eq!(
        holders("build"),
        [arn("user", "alice"), arn("user", "carol")]
    );
    assert_eq!(
        assumers_of(access, "build")[0],
        assumers_of(access, "deploy")[0],
        "alice's grant through the group's statement is one entry for both roles"
    );
    assert_eq!(
        access["principals"][arn("role", "build")]["trust"][0]["attached_to"],
        arn("role", "build")
    );
}
