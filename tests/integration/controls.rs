//! Control mappings: the catalogue lists every control the pack maps to, `docs/controls.md` is
//! the coverage the pack gives (and reads on GitHub as written), `keyward controls` computes it
//! for a config and for users' own rules, and SecretsManager.4 findings come from the rule that
//! checks it.

use std::collections::BTreeSet;
use std::fs;

use crate::support::cli::{keyward, keyward_in};
use crate::support::repo;
use keyward::model::{Coverage, Framework, MappedRule, RuleMetadata};
use keyward::policy::{self, PolicySet};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn builtin_rules() -> Vec<RuleMetadata> {
    PolicySet::load(&policy::builtin_sources())
        .expect("the pack loads")
        .rules()
        .iter()
        .map(|r| r.metadata.clone())
        .collect()
}

fn coverage_of(framework: &Framework, rules: &[RuleMetadata]) -> keyward::model::FrameworkCoverage {
    let mapped: Vec<MappedRule> = rules
        .iter()
        .filter_map(|r| r.mapped(&framework.id))
        .collect();
    let thresholds = keyward::config::Thresholds::default().as_map();
    framework.coverage(&mapped, &thresholds)
}

#[test]
fn every_control_the_pack_maps_to_is_in_the_catalogue() {
    let rules = builtin_rules();
    let catalogue = policy::builtin_catalogue();
    let known: BTreeSet<&str> = catalogue.iter().map(|f| f.id.as_str()).collect();
    for rule in &rules {
        for framework in rule.controls.keys() {
            assert!(
                known.contains(framework.as_str()),
                "{} maps to framework {framework}, which policies/controls/ does not have",
                rule.id
            );
        }
    }
    for framework in &catalogue {
        let coverage = coverage_of(framework, &rules);
        assert!(
            coverage.not_in_catalogue.is_empty(),
            "controls of {} mapped by rules but missing from policies/controls/{}.yaml: {:?}",
            framework.id,
            framework.id,
            coverage.not_in_catalogue
        );
    }
}

#[test]
fn a_control_says_why_it_is_not_covered_exactly_when_no_rule_covers_it() {
    let rules = builtin_rules();
    for framework in policy::builtin_catalogue() {
        for control in coverage_of(&framework, &rules).controls {
            let id = format!("{}/{}", framework.id, control.control.id);
            match control.coverage {
                Coverage::None => assert!(
                    control.control.not_covered.is_some(),
                    "{id}: no rule covers it, and the catalogue does not say why"
                ),
                _ => assert!(
                    control.control.not_covered.is_none(),
                    "{id} is covered by {:?}, yet the catalogue says it is not",
                    control.rules.iter().map(|r| &r.rule_id).collect::<Vec<_>>()
                ),
            }
        }
    }
}

#[test]
fn completing_rules_exist_and_map_the_same_control() {
    let rules = builtin_rules();
    for rule in &rules {
        for (framework, mappings) in &rule.controls {
            for mapping in mappings {
                for other in &mapping.completed_by {
                    let completing = rules
                        .iter()
                        .find(|r| &r.id == other)
                        .unwrap_or_else(|| panic!("{} names unknown rule {other}", rule.id));
                    assert!(
                        completing
                            .controls
                            .get(framework)
                            .is_some_and(|ms| ms.iter().any(|m| m.id == mapping.id)),
                        "{} is completed by {other} for {framework}/{}, which {other} does not map",
                        rule.id,
                        mapping.id
                    );
                }
            }
        }
    }
}

#[test]
fn the_mappings_the_issue_names_are_exact() {
    let rules = builtin_rules();
    let mapped = |rule: &str, framework: &str, control: &str| {
        rules.iter().find(|r| r.id == rule).unwrap().controls[framework]
            .iter()
            .find(|m| m.id == control)
            .cloned()
    };
    // SecretsManager.4 is the age of the last rotation, not the schedule.
    assert!(mapped("KW-SM-007", "aws-securityhub", "SecretsManager.4").is_some());
    assert!(
        !rules
            .iter()
            .find(|r| r.id == "KW-SM-002")
            .unwrap()
            .controls
            .contains_key("aws-securityhub")
    );
    // A root user without any MFA fails the hardware-MFA controls too.
    let iam6 = mapped("KW-IAM-002", "aws-securityhub", "IAM.6").unwrap();
    assert!(iam6.partial && iam6.completed_by == ["KW-IAM-003"]);
    let cis116 = mapped("KW-IAM-011", "cis-aws-foundations-v3.0", "1.16").unwrap();
    assert!(cis116.partial && cis116.leaves_out.unwrap().contains("group without members"));
}

/// The command that regenerates the document, run in a scratch directory (no keyward.yaml).
fn generated_controls_md() -> String {
    let run = keyward(&["controls", "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn docs_controls_md_is_generated_from_the_pack() {
    let committed = fs::read_to_string(repo().join("docs/controls.md")).unwrap_or_default();
    assert!(
        committed == generated_controls_md(),
        "docs/controls.md is out of date with the rules' METADATA or policies/controls/: run `{}`",
        keyward::report::controls::REGENERATE
    );
}

/// The cells of every table row of a markdown document as GitHub renders them (text only).
fn table_rows(markdown: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell): (Vec<String>, String) = (Vec::new(), String::new());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableCell) => row.push(std::mem::take(&mut cell)),
            Event::End(TagEnd::TableRow) => rows.push(row.clone()),
            Event::Text(text) | Event::Code(text) => cell.push_str(&text),
            Event::Start(Tag::Emphasis | Tag::Strong) => cell.push_str("<emphasis>"),
            _ => {}
        }
    }
    rows
}

#[test]
fn on_github_every_control_is_one_row_with_its_title_as_written() {
    let markdown = generated_controls_md();
    let rows = table_rows(&markdown);
    let catalogue = policy::builtin_catalogue();
    let controls: Vec<_> = catalogue.iter().flat_map(|f| &f.controls).collect();
    assert_eq!(rows.len(), controls.len(), "one body row per control");
    for (row, control) in rows.iter().zip(controls) {
        assert_eq!(row.len(), 5, "{row:?}");
        assert_eq!(row[0], control.id);
        assert_eq!(row[1], control.title, "the title renders as published");
        assert!(
            ["full", "partial", "none"].contains(&row[2].as_str()),
            "{row:?}"
        );
        assert!(!row[3].contains("<emphasis>") && !row[4].contains("<emphasis>"));
    }
    let cis_116 = rows.iter().find(|r| r[0] == "1.16").unwrap();
    assert_eq!(
        cis_116[1],
        "Ensure IAM policies that allow full \"*:*\" administrative privileges are not attached"
    );
}

#[test]
fn a_looser_threshold_makes_a_control_partial_and_a_disabled_rule_uncovers_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("keyward.yaml"),
        "thresholds:\n  max_access_key_age_days: 120\ndisabled_rules: [KW-IAM-003]\n",
    )
    .unwrap();
    let run = keyward_in(
        dir.path(),
        &[
            "controls",
            "--format",
            "json",
            "--framework",
            "cis-aws-foundations-v3.0",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let frameworks = run.json();
    assert_eq!(frameworks.as_array().unwrap().len(), 1);
    let control = |id: &str| {
        frameworks[0]["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    let keys = control("1.14");
    assert_eq!(keys["coverage"], "partial");
    assert_eq!(
        keys["rules"][0]["threshold_gaps"][0],
        serde_json::json!({"name": "max_access_key_age_days", "configured": 120, "control": 90})
    );
    // KW-IAM-002 alone leaves out a virtual MFA device.
    assert_eq!(control("1.6")["coverage"], "partial");
    assert_eq!(control("1.5")["coverage"], "full");
}

#[test]
fn users_rules_keep_their_bare_ids_and_may_say_what_they_leave_out() {
    let dir = tempfile::tempdir().unwrap();
    let rule = |id: &str, package: &str, controls: &str| {
        format!(
            "# METADATA\n# title: {id} title\n# description: D.\n# custom:\n#   id: {id}\n#   name: {package}\n#   severity: low\n#   remediation: R.\n#   requires: [iam.authorization]\n#   controls:\n{controls}package acme.{package}\n\ndeny contains {{\"resource\": \"x\", \"message\": \"m\"}} if {{ false }}\n"
        )
    };
    fs::write(
        dir.path().join("support.rego"),
        rule(
            "ACME-IAM-001",
            "support_role",
            "#     cis-aws-foundations-v3.0: [\"1.17\"]\n#     aws-securityhub: [IAM.18, IAM.99]\n",
        ),
    )
    .unwrap();
    fs::write(
        dir.path().join("cloudshell.rego"),
        rule(
            "ACME-IAM-002",
            "cloudshell",
            "#     aws-securityhub:\n#       - id: IAM.27\n#         partial: true\n#         leaves_out: groups\n",
        ),
    )
    .unwrap();
    let policy_dir = dir.path().to_str().unwrap();
    let run = keyward(&["controls", "--no-builtin", "--policy", policy_dir]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let row = |id: &str| {
        table_rows(&run.stdout)
            .into_iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("no row {id}"))
    };
    assert_eq!(row("1.17")[2], "full");
    assert!(row("1.17")[3].starts_with("ACME-IAM-001"));
    assert_eq!(row("IAM.27")[2], "partial");
    assert!(row("IAM.27")[3].contains("partial: leaves out groups"));
    assert_eq!(row("1.4")[2], "none", "the built-in pack is left out");
    assert!(
        run.stdout.contains("- IAM.99: ACME-IAM-001"),
        "{}",
        run.stdout
    );

    // A partial mapping that does not say what it leaves out is an input error naming the file.
    fs::write(
        dir.path().join("cloudshell.rego"),
        rule(
            "ACME-IAM-002",
            "cloudshell",
            "#     aws-securityhub:\n#       - id: IAM.27\n#         partial: true\n",
        ),
    )
    .unwrap();
    keyward(&["controls", "--no-builtin", "--policy", policy_dir])
        .assert_input_error(&["cloudshell.rego", "needs `leaves_out`"]);
}

/// Security Hub's SecretsManager.4 case from the issue: rotation disabled, last rotated 99 days
/// ago. It gets a finding carrying SecretsManager.4 (KW-SM-007), and KW-SM-002, which judges
/// schedules, carries no Security Hub control.
#[test]
fn a_secret_last_rotated_99_days_ago_fails_secretsmanager_4() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = serde_json::json!({
        "schema_version": 1,
        "collected_at": "2026-05-10T00:00:00Z",
        "collector": {"tool": "test", "version": "1", "regions": ["us-east-1"]},
        "account": {"id": "123456789012"},
        "secrets": [{
            "arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-AbCdEf",
            "name": "legacy",
            "region": "us-east-1",
            "created": "2025-01-01T00:00:00Z",
            "last_accessed": "2026-05-09T00:00:00Z",
            "rotation": {"enabled": false, "last_rotated": "2026-01-31T00:00:00Z"}
        }]
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
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let findings = report["accounts"][0]["findings"].as_array().unwrap();
    let rules_with = |control: &str| -> BTreeSet<String> {
        findings
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap().to_owned())
            .filter(|id| {
                let rule = report["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| &r["id"] == id)
                    .unwrap();
                rule["controls"]["aws-securityhub"]
                    .as_array()
                    .is_some_and(|ms| ms.iter().any(|m| m["id"] == control))
            })
            .collect()
    };
    assert_eq!(
        rules_with("SecretsManager.4"),
        BTreeSet::from(["KW-SM-007".to_owned()])
    );
    let finding = findings
        .iter()
        .find(|f| f["rule_id"] == "KW-SM-007")
        .unwrap();
    assert_eq!(finding["evidence"]["days_since_rotation"], 99);
    assert_eq!(report["report_version"], keyward::model::REPORT_VERSION);
}

/// A finding names the controls it fails where that is fewer than its rule maps to: a password
/// policy that only allows reuse fails CIS 1.9 and IAM.16, not 1.8 or IAM.15.
#[test]
fn a_password_policy_that_only_allows_reuse_fails_the_reuse_controls_only() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = serde_json::json!({
        "schema_version": 1,
        "collected_at": "2026-05-10T00:00:00Z",
        "collector": {"tool": "test", "version": "1"},
        "account": {"id": "123456789012"},
        "password_policy": {
            "minimum_length": 14, "require_symbols": true, "require_numbers": true,
            "require_uppercase": true, "require_lowercase": true, "reuse_prevention": null,
        },
    });
    let path = dir.path().join("snapshot.json");
    fs::write(&path, snapshot.to_string()).unwrap();
    let run = keyward_in(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let report = run.json();
    let finding = report["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "KW-IAM-012")
        .expect("a KW-IAM-012 finding");
    assert_eq!(
        finding["controls"],
        serde_json::json!({"aws-securityhub": ["IAM.16"], "cis-aws-foundations-v3.0": ["1.9"]})
    );
}
