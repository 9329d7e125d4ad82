//! The Rego test runner (regorus has no `opa test`): every rule named `test_*` in a loaded
//! package is evaluated and must be `true`. Tests written this way also run under `opa test`.
//!
//! A false test says nothing about why. What a test prints is therefore kept when it does not
//! pass: the pack's assertion helpers (`policies/lib/assert_test.rego`) print the expected and
//! the actual value when they fail, and so the report shows both under the failing test.

use std::time::{Duration, Instant};

use serde::Serialize;

use regorus::utils::limits::ExecutionTimerConfig;

use super::engine::{TIMER_CHECK_INTERVAL, check_namespace, runtime_error, spawn_deep};
use super::error::PolicyError;
use super::limits::{Limits, SourceChecks};
use super::memory::{BudgetTask, with_budget};
use super::source::SourceFile;
use crate::text::terminal_safe_lines;

/// The outcome of one Rego test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The package path, e.g. `data.keyward.iam.root_access_keys_test`.
    pub package: String,
    /// The test rule's name.
    pub name: String,
    /// The file that defines it.
    pub origin: String,
    pub outcome: TestOutcome,
    /// What the test printed, kept when it did not pass (a passing test's prints are noise:
    /// an assertion inside `some x in xs` prints for every x that does not match).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<String>,
    #[serde(skip)]
    pub duration: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
pub enum TestOutcome {
    Passed,
    /// The test body was false or undefined.
    Failed,
    /// Evaluation raised an error (the message names file and line).
    Error(String),
}

/// The results of a test run, and the lines of non-test files that no test evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct TestRun {
    pub results: Vec<TestResult>,
    pub uncovered: Vec<UncoveredLines>,
}

/// Lines of a rule or library file that the tests never evaluated. An unsupported builtin
/// fails only when its line runs, so an uncovered line is an untested line.
#[derive(Debug, Clone, Serialize)]
pub struct UncoveredLines {
    pub origin: String,
    pub lines: Vec<u32>,
}

/// Loads every file (rules, libraries and tests together) and runs the tests found in them,
/// each under `limits` (tests are code from the policy directories like the rules), on a
/// thread with the policy workers' deep stack.
pub fn run(sources: &[SourceFile], limits: &Limits) -> Result<TestRun, PolicyError> {
    std::thread::scope(|scope| {
        spawn_deep(scope, "keyward-policy-test", || run_here(sources, limits))
            .join()
            .expect("the test runner does not panic")
    })
}

fn run_here(sources: &[SourceFile], limits: &Limits) -> Result<TestRun, PolicyError> {
    let mut engine = regorus::Engine::new();
    engine.set_enable_coverage(true);
    engine.set_gather_prints(true);
    engine.set_execution_timer_config(ExecutionTimerConfig {
        limit: limits.timeout,
        check_interval: TIMER_CHECK_INTERVAL,
    });
    let mut tests = Vec::new();
    let mut checks = SourceChecks::new();
    let builtin_loaded = sources.iter().any(SourceFile::is_builtin);
    for source in sources {
        if !source.is_builtin() {
            checks.check(source)?;
        }
        let package = engine
            .add_policy(source.origin.clone(), source.text.clone())
            .map_err(|e| PolicyError::Parse {
                origin: source.origin.clone(),
                message: terminal_safe_lines(&e.to_string()),
            })?;
        check_namespace(source, &package, builtin_loaded)?;
        for name in test_rule_names(&source.text) {
            tests.push((package.clone(), name, source.origin.clone()));
        }
    }
    let origins: Vec<&str> = sources.iter().map(|s| s.origin.as_str()).collect();
    super::engine::check_loaded(&mut engine)?;
    let results = tests
        .into_iter()
        .map(|(package, name, origin)| {
            let started = Instant::now();
            let budget = BudgetTask {
                rule: format!("{package}.{name}"),
                origin: origin.clone(),
                limit_bytes: limits.memory_bytes,
            };
            let outcome = with_budget(budget, || {
                run_one(&mut engine, &package, &name, &origin, limits)
            })?;
            let duration = started.elapsed();
            let printed = engine.take_prints().unwrap_or_default();
            let output = if outcome == TestOutcome::Passed {
                Vec::new()
            } else {
                printed
                    .iter()
                    .map(|line| without_location(line, &origins).to_owned())
                    .collect()
            };
            Ok(TestResult {
                package,
                name,
                origin,
                outcome,
                output,
                duration,
            })
        })
        .collect::<Result<_, PolicyError>>()?;
    Ok(TestRun {
        results,
        uncovered: uncovered_lines(&engine),
    })
}

fn uncovered_lines(engine: &regorus::Engine) -> Vec<UncoveredLines> {
    let Ok(report) = engine.get_coverage_report() else {
        return Vec::new();
    };
    report
        .files
        .into_iter()
        .filter(|file| !file.path.ends_with("_test.rego") && !file.not_covered.is_empty())
        .map(|file| UncoveredLines {
            origin: file.path,
            lines: file.not_covered.into_iter().collect(),
        })
        .collect()
}

/// One test's outcome; a test past the time limit stops the run, as a runaway rule stops a scan.
fn run_one(
    engine: &mut regorus::Engine,
    package: &str,
    name: &str,
    origin: &str,
    limits: &Limits,
) -> Result<TestOutcome, PolicyError> {
    let test = format!("{package}.{name}");
    match engine.eval_rule(test.clone()) {
        Ok(regorus::Value::Bool(true)) => Ok(TestOutcome::Passed),
        Ok(_) => Ok(TestOutcome::Failed),
        Err(e) => match runtime_error(&test, origin, &*e, limits) {
            limit @ PolicyError::Limit { .. } => Err(limit),
            _ => Ok(TestOutcome::Error(terminal_safe_lines(&e.to_string()))),
        },
    }
}

/// A printed line without the `origin:line: ` that regorus puts before it. For an assertion
/// helper that place is always the helper's own `print`, which says nothing about the test.
fn without_location<'a>(printed: &'a str, origins: &[&str]) -> &'a str {
    origins
        .iter()
        .find_map(|origin| {
            let (line, message) = printed
                .strip_prefix(origin)?
                .strip_prefix(':')?
                .split_once(": ")?;
            line.bytes().all(|b| b.is_ascii_digit()).then_some(message)
        })
        .unwrap_or(printed)
}

/// Test rules are the rule heads at the start of a line whose name begins with `test_`
/// (the layout `opa fmt` writes). A name defined by several bodies is one test.
fn test_rule_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test_") else {
            continue;
        };
        let tail: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let name = format!("test_{tail}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(origin: &str, text: &str) -> SourceFile {
        SourceFile {
            origin: origin.to_owned(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn passing_failing_and_erroring_tests_are_told_apart() {
        let results = run(&[source(
            "t_test.rego",
            "package t\n\ntest_true if { 1 == 1 }\n\ntest_false if { 1 == 2 }\n\ntest_error if { 1 / 0 == 1 }\n",
        )], &Limits::default())
        .unwrap()
        .results;
        let outcomes: Vec<_> = results
            .iter()
            .map(|r| (r.name.as_str(), &r.outcome))
            .collect();
        assert_eq!(outcomes[0], ("test_true", &TestOutcome::Passed));
        assert_eq!(outcomes[1], ("test_false", &TestOutcome::Failed));
        assert!(
            matches!(outcomes[2], ("test_error", TestOutcome::Error(message)) if message.contains("t_test.rego:7")),
            "{outcomes:?}"
        );
    }

    /// The pack's assertions, as a user's tests find them.
    fn assertions() -> SourceFile {
        crate::policy::source::builtin_sources()
            .into_iter()
            .find(|s| s.origin == "builtin:lib/assert_test.rego")
            .expect("the pack has its assertions")
    }

    #[test]
    fn a_failing_assertion_reports_what_was_expected_and_what_came_out() {
        let tests = source(
            "t_test.rego",
            "package t\n\nimport data.keyward.lib.assert\n\ntest_sum if assert.equal(3, 1 + 1)\n\ntest_some_matches if {\n\tsome x in [1, 2]\n\tassert.equal(2, x)\n}\n\ntest_plain if 1 == 2\n",
        );
        let results = run(&[assertions(), tests], &Limits::default())
            .unwrap()
            .results;
        let output = |name: &str| {
            let result = results.iter().find(|r| r.name == name).unwrap();
            (result.outcome.clone(), result.output.clone())
        };
        assert_eq!(
            output("test_sum"),
            (
                TestOutcome::Failed,
                vec!["expected: 3".to_owned(), "actual:   2".to_owned()]
            )
        );
        // x = 1 printed a difference, but x = 2 passed the test: its prints are not kept.
        assert_eq!(output("test_some_matches"), (TestOutcome::Passed, vec![]));
        assert_eq!(output("test_plain"), (TestOutcome::Failed, vec![]));
    }

    #[test]
    fn the_place_of_a_print_is_left_out_only_when_it_names_a_source() {
        let origins = ["builtin:lib/assert_test.rego"];
        assert_eq!(
            without_location("builtin:lib/assert_test.rego:21: expected: 1", &origins),
            "expected: 1"
        );
        assert_eq!(
            without_location("elsewhere.rego:21: expected: 1", &origins),
            "elsewhere.rego:21: expected: 1"
        );
    }

    #[test]
    fn test_names_are_found_once() {
        let names = test_rule_names(
            "test_a if { true }\ntest_a if { false }\n  test_nested\ntest_b := true\n",
        );
        assert_eq!(names, vec!["test_a", "test_b"]);
    }
}
