//! Where the documentation and the command line used to disagree, one test per point: README's
//! flags exist (per-secret calls are `--call-concurrency`); `diff --help` lists exactly the
//! formats diff accepts; `policy test policies` loads the pack once and `--coverage` names real
//! lines; `rules kw-iam-009` in any case; several snapshots judged as of their own times show
//! each date; markdown is capped by GitHub's comment size and says what it left out; exit code 3
//! is explained to people coming from Prowler.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use keyward::synthetic::{Profile, Shape, generate};

use crate::support::cli::{keyward, keyward_in};
use crate::support::{fixture, repo, write_file};

/// Every long option of every subcommand, from their `--help`.
fn keyward_flags() -> BTreeSet<String> {
    let commands: [&[&str]; 8] = [
        &[],
        &["scan"],
        &["snapshot"],
        &["diff"],
        &["rules"],
        &["controls"],
        &["policy", "test"],
        &["schema"],
    ];
    commands
        .iter()
        .flat_map(|command| {
            let mut args = command.to_vec();
            args.push("--help");
            let help = keyward(&args).stdout;
            flags_in(&help)
        })
        .collect()
}

fn flags_in(text: &str) -> BTreeSet<String> {
    let mut flags = BTreeSet::new();
    for (i, _) in text.match_indices("--") {
        let rest = &text[i + 2..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .collect();
        let before = text[..i].chars().last();
        if !name.is_empty()
            && !name.ends_with('-')
            && before.is_none_or(|c| !c.is_alphanumeric() && c != '-')
        {
            flags.insert(format!("--{name}"));
        }
    }
    flags
}

#[test]
fn every_flag_readme_names_exists() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    // Other tools' options, which README names in their commands (cargo, scripts/, gh,
    // docker), and an arrow of the architecture diagram.
    let others = [
        "--bench",
        "--locked",
        "--path",
        "--quick",
        "--iterations",
        "--scales",
        "--release",
        "--test",
        "--repo",
        "--rm",
        "--evaluation",
        // scripts/bench_moto.py's, for the benchmark figures.
        "--throttle",
        "--baseline-keyward",
        // scripts/bench_moto.py's and scripts/bench_memory.sh's: which sizes, how many runs,
        // which report formats.
        "--sizes",
        "--repeat",
        "--formats",
    ];
    let known = keyward_flags();
    let unknown: Vec<String> = flags_in(&readme)
        .into_iter()
        .filter(|f| !known.contains(f) && !others.contains(&f.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "README names options keyward lacks: {unknown:?} (if one is another tool's, add it to `others`)"
    );
    let calls = readme
        .lines()
        .find(|l| l.contains("concurrently with bounds"))
        .expect("README says how per-secret calls are bounded");
    assert!(calls.contains("`--call-concurrency`"), "{calls}");
}

#[test]
fn diff_help_lists_exactly_the_formats_diff_accepts() {
    let help = keyward(&["diff", "--help"]).stdout;
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let format = &help[help
        .find("--format <FORMAT>")
        .expect("diff --help has --format")..];
    let values: Vec<&str> = format
        .split("[possible values: ")
        .nth(1)
        .and_then(|v| v.split(']').next())
        .expect("the possible values are listed")
        .split(", ")
        .collect();
    assert_eq!(values, ["table", "json", "markdown"]);
    let snapshot = fixture("incident.json");
    for format in &values {
        let run = keyward(&["diff", &snapshot, &snapshot, "--format", format]);
        run.assert_code(0);
    }
    let sarif = keyward(&["diff", &snapshot, &snapshot, "--format", "sarif"]);
    sarif.assert_input_error(&[
        "invalid value 'sarif'",
        "[possible values: table, json, markdown]",
    ]);
    assert!(
        sarif.stdout.is_empty(),
        "refused before anything is read or written"
    );
}

fn passed(stdout: &str) -> usize {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("rego: "))
        .expect("a summary line");
    line["rego: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn testing_a_checkout_of_the_pack_loads_it_once() {
    let embedded = keyward(&["policy", "test"]);
    embedded.assert_code(0);
    let checkout = keyward_in(&repo(), &["policy", "test", "policies"]);
    checkout.assert_code(0);
    assert_eq!(passed(&checkout.stdout), passed(&embedded.stdout));
    assert!(
        checkout.stderr.contains(
            "policies is a copy of the built-in pack: it is loaded instead of the embedded one"
        ),
        "{}",
        checkout.stderr
    );
    // And the checkout's files are the ones tested.
    assert!(
        checkout.stdout.contains("(policies/iam/"),
        "{}",
        checkout.stdout
    );
}

#[test]
fn coverage_names_lines_that_exist_and_that_no_test_reached() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "# METADATA
# title: Users named admin
# description: A user named admin.
# custom:
#   id: ACME-001
#   name: user-named-admin
#   severity: low
#   remediation: Rename the user.
#   requires: [iam.authorization]
package acme.users_named_admin

import rego.v1

deny contains finding if {
	some user in input.snapshot.users
	user.name == \"admin\"
	finding := {\"resource\": user.arn, \"message\": \"user admin\"}
}

deny contains finding if {
	some user in input.snapshot.users
	user.name == \"root-like\"
	finding := {\"resource\": user.arn, \"message\": \"user root-like\"}
}
";
    let test = "package acme.users_named_admin_test

import rego.v1

import data.acme.users_named_admin

test_admin if {
	count(users_named_admin.deny) == 1 with input as {\"snapshot\": {\"users\": [{\"name\": \"admin\", \"arn\": \"a\"}]}}
}
";
    write_file(dir.path(), "acme/users_named_admin.rego", rule);
    write_file(dir.path(), "acme/users_named_admin_test.rego", test);
    let run = keyward_in(
        dir.path(),
        &["policy", "test", "acme", "--no-builtin", "--coverage"],
    );
    run.assert_code(0);
    let listed = run
        .stdout
        .lines()
        .find(|l| l.contains("users_named_admin.rego:"))
        .unwrap_or_else(|| panic!("the rule file has uncovered lines:\n{}", run.stdout));
    let numbers: Vec<usize> = listed
        .rsplit(": ")
        .next()
        .unwrap()
        .split(", ")
        .map(|n| n.parse().unwrap())
        .collect();
    let lines: Vec<&str> = rule.lines().collect();
    for number in &numbers {
        let line = lines.get(number - 1).unwrap_or_else(|| {
            panic!(
                "line {number} does not exist ({} lines): {listed}",
                lines.len()
            )
        });
        assert!(
            !line.trim().is_empty() && !line.starts_with('#'),
            "line {number}: {line:?}"
        );
    }
    assert!(
        numbers.contains(&23),
        "the root-like branch is untested: {listed}"
    );
}

#[test]
fn a_rule_is_shown_by_its_id_in_any_case() {
    for id in [
        "kw-iam-009",
        "KW-IAM-009",
        "Kw-Iam-009",
        "access-key-not-rotated",
    ] {
        let run = keyward(&["rules", id]);
        run.assert_code(0);
        assert!(
            run.stdout.starts_with("KW-IAM-009: "),
            "{id}: {}",
            run.stdout
        );
    }
}

#[test]
fn snapshots_judged_as_of_their_own_times_show_each_date() {
    let files = ["incident.json", "partial.json", "clean.json"].map(fixture);
    let scan = |format: &str| {
        let mut args = vec![
            "scan",
            "--as-of",
            "snapshot",
            "--format",
            format,
            "--fail-on",
            "none",
        ];
        for file in &files {
            args.extend(["--snapshot", file]);
        }
        keyward(&args).stdout
    };
    let table = scan("table");
    let heading = table.split("\n\n").next().unwrap().replace('\n', " ");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    assert_eq!(
        heading,
        "keyward 0.1.0: 123456789012 (acme-ai-prod) as of 2026-05-03 09:00 UTC, 345678901234 (acme-partial) as of 2026-09-01 12:00 UTC, 210987654321 (acme-clean) as of 2026-11-20 09:00 UTC"
            .replace("0.1.0", env!("CARGO_PKG_VERSION")),
    );
    let markdown = scan("markdown");
    for date in [
        "2026-05-03 09:00 UTC",
        "2026-09-01 12:00 UTC",
        "2026-11-20 09:00 UTC",
    ] {
        assert!(
            markdown.contains(&format!("as of {date}")),
            "{date}:\n{markdown}"
        );
    }
    // One snapshot, or one time: the single date as before.
    let one = keyward(&["scan", "--demo"]).stdout;
    assert!(one.starts_with(&format!(
        "keyward {} as of 2026-05-03 09:00 UTC: 123456789012",
        env!("CARGO_PKG_VERSION")
    )));
}

/// An organization of 1,500 accounts: the per-account table alone would pass GitHub's limit for
/// a comment (some 70 characters an account), so it keeps to a quarter of it, the accounts with
/// the most severe open findings first, and says how many it left out.
#[test]
fn markdown_of_many_accounts_lists_the_worst_first_within_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let demo = keyward(&["scan", "--demo", "--format", "json", "--fail-on", "none"]).json();
    let account = &demo["accounts"][0];
    let id = account["account"]["id"].as_str().unwrap();
    let text = account.to_string();
    let accounts: Vec<serde_json::Value> = (0..1_500)
        .map(|i| {
            let mut copy: serde_json::Value =
                serde_json::from_str(&text.replace(id, &format!("{}", 200_000_000_000u64 + i)))
                    .unwrap();
            // Two accounts in three keep only their first finding: the worst are the others.
            if i % 3 != 0 {
                let findings = copy["findings"].as_array_mut().unwrap();
                findings.truncate(1);
            }
            copy
        })
        .collect();
    let mut report = demo.clone();
    report["accounts"] = serde_json::Value::Array(accounts);
    let path = dir.path().join("org.json");
    std::fs::write(&path, report.to_string()).unwrap();

    let run = keyward_in(
        dir.path(),
        &["merge", path.to_str().unwrap(), "--format", "markdown"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let markdown = run.stdout;
    assert!(
        markdown.chars().count() <= 65_536,
        "{}",
        markdown.chars().count()
    );
    let rows: Vec<&str> = markdown
        .lines()
        .filter(|l| l.starts_with("| 2000"))
        .collect();
    assert!(rows.len() > 100, "{} accounts shown", rows.len());
    for row in &rows {
        let i = row[2..14].parse::<u64>().unwrap() - 200_000_000_000;
        assert!(
            i % 3 == 0,
            "an account with one finding shown before the worst: {row}"
        );
    }
    let note = format!(
        "_{} more accounts ({} with open findings) left out",
        1_500 - rows.len(),
        1_500 - rows.len()
    );
    assert!(markdown.contains(&note), "{note}");
    // The findings still have room beside the accounts.
    assert!(markdown.lines().any(|l| l.starts_with("| critical |")));
    let html = crate::support::gfm_html(&markdown);
    assert!(html.matches("<table>").count() >= 2);
}

#[test]
fn markdown_fits_a_pull_request_comment_and_says_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let shape = Shape::new(800, 800, Profile::FindingHeavy, as_of);
    let path = dir.path().join("large.json");
    std::fs::write(&path, keyward::snapshot::to_json(&generate(&shape))).unwrap();
    let scan = |format: &str| {
        keyward_in(
            dir.path(),
            &[
                "scan",
                "--snapshot",
                path.to_str().unwrap(),
                "--as-of",
                "snapshot",
                "--format",
                format,
            ],
        )
    };
    let total = scan("json").json()["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .len();
    let markdown = scan("markdown").stdout;
    assert!(
        markdown.chars().count() <= 65_536,
        "{} characters",
        markdown.chars().count()
    );
    let rows = markdown
        .lines()
        .filter(|l| {
            l.starts_with("| critical |")
                || l.starts_with("| high |")
                || l.starts_with("| medium |")
                || l.starts_with("| low |")
        })
        .count();
    assert!(rows > 100 && rows < total, "{rows} of {total} rows");
    let note = markdown
        .lines()
        .find(|l| l.contains("left out to stay within GitHub's limit of 65536 characters"))
        .expect("the markdown says what it left out");
    assert!(
        note.starts_with(&format!("_{} more findings (", total - rows)),
        "{note} ({rows} of {total} shown)"
    );
    let html = crate::support::gfm_html(&markdown);
    assert!(html.contains("<em>") && html.contains("</table>"));

    // A second scheduled audit lists every finding as still open since the first: that list is
    // cut too, and the whole stays within the limit.
    let audits = dir.path().join("audits");
    let audit = || {
        keyward_in(
            dir.path(),
            &[
                "scan",
                "--snapshot",
                path.to_str().unwrap(),
                "--as-of",
                "snapshot",
                "--format",
                "markdown",
                "--output-dir",
                audits.to_str().unwrap(),
            ],
        )
        .stdout
    };
    audit();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = audit();
    assert!(
        second.contains(&format!("{total} still open")),
        "{}",
        &second[..2000]
    );
    assert!(
        second.chars().count() <= 65_536,
        "{} characters",
        second.chars().count()
    );
    assert!(
        second.contains("more left out to stay within GitHub's limit of 65536 characters: the JSON report has them all."),
        "{}",
        &second[..2000]
    );
}

#[test]
fn exit_code_3_is_explained_where_people_coming_from_prowler_look() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains("**Coming from Prowler?** Exit code 3 means something else here."));
    for args in [&["--help"][..], &["scan", "--help"]] {
        let help = keyward(args).stdout.replace('\n', " ");
        assert!(
            help.contains("Coming from Prowler, where 3"),
            "{args:?}: {help}"
        );
    }
}
