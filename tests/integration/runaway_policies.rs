//! A pull request may edit the policies a CI gate loads: each hostile policy from the hardening
//! review must end the run quickly with exit code 2 and a message naming the policy, never an
//! abort, a stack overflow, an out-of-memory kill or a hang.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::cli::Run;

/// Runs keyward, killing it should it still run after `HANG`: a hang is a failure, reported
/// as such rather than as a stuck test. Output goes to files, which never fill up and block.
fn keyward_bounded(args: &[&str]) -> Run {
    const HANG: Duration = Duration::from_secs(300);
    let (stdout, stderr) = (tempfile::tempfile().unwrap(), tempfile::tempfile().unwrap());
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .stdout(stdout.try_clone().unwrap())
        .stderr(stderr.try_clone().unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HANG {
            child.kill().unwrap();
            panic!("keyward {args:?} still ran after {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |mut file: std::fs::File| {
        let mut text = String::new();
        file.seek(SeekFrom::Start(0)).unwrap();
        file.read_to_string(&mut text).unwrap();
        text
    };
    let stderr = read(stderr);
    let code = status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {status:?}\n{stderr}"));
    Run {
        code,
        stdout: read(stdout),
        stderr,
    }
}

fn rule(id: &str, package: &str, body: &str) -> String {
    format!(
        "# METADATA\n# title: T\n# description: D.\n# custom:\n#   id: {id}\n#   name: n\n#   severity: low\n#   remediation: R.\npackage {package}\n\n{body}\n"
    )
}

/// A policy directory holding the given files.
fn policies(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `keyward scan --demo` with the policies and limits given: exit 2 naming `expected`.
fn scan_stops(dir: &Path, limits: &[&str], expected: &[&str]) {
    let mut args = vec!["scan", "--demo", "--policy", dir.to_str().unwrap()];
    args.extend(limits);
    let run = keyward_bounded(&args);
    run.assert_input_error(expected);
}

#[test]
fn recursive_functions_are_refused_when_they_load() {
    let direct = policies(&[(
        "rec.rego",
        &rule(
            "ACME-REC-001",
            "acme.rec",
            "f(x) := f(x + 1)\n\ndeny contains {\"resource\": \"r\", \"message\": sprintf(\"%v\", [f(1)])} if true",
        ),
    )]);
    scan_stops(
        direct.path(),
        &[],
        &["rec.rego:11 is not a usable rule: function data.acme.rec.f calls itself"],
    );
    let mutual = policies(&[
        (
            "a.rego",
            &rule(
                "ACME-REC-002",
                "acme.a",
                "import data.acme.lib\n\nf(x) := lib.g(x)\n\ndeny contains {\"resource\": \"r\", \"message\": sprintf(\"%v\", [f(1)])} if true",
            ),
        ),
        ("lib.rego", "package acme.lib\n\ng(x) := data.acme.a.f(x)\n"),
    ]);
    scan_stops(
        mutual.path(),
        &[],
        &["(data.acme.a.f -> data.acme.lib.g -> data.acme.a.f): Rego does not allow recursion"],
    );
    // The Rego test runner loads the same files.
    let run = keyward_bounded(&[
        "policy",
        "test",
        "--no-builtin",
        direct.path().to_str().unwrap(),
    ]);
    run.assert_input_error(&["calls itself"]);
}

/// Recursion through rules is caught by regorus itself when it evaluates.
#[test]
fn recursion_through_rules_is_an_error_naming_the_rule() {
    let dir = policies(&[(
        "rules.rego",
        &rule(
            "ACME-REC-003",
            "acme.rules",
            "a := b + 1\n\nb := c(a)\n\nc(x) := x\n\ndeny contains {\"resource\": \"r\", \"message\": sprintf(\"%v\", [a])} if true",
        ),
    )]);
    scan_stops(dir.path(), &[], &["rule ACME-REC-003", "recursion"]);
}

#[test]
fn deeply_nested_brackets_are_refused_before_parsing() {
    // The review's 70-byte file: arrays nested 24 deep took 11 s to parse.
    let nested = format!(
        "package acme.n\n\nx := {}{}\n",
        "[".repeat(24),
        "]".repeat(24)
    );
    let dir = policies(&[("nested.rego", &nested)]);
    scan_stops(
        dir.path(),
        &[],
        &["nested.rego:3 is not a usable rule: brackets nest more than 12 deep"],
    );
    let mixed = format!(
        "package acme.n\n\nx := {}1{}\n",
        "[{".repeat(7),
        "}]".repeat(7)
    );
    std::fs::write(dir.path().join("nested.rego"), mixed).unwrap();
    scan_stops(dir.path(), &[], &["brackets nest more than 12 deep"]);
}

#[test]
fn a_long_operator_chain_is_refused_before_it_overflows_the_stack() {
    let lines: Vec<String> = (0..150).map(|_| vec!["1"; 100].join(" + ")).collect();
    let chain = format!("package acme.c\n\nx := (\n{}\n)\n", lines.join("\n+ "));
    let dir = policies(&[("chain.rego", &chain)]);
    scan_stops(dir.path(), &[], &["chains more than 1000 operators"]);
}

#[cfg(unix)]
#[test]
fn symlinks_to_the_policy_directory_itself_are_not_followed() {
    let dir = policies(&[(
        "ok.rego",
        &rule(
            "ACME-OK-001",
            "acme.ok",
            "deny contains {\"resource\": \"r\", \"message\": \"m\"} if false",
        ),
    )]);
    std::os::unix::fs::symlink(".", dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("b")).unwrap();
    scan_stops(dir.path(), &[], &["/a: a symbolic link to a directory"]);
    // Nor out of it: a parse error would quote the file read.
    std::fs::remove_file(dir.path().join("a")).unwrap();
    std::fs::remove_file(dir.path().join("b")).unwrap();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "secret-token=abc\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("leak.rego")).unwrap();
    let run = keyward_bounded(&["scan", "--demo", "--policy", dir.path().to_str().unwrap()]);
    run.assert_input_error(&["leak.rego: a symbolic link to a directory or to a file outside"]);
    assert!(!run.stderr.contains("secret-token"), "{}", run.stderr);
}

#[test]
fn a_range_of_a_billion_numbers_is_stopped_at_the_memory_budget() {
    let dir = policies(&[(
        "range.rego",
        &rule(
            "ACME-RANGE-001",
            "acme.range",
            "deny contains {\"resource\": \"r\", \"message\": sprintf(\"%d\", [count(numbers.range(1, 1e9))])} if true",
        ),
    )]);
    scan_stops(
        dir.path(),
        &["--policy-memory", "256"],
        &[
            "rule ACME-RANGE-001 (",
            "range.rego) was stopped: it needed more than 256 MiB of memory",
            "raise --policy-memory",
        ],
    );
}

/// 10^8 findings: whichever limit comes first, time or memory, stops the rule.
#[test]
fn a_hundred_million_findings_are_stopped() {
    let dir = policies(&[(
        "many.rego",
        &rule(
            "ACME-MANY-001",
            "acme.many",
            "deny contains {\"resource\": sprintf(\"r%d-%d\", [i, j]), \"message\": \"m\"} if {\n\tsome i in numbers.range(1, 10000)\n\tsome j in numbers.range(1, 10000)\n}",
        ),
    )]);
    scan_stops(
        dir.path(),
        &["--policy-timeout", "3", "--policy-memory", "256"],
        &["rule ACME-MANY-001 (", "many.rego) was stopped: it "],
    );
}

#[test]
fn findings_past_the_cap_stop_the_rule() {
    let dir = policies(&[(
        "some.rego",
        &rule(
            "ACME-SOME-001",
            "acme.some",
            "deny contains {\"resource\": sprintf(\"r%d\", [i]), \"message\": \"m\"} if {\n\tsome i in numbers.range(1, 50)\n}",
        ),
    )]);
    scan_stops(
        dir.path(),
        &["--max-findings", "10"],
        &[
            "rule ACME-SOME-001",
            "it returned 50 findings, more than the 10 a rule may",
            "--max-findings",
        ],
    );
    let run = keyward_bounded(&[
        "scan",
        "--demo",
        "--policy",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "under the default cap: {}", run.stderr);
}

/// A rule that reads a rule that reads a rule… goes one stack level deeper each time; the
/// policy workers' stack takes thousands, and the number of definitions is capped below that.
#[test]
fn long_chains_of_rules_evaluate_or_are_refused_but_never_overflow() {
    let chain = |n: usize| {
        let mut text = rule(
            "ACME-DEEP-001",
            "acme.deep",
            "deny contains {\"resource\": \"r\", \"message\": sprintf(\"%d\", [r0])} if true\n",
        );
        for i in 0..n - 1 {
            text += &format!("r{i} := r{} + 1\n", i + 1);
        }
        text + &format!("r{} := 0\n", n - 1)
    };
    let dir = policies(&[("deep.rego", &chain(2000))]);
    let run = keyward_bounded(&[
        "scan",
        "--demo",
        "--policy",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("\"message\": \"1999\""),
        "{}",
        run.stdout
    );
    let second = chain(9000)
        .replace("ACME-DEEP-001", "ACME-DEEP-002")
        .replace("acme.deep", "acme.deep2");
    std::fs::write(dir.path().join("deep2.rego"), second).unwrap();
    scan_stops(dir.path(), &[], &["more than 10000 rules and functions"]);
}

#[test]
fn a_rego_test_that_runs_away_is_stopped() {
    let dir = policies(&[(
        "slow_test.rego",
        "package acme.slow_test\n\ntest_forever if {\n\tcount([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)]) > 0\n}\n",
    )]);
    let run = keyward_bounded(&[
        "policy",
        "test",
        "--no-builtin",
        "--policy-timeout",
        "2",
        dir.path().to_str().unwrap(),
    ]);
    run.assert_input_error(&[
        "data.acme.slow_test.test_forever (",
        "it ran longer than 2 s",
    ]);
}
