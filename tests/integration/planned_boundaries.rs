//! Permissions boundaries a Terraform plan sets (`permissions_boundary` of `aws_iam_role` and
//! `aws_iam_user`) limit what the plan's principals read, on the plan of
//! fixtures/terraform/boundaries/ (real `terraform show -json` output, see its main.tf): every
//! principal there is allowed `secretsmanager:*`; its boundary decides.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::cli::keyward_in;
use crate::support::repo;

/// The JSON report of `plan` (the fixture's plan, perhaps edited) judged alone.
fn scan(plan: &Value) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let fixture = repo().join("fixtures/terraform/boundaries");
    for file in ["main.tf", "providers.tf"] {
        std::fs::copy(fixture.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::write(dir.path().join("plan.json"), plan.to_string()).unwrap();
    let run = keyward_in(
        dir.path(),
        &[
            "scan",
            "--terraform-plan",
            "plan.json",
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
    run.json()
}

fn fixture_plan() -> Value {
    let text =
        std::fs::read_to_string(repo().join("fixtures/terraform/boundaries/plan.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The names of the principals a rule flags, and of those it leaves not evaluated.
fn flagged(report: &Value, rule: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let account = &report["accounts"][0];
    let names = |list: &str| -> BTreeSet<String> {
        account[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == rule)
            .filter_map(|f| {
                f["resource"]
                    .as_str()?
                    .rsplit_once('/')
                    .map(|(_, n)| n.to_owned())
            })
            .collect()
    };
    (names("findings"), names("not_evaluated"))
}

/// How many secrets a planned principal reads, surely and conditionally.
fn reads(report: &Value, principal: &str) -> (u64, u64) {
    let principals = report["accounts"][0]["access"]["principals"]
        .as_object()
        .unwrap();
    principals
        .iter()
        .find(|(arn, _)| arn.ends_with(&format!("/{principal}")))
        .map_or((0, 0), |(_, p)| {
            (
                p["readable_secrets"].as_u64().unwrap(),
                p["conditionally_readable_secrets"].as_u64().unwrap(),
            )
        })
}

#[test]
fn a_planned_boundary_that_does_not_allow_reading_keeps_a_planned_principal_from_reading() {
    let report = scan(&fixture_plan());
    let (findings, not_evaluated) = flagged(&report, "KW-IAM-013");
    // The role bounded by a planned policy (a reference) and the user bounded by an AWS-managed
    // policy (by ARN, from the catalogue) read nothing; the role without a boundary reads every
    // secret.
    assert_eq!(findings, BTreeSet::from(["unbounded-worker".to_owned()]));
    assert_eq!(reads(&report, "bounded-worker"), (0, 0));
    assert_eq!(reads(&report, "bounded-deployer"), (0, 0));
    assert_eq!(reads(&report, "unbounded-worker"), (1, 0));
    // The boundary known only after apply: never guessed either way.
    assert_eq!(not_evaluated, BTreeSet::from(["later-worker".to_owned()]));
    assert_eq!(
        reads(&report, "later-worker"),
        (0, 1),
        "a reader only conditionally"
    );
    let reason = report["accounts"][0]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["rule_id"] == "KW-IAM-013")
        .unwrap()["reason"]
        .clone();
    assert_eq!(
        reason,
        "aws_iam_role.later: `permissions_boundary` is known only after apply [iam.authorization]"
    );
    // The API key: read by the unbounded role surely, by the later-bounded one conditionally.
    let secrets = &report["accounts"][0]["access"]["secrets"];
    let api_key = secrets.as_object().unwrap().values().next().unwrap();
    assert_eq!(
        (&api_key["readers"], &api_key["conditional_readers"]),
        (&Value::from(1), &Value::from(1))
    );
}

#[test]
fn without_its_planned_boundary_the_same_principal_reads_every_secret() {
    let mut plan = fixture_plan();
    let bounded = ["aws_iam_role.bounded", "aws_iam_user.bounded"];
    let is_bounded = |item: &Value| bounded.contains(&item["address"].as_str().unwrap());
    // The plan as Terraform would write it without the two `permissions_boundary` lines.
    for change in plan["resource_changes"].as_array_mut().unwrap() {
        if is_bounded(change) {
            change["change"]["after"]["permissions_boundary"] = Value::Null;
            change["change"]["after_unknown"]["permissions_boundary"] = Value::Bool(false);
        }
    }
    let planned = plan["planned_values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    for resource in planned.iter_mut().filter(|r| is_bounded(r)) {
        resource["values"]["permissions_boundary"] = Value::Null;
    }
    let report = scan(&plan);
    let (findings, _) = flagged(&report, "KW-IAM-013");
    for name in ["bounded-worker", "bounded-deployer", "unbounded-worker"] {
        assert!(findings.contains(name), "{name} not in {findings:?}");
        assert_eq!(reads(&report, name), (1, 0), "{name}");
    }
}
