//! Loads the policy pack into regorus and evaluates it over one input.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use regorus::LimitError;
use regorus::unstable::RuleHead;
use regorus::utils::limits::ExecutionTimerConfig;

use super::error::PolicyError;
use super::input::PolicyInput;
use super::limits::{self, Limits, SourceChecks};
use super::memory;
use super::metadata;
use super::raw_finding::{RawFinding, read_findings};
use super::source::SourceFile;
use crate::model::RuleMetadata;
use crate::text::{terminal_safe, terminal_safe_lines};

/// The rule set every rule package defines: `deny contains finding if { … }`.
const FINDINGS_RULE: &str = "deny";

/// One rule's findings, or why it could not be evaluated.
type RuleOutcome = Result<Vec<RawFinding>, PolicyError>;

/// A loaded rule: its metadata and where its package lives.
#[derive(Debug, Clone)]
pub struct Rule {
    pub metadata: RuleMetadata,
    /// The Rego package path, e.g. `data.keyward.iam.root_access_keys`.
    pub package: String,
    /// The file the rule comes from, `builtin:iam/root_access_keys.rego` for the built-in pack.
    pub origin: String,
}

/// The policy pack, parsed once; evaluation works on a clone so one set serves many accounts.
#[derive(Clone)]
pub struct PolicySet {
    engine: regorus::Engine,
    rules: Vec<Rule>,
    limits: Limits,
}

impl PolicySet {
    /// Loads the given policy files. Test files (`*_test.rego`) are left to the test runner.
    pub fn load(files: &[SourceFile]) -> Result<Self, PolicyError> {
        let mut engine = regorus::Engine::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut checks = SourceChecks::new();
        let builtin_loaded = files.iter().any(SourceFile::is_builtin);
        for file in files.iter().filter(|f| !f.is_test()) {
            if !file.is_builtin() {
                checks.check(file)?;
            }
            if let Some(rule) = add_file(&mut engine, file, builtin_loaded)? {
                check_unique(&rules, &rule)?;
                rules.push(rule);
            }
        }
        check_loaded(&mut engine)?;
        rules.sort_by(|a, b| a.metadata.id.cmp(&b.metadata.id));
        Ok(PolicySet {
            engine,
            rules,
            limits: Limits::default(),
        })
    }

    /// The same set, its user rules evaluated under `limits`.
    pub fn with_limits(self, limits: Limits) -> Self {
        PolicySet { limits, ..self }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.metadata.id == id)
    }

    /// Evaluates the chosen rules over one input and returns each rule's findings in rule order.
    ///
    /// regorus evaluates on one thread, so the work is shared out over the machine's cores, each
    /// worker with its own copy of the engine taking the next task from a common queue: rules
    /// differ a lot in cost, and a queue keeps every core busy until the last task starts. A
    /// task is one rule, or the rules of one evaluation group (METADATA `evaluation_group`),
    /// evaluated together so that the library rules they share are computed once. Groups go
    /// first: they are the costly tasks, and a costly task taken last leaves the other cores idle;
    /// the rules that read none of the snapshot's lists go last (see `tasks`).
    /// The workers share the input (`PolicyInput`), built once per snapshot.
    pub fn evaluate<'a>(
        &self,
        input: &PolicyInput,
        rules: impl IntoIterator<Item = &'a Rule>,
    ) -> Result<Vec<(&'a Rule, Vec<RawFinding>)>, PolicyError> {
        let rules: Vec<&Rule> = rules.into_iter().collect();
        let tasks = tasks(&rules);
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(tasks.len())
            .max(1);
        let next = AtomicUsize::new(0);
        let done: Vec<Vec<(usize, RuleOutcome)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    spawn_deep(scope, "keyward-policy", || {
                        self.work_queue(input.value(), &tasks, &next)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a policy worker does not panic"))
                .collect()
        });
        let mut by_rule: Vec<Option<RuleOutcome>> = rules.iter().map(|_| None).collect();
        for (i, result) in done.into_iter().flatten() {
            by_rule[i] = Some(result);
        }
        rules
            .into_iter()
            .zip(by_rule)
            .map(|(rule, result)| Ok((rule, result.expect("every rule was taken")?)))
            .collect()
    }

    /// One worker: takes tasks from the queue until it is empty, on its own copy of the engine.
    fn work_queue(
        &self,
        input: &regorus::Value,
        tasks: &[Task],
        next: &AtomicUsize,
    ) -> Vec<(usize, RuleOutcome)> {
        let mut engine = self.engine.clone();
        engine.set_input(input.clone());
        let mut done = Vec::new();
        while let Some(task) = tasks.get(next.fetch_add(1, Ordering::Relaxed)) {
            done.extend(self.eval_bounded(&mut engine, task));
        }
        done
    }

    /// Evaluates a task, under the limits when it holds a user rule.
    fn eval_bounded(&self, engine: &mut regorus::Engine, task: &Task) -> Vec<(usize, RuleOutcome)> {
        let user_rules: Vec<&Rule> = task
            .iter()
            .map(|(_, rule)| *rule)
            .filter(|rule| !rule.metadata.builtin)
            .collect();
        let Some(first) = user_rules.first() else {
            engine.clear_execution_timer_config();
            return eval_task(engine, task, &self.limits);
        };
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: self.limits.timeout,
            check_interval: TIMER_CHECK_INTERVAL,
        });
        let budget = memory::BudgetTask {
            rule: user_rules
                .iter()
                .map(|r| r.metadata.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            origin: first.origin.clone(),
            limit_bytes: self.limits.memory_bytes,
        };
        memory::with_budget(budget, || eval_task(engine, task, &self.limits))
    }
}

/// Starts `work` on a thread with a `WORKER_STACK`, or with the default stack where the
/// system refuses to reserve that much address space.
pub(super) fn spawn_deep<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    name: &str,
    work: impl FnOnce() -> T + Send + Copy + 'scope,
) -> std::thread::ScopedJoinHandle<'scope, T> {
    let builder = || std::thread::Builder::new().name(name.to_owned());
    builder()
        .stack_size(WORKER_STACK)
        .spawn_scoped(scope, work)
        .or_else(|_| builder().spawn_scoped(scope, work))
        .expect("a policy thread starts")
}

/// The stack of a policy worker. regorus evaluates recursively: a rule that reads a rule that
/// reads a rule goes one level deeper each time, and a thread's default 2 MiB ran out after a
/// few hundred. The stack is reserved address space; only the part used takes memory.
const WORKER_STACK: usize = 1 << 30;

/// Work units between two looks at the clock for regorus' execution timer.
pub(super) const TIMER_CHECK_INTERVAL: NonZeroU32 = NonZeroU32::new(256).expect("not zero");

/// The rules one worker evaluates at once, each with its index among the rules asked for.
type Task<'a> = Vec<(usize, &'a Rule)>;

/// Splits the rules into tasks: one per evaluation group, in order of first appearance, then
/// one per rule outside any group.
fn tasks<'a>(rules: &[&'a Rule]) -> Vec<Task<'a>> {
    let mut groups: Vec<(&str, Task<'a>)> = Vec::new();
    let mut singles: Vec<Task<'a>> = Vec::new();
    for (i, &rule) in rules.iter().enumerate() {
        let Some(name) = rule.metadata.evaluation_group.as_deref() else {
            singles.push(vec![(i, rule)]);
            continue;
        };
        match groups.iter_mut().find(|(group, _)| *group == name) {
            Some((_, task)) => task.push((i, rule)),
            None => groups.push((name, vec![(i, rule)])),
        }
    }
    // The rules that read no list (root user, password policy, trails, alarms) take
    // milliseconds: they go last, to fill the time while the other workers end their last
    // costly rule, instead of one costly rule starting late and keeping the rest waiting.
    singles.sort_by_key(|task| task[0].1.metadata.lists_read() == [false; 3]);
    groups
        .into_iter()
        .map(|(_, task)| task)
        .chain(singles)
        .collect()
}

/// Evaluates a task's rules together when there are several. Should that fail, each rule is
/// evaluated alone, so that an error names the rule it comes from.
fn eval_task(
    engine: &mut regorus::Engine,
    task: &Task,
    limits: &Limits,
) -> Vec<(usize, RuleOutcome)> {
    if task.len() > 1
        && let Some(values) = eval_together(engine, task)
    {
        return task
            .iter()
            .zip(values)
            .map(|(&(i, rule), value)| (i, parse_findings(rule, value, limits)))
            .collect();
    }
    task.iter()
        .map(|&(i, rule)| (i, eval_findings(engine, rule, limits)))
        .collect()
}

/// The `deny` sets of several rules from one query, `[data.a.deny, data.b.deny, …]`: regorus
/// keeps a rule's value for the length of one query, so a library rule they all read is
/// computed once. `None` when the query fails or has no value (a `deny` that is undefined makes
/// the whole array undefined).
fn eval_together(engine: &mut regorus::Engine, task: &Task) -> Option<Vec<regorus::Value>> {
    let paths: Vec<String> = task.iter().map(|(_, rule)| findings_path(rule)).collect();
    let results = engine
        .eval_query(format!("[{}]", paths.join(", ")), false)
        .ok()?;
    let value = results
        .result
        .into_iter()
        .next()?
        .expressions
        .into_iter()
        .next()?
        .value;
    let values = value.as_array().ok()?;
    (values.len() == task.len()).then(|| values.to_vec())
}

fn findings_path(rule: &Rule) -> String {
    format!("{}.{FINDINGS_RULE}", rule.package)
}

fn eval_findings(engine: &mut regorus::Engine, rule: &Rule, limits: &Limits) -> RuleOutcome {
    let value = engine
        .eval_rule(findings_path(rule))
        .map_err(|e| runtime_error(&rule.metadata.id, &rule.origin, &*e, limits))?;
    parse_findings(rule, value, limits)
}

/// What went wrong in regorus: the time limit, or an error of the rule's own.
pub(super) fn runtime_error(
    rule: &str,
    origin: &str,
    error: &(dyn std::error::Error + 'static),
    limits: &Limits,
) -> PolicyError {
    let timed_out = std::iter::successors(Some(error), |e| e.source()).any(|cause| {
        matches!(
            cause.downcast_ref::<LimitError>(),
            Some(LimitError::TimeLimitExceeded { .. })
        )
    });
    if timed_out {
        return PolicyError::Limit {
            rule: rule.to_owned(),
            origin: origin.to_owned(),
            message: format!("it ran longer than {} s", limits.timeout.as_secs_f64()),
            hint: "a rule that takes this long is runaway; if it is not, raise --policy-timeout",
        };
    }
    PolicyError::Runtime {
        rule: rule.to_owned(),
        origin: origin.to_owned(),
        message: terminal_safe_lines(&error.to_string()),
    }
}

/// Refuses a user rule's findings past the cap: a runaway rule, or one that belongs in a
/// report of its own.
fn check_findings(rule: &Rule, found: usize, limits: &Limits) -> Result<(), PolicyError> {
    if rule.metadata.builtin || found <= limits.max_findings {
        return Ok(());
    }
    Err(PolicyError::Limit {
        rule: rule.metadata.id.clone(),
        origin: rule.origin.clone(),
        message: format!(
            "it returned {found} findings, more than the {} a rule may",
            limits.max_findings
        ),
        hint: "narrow the rule, or raise --max-findings",
    })
}

fn parse_findings(rule: &Rule, value: regorus::Value, limits: &Limits) -> RuleOutcome {
    if let regorus::Value::Set(entries) = &value {
        check_findings(rule, entries.len(), limits)?;
    }
    let findings = read_findings(&value).and_then(|findings| {
        findings
            .iter()
            .try_for_each(|f| check_finding_controls(rule, f))
            .map(|()| findings)
    });
    findings.map_err(|message| PolicyError::BadFinding {
        rule: rule.metadata.id.clone(),
        origin: rule.origin.clone(),
        message,
    })
}

/// A finding may name fewer controls than its rule maps to, never others.
fn check_finding_controls(rule: &Rule, finding: &RawFinding) -> Result<(), String> {
    for (framework, ids) in finding.controls.iter().flatten() {
        let mapped = rule.metadata.controls.get(framework);
        if let Some(id) = ids
            .iter()
            .find(|id| !mapped.is_some_and(|ms| ms.iter().any(|m| &&m.id == id)))
        {
            return Err(format!(
                "its finding on {} names control {framework}/{id}, which the rule's METADATA does not map",
                finding.resource
            ));
        }
    }
    Ok(())
}

/// With the built-in pack loaded (`reserved`), a user's file may not add to its packages
/// (`data.keyward…`): its rules would clash with the pack's, or replace the library the pack's
/// rules call, and regorus failed with an internal error that blamed a built-in rule.
pub(super) fn check_namespace(
    file: &SourceFile,
    package: &str,
    reserved: bool,
) -> Result<(), PolicyError> {
    let builtin_namespace = package == "data.keyward" || package.starts_with("data.keyward.");
    if !reserved || file.is_builtin() || !builtin_namespace {
        return Ok(());
    }
    Err(PolicyError::Shape {
        origin: file.origin.clone(),
        message: format!(
            "package {} is in the built-in pack's namespace (data.keyward): give your package a name of its own, e.g. acme.iam.my_rule",
            terminal_safe(package)
        ),
    })
}

/// Refuses a `deny` that is not a set built with `deny contains … if …`: a function, a complete
/// rule or a default. regorus would evaluate a function named `deny` to nothing, silently.
fn check_findings_shape(engine: &mut regorus::Engine, origin: &str) -> Result<(), PolicyError> {
    let modules = engine.get_modules();
    let Some(module) = modules
        .iter()
        .rev()
        .find(|m| m.package.span.source.file() == origin)
    else {
        return Ok(());
    };
    for rule in &module.policy {
        let (refr, is_set, line) = match rule.as_ref() {
            regorus::unstable::Rule::Spec { head, span, .. } => match head {
                RuleHead::Set { refr, .. } => (refr, true, span.line),
                RuleHead::Compr { refr, .. } | RuleHead::Func { refr, .. } => {
                    (refr, false, span.line)
                }
            },
            regorus::unstable::Rule::Default { refr, span, .. } => (refr, false, span.line),
        };
        if !is_set && super::recursion::ref_path(refr).as_deref() == Some(FINDINGS_RULE) {
            return Err(PolicyError::Shape {
                origin: format!("{origin}:{line}"),
                message: format!(
                    "`{FINDINGS_RULE}` is defined as something other than a set of findings: a rule reports its findings as `{FINDINGS_RULE} contains finding if {{ ... }}`"
                ),
            });
        }
    }
    Ok(())
}

/// Parses one file into the engine and returns its rule, if it is one.
fn add_file(
    engine: &mut regorus::Engine,
    file: &SourceFile,
    reserve_builtin_namespace: bool,
) -> Result<Option<Rule>, PolicyError> {
    let metadata = metadata::parse(&file.text).map_err(|e| PolicyError::Metadata {
        origin: file.origin.clone(),
        line: e.line,
        message: e.message,
    })?;
    let package = engine
        .add_policy(file.origin.clone(), file.text.clone())
        .map_err(|e| PolicyError::Parse {
            origin: file.origin.clone(),
            message: terminal_safe_lines(&e.to_string()),
        })?;
    check_namespace(file, &package, reserve_builtin_namespace)?;
    check_findings_shape(engine, &file.origin)?;
    let declares_findings = engine
        .has_declared_rule_rooted_at(&file.origin, FINDINGS_RULE)
        .unwrap_or(false);
    match (metadata, declares_findings) {
        (Some(metadata), true) => Ok(Some(Rule {
            metadata: RuleMetadata {
                builtin: file.is_builtin(),
                ..metadata
            },
            package,
            origin: file.origin.clone(),
        })),
        (Some(_), false) => Err(PolicyError::Shape {
            origin: file.origin.clone(),
            message: format!(
                "it has a METADATA block but no `{FINDINGS_RULE}` rule: a rule package reports its findings as `{FINDINGS_RULE} contains finding if {{ ... }}`"
            ),
        }),
        (None, true) => Err(PolicyError::Shape {
            origin: file.origin.clone(),
            message: format!(
                "it defines `{FINDINGS_RULE}` but has no `# METADATA` block: add one with title, description and custom.id, custom.name, custom.severity, custom.remediation"
            ),
        }),
        (None, false) => Ok(None),
    }
}

/// Refuses loaded policies that regorus would recurse on without bound: functions that call
/// themselves, directly or through others (see `recursion`), and more definitions in the
/// user's files than `limits::MAX_DEFINITIONS`.
pub(super) fn check_loaded(engine: &mut regorus::Engine) -> Result<(), PolicyError> {
    let modules = engine.get_modules();
    let is_builtin = |m: &regorus::unstable::Module| {
        m.package
            .span
            .source
            .file()
            .starts_with(super::source::BUILTIN_ORIGIN_PREFIX)
    };
    limits::check_definitions(
        modules
            .iter()
            .map(|m| m.as_ref())
            .filter(|m| !is_builtin(m)),
    )?;
    match super::recursion::find_cycle(modules.iter().map(|m| m.as_ref())) {
        None => Ok(()),
        Some(cycle) => Err(PolicyError::Shape {
            origin: format!("{}:{}", terminal_safe(&cycle.origin), cycle.line),
            message: format!(
                "function {} calls itself ({}): Rego does not allow recursion, as OPA's compiler says too",
                terminal_safe(&cycle.path[0]),
                terminal_safe(&cycle.path.join(" -> "))
            ),
        }),
    }
}

fn check_unique(rules: &[Rule], new: &Rule) -> Result<(), PolicyError> {
    let clash = rules
        .iter()
        .find(|r| r.metadata.id == new.metadata.id || r.package == new.package);
    match clash {
        Some(existing) => Err(PolicyError::Shape {
            origin: new.origin.clone(),
            message: format!(
                "rule {} ({}) clashes with rule {} in {}: rule ids and packages must be unique",
                new.metadata.id,
                terminal_safe(&new.package),
                existing.metadata.id,
                existing.origin
            ),
        }),
        None => Ok(()),
    }
}

/// Reads every `.rego` file below the given directories (sorted, for a stable load order).
pub fn read_dirs(dirs: &[PathBuf]) -> Result<Vec<SourceFile>, PolicyError> {
    let mut files = Vec::new();
    for dir in dirs {
        let root = dir
            .canonicalize()
            .ok()
            .filter(|root| root.is_dir())
            .ok_or_else(|| PolicyError::Io {
                path: display(dir),
                message: "not a directory: --policy takes a directory of .rego files".to_owned(),
            })?;
        let mut paths = Vec::new();
        collect_rego(&root, dir, &mut paths)?;
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| PolicyError::Io {
                path: display(&path),
                message: e.to_string(),
            })?;
            // A file name shows in every message about the policy: it may not break a line.
            files.push(SourceFile {
                origin: display(&path),
                text,
            });
        }
    }
    Ok(files)
}

/// A path for messages, made safe: file names in a policy directory are untrusted.
fn display(path: &Path) -> String {
    terminal_safe(&path.display().to_string()).into_owned()
}

/// The `.rego` files below `dir`. Symbolic links are not followed into directories (two links
/// to `.` made a walk of 2^40 paths) nor out of the policy directory (`root`, canonical): a
/// policy directory may come from a pull request, and a parse error quotes the file it read.
fn collect_rego(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let io_error = |path: &Path, message: String| PolicyError::Io {
        path: display(path),
        message,
    };
    let mut entries = std::fs::read_dir(dir)
        .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
        .map_err(|e| io_error(dir, e.to_string()))?;
    // In name order, so that the first problem reported is the same on every machine.
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| io_error(&path, e.to_string()))?;
        if kind.is_dir() {
            collect_rego(root, &path, out)?;
            continue;
        }
        let is_rego = path.extension().is_some_and(|e| e == "rego");
        if kind.is_symlink() && (is_rego || path.is_dir()) {
            let target = path.canonicalize().ok();
            let inside = target
                .as_ref()
                .filter(|t| t.starts_with(root) && t.is_file());
            if inside.is_none() {
                return Err(io_error(
                    &path,
                    "a symbolic link to a directory or to a file outside the policy directory: keyward does not follow it (replace the link by the files)".to_owned(),
                ));
            }
        }
        if is_rego {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::source::builtin_sources;

    type Finding = (String, String, Option<String>, String);

    fn incident_input() -> PolicyInput {
        let text = include_str!("../../fixtures/incident.json");
        let snapshot = crate::snapshot::parse(Path::new("incident.json"), text).unwrap();
        let as_of = "2026-11-23T00:00:00Z".parse().unwrap();
        let evaluation =
            crate::policy::input::evaluation_input(&crate::config::Config::default(), as_of);
        PolicyInput::new(&snapshot, &evaluation).unwrap()
    }

    /// Every finding of every rule, as (rule id, resource, key, message), sorted.
    fn all_findings(set: &PolicySet, input: &PolicyInput) -> Vec<Finding> {
        let mut found: Vec<Finding> = set
            .evaluate(input, set.rules())
            .unwrap()
            .into_iter()
            .flat_map(|(rule, findings)| {
                findings.into_iter().map(|f| {
                    let id = rule.metadata.id.clone();
                    (id, f.resource, f.key, f.message)
                })
            })
            .collect();
        found.sort();
        found
    }

    fn group_of(set: &PolicySet, group: &str) -> Vec<String> {
        set.rules()
            .iter()
            .filter(|r| r.metadata.evaluation_group.as_deref() == Some(group))
            .map(|r| r.metadata.id.clone())
            .collect()
    }

    #[test]
    fn a_group_evaluated_together_finds_what_its_rules_find_alone() {
        let grouped = PolicySet::load(&builtin_sources()).unwrap();
        let members = group_of(&grouped, "secret-rotation-schedules");
        assert_eq!(members, ["KW-SM-002", "KW-SM-003", "KW-SM-006"]);
        let mut alone = grouped.clone();
        for rule in &mut alone.rules {
            rule.metadata.evaluation_group = None;
        }
        let input = incident_input();
        let together = all_findings(&grouped, &input);
        assert_eq!(together, all_findings(&alone, &input));
        for id in &members {
            assert!(together.iter().any(|f| &f.0 == id), "{id} finds nothing");
        }
    }

    #[test]
    fn a_group_is_one_task_ahead_of_the_single_rules() {
        let set = PolicySet::load(&builtin_sources()).unwrap();
        let rules: Vec<&Rule> = set.rules().iter().collect();
        let tasks = tasks(&rules);
        let first: Vec<&str> = tasks[0]
            .iter()
            .map(|(_, r)| r.metadata.id.as_str())
            .collect();
        assert_eq!(first, ["KW-SM-002", "KW-SM-003", "KW-SM-006"]);
        assert!(tasks[1..].iter().all(|task| task.len() == 1));
        let mut indices: Vec<usize> = tasks.iter().flatten().map(|(i, _)| *i).collect();
        indices.sort();
        assert_eq!(indices, (0..rules.len()).collect::<Vec<_>>());
    }

    #[test]
    fn the_rules_that_read_no_list_are_queued_last() {
        let set = PolicySet::load(&builtin_sources()).unwrap();
        let rules: Vec<&Rule> = set.rules().iter().collect();
        let reads_a_list: Vec<bool> = tasks(&rules)[1..]
            .iter()
            .map(|task| task[0].1.metadata.lists_read() != [false; 3])
            .collect();
        let first_cheap = reads_a_list.iter().position(|reads| !reads).unwrap();
        assert!(first_cheap > 0, "some rule reads a list");
        assert!(reads_a_list[first_cheap..].iter().all(|reads| !reads));
        // In id order, KW-IAM-001 (root) comes before KW-IAM-005 (users): no longer so.
        let order: Vec<&str> = tasks(&rules)
            .iter()
            .map(|task| task[0].1.metadata.id.as_str())
            .collect();
        let at = |id| order.iter().position(|o| *o == id).unwrap();
        assert!(at("KW-IAM-005") < at("KW-IAM-001"));
    }

    fn grouped_rule(id: &str, package: &str, test: &str) -> SourceFile {
        SourceFile {
            origin: format!("{package}.rego"),
            text: format!(
                "# METADATA\n# title: T\n# description: D.\n# custom:\n#   id: {id}\n#   name: n\n#   severity: low\n#   remediation: R.\n#   evaluation_group: pair\npackage {package}\n\ndeny contains {{\"resource\": user.arn, \"message\": \"m\"}} if {{\n\tsome user in input.snapshot.users\n\t{test}\n}}\n"
            ),
        }
    }

    #[test]
    fn a_finding_may_name_fewer_controls_than_its_rule_never_others() {
        let rule = |finding_controls: &str| SourceFile {
            origin: "acme.rego".to_owned(),
            text: format!(
                "# METADATA\n# title: T\n# description: D.\n# custom:\n#   id: ACME-T-001\n#   name: n\n#   severity: low\n#   remediation: R.\n#   controls:\n#     aws-securityhub: [IAM.1, IAM.2]\npackage acme\n\ndeny contains {{\"resource\": \"r\", \"message\": \"m\", \"controls\": {finding_controls}}}\n"
            ),
        };
        let input = incident_input();
        let narrowed = PolicySet::load(&[rule(r#"{"aws-securityhub": ["IAM.2"]}"#)]).unwrap();
        let found = narrowed.evaluate(&input, narrowed.rules()).unwrap();
        let controls = found[0].1[0].controls.clone().unwrap();
        assert_eq!(controls["aws-securityhub"], ["IAM.2"]);
        let other = PolicySet::load(&[rule(r#"{"aws-securityhub": ["IAM.9"]}"#)]).unwrap();
        let error = other
            .evaluate(&input, other.rules())
            .err()
            .unwrap()
            .to_string();
        assert!(
            error.contains("aws-securityhub/IAM.9, which the rule's METADATA does not map"),
            "{error}"
        );
    }

    #[test]
    fn a_rule_failing_in_a_group_is_named_and_the_others_are_evaluated_alone() {
        let set = PolicySet::load(&[
            grouped_rule("ACME-T-001", "acme.fine", "user.name == \"alice\""),
            grouped_rule("ACME-T-002", "acme.broken", "1 / 0 == 1"),
        ])
        .unwrap();
        let input = incident_input();
        let error = set.evaluate(&input, set.rules()).err().unwrap();
        let message = error.to_string();
        assert!(
            message.contains("rule ACME-T-002 (acme.broken.rego)"),
            "{message}"
        );
        let mut engine = set.engine.clone();
        engine.set_input(input.value().clone());
        let rules: Vec<&Rule> = set.rules().iter().collect();
        let outcomes = eval_task(&mut engine, &tasks(&rules)[0], &Limits::default());
        let fine = &outcomes.iter().find(|(i, _)| *i == 0).unwrap().1;
        assert_eq!(fine.as_ref().unwrap().len(), 1, "alice is reported");
    }
}
