//! The GitHub Action (action.yml), run the way the runner runs a composite action: its `run:`
//! steps in order with bash, each with its `env:` expanded from the inputs (or their defaults)
//! and earlier steps' outputs, its own GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, RUNNER_TEMP
//! and GITHUB_ACTION_PATH. `uses:` steps (the caches) are skipped. keyward is the binary cargo
//! built for these tests, passed as KEYWARD_BIN, except where a fake cargo "builds" it.
//! Also: the README documents exactly the action's inputs and outputs.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::moto::Moto;
use common::{fixture, repo};
use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;

const INCIDENT_ACCOUNT: &str = "123456789012";
const ROLL_UP_HEADER: &str =
    "| Account | Critical | High | Medium | Low | Waived | Not evaluated |";

#[derive(Deserialize)]
struct Action {
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, ActionOutput>,
    runs: Runs,
}

#[derive(Deserialize)]
struct Input {
    default: Option<String>,
    #[serde(default)]
    required: bool,
}

#[derive(Deserialize)]
struct ActionOutput {
    value: String,
}

#[derive(Deserialize)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    id: Option<String>,
    #[serde(rename = "if")]
    condition: Option<String>,
    uses: Option<String>,
    run: Option<String>,
    shell: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

fn load_action(dir: &Path) -> Action {
    let text = fs::read_to_string(dir.join("action.yml")).expect("action.yml is readable");
    yaml_serde::from_str(&text).expect("action.yml parses")
}

/// `text` with each `${{ expression }}` replaced by `evaluate(expression)`.
fn substitute(text: &str, mut evaluate: impl FnMut(&str) -> String) -> String {
    let mut substituted = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}").expect("every ${{ is closed") + start;
        substituted.push_str(&rest[..start]);
        substituted.push_str(&evaluate(rest[start + 3..end].trim()));
        rest = &rest[end + 2..];
    }
    substituted + rest
}

/// The `${{ ... }}` expressions in a text, trimmed.
fn expressions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    substitute(text, |expression| {
        found.push(expression.to_owned());
        String::new()
    });
    found
}

/// What the expressions of one step can see.
struct Context<'a> {
    inputs: &'a BTreeMap<String, String>,
    step_ids: &'a BTreeSet<String>,
    steps: &'a BTreeMap<String, BTreeMap<String, String>>,
}

impl Context<'_> {
    fn evaluate(&self, expression: &str) -> String {
        let parts: Vec<&str> = expression.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self
                .inputs
                .get(*name)
                .unwrap_or_else(|| panic!("action.yml reads undeclared input {name}"))
                .clone(),
            // A step that was skipped or has not run yet has no outputs: empty, as on GitHub.
            ["steps", id, "outputs", name] => {
                assert!(self.step_ids.contains(*id), "no step has id {id}");
                self.steps
                    .get(*id)
                    .and_then(|outputs| outputs.get(*name))
                    .cloned()
                    .unwrap_or_default()
            }
            _ => panic!("this simulation does not evaluate `{expression}`"),
        }
    }

    fn expand(&self, text: &str) -> String {
        substitute(text, |expression| self.evaluate(expression))
    }
}

/// A GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks, as the runner reads it.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let equals = line.find('=');
        match (equals, line.find("<<")) {
            (Some(e), heredoc) if heredoc.is_none_or(|h| e < h) => {
                outputs.insert(line[..e].to_owned(), line[e + 1..].to_owned());
            }
            (_, Some(h)) => {
                let delimiter = &line[h + 2..];
                let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
                outputs.insert(line[..h].to_owned(), value.join("\n"));
            }
            _ => panic!("not an output line: {line:?}"),
        }
    }
    outputs
}

/// One simulated job: its RUNNER_TEMP and workspace outlive a run of the action, so that a
/// second run finds what the first left there.
struct Runner {
    temp: TempDir,
    workspace: TempDir,
    env: Vec<(String, String)>,
}

/// What one run of the action left; its files live in the runner's directories.
struct ActionRun<'a> {
    /// The exit code of the step that failed, or 0.
    status: i32,
    outputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    summary: String,
    log: String,
    runner: &'a Runner,
}

impl Runner {
    fn new(env: &[(&str, &str)]) -> Runner {
        Runner {
            temp: tempfile::tempdir().unwrap(),
            workspace: tempfile::tempdir().unwrap(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// A runner whose keyward is the binary cargo built for these tests.
    fn with_built_keyward() -> Runner {
        Runner::new(&[("KEYWARD_BIN", env!("CARGO_BIN_EXE_keyward"))])
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.workspace.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn run(&self, action_path: &Path, given: &[(&str, &str)]) -> ActionRun<'_> {
        let action = load_action(action_path);
        assert_eq!(action.runs.using, "composite");
        let inputs = resolve_inputs(&action, given);
        let step_ids: BTreeSet<String> = action
            .runs
            .steps
            .iter()
            .filter_map(|s| s.id.clone())
            .collect();
        let files = self.temp.path().join("_runner_file_commands");
        fs::create_dir_all(&files).unwrap();
        let mut steps = BTreeMap::new();
        let (mut status, mut summary, mut log) = (0, String::new(), String::new());
        for (index, step) in action.runs.steps.iter().enumerate() {
            if step.uses.is_some() {
                continue; // actions/cache: nothing to restore or save here
            }
            let script = step.run.as_deref().expect("a step has `uses` or `run`");
            assert!(
                step.condition.is_none(),
                "this simulation runs every `run` step"
            );
            assert_eq!(step.shell.as_deref(), Some("bash"));
            let context = Context {
                inputs: &inputs,
                step_ids: &step_ids,
                steps: &steps,
            };
            let env: Vec<(String, String)> = step
                .env
                .iter()
                .map(|(name, value)| (name.clone(), context.expand(value)))
                .collect();
            let script_file = files.join(format!("step_{index}.sh"));
            let output_file = files.join(format!("output_{index}"));
            let summary_file = files.join(format!("summary_{index}"));
            fs::write(&script_file, script).unwrap();
            fs::write(&output_file, "").unwrap();
            fs::write(&summary_file, "").unwrap();

            let mut command = Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(self.workspace.path());
            // Nothing of the developer's AWS, GitHub or keyward settings reaches the action.
            for (name, _) in std::env::vars_os() {
                let name = name.to_string_lossy();
                if ["AWS_", "GITHUB_", "RUNNER_", "INPUT_", "KEYWARD"]
                    .iter()
                    .any(|prefix| name.starts_with(prefix))
                {
                    command.env_remove(name.as_ref());
                }
            }
            let output = command
                .envs([
                    ("CI", Path::new("true")),
                    ("GITHUB_ACTIONS", Path::new("true")),
                    ("GITHUB_ACTION_PATH", action_path),
                    ("GITHUB_WORKSPACE", self.workspace.path()),
                    ("GITHUB_OUTPUT", output_file.as_path()),
                    ("GITHUB_STEP_SUMMARY", summary_file.as_path()),
                    ("RUNNER_TEMP", self.temp.path()),
                    ("RUNNER_OS", Path::new("Linux")),
                    ("RUNNER_ARCH", Path::new("X64")),
                ])
                .envs(self.env.iter().cloned())
                .envs(env)
                .output()
                .expect("bash runs");
            log += &String::from_utf8_lossy(&output.stdout);
            log += &String::from_utf8_lossy(&output.stderr);
            summary += &fs::read_to_string(&summary_file).unwrap();
            let outputs = parse_outputs(&fs::read_to_string(&output_file).unwrap());
            if let Some(id) = &step.id {
                steps.insert(id.clone(), outputs);
            }
            status = output.status.code().expect("the step exited");
            if status != 0 {
                break;
            }
        }
        let context = Context {
            inputs: &inputs,
            step_ids: &step_ids,
            steps: &steps,
        };
        let outputs = action
            .outputs
            .iter()
            .map(|(name, output)| (name.clone(), context.expand(&output.value)))
            .collect();
        ActionRun {
            status,
            outputs,
            steps,
            summary,
            log,
            runner: self,
        }
    }
}

/// The inputs as the action sees them: given, else their default, else empty.
fn resolve_inputs(action: &Action, given: &[(&str, &str)]) -> BTreeMap<String, String> {
    for (name, _) in given {
        assert!(action.inputs.contains_key(*name), "no input {name}");
    }
    action
        .inputs
        .iter()
        .map(|(name, input)| {
            let value = given.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
            assert!(
                value.is_some() || !input.required,
                "input {name} is required"
            );
            let value = value.or(input.default.as_deref()).unwrap_or_default();
            (name.clone(), value.to_owned())
        })
        .collect()
}

impl ActionRun<'_> {
    fn assert_status(&self, expected: i32) {
        assert_eq!(self.status, expected, "log:\n{}", self.log);
    }

    fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .unwrap_or_else(|| panic!("action.yml declares no output {name}"))
    }

    /// An output naming a file, relative to the workspace like later steps would read it.
    fn file(&self, name: &str) -> PathBuf {
        let path = self.runner.workspace.path().join(self.output(name));
        assert!(
            path.is_file(),
            "output {name} = {path:?} is not a file; log:\n{}",
            self.log
        );
        path
    }

    fn json_file(&self, output: &str) -> Value {
        serde_json::from_str(&fs::read_to_string(self.file(output)).unwrap())
            .unwrap_or_else(|e| panic!("{output} is not JSON: {e}"))
    }

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

fn fixture_path(name: &str) -> String {
    fixture(name).to_str().unwrap().to_owned()
}

#[test]
fn an_incident_fails_on_critical_after_every_report_is_written() {
    let runner = Runner::with_built_keyward();
    runner.write(
        "audit/keyward.yaml",
        "waivers:\n  - rule: KW-IAM-009\n    resource: \"arn:aws:iam::123456789012:user/alice\"\n    reason: Replaced in OPS-42\n    owner: platform@example.com\n    expires: 2099-12-31\n",
    );
    let run = runner.run(
        &repo(),
        &[
            ("snapshot", &fixture_path("incident.json")),
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
    assert_eq!(run.open_findings(), 26, "27 findings, 1 waived");

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
            .contains("| 123456789012 (acme-ai-prod) | 5 | 10 | 8 | 3 | 1 | 0 |")
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
    let runner = Runner::with_built_keyward();
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let recorded = std::process::Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args([
            "scan",
            "--snapshot",
            &fixture_path("incident.json"),
            "--as-of",
            "2026-05-03",
        ])
        .args([
            "--format",
            "json",
            "--fail-on",
            "none",
            "-o",
            baseline.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(recorded.success());
    let baseline = baseline.to_str().unwrap();
    let snapshot = fixture_path("incident.json");
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
    let runner = Runner::with_built_keyward();
    let run = runner.run(
        &repo(),
        &[
            ("snapshot", &fixture_path("clean.json")),
            ("as-of", "snapshot"),
        ],
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
    let runner = Runner::with_built_keyward();
    let run = runner.run(
        &repo(),
        &[
            ("snapshot", &fixture_path("incident.json")),
            ("as-of", "snapshot"),
            ("fail-on", "none"),
        ],
    );
    run.assert_status(0);
    assert_eq!(run.output("exit-code"), "0");
    assert_eq!(run.open_findings(), 27);
    run.assert_reports_agree("keyward");
}

#[test]
fn an_incomplete_scan_fails_unless_fail_on_is_none() {
    let runner = Runner::with_built_keyward();
    let partial = fixture_path("partial.json");
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
    let runner = Runner::with_built_keyward();
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
            ("snapshot", &fixture_path("clean.json")),
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
    let runner = Runner::with_built_keyward();
    let run = runner.run(
        &repo(),
        &[
            ("snapshot", &fixture_path("clean.json")),
            ("fail-on", "severe"),
        ],
    );
    run.assert_status(2);
    assert_eq!(run.output("exit-code"), "2");
    assert_eq!(run.output("sarif"), "");
    assert!(!runner.workspace.path().join("keyward.sarif").exists());
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
    let runner = Runner::new(&[
        ("KEYWARD_BIN", env!("CARGO_BIN_EXE_keyward")),
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
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
fn action_with_fake_cargo() -> (TempDir, TempDir) {
    let action = tempfile::tempdir().unwrap();
    fs::create_dir_all(action.path().join("scripts")).unwrap();
    fs::create_dir_all(action.path().join("src")).unwrap();
    for file in ["action.yml", "scripts/action.sh", "Cargo.lock"] {
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
        ("FAKE_CARGO_BUILDS", env!("CARGO_BIN_EXE_keyward")),
    ]);
    let clean = fixture_path("clean.json");
    let inputs = [("snapshot", clean.as_str()), ("as-of", "snapshot")];
    let cargo_calls = || fs::read_to_string(&log).unwrap_or_default().lines().count();
    let temp = runner.temp.path().to_str().unwrap();

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
    let runner = Runner::with_built_keyward();
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
