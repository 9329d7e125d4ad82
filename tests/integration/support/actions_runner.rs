//! A stand-in for the GitHub Actions runner, enough to run a composite action (action.yml) the
//! way the runner does: its `run:` steps in order with bash, each with its `env:` expanded from
//! the inputs (or their defaults) and earlier steps' outputs, its own GITHUB_OUTPUT and
//! GITHUB_STEP_SUMMARY files, RUNNER_TEMP and GITHUB_ACTION_PATH. `uses:` steps (caches) are
//! skipped, and `if:` conditions are refused rather than ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;

#[derive(Deserialize)]
pub struct Action {
    pub inputs: BTreeMap<String, Input>,
    pub outputs: BTreeMap<String, ActionOutput>,
    pub runs: Runs,
}

#[derive(Deserialize)]
pub struct Input {
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Deserialize)]
pub struct ActionOutput {
    pub value: String,
}

#[derive(Deserialize)]
pub struct Runs {
    pub using: String,
    pub steps: Vec<Step>,
}

#[derive(Deserialize)]
pub struct Step {
    pub id: Option<String>,
    #[serde(rename = "if")]
    pub condition: Option<String>,
    pub uses: Option<String>,
    pub run: Option<String>,
    pub shell: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

pub fn load_action(dir: &Path) -> Action {
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
pub fn expressions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    substitute(text, |expression| {
        found.push(expression.to_owned());
        String::new()
    });
    found
}

/// Step outputs by step id, then output name.
type StepOutputs = BTreeMap<String, BTreeMap<String, String>>;

/// What the expressions of one step can see.
struct Context<'a> {
    inputs: &'a BTreeMap<String, String>,
    /// The `github` context's values the action reads (`action_ref`, `action_repository`).
    github: &'a BTreeMap<String, String>,
    step_ids: &'a BTreeSet<String>,
    steps: &'a StepOutputs,
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
            // Empty unless the test set it, as for an action used from a local path.
            ["github", name @ ("action_ref" | "action_repository")] => {
                self.github.get(*name).cloned().unwrap_or_default()
            }
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

/// One simulated job: its RUNNER_TEMP and workspace outlive a run of the action, so that a
/// second run finds what the first left there.
pub struct Runner {
    temp: TempDir,
    workspace: TempDir,
    env: Vec<(String, String)>,
    github: BTreeMap<String, String>,
}

/// What one run of the action left; its files live in the runner's directories.
pub struct ActionRun<'a> {
    /// The exit code of the step that failed, or 0.
    pub status: i32,
    pub outputs: BTreeMap<String, String>,
    pub steps: StepOutputs,
    pub summary: String,
    pub log: String,
    runner: &'a Runner,
}

/// What one `run:` step left.
struct StepResult {
    status: i32,
    outputs: BTreeMap<String, String>,
    summary: String,
    log: String,
}

impl Runner {
    /// A job whose steps see `env` on top of what the runner sets.
    pub fn new(env: &[(&str, &str)]) -> Runner {
        Runner {
            temp: tempfile::tempdir().unwrap(),
            workspace: tempfile::tempdir().unwrap(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            github: BTreeMap::new(),
        }
    }

    /// The action as used from a repository at a ref (`uses: owner/keyward@v1.2.3`).
    pub fn with_action_ref(mut self, repository: &str, reference: &str) -> Runner {
        self.github
            .insert("action_repository".to_owned(), repository.to_owned());
        self.github
            .insert("action_ref".to_owned(), reference.to_owned());
        self
    }

    pub fn temp(&self) -> &Path {
        self.temp.path()
    }

    pub fn workspace(&self) -> &Path {
        self.workspace.path()
    }

    /// Writes a file into the workspace (a checked-out repository's file).
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.workspace.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Runs the action in `action_path` with the `given` inputs, up to the first failing step.
    pub fn run(&self, action_path: &Path, given: &[(&str, &str)]) -> ActionRun<'_> {
        let action = load_action(action_path);
        assert_eq!(action.runs.using, "composite");
        let inputs = resolve_inputs(&action, given);
        let step_ids: BTreeSet<String> = action
            .runs
            .steps
            .iter()
            .filter_map(|s| s.id.clone())
            .collect();
        let mut steps = StepOutputs::new();
        let (mut status, mut summary, mut log) = (0, String::new(), String::new());
        for (index, step) in action.runs.steps.iter().enumerate() {
            if step.uses.is_some() {
                continue; // actions/cache: nothing to restore or save here
            }
            let context = Context {
                inputs: &inputs,
                github: &self.github,
                step_ids: &step_ids,
                steps: &steps,
            };
            let result = self.run_step(action_path, index, step, &context);
            log += &result.log;
            summary += &result.summary;
            if let Some(id) = &step.id {
                steps.insert(id.clone(), result.outputs);
            }
            status = result.status;
            if status != 0 {
                break;
            }
        }
        let context = Context {
            inputs: &inputs,
            github: &self.github,
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

    fn run_step(
        &self,
        action_path: &Path,
        index: usize,
        step: &Step,
        context: &Context,
    ) -> StepResult {
        let script = step.run.as_deref().expect("a step has `uses` or `run`");
        assert!(
            step.condition.is_none(),
            "this simulation runs every `run` step"
        );
        assert_eq!(step.shell.as_deref(), Some("bash"));
        let env: Vec<(String, String)> = step
            .env
            .iter()
            .map(|(name, value)| (name.clone(), context.expand(value)))
            .collect();
        let files = self.temp.path().join("_runner_file_commands");
        fs::create_dir_all(&files).unwrap();
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
        StepResult {
            status: output.status.code().expect("the step exited"),
            outputs: parse_outputs(&fs::read_to_string(&output_file).unwrap()),
            summary: fs::read_to_string(&summary_file).unwrap(),
            log: String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr),
        }
    }
}

impl ActionRun<'_> {
    pub fn assert_status(&self, expected: i32) {
        assert_eq!(self.status, expected, "log:\n{}", self.log);
    }

    pub fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .unwrap_or_else(|| panic!("action.yml declares no output {name}"))
    }

    /// An output naming a file, relative to the workspace like later steps would read it.
    pub fn file(&self, name: &str) -> PathBuf {
        let path = self.runner.workspace.path().join(self.output(name));
        assert!(
            path.is_file(),
            "output {name} = {path:?} is not a file; log:\n{}",
            self.log
        );
        path
    }

    pub fn json_file(&self, output: &str) -> Value {
        serde_json::from_str(&fs::read_to_string(self.file(output)).unwrap())
            .unwrap_or_else(|e| panic!("{output} is not JSON: {e}"))
    }
}
