//! Organizations of thousands of accounts (issue 14, item 10): `--shard K/N` splits the accounts
//! between CI jobs, every account in exactly one part, and `keyward merge` makes the parts'
//! reports the report of one scan of the whole organization (JSON, any format) or repacks their
//! SARIF files. The organization is collected account by account, each evaluated and written
//! when its collection ends (memory flat in accounts: scripts/bench.sh measures it, README
//! "Performance").

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::cli::{Run, keyward, keyward_in};
use crate::support::fixture;
use crate::support::moto::{Moto, least_privilege_policy};

/// A report's account ids, in its order.
fn account_ids(report: &serde_json::Value) -> Vec<String> {
    report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// What a report found, account by account: findings (fingerprint and waiver) and gaps.
fn outcome(report: &serde_json::Value) -> Vec<(String, Vec<String>, Vec<serde_json::Value>)> {
    report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let findings = a["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| format!("{} {}", f["fingerprint"], f["waiver"]))
                .collect();
            (
                a["account"]["id"].as_str().unwrap().to_owned(),
                findings,
                a["not_evaluated"].as_array().unwrap().clone(),
            )
        })
        .collect()
}

fn write(dir: &Path, name: &str, run: &Run) -> String {
    let path = dir.join(name);
    std::fs::write(&path, &run.stdout).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The SARIF runs' categories of SARIF files, sorted.
fn sarif_categories(texts: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = texts
        .iter()
        .flat_map(|text| {
            let log: serde_json::Value = serde_json::from_str(text).unwrap();
            log["runs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["automationDetails"]["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn an_organization_scanned_in_shards_and_merged_is_the_scan_of_the_whole() {
    let moto = Moto::start();
    let seeded = moto.seed(&["organization", &least_privilege_policy()]);
    moto.control("/moto-api/reset-auth", "0");
    let credentials = (
        seeded["access_key_id"].as_str().unwrap(),
        seeded["secret_access_key"].as_str().unwrap(),
    );
    let scan = |extra: &[&str], format: &str| {
        let mut args = vec![
            "scan",
            "--org",
            "--region",
            "us-east-1",
            "--as-of",
            "2026-11-23",
            "--format",
            format,
            "--fail-on",
            "none",
        ];
        args.extend_from_slice(extra);
        let run = moto.keyward(&args, Some(credentials));
        // 3 where the member without the role is: it is not evaluated.
        assert!([0, 3].contains(&run.code), "{}", run.stderr);
        run
    };
    let whole = scan(&[], "json");
    assert_eq!(whole.code, 3);
    let whole = whole.json();
    let all = account_ids(&whole);
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[0] < w[1]), "listed by id: {all:?}");

    let dir = tempfile::tempdir().unwrap();
    let (mut reports, mut sarif) = (Vec::new(), Vec::new());
    let mut parts: Vec<BTreeSet<String>> = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let part = scan(&["--shard", &shard], "json");
        assert!(
            part.stderr.contains(&format!("shard {shard}: ")),
            "{}",
            part.stderr
        );
        parts.push(account_ids(&part.json()).into_iter().collect());
        reports.push(write(dir.path(), &format!("part-{k}.json"), &part));
        let part_sarif = scan(&["--shard", &shard], "sarif");
        sarif.push(write(dir.path(), &format!("part-{k}.sarif"), &part_sarif));
        // The same part twice holds the same accounts.
        let again = scan(&["--shard", &shard], "json");
        assert_eq!(
            account_ids(&again.json())
                .into_iter()
                .collect::<BTreeSet<_>>(),
            parts[k - 1]
        );
    }
    // Every account is in exactly one part.
    let in_parts: usize = parts.iter().map(BTreeSet::len).sum();
    let union: BTreeSet<String> = parts.iter().flatten().cloned().collect();
    assert_eq!(in_parts, all.len());
    assert_eq!(union, all.iter().cloned().collect());

    let mut args = vec!["merge"];
    args.extend(reports.iter().map(String::as_str));
    let merged = keyward(&args);
    assert_eq!(merged.code, 3, "{}", merged.stderr);
    let merged = merged.json();
    assert_eq!(account_ids(&merged), all);
    assert_eq!(outcome(&merged), outcome(&whole));
    assert_eq!(merged["summary"], whole["summary"]);

    // The parts' SARIF files hold the runs one SARIF file of the whole would.
    let whole_sarif = scan(&[], "sarif").stdout;
    let mut args = vec!["merge"];
    args.extend(sarif.iter().map(String::as_str));
    let merged_sarif = keyward(&args);
    assert_eq!(merged_sarif.code, 0, "{}", merged_sarif.stderr);
    assert_eq!(
        sarif_categories(&[merged_sarif.stdout]),
        sarif_categories(&[whole_sarif])
    );
}

#[test]
fn an_organization_audit_writes_every_accounts_snapshot() {
    let moto = Moto::start();
    let seeded = moto.seed(&["organization", &least_privilege_policy()]);
    moto.control("/moto-api/reset-auth", "0");
    let credentials = (
        seeded["access_key_id"].as_str().unwrap(),
        seeded["secret_access_key"].as_str().unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let audits = dir.path().join("audits");
    let run = moto.keyward(
        &[
            "scan",
            "--org",
            "--region",
            "us-east-1",
            "--concurrency",
            "2",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--output-dir",
            audits.to_str().unwrap(),
        ],
        Some(credentials),
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let ids = account_ids(&run.json());
    assert_eq!(ids.len(), 4);
    let audit = std::fs::read_dir(&audits)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut written: Vec<String> = std::fs::read_dir(audit.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().to_owned())
        .collect();
    written.sort();
    let expected: Vec<String> = ids.iter().map(|id| format!("{id}.json")).collect();
    assert_eq!(written, expected);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(audit.join("report.json")).unwrap()).unwrap();
    assert_eq!(account_ids(&saved), ids);
}

/// Two accounts scanned apart and merged: the report of one scan of both, in every format.
#[test]
fn merged_reports_are_the_scan_of_every_account() {
    let dir = tempfile::tempdir().unwrap();
    let scan = |snapshots: &[&str], format: &str| {
        let mut args = vec!["scan", "--as-of", "2026-11-23", "--format", format];
        for snapshot in snapshots {
            args.extend(["--snapshot", snapshot]);
        }
        keyward(&args)
    };
    let (incident, clean) = (fixture("incident.json"), fixture("clean.json"));
    let a = write(dir.path(), "a.json", &scan(&[&incident], "json"));
    let b = write(dir.path(), "b.json", &scan(&[&clean], "json"));
    for format in ["json", "markdown", "sarif"] {
        let merged = keyward(&["merge", &a, &b, "--format", format]);
        // The merged accounts are listed by id, and 123456789012 (incident) comes first.
        let whole = scan(&[&incident, &clean], format);
        assert_eq!(merged.code, 0, "{format}: {}", merged.stderr);
        if format == "json" {
            let (merged, whole) = (merged.json(), whole.json());
            assert_eq!(outcome(&merged), outcome(&whole));
            assert_eq!(merged["summary"], whole["summary"]);
            assert_eq!(merged["rules"], whole["rules"]);
            // Each account's effective access (readers, administrators, since report version 6;
            // assumers listed once, since version 7) is carried through whole.
            assert_eq!(merged["report_version"], 7);
            let access = |report: &serde_json::Value| -> Vec<serde_json::Value> {
                let accounts = report["accounts"].as_array().unwrap();
                accounts.iter().map(|a| a["access"].clone()).collect()
            };
            assert_eq!(access(&merged), access(&whole));
            let readers = &merged["accounts"][0]["access"]["secrets"];
            assert!(
                readers.as_object().is_some_and(|s| !s.is_empty()),
                "{readers}"
            );
        } else {
            // Line by line: a difference shows as one line, not as two whole reports.
            for (merged, whole) in merged.stdout.lines().zip(whole.stdout.lines()) {
                assert_eq!(merged, whole, "{format}");
            }
            assert_eq!(merged.stdout.len(), whole.stdout.len(), "{format}");
        }
    }
    // --fail-on gates on the merged findings.
    assert_eq!(keyward(&["merge", &a, &b, "--fail-on", "low"]).code, 1);
    assert_eq!(keyward(&["merge", &b, "--fail-on", "critical"]).code, 0);
}

#[test]
fn merge_refuses_an_account_in_two_parts_snapshots_and_mixed_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let report = keyward(&[
        "scan",
        "--snapshot",
        &fixture("incident.json"),
        "--format",
        "json",
    ]);
    let a = write(dir.path(), "a.json", &report);
    let b = write(dir.path(), "b.json", &report);
    keyward(&["merge", &a, &b]).assert_input_error(&[&format!(
        "{a} and {b} both hold account 123456789012: each account must be in one part only"
    )]);
    keyward(&["merge", &a, &fixture("clean.json")])
        .assert_input_error(&["this is a snapshot, not a report"]);
    let sarif = keyward(&[
        "scan",
        "--snapshot",
        &fixture("clean.json"),
        "--format",
        "sarif",
    ]);
    let s = write(dir.path(), "c.sarif", &sarif);
    keyward(&["merge", &a, &s]).assert_input_error(&["JSON reports or SARIF files, not both"]);
    keyward(&["merge", &s, &s])
        .assert_input_error(&["both hold the run keyward/aws/210987654321/"]);
    keyward(&["merge", &s, "--format", "json"]).assert_input_error(&["merge into SARIF only"]);
    keyward_in(dir.path(), &["merge", &a, "-o", &a]).assert_input_error(&["an input of this run"]);
}

#[test]
fn a_shard_needs_an_organization_and_the_form_k_of_n() {
    keyward(&["scan", "--shard", "1/2", "--format", "json"])
        .assert_input_error(&["--shard splits the accounts of --org or --accounts"]);
    let run = keyward(&["scan", "--org", "--shard", "3/2"]);
    run.assert_input_error(&["`3/2` is not a shard: write K/N"]);
}
