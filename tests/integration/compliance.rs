//! `keyward scan --compliance FRAMEWORK`: per control of the framework, its status and the
//! resources its rules passed, failed, waived or could not evaluate, counted from what each rule
//! evaluated (`rule_results` in the JSON report). Whole outputs on the fixtures are snapshots;
//! the markdown is read as GitHub reads it, with comrak.

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};
use insta::assert_snapshot;
use serde_json::Value;

use crate::support::cli::{Run, keyward, keyward_in, keyward_isolated};
use crate::support::{fixture, write_file};

fn compliance(fixture_name: &str, framework: &str, format: &str) -> Run {
    keyward(&[
        "scan",
        "--snapshot",
        &fixture(fixture_name),
        "--as-of",
        "snapshot",
        "--compliance",
        framework,
        "--format",
        format,
    ])
}

#[test]
fn cis_table_of_the_incident() {
    assert_snapshot!(
        compliance("incident.json", "cis-aws-foundations-v3.0", "table").snapshot_text()
    );
}

#[test]
fn securityhub_markdown_of_a_partial_collection() {
    assert_snapshot!(compliance("partial.json", "aws-securityhub", "markdown").snapshot_text());
}

#[test]
fn mitre_json_of_a_clean_account() {
    assert_snapshot!(compliance("clean.json", "mitre-attack", "json").snapshot_text());
}

fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}"))
}

#[test]
fn every_framework_reports_each_catalogue_control_with_a_status() {
    for framework in [
        "cis-aws-foundations-v3.0",
        "aws-securityhub",
        "mitre-attack",
    ] {
        let run = compliance("incident.json", framework, "json");
        run.assert_code(1);
        let report = run.json();
        assert_eq!(report["compliance_version"], 1);
        assert_eq!(report["framework"]["id"], framework);
        let controls = report["controls"].as_array().unwrap();
        assert_eq!(report["summary"]["controls"], controls.len());
        let statuses = ["pass", "fail", "not_evaluated", "partial", "not_covered"];
        let total: u64 = statuses
            .iter()
            .map(|s| report["summary"][s].as_u64().unwrap())
            .sum();
        assert_eq!(total as usize, controls.len(), "{framework}");
        for c in controls {
            assert!(statuses.contains(&c["status"].as_str().unwrap()), "{c}");
        }
    }
}

#[test]
fn the_incident_fails_root_key_and_counts_users_per_rule() {
    let report = compliance("incident.json", "cis-aws-foundations-v3.0", "json").json();
    let root_key = control(&report, "1.4");
    assert_eq!(root_key["status"], "fail");
    assert_eq!(root_key["counts"]["failed"], 1);
    // MFA for console users (KW-IAM-005): the incident's four users, one without MFA.
    let mfa = control(&report, "1.10");
    assert_eq!(mfa["status"], "fail");
    assert_eq!(
        (
            mfa["counts"]["passed"].as_u64(),
            mfa["counts"]["failed"].as_u64()
        ),
        (Some(3), Some(1))
    );
    let not_covered = control(&report, "1.3");
    assert_eq!(not_covered["status"], "not_covered");
    assert!(
        not_covered["not_covered"]
            .as_str()
            .unwrap()
            .contains("security questions")
    );
}

#[test]
fn a_finding_that_names_fewer_controls_fails_only_those() {
    // KW-IAM-012 (password policy) maps to IAM.7 and IAM.11 to IAM.16; the incident's policy
    // fails some requirements and meets others.
    let report = compliance("incident.json", "aws-securityhub", "json").json();
    assert_eq!(control(&report, "IAM.15")["status"], "fail");
    assert_eq!(control(&report, "IAM.11")["status"], "pass");
    assert_eq!(control(&report, "IAM.11")["counts"]["passed"], 1);
}

#[test]
fn a_waived_resource_counts_as_waived_and_does_not_fail_the_control() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "keyward.yaml",
        "waivers:\n  - rule: KW-IAM-005\n    resource: \"*\"\n    reason: MFA rollout tracked in OPS-7\n    owner: platform-team@example.com\n    expires: 2030-01-01\n",
    );
    let incident = fixture("incident.json");
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--snapshot",
            &incident,
            "--as-of",
            "snapshot",
            "--compliance",
            "cis-aws-foundations-v3.0",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        keyward_in(dir.path(), &args).json()
    };
    for report in [scan(&[]), scan(&["--waived", "omit"])] {
        let mfa = control(&report, "1.10");
        assert_eq!(mfa["status"], "pass", "{mfa}");
        assert_eq!(
            (
                mfa["counts"]["passed"].as_u64(),
                mfa["counts"]["waived"].as_u64()
            ),
            (Some(3), Some(1))
        );
    }
}

#[test]
fn data_that_was_not_collected_makes_a_control_not_evaluated_never_pass() {
    let report = compliance("partial.json", "aws-securityhub", "json").json();
    let root_key = control(&report, "IAM.4");
    assert_eq!(root_key["status"], "not_evaluated", "{root_key}");
    assert!(root_key["counts"]["not_evaluated"].as_u64().unwrap() > 0);
    assert_eq!(root_key["counts"]["passed"], 0);
    // Secrets could not be listed in eu-west-1 only: the us-east-1 secret is still judged.
    let rotation = control(&report, "SecretsManager.1");
    assert_eq!(rotation["status"], "fail", "{rotation}");
    assert_eq!(rotation["counts"]["failed"], 1);
    // One gap (eu-west-1) per rule of the control.
    assert_eq!(
        rotation["counts"]["not_evaluated"].as_u64().unwrap() as usize,
        rotation["rules"].as_array().unwrap().len()
    );
}

#[test]
fn the_json_report_records_what_each_rule_evaluated() {
    let run = keyward(&["scan", "--demo", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["report_version"], keyward::model::REPORT_VERSION);
    let users = 4;
    let results = report["accounts"][0]["rule_results"].as_array().unwrap();
    // The KW-TF rules do not apply without a plan: they judged nothing, so they have no result.
    let not_applicable: Vec<&str> = report["accounts"][0]["not_applicable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(not_applicable, ["KW-TF-001", "KW-TF-002", "KW-TF-003"]);
    assert_eq!(
        results.len(),
        report["rules"].as_array().unwrap().len() - not_applicable.len()
    );
    for rule in report["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let kinds = rule["evaluates"]
            .as_array()
            .unwrap_or_else(|| panic!("{id} says not what it evaluates"));
        assert!(!kinds.is_empty(), "{id}");
        let Some(result) = results.iter().find(|r| r["rule_id"] == id) else {
            assert!(not_applicable.contains(&id), "{id} has no result");
            continue;
        };
        let judged: u64 = ["passed", "failed", "waived"]
            .iter()
            .map(|k| result[k].as_u64().unwrap())
            .sum();
        match kinds[0].as_str().unwrap() {
            "users" => assert_eq!(judged, users, "{id}: {result}"),
            "account" => assert_eq!(judged, 1, "{id}: {result}"),
            _ => assert!(judged > 0, "{id}: {result}"),
        }
    }
}

#[test]
fn the_markdown_reads_on_github_as_one_table_row_per_control() {
    let run = compliance("incident.json", "cis-aws-foundations-v3.0", "markdown");
    let controls =
        compliance("incident.json", "cis-aws-foundations-v3.0", "json").json()["controls"]
            .as_array()
            .unwrap()
            .len();
    let mut options = Options::default();
    let extension = &mut options.extension;
    (extension.table, extension.strikethrough, extension.autolink) = (true, true, true);
    let arena = Arena::new();
    let root = parse_document(&arena, &run.stdout, &options);
    let (mut rows, mut active) = (Vec::new(), Vec::new());
    fn walk<'a>(node: &'a AstNode<'a>, rows: &mut Vec<String>, active: &mut Vec<String>) {
        match &node.data.borrow().value {
            NodeValue::TableRow(_) => rows.push(text_of(node)),
            value @ (NodeValue::Link(_)
            | NodeValue::Image(_)
            | NodeValue::HtmlInline(_)
            | NodeValue::HtmlBlock(_)) => active.push(format!("{value:?}")),
            _ => {}
        }
        for child in node.children() {
            walk(child, rows, active);
        }
    }
    fn text_of<'a>(node: &'a AstNode<'a>) -> String {
        let mut text = String::new();
        for descendant in node.descendants() {
            match &descendant.data.borrow().value {
                NodeValue::Text(t) => text.push_str(t),
                NodeValue::TableCell => text.push('|'),
                _ => {}
            }
        }
        text
    }
    walk(root, &mut rows, &mut active);
    assert!(active.is_empty(), "{active:?}");
    assert_eq!(rows.len(), controls + 1, "{rows:#?}");
    assert!(
        rows[0].contains("|Status|Passed|Failed|Waived|Not evaluated|"),
        "{}",
        rows[0]
    );
    assert!(
        rows.iter().any(|r| r
            .starts_with("|1.4|Ensure no 'root' user account access key exists|❌ fail|0|1|0|0|")),
        "{rows:#?}"
    );
    // A step summary holds 1 MiB; a pull-request comment 65,536 characters.
    assert!(run.stdout.len() < 65_536, "{} bytes", run.stdout.len());
}

#[test]
fn an_unknown_framework_or_sarif_is_a_usage_error() {
    compliance("incident.json", "pci-dss", "table")
        .assert_input_error(&["no framework `pci-dss`", "cis-aws-foundations-v3.0"]);
    compliance("incident.json", "mitre-attack", "sarif").assert_input_error(&["not sarif or ocsf"]);
    // Before a live collection: no AWS call is made (none could succeed here).
    let live = keyward_isolated(
        &[
            "scan",
            "--compliance",
            "pci-dss",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        &[],
    );
    live.assert_input_error(&["no framework `pci-dss`"]);
}
