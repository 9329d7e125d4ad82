//! Throttling storms (issue 14, item 9): a scan through scripts/throttle_proxy.py, which answers
//! 30% of the AWS requests with the throttling error of their protocol (IAM and STS query XML,
//! Secrets Manager and Organizations JSON, each HTTP 400), finds exactly what a scan without
//! throttling finds and leaves nothing more *not evaluated*: throttling is retried with backoff
//! until it passes. No timing is asserted (scripts/bench.sh measures the time against the clean
//! scan in the same run; README "Performance").

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::support::cli::{Run, TEST_CREDENTIALS, keyward_isolated};
use crate::support::moto::{Moto, http_get, least_privilege_policy};
use crate::support::{repo, tool_from_env};

/// The throttling proxy in front of a moto server; stopped when dropped.
struct ThrottleProxy {
    child: Child,
    endpoint: String,
}

impl ThrottleProxy {
    fn start(moto: &Moto, rate: f64) -> ThrottleProxy {
        let python = tool_from_env("KEYWARD_PYTHON", "the moto venv's python");
        let mut child = Command::new(python)
            .arg(repo().join("scripts/throttle_proxy.py"))
            .args(["--upstream", &moto.endpoint, "--rate", &rate.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the throttling proxy starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("the proxy says where it listens");
        let endpoint = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("unexpected first line from the proxy: {line:?}"))
            .to_owned();
        ThrottleProxy { child, endpoint }
    }

    /// keyward pointed at the proxy, as `Moto::keyward` points it at moto; the services moto
    /// lacks (Access Analyzer, Cost Explorer) still answer from their recorded responses.
    fn keyward(&self, moto: &Moto, args: &[&str], credentials: Option<(&str, &str)>) -> Run {
        let mut env = moto.env(credentials.unwrap_or(TEST_CREDENTIALS));
        for (name, value) in &mut env {
            if *name == "AWS_ENDPOINT_URL" {
                *value = &self.endpoint;
            }
        }
        keyward_isolated(args, &env)
    }

    /// (requests, throttled) so far.
    fn stats(&self) -> (u64, u64) {
        let text = http_get(&self.endpoint, "/throttle-proxy/stats")
            .expect("the proxy answers its counts");
        let stats: serde_json::Value = serde_json::from_str(&text).expect("the proxy answers JSON");
        (
            stats["requests"].as_u64().unwrap(),
            stats["throttled"].as_u64().unwrap(),
        )
    }
}

impl Drop for ThrottleProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every finding's fingerprint and every gap of a JSON report.
fn outcome(run: &Run) -> (BTreeSet<String>, Vec<serde_json::Value>) {
    let report = run.json();
    let accounts = report["accounts"].as_array().unwrap();
    let fingerprints = accounts
        .iter()
        .flat_map(|a| a["findings"].as_array().unwrap())
        .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
        .collect();
    let gaps = accounts
        .iter()
        .flat_map(|a| a["not_evaluated"].as_array().unwrap().clone())
        .collect();
    (fingerprints, gaps)
}

fn assert_same_outcome(direct: &Run, throttled: &Run) {
    assert_eq!(throttled.code, direct.code, "{}", throttled.stderr);
    let (findings, gaps) = outcome(direct);
    let (throttled_findings, throttled_gaps) = outcome(throttled);
    assert!(!findings.is_empty());
    assert_eq!(throttled_findings, findings);
    // moto's credential report has no root row, so the root rules are not evaluated either way;
    // throttling adds no gap.
    assert_eq!(throttled_gaps, gaps);
}

/// At least a tenth of the requests were throttled, so the retries were put to work.
fn assert_throttled(proxy: &ThrottleProxy) {
    let (requests, throttles) = proxy.stats();
    assert!(
        throttles > 0 && throttles * 10 >= requests,
        "{throttles} of {requests} requests throttled"
    );
}

#[test]
fn a_scan_throttled_30_percent_finds_what_an_unthrottled_scan_finds() {
    let moto = Moto::start();
    // Users, groups, a password policy, MFA, and secrets (without rotation: findings) in two
    // regions.
    moto.seed(&["clean"]);
    moto.seed(&["two-regions"]);
    let args = [
        "scan",
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--format",
        "json",
        "--fail-on",
        "none",
    ];
    let direct = moto.keyward(&args, None);
    let proxy = ThrottleProxy::start(&moto, 0.3);
    let throttled = proxy.keyward(&moto, &args, None);
    assert_same_outcome(&direct, &throttled);
    assert_throttled(&proxy);
}

#[test]
fn an_organization_throttled_30_percent_is_scanned_whole() {
    let moto = Moto::start();
    let seeded = moto.seed(&["organization", &least_privilege_policy()]);
    moto.control("/moto-api/reset-auth", "0");
    let key = seeded["access_key_id"].as_str().unwrap();
    let secret = seeded["secret_access_key"].as_str().unwrap();
    let args = [
        "scan",
        "--org",
        "--region",
        "us-east-1",
        "--format",
        "json",
        "--fail-on",
        "none",
    ];
    let direct = moto.keyward(&args, Some((key, secret)));
    let proxy = ThrottleProxy::start(&moto, 0.3);
    let throttled = proxy.keyward(&moto, &args, Some((key, secret)));
    assert_same_outcome(&direct, &throttled);
    assert_eq!(throttled.json()["accounts"].as_array().unwrap().len(), 4);
    assert_throttled(&proxy);
}
