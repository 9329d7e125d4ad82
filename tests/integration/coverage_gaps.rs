//! Coverage gaps are never hidden. When account:ListRegions is denied (AWS's SecurityAudit
//! policy lacks it), keyward scans the regions enabled by default, and the opt-in regions it
//! could not list make the scan incomplete: every format says so, the exit code is 3, and
//! `keyward snapshot` says why it exits 3. ListRegions is answered by a loopback server that
//! denies it; everything else is moto.

use crate::faults::{Fault, FaultServer};
use crate::support::cli::{Run, TEST_CREDENTIALS, aws_env, keyward_isolated};
use crate::support::moto::Moto;
use crate::support::open_findings;

/// keyward against moto, with account:ListRegions denied.
fn without_region_discovery(moto: &Moto, denier: &FaultServer, args: &[&str]) -> Run {
    let mut env = aws_env(&moto.endpoint, TEST_CREDENTIALS);
    env.push(("AWS_ENDPOINT_URL_ACCOUNT", &denier.endpoint));
    env.push(("COLUMNS", "100"));
    keyward_isolated(args, &env)
}

#[test]
fn a_denied_region_discovery_is_shown_in_every_format_and_makes_the_scan_incomplete() {
    let moto = Moto::start();
    moto.seed(&["two-regions"]);
    let denier = FaultServer::start(Fault::Deny);
    let scan = |format: &str| {
        let run = without_region_discovery(
            &moto,
            &denier,
            &["scan", "--fail-on", "none", "--format", format],
        );
        assert_eq!(run.code, 3, "incomplete:\n{}\n{}", run.stdout, run.stderr);
        run
    };

    let report = scan("json").json();
    let account = &report["accounts"][0];
    let error = account["collection_errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "ListRegions")
        .expect("the ListRegions failure is recorded");
    assert_eq!(error["kind"], "access_denied");
    assert_eq!(
        error["sections"],
        serde_json::json!(["secretsmanager.secrets", "secretsmanager.resource_policies"])
    );
    let gap = account["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["rule_id"] == "KW-SM-001")
        .expect("KW-SM-001 is not evaluated in the regions not scanned");
    assert_eq!(gap["region"], "regions not scanned");
    assert!(
        gap["reason"]
            .as_str()
            .unwrap()
            .contains("opt-in regions were not checked"),
        "{gap}"
    );
    // What was found in the regions that were scanned stands.
    let found: Vec<String> = open_findings(&report)
        .into_iter()
        .filter(|(rule, _)| rule == "KW-SM-001")
        .map(|(_, resource)| resource)
        .collect();
    assert!(found.iter().any(|r| r.contains(":us-east-1:")), "{found:?}");
    assert!(found.iter().any(|r| r.contains(":eu-west-1:")), "{found:?}");

    let table = scan("table").stdout;
    assert!(table.contains("NOT EVALUATED"), "{table}");
    assert!(
        table.contains("regions not scanned: account ListRegions"),
        "{table}"
    );
    let markdown = scan("markdown").stdout;
    assert!(
        markdown.contains("| regions not scanned | account ListRegions failed (access\\_denied)"),
        "{markdown}"
    );
    let sarif = scan("sarif").stdout;
    assert!(
        sarif.contains("KW-SM-001 not evaluated for regions not scanned: account ListRegions"),
        "{sarif}"
    );
}

#[test]
fn snapshot_says_why_it_exits_3() {
    let moto = Moto::start();
    moto.seed(&["two-regions"]);
    let denier = FaultServer::start(Fault::Deny);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.json");
    let run = without_region_discovery(&moto, &denier, &["snapshot", "-o", path.to_str().unwrap()]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "keyward: warning: 123456789012: account ListRegions failed (access_denied): AccessDeniedException: User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: account:ListRegions; scanned the regions enabled by default (17), opt-in regions were not checked [secretsmanager.secrets, secretsmanager.resource_policies]"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("keyward: warning: the snapshot is incomplete (exit code 3): "),
        "{}",
        run.stderr
    );
}

/// Snapshots collected before this recorded the ListRegions failure without sections: they are
/// read the same way, as a gap in the regions not scanned.
#[test]
fn an_older_snapshot_with_the_failure_but_no_sections_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot = crate::support::hostile::fixture_json("clean.json");
    snapshot["collection_errors"] = serde_json::json!([{
        "sections": [],
        "service": "account",
        "operation": "ListRegions",
        "kind": "access_denied",
        "message": "not authorized; scanned the regions enabled by default (17), opt-in regions were not checked"
    }]);
    let path = crate::support::hostile::write(
        dir.path(),
        "old.json",
        &serde_json::to_string(&snapshot).unwrap(),
    );
    let run = crate::support::cli::keyward(&[
        "scan",
        "--snapshot",
        &path,
        "--as-of",
        "snapshot",
        "--format",
        "json",
    ]);
    run.assert_code(3);
    let gaps = run.json()["accounts"][0]["not_evaluated"].clone();
    assert!(
        gaps.as_array()
            .unwrap()
            .iter()
            .any(|g| g["rule_id"] == "KW-SM-001" && g["region"] == "regions not scanned"),
        "{gaps:#}"
    );
}
