//! SARIF output against the official SARIF 2.1.0 schema, Microsoft's SARIF Multitool with
//! GitHub's ingestion rules, and the GitHub code-scanning points that neither validator checks
//! (docs/github-code-scanning.md). scripts/test.sh installs both validators.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use keyward::model::{AccountReport, Finding, ScanReport, Severity, Summary, ToolInfo};
use keyward::report::sarif::{MAX_RESULTS_PER_RUN, MAX_RUNS};
use serde_json::Value;

use crate::support::cli::{keyward, keyward_in};
use crate::support::{fixture, tool_from_env};

/// Scans each fixture (and one with a waiver and an expired waiver) to SARIF.
fn fixture_sarifs() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for name in ["incident.json", "clean.json", "partial.json"] {
        let run = keyward(&[
            "scan",
            "--snapshot",
            &fixture(name),
            "--as-of",
            "snapshot",
            "--format",
            "sarif",
        ]);
        assert!(run.code != 2, "{name}: {}", run.stderr);
        out.push((name.to_owned(), run.json()));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("keyward.yaml"),
        "waivers:\n  - rule: KW-IAM-009\n    resource: \"*alice\"\n    reason: tracked in OPS-1\n    owner: ops\n    expires: 2026-06-01\n  - rule: KW-IAM-001\n    resource: \"*\"\n    reason: old\n    owner: ops\n    expires: 2026-01-01\n",
    )
    .unwrap();
    let run = keyward_in(dir.path(), &["scan", "--demo", "--format", "sarif"]);
    out.push(("incident with waivers".to_owned(), run.json()));
    out
}

fn schema_validator() -> jsonschema::Validator {
    let path = tool_from_env(
        "KEYWARD_SARIF_SCHEMA",
        "the SARIF 2.1.0 JSON schema (npm @microsoft/sarif-multitool)",
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, sarif: &Value) -> Vec<String> {
    validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_fixture_validates_against_the_sarif_schema() {
    let validator = schema_validator();
    for (name, sarif) in fixture_sarifs() {
        let errors = schema_errors(&validator, &sarif);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn the_schema_check_catches_what_github_rejects() {
    // Proof that the validator above can fail: the mistakes GitHub rejects are caught.
    let validator = schema_validator();
    let (_, sarif) = fixture_sarifs().remove(0);
    let mut zero_line = sarif.clone();
    zero_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!schema_errors(&validator, &zero_line).is_empty());
    let mut critical = sarif;
    critical["runs"][0]["results"][0]["level"] = "critical".into();
    assert!(!schema_errors(&validator, &critical).is_empty());
}

const GITHUB_RULES: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="GH1003.ProvideRequiredRegionProperties.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
  <Properties Key="GH1004.ReviewArraysThatExceedConfigurableDefaults.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
  <Properties Key="GH1005.LocationsMustBeRelativeUrisOrFilePaths.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
  <Properties Key="GH1007.ProvideFullyFormattedMessageStrings.Options">
    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />
  </Properties>
</Properties>
"#;

/// Runs `Sarif.Multitool validate` with GitHub's rules (and the opt-in ones switched on) and
/// returns its error lines; its exit code is 0 even with errors.
fn multitool_errors(multitool: &Path, dir: &Path, sarif: &Value) -> Vec<String> {
    let input = dir.join("input.sarif");
    std::fs::write(&input, serde_json::to_string_pretty(sarif).unwrap()).unwrap();
    let config = dir.join("github-rules.xml");
    std::fs::write(&config, GITHUB_RULES).unwrap();
    let output = Command::new(multitool)
        .args([
            "validate",
            input.to_str().unwrap(),
            "--rule-kind",
            "Ghas;Sarif",
            "--config",
            config.to_str().unwrap(),
        ])
        .args([
            "--output",
            dir.join("validation.sarif").to_str().unwrap(),
            "--log",
            "ForceOverwrite",
        ])
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .current_dir(dir)
        .output()
        .expect("the SARIF Multitool runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("files scanned") || stdout.contains("Analysis completed"),
        "Multitool did not run:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .filter(|l| l.contains(": error "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_fixture_passes_the_multitool_with_githubs_rules() {
    let multitool = tool_from_env(
        "KEYWARD_SARIF_MULTITOOL",
        "Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool)",
    );
    let dir = tempfile::tempdir().unwrap();
    for (name, sarif) in fixture_sarifs() {
        let errors = multitool_errors(&multitool, dir.path(), &sarif);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // And the Multitool does report a rule without help text (GH2012), so a pass means something.
    let (_, mut broken) = fixture_sarifs().remove(0);
    broken["runs"][0]["tool"]["driver"]["rules"][0]
        .as_object_mut()
        .unwrap()
        .remove("help");
    assert!(!multitool_errors(&multitool, dir.path(), &broken).is_empty());
}

/// The points GitHub enforces during processing that the validators miss.
fn github_problems(sarif: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let runs = sarif["runs"].as_array().unwrap();
    if runs.len() > MAX_RUNS {
        problems.push(format!("{} runs", runs.len()));
    }
    let mut automation_ids = BTreeSet::new();
    for run in runs {
        let id = run["automationDetails"]["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        if !id.starts_with("keyward/") || !id.ends_with('/') || !automation_ids.insert(id.clone()) {
            problems.push(format!(
                "automationDetails.id {id:?} missing, malformed or repeated"
            ));
        }
        for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
            let severity = rule["properties"]["security-severity"]
                .as_str()
                .and_then(|s| s.parse::<f64>().ok());
            if !severity.is_some_and(|s| s > 0.0 && s <= 10.0) {
                problems.push(format!(
                    "rule {}: security-severity must be a string in (0, 10]",
                    rule["id"]
                ));
            }
            for field in ["shortDescription", "fullDescription", "help"] {
                let text = rule[field]["text"].as_str().unwrap_or("");
                if text.is_empty() || (field != "help" && text.chars().count() > 1024) {
                    problems.push(format!(
                        "rule {}: {field}.text empty or too long",
                        rule["id"]
                    ));
                }
            }
            let tags = rule["properties"]["tags"].as_array().unwrap();
            if tags.len() > 20 || !tags.contains(&"security".into()) {
                problems.push(format!("rule {}: tags", rule["id"]));
            }
        }
        let mut fingerprints = BTreeSet::new();
        for result in run["results"].as_array().unwrap() {
            let location = &result["locations"][0]["physicalLocation"];
            let uri = location["artifactLocation"]["uri"].as_str().unwrap_or("");
            let first_segment = uri.split('/').next().unwrap_or("");
            if uri.is_empty()
                || first_segment.contains(':')
                || uri.contains(' ')
                || uri.starts_with('/')
            {
                problems.push(format!("result uri {uri:?} is not a relative path"));
            }
            if location["region"]["startLine"].as_i64().unwrap_or(0) < 1 {
                problems.push(format!("result at {uri}: startLine < 1"));
            }
            if !["none", "note", "warning", "error"]
                .contains(&result["level"].as_str().unwrap_or(""))
            {
                problems.push(format!("result at {uri}: level {}", result["level"]));
            }
            let hash = result["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            if hash.is_empty() || !fingerprints.insert((result["ruleId"].to_string(), hash.clone()))
            {
                problems.push(format!("result at {uri}: fingerprint {hash:?} missing or repeated, GitHub would merge alerts"));
            }
            if result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .is_none()
            {
                problems.push(format!("result at {uri}: no logical location with the ARN"));
            }
        }
    }
    problems
}

#[test]
fn every_fixture_meets_githubs_processing_rules() {
    for (name, sarif) in fixture_sarifs() {
        let problems = github_problems(&sarif);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}

#[test]
fn the_github_checks_catch_a_logical_only_location() {
    let (_, mut sarif) = fixture_sarifs().remove(0);
    sarif["runs"][0]["results"][0]["locations"][0]
        .as_object_mut()
        .unwrap()
        .remove("physicalLocation");
    assert!(!github_problems(&sarif).is_empty());
}

#[test]
fn fingerprints_stay_the_same_from_one_scan_to_the_next() {
    // A later scan (ages grown, messages changed) keeps every alert's identity.
    let incident = fixture("incident.json");
    let fingerprints = |as_of: &str| -> BTreeSet<String> {
        let run = keyward(&[
            "scan",
            "--snapshot",
            &incident,
            "--as-of",
            as_of,
            "--format",
            "sarif",
        ]);
        run.json()["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == "KW-IAM-009")
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let first = fingerprints("2026-05-03");
    assert_eq!(first.len(), 3, "{first:?}");
    assert_eq!(first, fingerprints("2026-05-20"));
}

#[test]
fn the_config_run_points_at_the_waiver_line() {
    let sarif = fixture_sarifs().pop().unwrap().1;
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    let config_run = &runs[1];
    assert_eq!(config_run["automationDetails"]["id"], "keyward/config/");
    let location = &config_run["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "keyward.yaml");
    assert_eq!(location["region"]["startLine"], 7);
}

fn synthetic_report(accounts: usize, findings_per_account: usize) -> ScanReport {
    let rule = keyward::evaluation::waiver_expired_rule();
    let accounts = (0..accounts)
        .map(|a| {
            let id = format!("{:012}", 100_000_000_000u64 + a as u64);
            let findings = (0..findings_per_account)
                .map(|i| Finding {
                    rule_id: rule.id.clone(),
                    severity: if i % 2 == 0 {
                        Severity::High
                    } else {
                        Severity::Low
                    },
                    account_id: id.clone(),
                    region: None,
                    resource: format!("arn:aws:iam::{id}:user/u{i}"),
                    message: format!("user u{i}"),
                    evidence: Default::default(),
                    controls: None,
                    fingerprint: format!("{a:08x}{i:024x}"),
                    waiver: None,
                    location: None,
                    baseline_state: None,
                    plan_change: None,
                })
                .collect();
            AccountReport {
                account: keyward::snapshot::Account {
                    id,
                    alias: None,
                    name: None,
                    partition: "aws".into(),
                },
                as_of: Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap(),
                collected_at: Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap(),
                api_requests: None,
                collection_errors: Vec::new(),
                findings,
                not_evaluated: Vec::new(),
                not_applicable: Vec::new(),
                fixed_by_plan: Vec::new(),
                rule_results: Vec::new(),
                access: None,
            }
        })
        .collect();
    ScanReport {
        report_version: keyward::model::REPORT_VERSION,
        tool: ToolInfo {
            name: "keyward".into(),
            version: "test".into(),
        },
        as_of: Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap(),
        rules: vec![rule],
        disabled_rules: Vec::new(),
        accounts,
        config_findings: Vec::new(),
        baseline: None,
        terraform_plan: None,
        changes: None,
        warnings: Vec::new(),
        filter: None,
        summary: Summary::default(),
    }
}

#[test]
fn a_run_over_githubs_result_limit_keeps_the_most_severe_and_says_so() {
    let mut report = synthetic_report(1, MAX_RESULTS_PER_RUN + 10);
    // Most severe first, as the scan orders them.
    report.accounts[0]
        .findings
        .sort_by_key(|f| std::cmp::Reverse(f.severity));
    let rendered = keyward::report::render(
        &report,
        keyward::report::ReportFormat::Sarif,
        &Default::default(),
    )
    .unwrap();
    let sarif: Value = serde_json::from_str(&rendered.text).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), MAX_RESULTS_PER_RUN);
    let high = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(
        high,
        (MAX_RESULTS_PER_RUN + 10).div_ceil(2),
        "every high-severity result is kept"
    );
    assert_eq!(rendered.warnings.len(), 1);
    assert!(
        rendered.warnings[0].contains("10 of 25010 findings left out"),
        "{}",
        rendered.warnings[0]
    );
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["message"]["text"].as_str().unwrap().contains("left out"))
    );
}

#[test]
fn more_accounts_than_github_accepts_runs_is_an_error_not_a_rejected_file() {
    let report = synthetic_report(MAX_RUNS + 1, 1);
    let error = keyward::report::render(
        &report,
        keyward::report::ReportFormat::Sarif,
        &Default::default(),
    )
    .err()
    .expect("refused");
    assert!(error.to_string().contains("at most 20"), "{error}");
    assert!(
        keyward::report::render(
            &synthetic_report(MAX_RUNS, 1),
            keyward::report::ReportFormat::Sarif,
            &Default::default()
        )
        .is_ok()
    );
}
