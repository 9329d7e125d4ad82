//! The GitHub Action (action.yml) run the way the runner runs a composite action
//! (support/actions_runner.rs). keyward is the binary cargo built for these tests, passed as
//! KEYWARD_BIN, except where a fake cargo "builds" it. Also: the README documents exactly the
//! action's inputs and outputs.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::actions_runner::{ActionRun, Runner, expressions, load_action};
use crate::support::cli::{KEYWARD_BIN, TEST_CREDENTIALS, aws_env, keyward};
use crate::support::moto::Moto;
use crate::support::{fixture, repo};

const INCIDENT_ACCOUNT: &str = "123456789012";
const ROLL_UP_HEADER: &str =
    "| Account | Critical | High | Medium | Low | Waived | Not evaluated |";

/// A runner whose keyward is the binary cargo built for these tests.
fn runner_with_built_keyward() -> Runner {
    Runner::new(&[("KEYWARD_BIN", KEYWARD_BIN)])
}

/// What keyward's action promises about its outputs and reports, checked on a finished run.
impl ActionRun<'_> {
    fn open_findings(&self) -> u64 {
        self.output("open-findings")
            .parse()
            .unwrap_or_else(|_| panic!("open-findings is not a number; log:\n{}", self.log))
    }

    /// The SARIF results, after checking the file is what code scanning takes: runs, each
    /// with its category, and no result marked suppressed (GitHub would show it as open).
    fn sarif_results(&self, category: &str) -> Vec<Value> {
        let sarif = self.json_file("sarif");
        let runs = sarif["runs"].as_array().expect("SARIF has runs");
        assert!(!runs.is_empty());
        let mut results = Vec::new();
        for run in runs {
            let id = run["automationDetails"]["id"].as_str().unwrap();
            assert!(id.starts_with(&format!("{category}/")), "run id {id}");
            results.extend(
                run["results"]
                    .as_array()
                    .expect("a run has results")
                    .clone(),
            );
        }
        for result in &results {
            assert!(result.get("suppressions").is_none(), "suppressed: {result}");
        }
        results
    }

    /// The outputs and reports every successful scan writes, consistent with each other.
    fn assert_reports_agree(&self, category: &str) {
        let report = self.json_file("json");
        assert_eq!(
            report["summary"]["open_total"].as_u64(),
            Some(self.open_findings())
        );
        assert_eq!(
            self.sarif_results(category).len() as u64,
            self.open_findings()
        );
        let markdown = fs::read_to_string(self.file("markdown")).unwrap();
        assert!(markdown.contains(ROLL_UP_HEADER), "{markdown}");
        assert!(
            self.summary.contains(&markdown),
            "summary:\n{}",
            self.summary
        );
    }
}

#[test]
fn an_incident_fails_on_critical_after_every_report_is_written() {
    let runner = runner_with_built_keyward();
    runner.write(
        "audit/keyward.yaml",
        "waivers:\n  - rule: KW-IAM-009\n    resource: \"arn:aws:iam::123456789012:user/alice\"\n    reason: Replaced in OPS-42\n    owner: platform@example.com\n    expires: 2099-12-31\n",
    );
    let run = runner.run(
        &repo(),
        &[
            ("snapshot", &fixture("incident.json")),
            ("as-of", "snapshot"),
            ("fail-on", "critical"),
            ("config", "audit/keyward.yaml"),
            ("output", "reports/aws.sarif"),
            ("sarif-category", "nightly"),
        ],
    );
    run.assert_status(1);
    assert_eq!(run.output("exit-code"), "1");
    assert_eq!(run.output("sarif"), "reports/aws.sarif");
    // A given snapshot is not collected again.
    assert_eq!(run.output("snapshot"), "");
    run.assert_reports_agree("nightly");
    assert_eq!(run.open_findings(), 45, "46 findings, 1 waived");

    // The waived finding stays in the JSON report and is left out of SARIF.
    let report = run.json_file("json");
    assert_eq!(report["summary"]["waived"], 1);
    let alice = format!("arn:aws:iam::{INCIDENT_ACCOUNT}:user/alice");
    let alice_rules: BTreeSet<String> = run
        .sarif_results("nightly")
        .iter()
        .filter(|r| r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == alice)
        .map(|r| r["ruleId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(alice_rules, BTreeSet::from(["KW-IAM-005".to_owned()]));

    let sarif = run.json_file("sarif");
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        format!("nightly/aws/{INCIDENT_ACCOUNT}/")
    );
    assert!(
        run.summary
            .contains("| 123456789012 (acme-ai-prod) | 5 | 16 | 20 | 4 | 1 | 0 |")
    );
    assert!(
        run.log
            .contains("::error title=keyward::open findings at or above critical"),
        "{}",
        run.log
    );
}

#[test]
fn a_baseline_lets_known_findings_pass_and_new_ones_fail() {
    let runner = runner_with_built_keyward();
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    keyward(&[
        "scan",
        "--snapshot",
        &fixture("incident.json"),
        "--as-of",
        "2026-05-03",
        "--format",
        "json",
        "--fail-on",
        "none",
        "-o",
        baseline,
    ])
    .assert_code(0);
    let snapshot = fixture("incident.json");
    let known = runner.run(
        &repo(),
        &[
            ("snapshot", &snapshot),
            ("as-of", "2026-05-03"),
            ("baseline", baseline),
        ],
    );
    known.assert_status(0);
    // Three months on, bob's key is past 90 days: a new high finding fails the step.
    let later = runner.run(
        &repo(),
        &[
            ("snapshot", &snapshot),
            ("as-of", "2026-08-03"),
            ("baseline", baseline),
        ],
    );
    later.assert_status(1);
}

#[test]
fn a_clean_account_passes_on_the_default_high() {
    let runner = runner_with_built_keyward();
    let run = runner.run(
        &repo(),
        &[("snapshot", &fixture("clean.json")), ("as-of", "snapshot")],
    );
    run.assert_status(0);
    assert_eq!(run.output("exit-code"), "0");
    assert_eq!(run.open_findings(), 0);
    run.assert_reports_agree("keyward");
    assert_eq!(run.output("sarif"), "keyward.sarif");
    assert!(run.summary.contains("No findings."), "{}", run.summary);
}

#[test]
fn fail_on_none_passes_with_findings_and_still_counts_them() {
    let runner = runner_with_built_keyward();
    let run = runner.run(
        &repo(),
        &[
            ("snapshot", &fixture("incident.json")),
            ("as-of", "snapshot"),
            ("fail-on", "none"),
        ],
    );
    run.assert_status(0);
    assert_eq!(run.output("exit-code"), "0");
    assert_eq!(run.open_findings(), 46);
    run.assert_reports_agree("keyward");
}

#[test]
fn an_incomplete_scan_fails_unless_fail_on_is_none() {
    let runner = runner_with_built_keyward();
    let partial = fixture("partial.json");
    // partial.json has a high finding and checks not evaluated; nothing critical.
    let strict = runner.run(
        &repo(),
        &[
            ("snapshot", &partial),
            ("as-of", "snapshot"),
            ("fail-on", "critical"),
        ],
    );
    strict.assert_status(3);
    assert_eq!(strict.output("exit-code"), "3");
    strict.assert_reports_agree("keyward");
    assert!(
        strict
            .log
            .contains("::error title=keyward::some checks were not evaluated")
    );

    let lenient = runner.run(
        &repo(),
        &[
            ("snapshot", &partial),
            ("as-of", "snapshot"),
            ("fail-on", "none"),
        ],
    );
    lenient.assert_status(0);
    assert_eq!(lenient.output("exit-code"), "3");
    assert!(
        lenient
            .log
            .contains("::warning title=keyward::some checks were not evaluated")
    );
}

#[test]
fn extra_policy_directories_are_split_on_spaces_and_newlines() {
    let runner = runner_with_built_keyward();
    for (dir, id) in [("acme/one", "ACME-001"), ("acme/two", "ACME-002")] {
        let package = id.to_lowercase().replace('-', "_");
        runner.write(
            &format!("{dir}/rule.rego"),
            &format!(
                "# METADATA\n# title: Reviewed by {id}\n# description: Fires once per account.\n\
                 # custom:\n#   id: {id}\n#   name: reviewed-{package}\n#   severity: low\n\
                 #   requires: [iam.credentials]\n#   remediation: Nothing to do.\n\
                 package acme.{package}\n\n\
                 deny contains {{\"resource\": sprintf(\"arn:aws:iam::%s:root\", [input.snapshot.account.id]), \"message\": \"reviewed\"}} if true\n"
            ),
        );
    }
    let run = runner.run(
        &repo(),
        &[
            ("snapshot", &fixture("clean.json")),
            ("as-of", "snapshot"),
            ("policies", " acme/one\n  acme/two \n"),
        ],
    );
    run.assert_status(0); // low findings pass fail-on high
    run.assert_reports_agree("keyward");
    let rules: BTreeSet<String> = run
        .sarif_results("keyward")
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        rules,
        BTreeSet::from(["ACME-001".into(), "ACME-002".into()])
    );
}

#[test]
fn a_bad_input_fails_before_any_report() {
    let runner = runner_with_built_keyward();
    let run = runner.run(
        &repo(),
        &[("snapshot", &fixture("clean.json")), ("fail-on", "severe")],
    );
    run.assert_status(2);
    assert_eq!(run.output("exit-code"), "2");
    assert_eq!(run.output("sarif"), "");
    assert!(!runner.workspace().join("keyward.sarif").exists());
    assert_eq!(run.summary, "");
    assert!(
        run.log
            .contains("::error title=keyward::keyward scan failed with exit code 2")
    );
}

#[test]
fn without_a_snapshot_the_live_account_is_collected_once_and_kept() {
    let moto = Moto::start();
    moto.seed(&["two-regions"]);
    let mut env = aws_env(&moto.endpoint, TEST_CREDENTIALS);
    env.push(("KEYWARD_BIN", KEYWARD_BIN));
    let runner = Runner::new(&env);
    let run = runner.run(&repo(), &[("regions", "eu-west-1"), ("fail-on", "none")]);
    // moto's credential report has no root row: root checks are not evaluated.
    run.assert_status(0);
    assert_eq!(run.output("exit-code"), "3");
    run.assert_reports_agree("keyward");
    let snapshot = run.json_file("snapshot");
    let secrets: Vec<(&str, &str)> = snapshot["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["region"].as_str().unwrap(), s["name"].as_str().unwrap()))
        .collect();
    assert_eq!(secrets, [("eu-west-1", "west/one")]);
    let report = run.json_file("json");
    assert_eq!(
        report["accounts"][0]["account"]["id"],
        snapshot["account"]["id"]
    );
}

/// A copy of the action with a stand-in for the Rust sources, and a fake cargo that logs its
/// calls and "builds" keyward by copying the tests' binary into the install root.
pub(crate) fn action_with_fake_cargo() -> (TempDir, TempDir) {
    let action = tempfile::tempdir().unwrap();
    fs::create_dir_all(action.path().join("scripts")).unwrap();
    fs::create_dir_all(action.path().join("src")).unwrap();
    for file in [
        "action.yml",
        "scripts/action.sh",
        "Cargo.lock",
        "Cargo.toml",
    ] {
        fs::copy(repo().join(file), action.path().join(file)).unwrap();
    }
    fs::write(action.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    let bin = tempfile::tempdir().unwrap();
    let cargo = bin.path().join("cargo");
    fs::write(
        &cargo,
        "#!/usr/bin/env bash\nset -euo pipefail\n\
         echo \"$PWD $CARGO_TARGET_DIR $*\" >> \"$FAKE_CARGO_LOG\"\n\
         while [ \"$1\" != --root ]; do shift; done\n\
         mkdir -p \"$2/bin\" && cp \"$FAKE_CARGO_BUILDS\" \"$2/bin/keyward\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&cargo, fs::Permissions::from_mode(0o755)).unwrap();
    (action, bin)
}

#[test]
fn keyward_is_built_once_per_version_of_its_sources() {
    let (action, fake_bin) = action_with_fake_cargo();
    let log = fake_bin.path().join("cargo.log");
    let path = format!(
        "{}:{}",
        fake_bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    let runner = Runner::new(&[
        ("PATH", path.as_str()),
        ("FAKE_CARGO_LOG", log.to_str().unwrap()),
        ("FAKE_CARGO_BUILDS", KEYWARD_BIN),
    ]);
    let clean = fixture("clean.json");
    let inputs = [("snapshot", clean.as_str()), ("as-of", "snapshot")];
    let cargo_calls = || fs::read_to_string(&log).unwrap_or_default().lines().count();
    let temp = runner.temp().to_str().unwrap();

    let first = runner.run(action.path(), &inputs);
    first.assert_status(0);
    let prepared = &first.steps["prepare"];
    let root = &prepared["root"];
    assert!(root.starts_with(&format!("{temp}/keyward-")), "{root}");
    assert!(prepared["bin-key"].starts_with("keyward-bin-Linux-X64-"));
    assert!(prepared["build-key"].starts_with("keyward-build-Linux-X64-"));
    let build_paths: Vec<&str> = prepared["build-paths"].lines().collect();
    assert_eq!(build_paths.len(), 4, "{build_paths:?}");
    assert!(build_paths[0].ends_with("/registry/index"));
    assert_eq!(build_paths[3], format!("{temp}/keyward-target"));
    assert_eq!(first.steps["install"]["built"], "true");
    assert_eq!(first.steps["install"]["bin"], format!("{root}/bin/keyward"));
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        format!(
            "{} {temp}/keyward-target install --locked --path . --root {root}\n",
            action.path().display()
        )
    );

    // Used again in the same job: the binary is found, and no cache is even restored.
    let second = runner.run(action.path(), &inputs);
    second.assert_status(0);
    assert_eq!(
        second.steps["prepare"]["bin"],
        format!("{root}/bin/keyward")
    );
    assert!(!second.steps["install"].contains_key("built"));
    assert_eq!(cargo_calls(), 1);

    // Changed sources are another version: another binary, the same compiled dependencies.
    fs::write(action.path().join("src/main.rs"), "fn main() { }\n").unwrap();
    let third = runner.run(action.path(), &inputs);
    third.assert_status(0);
    let changed = &third.steps["prepare"];
    assert_ne!(&changed["root"], root);
    assert_ne!(changed["bin-key"], prepared["bin-key"]);
    assert_eq!(changed["build-key"], prepared["build-key"]);
    assert_eq!(cargo_calls(), 2);
}

#[test]
fn run_steps_read_inputs_only_through_env() {
    let action = load_action(&repo());
    let mut read = BTreeSet::new();
    for step in action.runs.steps.iter().filter(|s| s.run.is_some()) {
        let script = step.run.as_deref().unwrap();
        assert!(
            expressions(script).is_empty(),
            "an expression in a script: {script}"
        );
        for (name, value) in &step.env {
            for expression in expressions(value) {
                if let Some(input) = expression.strip_prefix("inputs.") {
                    let expected = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
                    assert_eq!(name, &expected, "{input} is passed as {name}");
                    read.insert(input.to_owned());
                }
            }
        }
    }
    let declared: BTreeSet<String> = action.inputs.keys().cloned().collect();
    assert_eq!(
        read, declared,
        "every input reaches the script, and only those"
    );
}

/// The rows of the markdown table under `heading` in `text`, cells trimmed, backticks removed.
fn table_after(text: &str, heading: &str) -> Vec<Vec<String>> {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?}"));
    text[start..]
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2) // header and separator
        .map(|line| {
            line.trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_readme_documents_exactly_the_actions_inputs_and_outputs() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let begin = readme.find("<!-- action:begin -->").expect("begin marker");
    let end = readme.find("<!-- action:end -->").expect("end marker");
    let section = &readme[begin..end];
    let action = load_action(&repo());

    let documented_inputs: BTreeMap<String, String> = table_after(section, "### Inputs")
        .into_iter()
        .map(|row| (row[0].clone(), row[1].clone()))
        .collect();
    let inputs: BTreeMap<String, String> = action
        .inputs
        .iter()
        .map(|(name, input)| (name.clone(), input.default.clone().unwrap_or_default()))
        .collect();
    assert_eq!(documented_inputs, inputs, "README inputs (name, default)");

    let documented_outputs: BTreeSet<String> = table_after(section, "### Outputs")
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    let outputs: BTreeSet<String> = action.outputs.keys().cloned().collect();
    assert_eq!(documented_outputs, outputs, "README outputs");
}

#[test]
fn a_terraform_plan_is_judged_alone_with_findings_on_its_tf_lines() {
    let runner = runner_with_built_keyward();
    let app = repo().join("fixtures/terraform/app");
    for file in [
        "iam.tf",
        "secrets.tf",
        "providers.tf",
        "plan.json",
        "modules/secret/main.tf",
    ] {
        runner.write(
            &format!("infra/{file}"),
            &fs::read_to_string(app.join(file)).unwrap(),
        );
    }
    let run = runner.run(
        &repo(),
        &[
            ("terraform-plan", "infra/plan.json"),
            ("terraform-dir", "infra"),
            ("fail-on", "critical"),
        ],
    );
    // The plan introduces critical findings (an open secret policy, an AI key without
    // rotation): the step fails, after writing every report, without collecting anything.
    run.assert_status(1);
    assert_eq!(run.output("snapshot"), "");
    let report = run.json_file("json");
    assert_eq!(report["summary"]["plan"]["introduced"], 10);
    let results = run.sarif_results("keyward");
    let key = results
        .iter()
        .find(|r| r["ruleId"] == "KW-TF-001")
        .expect("the CI access key is reported");
    let physical = &key["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "infra/iam.tf");
    assert!(physical["region"]["startLine"].as_i64().unwrap() > 1);
    assert!(
        run.summary.contains("introduced by the plan"),
        "{}",
        run.summary
    );
}

#[test]
fn compliance_reports_follow_the_findings_in_the_summary() {
    let runner = runner_with_built_keyward();
    let incident = fixture("incident.json");
    let run = runner.run(
        &repo(),
        &[
            ("snapshot", incident.as_str()),
            ("as-of", "snapshot"),
            ("fail-on", "none"),
            ("compliance", "cis-aws-foundations-v3.0\nmitre-attack"),
        ],
    );
    run.assert_status(0);
    let cis = run
        .summary
        .find("## keyward: CIS Amazon Web Services Foundations Benchmark");
    let mitre = run.summary.find("## keyward: MITRE ATT");
    let findings = run.summary.find(ROLL_UP_HEADER);
    assert!(
        findings < cis && cis < mitre && findings.is_some(),
        "summary:\n{}",
        run.summary
    );
    let dir = runner.workspace().join(run.output("compliance"));
    for framework in ["cis-aws-foundations-v3.0", "mitre-attack"] {
        let report: Value = serde_json::from_str(
            &fs::read_to_string(dir.join(format!("{framework}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(report["framework"]["id"], framework);
        assert!(dir.join(format!("{framework}.md")).is_file());
    }

    // An unknown framework stops the step before the SARIF is written.
    let run = runner.run(
        &repo(),
        &[("snapshot", incident.as_str()), ("compliance", "pci-dss")],
    );
    run.assert_status(2);
    assert!(run.log.contains("no framework `pci-dss`"), "{}", run.log);
    assert_eq!(run.output("sarif"), "");
}
