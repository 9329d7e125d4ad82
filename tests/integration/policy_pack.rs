//! The built-in pack as a whole: its Rego tests pass under `cargo test` (a failure shows what
//! its assertion expected and got), every rule has a test file beside it, and the tests
//! evaluate every line of every rule and library file.

use std::collections::BTreeSet;

use keyward::policy::testing::{self, TestOutcome};
use keyward::policy::{self, Limits, PolicySet};

#[test]
fn every_rego_test_of_the_builtin_pack_passes() {
    let run = testing::run(&policy::builtin_sources(), &Limits::default()).expect("the pack loads");
    let failures: Vec<String> = run
        .results
        .iter()
        .filter(|r| r.outcome != TestOutcome::Passed)
        .map(|r| {
            let printed: String = r
                .output
                .iter()
                .map(|line| format!("\n    {line}"))
                .collect();
            format!(
                "{}.{} ({}): {:?}{printed}",
                r.package, r.name, r.origin, r.outcome
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "failing Rego tests:\n{}",
        failures.join("\n")
    );
    assert!(
        run.results.len() >= 21 * 2,
        "only {} Rego tests",
        run.results.len()
    );
}

#[test]
fn every_rule_has_a_test_file_with_tests_that_fire_and_tests_that_do_not() {
    let sources = policy::builtin_sources();
    let origins: BTreeSet<&str> = sources.iter().map(|s| s.origin.as_str()).collect();
    let set = PolicySet::load(&sources).expect("the pack loads");
    assert_eq!(set.rules().len(), 40);
    let run = testing::run(&sources, &Limits::default()).unwrap();
    for rule in set.rules() {
        let test_origin = rule.origin.replace(".rego", "_test.rego");
        assert!(
            origins.contains(test_origin.as_str()),
            "{} has no {test_origin}",
            rule.metadata.id
        );
        let tests = run
            .results
            .iter()
            .filter(|r| r.origin == test_origin)
            .count();
        assert!(tests >= 2, "{} has {tests} tests", rule.metadata.id);
    }
}

#[test]
fn the_tests_evaluate_every_line_of_every_rule_and_library() {
    // regorus fails on an unsupported builtin only when its line runs: an unevaluated line
    // is where such an error would hide until a customer's scan.
    let run = testing::run(&policy::builtin_sources(), &Limits::default()).unwrap();
    let uncovered: Vec<String> = run
        .uncovered
        .iter()
        .map(|f| format!("{}: lines {:?}", f.origin, f.lines))
        .collect();
    assert!(
        uncovered.is_empty(),
        "lines no test evaluated:\n{}",
        uncovered.join("\n")
    );
}

#[test]
fn rule_ids_names_and_packages_follow_the_conventions() {
    let set = PolicySet::load(&policy::builtin_sources()).unwrap();
    let mut names = BTreeSet::new();
    for rule in set.rules() {
        let m = &rule.metadata;
        assert!(
            [
                "KW-IAM-", "KW-SM-", "KW-TF-", "KW-CT-", "KW-GD-", "KW-AA-", "KW-CW-", "KW-CE-"
            ]
            .iter()
            .any(|prefix| m.id.starts_with(prefix)),
            "{}",
            m.id
        );
        assert!(names.insert(m.name.clone()), "duplicate name {}", m.name);
        let file_stem = rule
            .origin
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".rego");
        assert_eq!(
            m.name.replace('-', "_"),
            file_stem,
            "{} lives in {}",
            m.id,
            rule.origin
        );
        assert!(
            rule.package.ends_with(file_stem),
            "{} package {}",
            m.id,
            rule.package
        );
        assert!(!m.requires.is_empty(), "{} declares no data sections", m.id);
        assert!(!m.controls.is_empty(), "{} maps to no control", m.id);
    }
}
