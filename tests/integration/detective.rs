//! Detective controls collected live: CloudTrail, GuardDuty, CloudWatch Logs metric filters,
//! CloudWatch alarms and the trail bucket from moto; IAM Access Analyzer and Cost Explorer from
//! recorded responses (tests/recorded/), which moto does not implement.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::cli::{TEST_CREDENTIALS, keyward, keyward_isolated};
use crate::support::moto::{Moto, least_privilege_policy};
use crate::support::open_findings;
use crate::support::requests::{is_detective, recorded_scan};

fn detective_rule(rule: &str) -> bool {
    ["KW-CT-", "KW-GD-", "KW-AA-", "KW-CW-", "KW-CE-"]
        .iter()
        .any(|p| rule.starts_with(p))
}

/// A scan of one region with a JSON report, findings not failing it.
const SCAN_US_EAST_1: &[&str] = &[
    "scan",
    "--region",
    "us-east-1",
    "--format",
    "json",
    "--fail-on",
    "none",
];

fn scan(moto: &Moto) -> serde_json::Value {
    let run = moto.keyward(SCAN_US_EAST_1, None);
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
fn denied_recorded_services_and_guardduty_leave_exactly_their_rules_not_evaluated() {
    let mut moto = Moto::start();
    moto.use_recorded("denied");
    moto.seed(&["clean"]);
    // GuardDuty too: moto cannot deny it (see tests/recorded/denied/guardduty.json).
    let mut env = moto.env(TEST_CREDENTIALS);
    env.push(("AWS_ENDPOINT_URL_GUARDDUTY", &moto.recorded.endpoint));
    let run = keyward_isolated(SCAN_US_EAST_1, &env);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let report = run.json();
    let gaps: BTreeSet<(String, String)> = report["accounts"][0]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| detective_rule(g["rule_id"].as_str().unwrap()))
        .map(|g| {
            let reason = g["reason"].as_str().unwrap();
            assert!(
                reason.contains("access_denied")
                    && ["ListAnalyzers", "GetAnomalyMonitors", "ListDetectors"]
                        .iter()
                        .any(|call| reason.contains(call)),
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
            ("KW-GD-001".to_owned(), "us-east-1".to_owned()),
        ])
    );
    assert!(
        !open_findings(&report)
            .iter()
            .any(|(rule, _)| detective_rule(rule))
    );
}

/// The detective requests (moto's and the recorded services') of one scan of `moto`, sorted
/// (the calls run concurrently).
fn detective_requests(moto: &Moto, regions: &[&str]) -> Vec<String> {
    let mut args = vec!["scan", "--format", "json", "--fail-on", "none"];
    for region in regions {
        args.extend(["--region", region]);
    }
    let (run, actions) = recorded_scan(moto, || moto.keyward(&args, None));
    assert_ne!(run.code, 2, "{}", run.stderr);
    let mut detective: Vec<String> = actions.into_iter().filter(|a| is_detective(a)).collect();
    detective.sort();
    detective
}

#[test]
fn detective_requests_do_not_grow_with_users_or_secrets() {
    let account = |users: &str, secrets: &str| {
        let moto = Moto::start();
        moto.seed(&["watched"]);
        moto.seed(&["many-users", users]);
        moto.seed(&["many-secrets", secrets]);
        moto
    };
    let (small, large) = (account("2", "2"), account("80", "60"));
    let one_region = detective_requests(&small, &["us-east-1"]);
    assert_eq!(one_region, detective_requests(&large, &["us-east-1"]));
    // One region, one trail with its bucket and log group, one detector: DescribeTrails,
    // GetTrailStatus, GetEventSelectors, the 5 bucket reads, ListDetectors, GetDetector,
    // ListAnalyzers, DescribeMetricFilters, DescribeAlarms, and Cost Explorer's 2.
    assert_eq!(one_region.len(), 15, "{one_region:#?}");
    // A region more costs its DescribeTrails, ListDetectors, GetDetector and ListAnalyzers.
    let two_regions = detective_requests(&large, &["us-east-1", "eu-west-1"]);
    let mut added = two_regions.clone();
    for action in &one_region {
        let at = added.iter().position(|a| a == action).unwrap();
        added.remove(at);
    }
    assert_eq!(
        added,
        [
            "access-analyzer:ListAnalyzers",
            "cloudtrail:DescribeTrails",
            "guardduty:GetDetector",
            "guardduty:ListDetectors"
        ],
        "{two_regions:#?}"
    );
}

/// Each built-in rule's `requires`, by rule id.
fn rule_requirements() -> BTreeMap<String, BTreeSet<String>> {
    let run = keyward(&["rules", "--format", "json"]);
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            let requires = rule["requires"].as_array().unwrap();
            (
                rule["id"].as_str().unwrap().to_owned(),
                requires
                    .iter()
                    .map(|s| s.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn each_denied_detective_permission_leaves_exactly_its_rules_not_evaluated() {
    // The permission, the snapshot section its calls fill, and the operation the reason names.
    let cases = [
        (
            "cloudtrail:DescribeTrails",
            "cloudtrail.trails",
            "DescribeTrails",
        ),
        (
            "cloudtrail:GetTrailStatus",
            "cloudtrail.status",
            "GetTrailStatus",
        ),
        (
            "cloudtrail:GetEventSelectors",
            "cloudtrail.event_selectors",
            "GetEventSelectors",
        ),
        (
            "s3:GetBucketLocation",
            "cloudtrail.bucket",
            "GetBucketLocation",
        ),
        (
            "s3:GetBucketPolicyStatus",
            "cloudtrail.bucket",
            "GetBucketPolicyStatus",
        ),
        ("s3:GetBucketAcl", "cloudtrail.bucket", "GetBucketAcl"),
        (
            "s3:GetBucketPublicAccessBlock",
            "cloudtrail.bucket",
            "GetPublicAccessBlock",
        ),
        (
            "s3:GetBucketLogging",
            "cloudtrail.bucket",
            "GetBucketLogging",
        ),
        (
            "logs:DescribeMetricFilters",
            "logs.metric_filters",
            "DescribeMetricFilters",
        ),
        (
            "cloudwatch:DescribeAlarms",
            "cloudwatch.alarms",
            "DescribeAlarms",
        ),
    ];
    let moto = Moto::start();
    moto.seed(&["clean"]);
    let policy = least_privilege_policy();
    let mut seed = vec!["auditors", policy.as_str()];
    seed.extend(cases.iter().map(|(action, _, _)| *action));
    let auditors = moto.seed(&seed);
    moto.control("/moto-api/reset-auth", "0");
    // GuardDuty from a moto that does not check signatures (see live.rs), seeded alike.
    let guardduty = Moto::start();
    guardduty.seed(&["watched"]);
    let requirements = rule_requirements();
    for (action, section, operation) in cases {
        let keys = &auditors[action];
        let credentials = (
            keys["access_key_id"].as_str().unwrap(),
            keys["secret_access_key"].as_str().unwrap(),
        );
        let mut env = moto.env(credentials);
        env.push(("AWS_ENDPOINT_URL_GUARDDUTY", &guardduty.endpoint));
        let run = keyward_isolated(SCAN_US_EAST_1, &env);
        assert_eq!(run.code, 3, "{action}: {}", run.stderr);
        let report = run.json();
        // (moto's credential report has no root row: the root rules are not evaluated either.)
        let gaps: Vec<&serde_json::Value> = report["accounts"][0]["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| detective_rule(g["rule_id"].as_str().unwrap()))
            .collect();
        let not_evaluated: BTreeSet<&str> = gaps
            .iter()
            .map(|g| g["rule_id"].as_str().unwrap())
            .collect();
        let expected: BTreeSet<&str> = requirements
            .iter()
            .filter(|(_, requires)| requires.contains(section))
            .map(|(rule, _)| rule.as_str())
            .collect();
        assert_eq!(not_evaluated, expected, "without {action}");
        for gap in gaps {
            let reason = gap["reason"].as_str().unwrap();
            assert!(
                reason.contains(operation) && reason.contains("access_denied"),
                "without {action}: {gap}"
            );
        }
        // The account is watched: nothing else is found, and nothing is made of the gap.
        let findings = open_findings(&report);
        assert!(
            !findings.iter().any(|(rule, _)| detective_rule(rule)),
            "without {action}: {findings:#?}"
        );
    }
}

/// Collects `args` (`--org` or `--accounts …`) into snapshot files, then evaluates each: the
/// report of each account, by account id.
fn org_reports(moto: &Moto, args: &[&str]) -> BTreeMap<String, serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snapshots");
    let mut collect = vec![
        "snapshot",
        "--region",
        "us-east-1",
        "-o",
        out.to_str().unwrap(),
    ];
    collect.extend_from_slice(args);
    let run = moto.keyward(&collect, None);
    // 3, incomplete: moto's credential report has no root row.
    assert_eq!(run.code, 3, "{}", run.stderr);
    std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let report = keyward(&[
                "scan",
                "--snapshot",
                path.to_str().unwrap(),
                "--format",
                "json",
                "--fail-on",
                "none",
            ])
            .json();
            let account = report["accounts"][0]["account"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            (account, report)
        })
        .collect()
}

fn detective_findings(report: &serde_json::Value) -> BTreeSet<String> {
    open_findings(report)
        .into_iter()
        .map(|(rule, _)| rule)
        .filter(|rule| detective_rule(rule))
        .collect()
}

fn detective_gaps(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["accounts"][0]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| detective_rule(g["rule_id"].as_str().unwrap()))
        .cloned()
        .collect()
}

#[test]
fn under_org_the_organization_trail_and_the_delegated_administrators_analyzer_count_for_members() {
    const MANAGEMENT: &str = "123456789012";
    let mut moto = Moto::start();
    let seeded = moto.seed(&["watched-organization"]);
    let security = seeded["members"]["security"].as_str().unwrap().to_owned();
    let workload = seeded["members"]["workload"].as_str().unwrap().to_owned();
    moto.use_recorded_per_account(
        "org-member",
        &[
            (MANAGEMENT, "org-management"),
            (&security, "org-delegated-admin"),
        ],
    );

    // Under --org every account is watched: by the management account's organization trail
    // with its filters and alarms, the delegated administrator's organization analyzer, and
    // the management account's monitor of member spend.
    let reports = org_reports(&moto, &["--org"]);
    assert_eq!(
        reports.keys().collect::<BTreeSet<_>>(),
        BTreeSet::from([&MANAGEMENT.to_owned(), &security, &workload])
    );
    for (account, report) in &reports {
        assert!(
            detective_findings(report).is_empty(),
            "{account}: {:#?}",
            open_findings(report)
        );
        assert!(
            detective_gaps(report).is_empty(),
            "{account}: {:#?}",
            detective_gaps(report)
        );
    }
    // Scanned alone, a member has none of them: the organization's controls are what made it
    // pass (its own GuardDuty detector still counts).
    let alone = org_reports(
        &moto,
        &[
            "--accounts",
            &workload,
            "--role-name",
            "OrganizationAccountAccessRole",
        ],
    );
    let alone = &alone[&workload];
    assert_eq!(
        detective_findings(alone),
        [
            "KW-AA-001",
            "KW-CE-001",
            "KW-CT-001",
            "KW-CW-001",
            "KW-CW-002",
            "KW-CW-003",
            "KW-CW-004",
            "KW-CW-005",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<BTreeSet<_>>()
    );
}
