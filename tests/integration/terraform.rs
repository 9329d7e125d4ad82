//! Pre-deploy checks of Terraform plans (`--terraform-plan`, `--terraform-state`,
//! `--terraform-dir`), on the fixtures of fixtures/terraform/: real `terraform show -json`
//! output of the configurations beside them (see docs/terraform.md).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::cli::{Run, keyward_in};
use crate::support::moto::Moto;
use crate::support::repo;

fn app() -> PathBuf {
    repo().join("fixtures/terraform/app")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs keyward in the app fixture's directory (the root module), so that locations are
/// relative to it as they are in a repository's checkout.
/// When the fixtures' plans and snapshot are judged, when no test needs another time: shortly
/// after they were made (2026-11-30). Judged as of the clock, their keys and rotations would
/// age past the rules' limits weeks later and change what the tests find.
const JUDGED_AT: &str = "2026-12-01T00:00:00Z";

fn in_app(args: &[&str]) -> Run {
    keyward_in(&app(), args)
}

/// (rule, resource name, plan change) of every open finding, and of the fixed ones.
/// Open findings as (rule, resource name, plan change), fixed ones as (rule, resource name).
type Labels = (
    BTreeSet<(String, String, String)>,
    BTreeSet<(String, String)>,
);

fn labels(report: &serde_json::Value) -> Labels {
    let account = &report["accounts"][0];
    let short = |resource: &str| match resource.split_once(":secret:") {
        Some((_, name)) => name.to_owned(),
        None => resource.rsplit([':', '/']).next().unwrap().to_owned(),
    };
    let open = account["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                short(f["resource"].as_str().unwrap()),
                f["plan_change"].as_str().unwrap_or("none").to_owned(),
            )
        })
        .collect();
    let fixed = account["fixed_by_plan"]
        .as_array()
        .map(|fixed| {
            fixed
                .iter()
                .map(|f| {
                    (
                        f["rule_id"].as_str().unwrap().to_owned(),
                        short(f["resource"].as_str().unwrap()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (open, fixed)
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

/// What the change under review (app/, planned against the state of app-before/) brings.
fn expected_after_the_change(alice: &str) -> BTreeSet<(String, String, String)> {
    set(&[
        ("KW-IAM-005", "alice", alice),
        ("KW-IAM-005", "bob", "introduced"),
        ("KW-IAM-005", "carol", "introduced"),
        ("KW-IAM-012", "root", "introduced"),
        ("KW-IAM-013", "<aws_iam_role.reporting>", "introduced"),
        ("KW-SM-001", "prod/anthropic-api-key-??????", "introduced"),
        ("KW-SM-005", "prod/db-Refjcq", "introduced"),
        ("KW-SM-006", "prod/anthropic-api-key-??????", "introduced"),
        ("KW-TF-001", "ci-deploy", "introduced"),
        ("KW-TF-002", "prod/anthropic-api-key-??????", "introduced"),
        ("KW-TF-003", "carol", "introduced"),
    ])
}

fn expected_fixed() -> BTreeSet<(String, String)> {
    [
        ("KW-IAM-010", "legacy-export"),
        // The principal that held ops-admin's access in effect.
        ("KW-IAM-011", "app"),
        ("KW-IAM-013", "app"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect()
}

#[test]
fn a_plan_alone_is_judged_and_its_findings_labelled_against_its_prior_state() {
    let run = in_app(&[
        "scan",
        "--terraform-plan",
        "plan.json",
        "--format",
        "json",
        "--fail-on",
        "high",
        "--as-of",
        JUDGED_AT,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["report_version"], keyward::model::REPORT_VERSION);
    assert_eq!(report["accounts"][0]["account"]["id"], "123456789012");
    let (open, fixed) = labels(&report);
    assert_eq!(open, expected_after_the_change("unchanged"));
    assert_eq!(fixed, expected_fixed());
    assert_eq!(
        report["summary"]["plan"],
        serde_json::json!({"introduced": 10, "fixed": 3, "unchanged": 1})
    );
}

#[test]
fn a_plan_alone_leaves_live_data_rules_not_applicable_and_unknown_values_not_evaluated() {
    let report = in_app(&["scan", "--terraform-plan", "plan.json", "--format", "json"]).json();
    let account = &report["accounts"][0];
    let not_applicable: BTreeSet<&str> = account["not_applicable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["rule_id"].as_str().unwrap())
        .collect();
    // The root user's rules, those that need ages or last use, and the detective ones (a plan
    // says nothing of who watches the account); the password policy is in the plan, so its
    // rule applies.
    assert_eq!(
        not_applicable,
        BTreeSet::from([
            "KW-AA-001",
            "KW-CE-001",
            "KW-CT-001",
            "KW-CT-002",
            "KW-CT-003",
            "KW-CT-004",
            "KW-CT-005",
            "KW-CT-006",
            "KW-CT-007",
            "KW-CW-001",
            "KW-CW-002",
            "KW-CW-003",
            "KW-CW-004",
            "KW-CW-005",
            "KW-GD-001",
            "KW-IAM-001",
            "KW-IAM-002",
            "KW-IAM-003",
            "KW-IAM-004",
            "KW-IAM-006",
            "KW-IAM-007",
            "KW-IAM-009",
            "KW-SM-003",
            "KW-SM-004",
            "KW-SM-007"
        ])
    );
    // The worker's inline policy is jsonencode() of a secret ARN known after apply: its
    // checks are not evaluated for the worker, never passed.
    let gaps: Vec<(&str, &str, &str)> = account["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["rule_id"].as_str().unwrap(),
                g["resource"].as_str().unwrap(),
                g["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        gaps.iter()
            .any(|(rule, resource, reason)| *rule == "KW-IAM-013"
                && resource.ends_with(":role/worker")
                && reason
                    .contains("aws_iam_role_policy.worker: `policy` is known only after apply")),
        "{gaps:?}"
    );
    assert_eq!(report["summary"]["not_applicable"], 25);
    // The app's policy names a secret created by the same plan (data source read at apply):
    // keyward rebuilds it and judges it, so there is no gap for the app role.
    assert!(
        !gaps
            .iter()
            .any(|(_, resource, _)| resource.ends_with(":role/app")),
        "{gaps:?}"
    );
}

#[test]
fn a_plan_from_nothing_introduces_everything() {
    let report = in_app(&[
        "scan",
        "--terraform-plan",
        "plan-create.json",
        "--format",
        "json",
    ])
    .json();
    let (open, fixed) = labels(&report);
    assert!(fixed.is_empty());
    assert!(
        open.iter().all(|(_, _, change)| change == "introduced"),
        "{open:?}"
    );
    // Nothing exists yet, so the db secret's ARN is the pattern for the one to be created.
    assert!(open.contains(&(
        "KW-SM-005".to_owned(),
        "prod/db-??????".to_owned(),
        "introduced".to_owned()
    )));
    assert!(open.contains(&(
        "KW-TF-001".to_owned(),
        "ci-deploy".to_owned(),
        "introduced".to_owned()
    )));
}

#[test]
fn a_plan_applied_to_the_live_account_labels_against_the_account() {
    let run = in_app(&[
        "scan",
        "--terraform-plan",
        "plan.json",
        "--snapshot",
        "live.json",
        "--format",
        "json",
        "--as-of",
        JUDGED_AT,
    ]);
    let report = run.json();
    let (open, fixed) = labels(&report);
    assert_eq!(open, expected_after_the_change("unchanged"));
    assert_eq!(fixed, expected_fixed());
    let account = &report["accounts"][0];
    assert!(account["not_applicable"].as_array().unwrap().is_empty());
    // The live account's own gap (moto has no root row) stays, so the run is incomplete too.
    assert!(
        account["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["rule_id"] == "KW-IAM-001")
    );
}

/// A keyward.yaml in `dir` that turns off every rule with a finding the plan introduces and
/// waives bob's and carol's KW-IAM-005: alice's KW-IAM-005 (high, unchanged by the plan) is all
/// that is left open.
fn config_leaving_only_unchanged_findings(dir: &Path) -> PathBuf {
    let config = dir.join("keyward.yaml");
    std::fs::write(
        &config,
        "disabled_rules: [KW-SM-005, KW-SM-006, KW-SM-009, KW-IAM-013, KW-TF-001, KW-TF-002, KW-TF-003, KW-IAM-012, KW-SM-001, KW-IAM-010, KW-IAM-011]\n\
         waivers:\n\
         \x20 - {rule: KW-IAM-005, resource: \"arn:aws:iam::123456789012:user/bob\", reason: onboarding, owner: it@example.com, expires: 2099-01-01}\n\
         \x20 - {rule: KW-IAM-005, resource: \"arn:aws:iam::123456789012:user/carol\", reason: onboarding, owner: it@example.com, expires: 2099-01-01}\n",
    )
    .unwrap();
    config
}

#[test]
fn the_gate_fails_only_on_what_the_plan_introduces() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_leaving_only_unchanged_findings(dir.path());
    let plan = app().join("plan.json");
    let run = keyward_in(
        dir.path(),
        &[
            "scan",
            "--terraform-plan",
            path(&plan),
            "--config",
            path(&config),
            "--format",
            "json",
            "--fail-on",
            "high",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(report["summary"]["open_total"], 1);
    assert_eq!(
        report["accounts"][0]["findings"][0]["plan_change"],
        "unchanged"
    );
}

/// moto seeded with the account app-before/ makes (live.json is keyward's snapshot of it after
/// `terraform apply`); its secrets get ARNs of moto's choosing, returned by name.
fn live_app_account() -> (Moto, serde_json::Value) {
    let moto = Moto::start();
    let seeded = moto.seed(&["from-snapshot", path(&app().join("live.json"))]);
    // Watched (trail, alarms, GuardDuty; the recorded analyzer and cost monitor): the plan
    // changes nothing the detective rules judge, and these tests are about what it changes.
    moto.seed(&["watched"]);
    (moto, seeded)
}

/// `keyward scan --live --terraform-plan plan.json` against moto, with more arguments.
fn scan_live_with_plan(moto: &Moto, more: &[&str]) -> Run {
    let plan = app().join("plan.json");
    let dir = app();
    let mut args = vec![
        "scan",
        "--live",
        "--terraform-plan",
        path(&plan),
        "--terraform-dir",
        path(&dir),
        "--region",
        "eu-west-1",
        "--format",
        "json",
    ];
    args.extend_from_slice(more);
    moto.keyward(&args, None)
}

#[test]
fn a_plan_applied_to_a_live_scan_labels_against_the_collected_account() {
    let (moto, seeded) = live_app_account();
    let run = scan_live_with_plan(&moto, &["--fail-on", "high"]);
    // Introduced findings are high and critical: the gate fails.
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let account = &report["accounts"][0];
    // Collected live, not read from a file.
    assert!(account["api_requests"].as_u64().unwrap() > 0);
    assert_eq!(account["account"]["id"], "123456789012");
    // The db secret is the live one, under the ARN moto gave it.
    let db = seeded["secrets"]["prod/db"].as_str().unwrap();
    let db = db.rsplit_once(":secret:").unwrap().1;
    let expected: BTreeSet<_> = expected_after_the_change("unchanged")
        .into_iter()
        .map(|(rule, resource, change)| {
            let resource = resource.replace("prod/db-Refjcq", db);
            (rule, resource, change)
        })
        .collect();
    let (open, fixed) = labels(&report);
    assert_eq!(open, expected);
    assert_eq!(fixed, expected_fixed());
    assert_eq!(
        report["summary"]["plan"],
        serde_json::json!({"introduced": 10, "fixed": 3, "unchanged": 1})
    );
    // With the live account there is nothing a plan alone lacks: no rule is not applicable.
    assert!(account["not_applicable"].as_array().unwrap().is_empty());
    // Findings on what the plan defines point at its .tf lines, relative to --terraform-dir.
    let key = account["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "KW-TF-001")
        .unwrap();
    assert_eq!(key["location"]["path"], path(&app().join("iam.tf")));
}

#[test]
fn on_a_live_scan_the_gate_fails_only_on_what_the_plan_introduces() {
    let (moto, _) = live_app_account();
    let dir = tempfile::tempdir().unwrap();
    let config = config_leaving_only_unchanged_findings(dir.path());
    let run = scan_live_with_plan(&moto, &["--config", path(&config), "--fail-on", "high"]);
    let report = run.json();
    // Alice's KW-IAM-005 is high and open, but the account had it before the plan: it does not
    // fail the gate. moto has no root user, so the live scan is incomplete (3), not failed (1).
    assert_eq!(report["summary"]["open_total"], 1);
    let finding = &report["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f.get("waiver").is_none())
        .unwrap()
        .clone();
    assert_eq!(
        (
            &finding["rule_id"],
            &finding["severity"],
            &finding["plan_change"]
        ),
        (
            &serde_json::json!("KW-IAM-005"),
            &serde_json::json!("high"),
            &serde_json::json!("unchanged")
        )
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
}

/// (rule, resource name) of every check the plan of fixtures/terraform/unknown/ leaves not
/// evaluated, with the reason.
fn not_evaluated(report: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    report["accounts"][0]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["rule_id"].as_str().unwrap().to_owned(),
                g["resource"]
                    .as_str()
                    .unwrap()
                    .rsplit([':', '/'])
                    .next()
                    .unwrap()
                    .to_owned(),
                g["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn policies_jsonencoded_from_values_known_at_apply_are_not_evaluated_never_passed() {
    let unknown = repo().join("fixtures/terraform/unknown");
    let run = keyward_in(
        &unknown,
        &["scan", "--terraform-plan", "plan.json", "--format", "json"],
    );
    // Nothing fails, nothing passes: the run is incomplete.
    assert_eq!(run.code, 3, "{}", run.stderr);
    let report = run.json();
    let gaps = not_evaluated(&report);
    let policy = "aws_iam_policy.reader: `policy` is known only after apply [iam.authorization]";
    let attached = "the document of policy arn:aws:iam::123456789012:policy/token-reader is known only after apply [iam.authorization]";
    let secret_policy = "aws_secretsmanager_secret_policy.token: `policy` is known only after apply [secretsmanager.resource_policies]";
    for (rule, resource, reason) in [
        // The managed policy itself: is it full admin, can it read every secret?
        ("KW-IAM-011", "token-reader", policy),
        ("KW-IAM-013", "token-reader", policy),
        // The role holding it, through the attachment.
        ("KW-IAM-011", "token-reader", attached),
        ("KW-IAM-013", "token-reader", attached),
        // The secret's own policy: open to anyone? a service without a source condition?
        ("KW-SM-005", "partner-token-??????", secret_policy),
        ("KW-SM-008", "partner-token-??????", secret_policy),
    ] {
        assert!(
            gaps.contains(&(rule.to_owned(), resource.to_owned(), reason.to_owned())),
            "{rule} on {resource} ({reason}) is not reported not evaluated: {gaps:#?}"
        );
    }
    // The secret's policy allows Principal "*" under a condition on the role's unique id: read
    // as known, it would be judged; unknown, no finding may claim either way.
    let findings = report["accounts"][0]["findings"].as_array().unwrap();
    assert!(
        !findings
            .iter()
            .any(|f| ["KW-SM-005", "KW-SM-008", "KW-IAM-011", "KW-IAM-013"]
                .contains(&f["rule_id"].as_str().unwrap())),
        "{findings:#?}"
    );
    assert_eq!(
        report["summary"]["not_evaluated"].as_u64().unwrap() as usize,
        gaps.len()
    );
}

#[test]
fn a_compliance_report_of_a_plan_alone_counts_only_the_rules_that_applied() {
    let report = in_app(&[
        "scan",
        "--terraform-plan",
        "plan.json",
        "--compliance",
        "cis-aws-foundations-v3.0",
        "--format",
        "json",
    ])
    .json();
    let control = |id: &str| {
        report["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    // Access-key age (KW-IAM-009) needs ages a plan does not have: nothing was checked, so
    // nothing passed, and the note says why.
    let age = control("1.14");
    assert_eq!(age["status"], "not_covered");
    assert_eq!(age["counts"]["passed"], 0);
    assert!(
        age["not_covered"]
            .as_str()
            .unwrap()
            .starts_with("Checked by KW-IAM-009, not applicable to what was scanned: a Terraform plan alone has no ages"),
        "{age}"
    );
    // Console users without MFA: KW-IAM-005 and KW-TF-003 judged the planned users.
    let mfa = control("1.10");
    assert_eq!(mfa["status"], "fail");
    assert_eq!(mfa["rules"], serde_json::json!(["KW-IAM-005", "KW-TF-003"]));
}

#[test]
fn findings_on_planned_resources_point_at_their_tf_lines_in_sarif() {
    let run = in_app(&[
        "scan",
        "--terraform-plan",
        "plan.json",
        "--format",
        "sarif",
        "--waived",
        "omit",
    ]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let location = |rule: &str| -> (String, i64) {
        let result = results
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule}"));
        let physical = &result["locations"][0]["physicalLocation"];
        (
            physical["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_owned(),
            physical["region"]["startLine"].as_i64().unwrap(),
        )
    };
    let line_of = |file: &str, block: &str| -> i64 {
        let text = std::fs::read_to_string(app().join(file)).unwrap();
        text.lines().position(|l| l.starts_with(block)).unwrap() as i64 + 1
    };
    assert_eq!(
        location("KW-TF-001"),
        (
            "iam.tf".to_owned(),
            line_of("iam.tf", r#"resource "aws_iam_access_key" "ci""#)
        )
    );
    assert_eq!(
        location("KW-TF-003"),
        (
            "iam.tf".to_owned(),
            line_of(
                "iam.tf",
                r#"resource "aws_iam_user_login_profile" "people""#
            )
        )
    );
    assert_eq!(
        location("KW-IAM-012"),
        (
            "iam.tf".to_owned(),
            line_of("iam.tf", r#"resource "aws_iam_account_password_policy""#)
        )
    );
    // Module-aware: the secret is defined in the module the root calls with for_each.
    assert_eq!(
        location("KW-TF-002"),
        (
            "modules/secret/main.tf".to_owned(),
            line_of(
                "modules/secret/main.tf",
                r#"resource "aws_secretsmanager_secret" "this""#
            )
        )
    );
    let introduced = results.iter().find(|r| r["ruleId"] == "KW-TF-001").unwrap();
    assert_eq!(introduced["properties"]["plan"], "introduced");
    // Fixed findings are not results: they would open alerts.
    assert!(!results.iter().any(|r| r["ruleId"] == "KW-IAM-010"));
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| {
        n["level"] == "note"
            && n["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("KW-IAM-009 not applicable")
    }));
}

/// The findings of a scan given the state of app-before/: the KW-IAM-011 of role app (an
/// administrator through ops-admin) points at its block in app-before/iam.tf, and what Terraform
/// does not manage points nowhere.
fn assert_located_by_the_state(run: &Run) {
    let before = repo().join("fixtures/terraform/app-before");
    let report = run.json();
    let findings = report["accounts"][0]["findings"].as_array().unwrap();
    let admin = findings
        .iter()
        .find(|f| f["rule_id"] == "KW-IAM-011")
        .expect("app is an administrator through ops-admin");
    let text = std::fs::read_to_string(before.join("iam.tf")).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with(r#"resource "aws_iam_role" "app""#))
        .unwrap()
        + 1;
    assert_eq!(admin["location"]["path"], path(&before.join("iam.tf")));
    assert_eq!(admin["location"]["line"], line);
    // A resource Terraform does not manage (the rotation function's role) has no location.
    assert!(
        findings
            .iter()
            .filter(|f| f["resource"].as_str().unwrap().contains("rotation-lambda"))
            .all(|f| f.get("location").is_none())
    );
}

#[test]
fn findings_of_a_snapshot_on_resources_terraform_manages_point_at_their_tf_lines() {
    let before = repo().join("fixtures/terraform/app-before");
    let dir = tempfile::tempdir().unwrap();
    let run = keyward_in(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            path(&app().join("live.json")),
            "--terraform-state",
            path(&app().join("state.json")),
            "--terraform-dir",
            path(&before),
            "--format",
            "json",
        ],
    );
    assert_located_by_the_state(&run);
}

#[test]
fn findings_of_a_live_scan_on_resources_terraform_manages_point_at_their_tf_lines() {
    let (moto, _) = live_app_account();
    let before = repo().join("fixtures/terraform/app-before");
    let state = app().join("state.json");
    let run = moto.keyward(
        &[
            "scan",
            "--terraform-state",
            path(&state),
            "--terraform-dir",
            path(&before),
            "--region",
            "eu-west-1",
            "--format",
            "json",
        ],
        None,
    );
    assert!(
        run.json()["accounts"][0]["api_requests"].as_u64().unwrap() > 0,
        "collected live"
    );
    assert_located_by_the_state(&run);
}

#[test]
fn an_opentofu_plan_is_read_like_terraforms() {
    let tofu = repo().join("fixtures/terraform/opentofu/plan.json");
    let terraform = in_app(&[
        "scan",
        "--terraform-plan",
        "plan-create.json",
        "--format",
        "json",
    ])
    .json();
    let opentofu = in_app(&["scan", "--terraform-plan", path(&tofu), "--format", "json"]).json();
    assert_eq!(labels(&opentofu), labels(&terraform));
    assert!(!labels(&opentofu).0.is_empty());
}

#[test]
fn no_secret_value_from_the_plan_reaches_any_report() {
    // The prior state holds the legacy user's access key secret in plain text, as Terraform
    // stores it.
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(app().join("plan.json")).unwrap()).unwrap();
    let key = plan["prior_state"]["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "aws_iam_access_key.legacy")
        .unwrap();
    let secret = key["values"]["secret"].as_str().unwrap();
    assert!(secret.len() >= 20);
    for format in ["json", "sarif", "markdown", "table"] {
        let run = in_app(&["scan", "--terraform-plan", "plan.json", "--format", format]);
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{format} shows the key's secret"
        );
    }
}

#[test]
fn a_plan_is_applied_only_to_its_own_account() {
    let other = tempfile::tempdir().unwrap();
    let snapshot = other.path().join("other.json");
    let text = std::fs::read_to_string(app().join("live.json"))
        .unwrap()
        .replace("123456789012", "210987654321");
    std::fs::write(&snapshot, text).unwrap();
    let run = in_app(&[
        "scan",
        "--terraform-plan",
        "plan.json",
        "--snapshot",
        path(&snapshot),
    ]);
    run.assert_input_error(&[
        "plan.json is a plan for account 123456789012",
        "the account given is 210987654321",
    ]);
}

#[test]
fn what_is_not_a_plan_is_refused_naming_the_file_and_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| -> String {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        path(&file).to_owned()
    };
    let state = app().join("state.json");
    let hcl = app().join("iam.tf");
    let cases: Vec<(String, &str)> = vec![
        (path(&state).to_owned(), "it is the Terraform state"),
        (path(&hcl).to_owned(), "it is Terraform configuration (HCL)"),
        (
            write("random.json", br#"{"name": "x", "items": [1, 2]}"#),
            "JSON without `format_version`",
        ),
        (
            write(
                "future.json",
                br#"{"format_version": "2.0", "planned_values": {}}"#,
            ),
            "format_version \"2.0\"",
        ),
        (
            write(
                "terraform.tfstate",
                br#"{"version": 4, "serial": 3, "lineage": "x", "resources": []}"#,
            ),
            "a raw state file",
        ),
        (
            write("tfplan", b"PK\x03\x04\x14\x00\x08\x00binary"),
            "a binary plan file",
        ),
        (
            write(
                "broken.json",
                b"{\"format_version\": \"1.2\",\n  \"planned_values\": [",
            ),
            "broken.json:2:",
        ),
    ];
    for (file, expected) in cases {
        let run = keyward_in(dir.path(), &["scan", "--terraform-plan", &file]);
        run.assert_input_error(&[&file, expected]);
    }
}
