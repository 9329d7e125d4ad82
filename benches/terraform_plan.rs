//! How long a Terraform plan takes to judge: a synthetic 5,000-resource plan, shaped like
//! `terraform show -json` output (for_each instances, a module, values known only after apply
//! resolved through the configuration's references), is read, converted into the snapshots
//! before and after it, and judged by the whole built-in pack.
//!
//! `cargo bench --bench terraform_plan` (or `scripts/bench_terraform.sh`) prints, for each
//! step, the median and minimum of several runs. The baseline, measured in the same run, is
//! the pack evaluating the converted snapshot directly (what a scan of an account of that
//! size costs), so the figures show what reading, converting and labelling add.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::Utc;
use keyward::config::Config;
use keyward::evaluation::{AsOf, evaluate, evaluate_plan};
use keyward::policy::{PolicySet, builtin_sources};
use serde_json::{Value, json};

/// Users, each with a login profile, an access key, a policy and its attachment.
const UNITS: usize = 700;
/// Secrets, each in a module instance with its rotation.
const SECRETS: usize = 750;
const RUNS: usize = 7;

fn main() {
    let plan = synthetic_plan();
    let resources = plan["resource_changes"].as_array().unwrap().len();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let text = serde_json::to_string(&plan).unwrap();
    std::fs::write(&path, &text).unwrap();
    println!(
        "terraform plan benchmark: {resources} resources, {:.1} MB of JSON, median / min of {RUNS} runs",
        text.len() as f64 / 1e6
    );

    let policies = PolicySet::load(&builtin_sources()).unwrap();
    let config = Config::default();
    let as_of = AsOf::At(Utc::now());

    let read = time(|| keyward::terraform::read_plan(&path).unwrap());
    let parsed = keyward::terraform::read_plan(&path).unwrap();
    let convert = time(|| parsed.accounts(None));
    let accounts = parsed.accounts(None);
    let judge = time(|| {
        evaluate_plan(
            &policies,
            std::slice::from_ref(&accounts.before),
            std::slice::from_ref(&accounts.after),
            &config,
            as_of,
            "plan.json",
        )
        .unwrap()
    });
    let baseline = time(|| {
        evaluate(
            &policies,
            std::slice::from_ref(&accounts.after),
            &config,
            as_of,
        )
        .unwrap()
    });
    let total = time(|| {
        let plan = keyward::terraform::read_plan(&path).unwrap();
        let accounts = plan.accounts(None);
        evaluate_plan(
            &policies,
            std::slice::from_ref(&accounts.before),
            std::slice::from_ref(&accounts.after),
            &config,
            as_of,
            "plan.json",
        )
        .unwrap()
    });
    let report = evaluate_plan(
        &policies,
        std::slice::from_ref(&accounts.before),
        std::slice::from_ref(&accounts.after),
        &config,
        as_of,
        "plan.json",
    )
    .unwrap();
    let after = &accounts.after;
    println!(
        "snapshot after the plan: {} users, {} policies, {} secrets; {} findings, {} not evaluated",
        after.users.len(),
        after.policies.len(),
        after.secrets.len(),
        report.summary.open_total,
        report.summary.not_evaluated
    );
    println!("| step | median | min |\n|---|---:|---:|");
    for (name, (median, min)) in [
        ("read the plan (JSON)", read),
        ("convert into snapshots", convert),
        ("judge before and after, label", judge),
        ("baseline: judge the snapshot after once", baseline),
        ("total: read, convert, judge", total),
    ] {
        println!("| {name} | {} | {} |", ms(median), ms(min));
    }
}

fn time<T>(mut run: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(run());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[RUNS / 2], times[0])
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// A plan that creates every resource, in the shape Terraform writes.
fn synthetic_plan() -> Value {
    let mut planned = Vec::new();
    let mut changes = Vec::new();
    let mut add = |address: String,
                   module: Option<String>,
                   kind: &str,
                   name: &str,
                   index: Value,
                   after: Value,
                   unknown: Value| {
        planned.push((
            module.clone(),
            json!({
                "address": address, "mode": "managed", "type": kind, "name": name, "index": index,
                "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                "values": after, "sensitive_values": {},
            }),
        ));
        let mut change = json!({
            "address": address, "mode": "managed", "type": kind, "name": name, "index": index,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": null, "after": after, "after_unknown": unknown},
        });
        if let Some(module) = module {
            change["module_address"] = json!(module);
        }
        changes.push(change);
    };
    for i in 0..UNITS {
        let key = format!("u{i:04}");
        let at = |kind: &str, name: &str| format!("{kind}.{name}[\"{key}\"]");
        let user = format!("user-{i:04}");
        add(
            at("aws_iam_user", "people"),
            None,
            "aws_iam_user",
            "people",
            json!(key),
            json!({"name": user, "path": "/", "tags": {"team": "t"}}),
            json!({"arn": true, "id": true, "unique_id": true}),
        );
        add(
            at("aws_iam_user_login_profile", "people"),
            None,
            "aws_iam_user_login_profile",
            "people",
            json!(key),
            json!({"user": user, "password_reset_required": true}),
            json!({"password": true, "id": true}),
        );
        add(
            at("aws_iam_access_key", "people"),
            None,
            "aws_iam_access_key",
            "people",
            json!(key),
            json!({"user": user, "status": "Active", "pgp_key": null}),
            json!({"id": true, "secret": true, "create_date": true}),
        );
        // One policy in ten is full admin, the rest read one bucket.
        let statement = if i % 10 == 0 {
            json!({"Effect": "Allow", "Action": "*", "Resource": "*"})
        } else {
            json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::bucket-{i}/*")})
        };
        add(
            at("aws_iam_policy", "people"),
            None,
            "aws_iam_policy",
            "people",
            json!(key),
            json!({"name": format!("policy-{i:04}"), "path": "/", "policy": json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()}),
            json!({"arn": true, "id": true, "policy_id": true}),
        );
        add(
            at("aws_iam_user_policy_attachment", "people"),
            None,
            "aws_iam_user_policy_attachment",
            "people",
            json!(key),
            json!({"user": user}),
            json!({"policy_arn": true, "id": true}),
        );
    }
    for i in 0..SECRETS {
        let module = format!("module.secrets[\"s{i:04}\"]");
        add(
            format!("{module}.aws_secretsmanager_secret.this"),
            Some(module.clone()),
            "aws_secretsmanager_secret",
            "this",
            Value::Null,
            json!({"name": format!("app/secret-{i:04}"), "description": null, "kms_key_id": null, "tags": {"managed-by": "terraform"}}),
            json!({"arn": true, "id": true}),
        );
        add(
            format!("{module}.aws_secretsmanager_secret_rotation.this[0]"),
            Some(module.clone()),
            "aws_secretsmanager_secret_rotation",
            "this",
            json!(0),
            json!({"rotation_lambda_arn": "arn:aws:lambda:eu-west-1:123456789012:function:rotate", "rotation_rules": [{"automatically_after_days": 30, "duration": null, "schedule_expression": null}]}),
            json!({"secret_id": true, "id": true, "rotation_enabled": true}),
        );
    }
    let root: Vec<Value> = planned
        .iter()
        .filter(|(m, _)| m.is_none())
        .map(|(_, r)| r.clone())
        .collect();
    let children: Vec<Value> = (0..SECRETS)
        .map(|i| {
            let module = format!("module.secrets[\"s{i:04}\"]");
            let resources: Vec<Value> = planned
                .iter()
                .filter(|(m, _)| m.as_deref() == Some(module.as_str()))
                .map(|(_, r)| r.clone())
                .collect();
            json!({"address": module, "resources": resources})
        })
        .collect();
    let reference = |r: &str| json!({"references": [r, "each.key"]});
    json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"region": {"value": "eu-west-1"}},
        "planned_values": {"root_module": {"resources": root, "child_modules": children}},
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": {"resources": [
            {"address": "data.aws_caller_identity.current", "mode": "data", "type": "aws_caller_identity", "name": "current",
             "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
             "values": {"account_id": "123456789012", "arn": "arn:aws:iam::123456789012:user/terraform", "id": "123456789012", "user_id": "AIDA"}}
        ]}}},
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws", "expressions": {"region": {"references": ["var.region"]}}}},
            "root_module": {
                "resources": [
                    {"address": "aws_iam_user.people", "mode": "managed", "type": "aws_iam_user", "name": "people", "provider_config_key": "aws", "expressions": {"name": {"references": ["each.key"]}}},
                    {"address": "aws_iam_user_login_profile.people", "mode": "managed", "type": "aws_iam_user_login_profile", "name": "people", "provider_config_key": "aws", "expressions": {"user": reference("aws_iam_user.people")}},
                    {"address": "aws_iam_access_key.people", "mode": "managed", "type": "aws_iam_access_key", "name": "people", "provider_config_key": "aws", "expressions": {"user": reference("aws_iam_user.people")}},
                    {"address": "aws_iam_policy.people", "mode": "managed", "type": "aws_iam_policy", "name": "people", "provider_config_key": "aws", "expressions": {"policy": {"references": ["each.value"]}}},
                    {"address": "aws_iam_user_policy_attachment.people", "mode": "managed", "type": "aws_iam_user_policy_attachment", "name": "people", "provider_config_key": "aws",
                     "expressions": {"user": reference("aws_iam_user.people"), "policy_arn": {"references": ["aws_iam_policy.people", "each.key"]}}},
                ],
                "module_calls": {"secrets": {"source": "./modules/secret", "module": {
                    "outputs": {"arn": {"expression": {"references": ["aws_secretsmanager_secret.this.arn", "aws_secretsmanager_secret.this"]}}},
                    "resources": [
                        {"address": "aws_secretsmanager_secret.this", "mode": "managed", "type": "aws_secretsmanager_secret", "name": "this", "provider_config_key": "aws", "expressions": {"name": {"references": ["var.name"]}}},
                        {"address": "aws_secretsmanager_secret_rotation.this", "mode": "managed", "type": "aws_secretsmanager_secret_rotation", "name": "this", "provider_config_key": "aws",
                         "expressions": {"secret_id": {"references": ["aws_secretsmanager_secret.this.id", "aws_secretsmanager_secret.this"]}}},
                    ],
                }}},
            },
        },
        "timestamp": "2026-11-30T12:00:00Z",
        "applyable": true,
        "complete": true,
        "errored": false,
    })
}
