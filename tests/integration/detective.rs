//! Detective controls collected live: CloudTrail, GuardDuty, CloudWatch Logs metric filters,
//! CloudWatch alarms and the trail bucket from moto; IAM Access Analyzer and Cost Explorer from
//! recorded responses (tests/recorded/), which moto does not implement.

use std::collections::BTreeSet;

use crate::support::moto::Moto;
use crate::support::open_findings;

fn detective_rule(rule: &str) -> bool {
    ["KW-CT-", "KW-GD-", "KW-AA-", "KW-CW-", "KW-CE-"]
        .iter()
        .any(|p| rule.starts_with(p))
}

fn scan(moto: &Moto) -> serde_json::Value {
    let run = moto.keyward(
        &[
            "scan",
            "--region",
            "us-east-1",
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
        None,
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
    run.json()
}

#[test]
fn a_watched_account_passes_every_detective_rule() {
    let moto = Moto::start();
    moto.seed(&["clean"]);
    let report = scan(&moto);
    let findings = open_findings(&report);
    assert!(
        !findings.iter().any(|(rule, _)| detective_rule(rule)),
        "{findings:#?}"
    );
    let gaps: Vec<&serde_json::Value> = report["accounts"][0]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| detective_rule(g["rule_id"].as_str().unwrap()))
        .collect();
    assert!(gaps.is_empty(), "{gaps:#?}");
    // The recorded services were asked, once per region or account.
    let served: BTreeSet<String> = moto.recorded.served().into_iter().collect();
    assert!(served.contains("GET /analyzer"), "{served:?}");
    assert!(served.contains("AWSInsightsIndexService.GetAnomalySubscriptions"));
}

#[test]
fn the_incident_accounts_detective_gaps_are_found() {
    // With AWS's managed policies loaded: the incident account attaches ReadOnlyAccess.
    let mut moto = Moto::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    moto.use_recorded("unwatched");
    moto.seed(&["incident"]);
    let report = scan(&moto);
    let rules: BTreeSet<String> = open_findings(&report)
        .into_iter()
        .map(|(rule, _)| rule)
        .filter(|rule| detective_rule(rule))
        .collect();
    let expected: BTreeSet<String> = [
        "KW-CT-001",
        "KW-CT-003",
        "KW-CT-004",
        "KW-CT-005",
        "KW-CT-007",
        "KW-AA-001",
        "KW-CW-001",
        "KW-CW-002",
        "KW-CW-003",
        "KW-CW-004",
        "KW-CW-005",
        "KW-CE-001",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(rules, expected);
}

#[test]
fn denied_recorded_services_leave_exactly_their_rules_not_evaluated() {
    let mut moto = Moto::start();
    moto.use_recorded("denied");
    moto.seed(&["clean"]);
    let report = scan(&moto);
    let gaps: BTreeSet<(String, String)> = report["accounts"][0]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| detective_rule(g["rule_id"].as_str().unwrap()))
        .map(|g| {
            assert!(
                g["reason"].as_str().unwrap().contains("access_denied"),
                "{g}"
            );
            (
                g["rule_id"].as_str().unwrap().to_owned(),
                g["region"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        gaps,
        BTreeSet::from([
            ("KW-AA-001".to_owned(), "us-east-1".to_owned()),
            ("KW-CE-001".to_owned(), String::new()),
        ])
    );
    assert!(
        !open_findings(&report)
            .iter()
            .any(|(rule, _)| detective_rule(rule))
    );
}
