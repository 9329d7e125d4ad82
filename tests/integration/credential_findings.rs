//! Findings about credentials, end to end on minimal snapshots: one finding per access key (also
//! for keys created in the same second, with fingerprints of other keys unchanged), service
//! principals that can read a secret for any account, and credentials and secrets that were
//! never used or rotated counted from their creation.

use std::fs;

use crate::support::cli::keyward_in;
use keyward::model::fingerprint;
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const AS_OF: &str = "2026-05-10T00:00:00Z";

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

fn secret_arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{name}-AbCdEf")
}

fn user(name: &str, keys: Value) -> Value {
    json!({
        "name": name, "arn": user_arn(name), "created": "2024-01-01T00:00:00Z",
        "mfa_active": false, "access_keys": keys,
    })
}

/// An access key as the credential report gives it: no id.
fn report_key(created: &str, last_used: Option<&str>) -> Value {
    json!({
        "id": null, "status": "active", "created": created,
        "last_used": last_used.map(|date| json!({"date": date})),
    })
}

fn secret(name: &str, created: &str, policy: Value) -> Value {
    json!({
        "arn": secret_arn(name), "name": name, "region": "us-east-1", "created": created,
        "last_accessed": null, "rotation": {"enabled": false}, "resource_policy": policy,
    })
}

/// Scans a snapshot of `users` and `secrets` as of AS_OF; the JSON report's findings.
fn findings(users: Value, secrets: Value) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = json!({
        "schema_version": 1,
        "collected_at": AS_OF,
        "collector": {"tool": "test", "version": "1", "regions": ["us-east-1"]},
        "account": {"id": ACCOUNT},
        "root": {"arn": format!("arn:aws:iam::{ACCOUNT}:root"), "mfa_enabled": true, "mfa_kind": "hardware"},
        "password_policy": {
            "minimum_length": 14, "require_symbols": true, "require_numbers": true,
            "require_uppercase": true, "require_lowercase": true, "reuse_prevention": 24,
        },
        "users": users,
        "secrets": secrets,
    });
    let path = dir.path().join("snapshot.json");
    fs::write(&path, snapshot.to_string()).unwrap();
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
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run.json()["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .clone()
}

fn of_rule<'a>(findings: &'a [Value], rule: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["rule_id"] == rule).collect()
}

#[test]
fn two_keys_created_in_the_same_second_are_two_findings_and_other_fingerprints_stay() {
    let same_second = "2025-01-01T08:00:00Z";
    let found = findings(
        json!([
            user(
                "bot",
                json!([report_key(same_second, None), report_key(same_second, None)])
            ),
            user(
                "alice",
                json!([report_key(
                    "2025-02-01T08:00:00Z",
                    Some("2026-05-09T00:00:00Z")
                )])
            ),
        ]),
        json!([]),
    );
    let old_keys = of_rule(&found, "KW-IAM-009");
    let bot: Vec<&&Value> = old_keys
        .iter()
        .filter(|f| f["resource"] == user_arn("bot"))
        .collect();
    assert_eq!(bot.len(), 2, "{old_keys:#?}");
    assert_ne!(bot[0]["fingerprint"], bot[1]["fingerprint"]);
    let mut messages: Vec<&str> = bot.iter().map(|f| f["message"].as_str().unwrap()).collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            "access key created 2025-01-01 (slot 1) of user bot is 493 days old (limit 90)",
            "access key created 2025-01-01 (slot 2) of user bot is 493 days old (limit 90)",
        ]
    );
    let expected_bot_prints: Vec<String> = ["#slot1", "#slot2"]
        .iter()
        .map(|slot| {
            let key = format!("{same_second}{slot}");
            fingerprint("KW-IAM-009", ACCOUNT, &user_arn("bot"), Some(&key))
        })
        .collect();
    for finding in &bot {
        assert!(expected_bot_prints.contains(&finding["fingerprint"].as_str().unwrap().to_owned()));
    }
    // Unused keys too (never used, created 493 days ago): one finding each.
    assert_eq!(of_rule(&found, "KW-IAM-007").len(), 2);
    // A key alone in its second keeps the fingerprint it had: keyed by its creation time.
    let alice = old_keys
        .iter()
        .find(|f| f["resource"] == user_arn("alice"))
        .unwrap();
    assert_eq!(
        alice["fingerprint"],
        fingerprint(
            "KW-IAM-009",
            ACCOUNT,
            &user_arn("alice"),
            Some("2025-02-01T08:00:00Z")
        )
    );
}

#[test]
fn a_service_principal_reading_a_secret_without_a_source_condition_is_reported() {
    let statement = json!({
        "Sid": "EventBridgeRead", "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*",
    });
    let mut scoped = statement.clone();
    scoped["Condition"] = json!({"StringEquals": {"aws:SourceAccount": ACCOUNT}});
    let policy = |s: &Value| json!({"Version": "2012-10-17", "Statement": [s]});
    let found = findings(
        json!([]),
        json!([
            secret("open", "2026-05-01T00:00:00Z", policy(&statement)),
            secret("scoped", "2026-05-01T00:00:00Z", policy(&scoped)),
        ]),
    );
    let deputy = of_rule(&found, "KW-SM-008");
    assert_eq!(deputy.len(), 1, "{found:#?}");
    assert_eq!(deputy[0]["resource"], secret_arn("open"));
    assert_eq!(
        deputy[0]["evidence"]["statements"][0]["document"],
        statement
    );
    assert_eq!(
        deputy[0]["evidence"]["statements"][0]["services"],
        json!(["events.amazonaws.com"])
    );
    assert!(
        deputy[0]["message"]
            .as_str()
            .unwrap()
            .contains("lets events.amazonaws.com read it without a source condition"),
    );
    // KW-SM-005 judges principals of accounts and leaves services to KW-SM-008.
    assert!(of_rule(&found, "KW-SM-005").is_empty());
}

#[test]
fn never_used_or_rotated_counts_from_creation_so_new_ones_are_quiet() {
    let found = findings(
        json!([
            user("new-key", json!([report_key("2026-05-08T00:00:00Z", None)])),
            user("old-key", json!([report_key("2026-03-20T00:00:00Z", None)])),
        ]),
        json!([
            secret("new", "2026-05-08T00:00:00Z", Value::Null),
            secret("old", "2026-01-01T00:00:00Z", Value::Null),
        ]),
    );
    let resources = |rule: &str| -> Vec<String> {
        of_rule(&found, rule)
            .iter()
            .map(|f| f["resource"].as_str().unwrap().to_owned())
            .collect()
    };
    // Keys: 2 and 51 days since creation, never used (limit 45).
    assert_eq!(resources("KW-IAM-007"), [user_arn("old-key")]);
    // Secrets: 2 and 129 days since creation, never read (limit 90) and never rotated (90).
    assert_eq!(resources("KW-SM-004"), [secret_arn("old")]);
    assert_eq!(resources("KW-SM-007"), [secret_arn("old")]);
    // Rotation disabled is reported however new the secret (SecretsManager.1).
    assert_eq!(resources("KW-SM-001").len(), 2);
}
