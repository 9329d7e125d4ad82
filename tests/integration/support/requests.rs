//! The AWS requests a scan made, as the IAM actions that authorize them: moto's request
//! recording (every request moto served) and the recorded-response server's log (Access
//! Analyzer, Cost Explorer). Tests compare them with docs/iam-policy.json and count them.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::moto::Moto;
use super::repo;

/// Records the requests `scan` makes to `moto` and its recorded-response server; returns its
/// result and the requests as IAM actions (`service:Operation`), in order, moto's first.
pub fn recorded_scan<T>(moto: &Moto, scan: impl FnOnce() -> T) -> (T, Vec<String>) {
    let served_before = moto.recorded.served().len();
    // The recording is kept across recordings: this one starts empty.
    moto.control("/moto-api/recorder/reset-recording", "");
    moto.control("/moto-api/recorder/start-recording", "");
    let result = scan();
    moto.control("/moto-api/recorder/stop-recording", "");
    let mut actions = moto_actions(moto);
    actions.extend(
        moto.recorded.served()[served_before..]
            .iter()
            .map(|label| recorded_action(label)),
    );
    (result, actions)
}

/// moto's recording, as IAM actions.
fn moto_actions(moto: &Moto) -> Vec<String> {
    let log = moto
        .get("/moto-api/recorder/download-recording")
        .expect("recording");
    log.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).expect("recorder line");
            moto_action(&entry)
        })
        .collect()
}

/// One recorded request as an IAM action: the service from the signature's credential scope,
/// the operation from X-Amz-Target (JSON protocols), `Action=` (query protocol) or the method
/// and path (REST protocols).
fn moto_action(entry: &serde_json::Value) -> String {
    let headers = &entry["headers"];
    let header = |name: &str| {
        headers
            .as_object()
            .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    // Credential=<key>/<date>/<region>/<service>/aws4_request
    let service = header("Authorization")
        .split("Credential=")
        .nth(1)
        .and_then(|scope| scope.split('/').nth(3))
        .unwrap_or_else(|| panic!("an unsigned request: {entry}"));
    let raw = entry["body"].as_str().unwrap_or_default();
    let body = if entry["body_encoded"] == true {
        String::from_utf8_lossy(&BASE64.decode(raw).expect("base64 body")).into_owned()
    } else {
        raw.to_owned()
    };
    let target = header("X-Amz-Target");
    let operation = if !target.is_empty() {
        target.rsplit('.').next().unwrap_or(target).to_owned()
    } else if let Some(action) = body.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        action.to_owned()
    } else {
        rest_operation(
            service,
            entry["method"].as_str().unwrap_or_default(),
            entry["url"].as_str().unwrap_or_default(),
        )
    };
    // CloudWatch signs as "monitoring"; its IAM actions are "cloudwatch:".
    let prefix = if service == "monitoring" {
        "cloudwatch"
    } else {
        service
    };
    format!("{prefix}:{operation}")
}

/// The operation of a REST request keyward makes, from its path and query.
fn rest_operation(service: &str, method: &str, url: &str) -> String {
    let after_host = url.split("://").nth(1).unwrap_or(url);
    let path_and_query = &after_host[after_host.find('/').unwrap_or(after_host.len())..];
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let query_key = query.split(['=', '&']).next().unwrap_or_default();
    let operation = match (service, method, path, query_key) {
        ("s3", "GET", _, "location") => "GetBucketLocation",
        ("s3", "GET", _, "policyStatus") => "GetBucketPolicyStatus",
        ("s3", "GET", _, "acl") => "GetBucketAcl",
        // The API's GetPublicAccessBlock is authorized by this action.
        ("s3", "GET", _, "publicAccessBlock") => "GetBucketPublicAccessBlock",
        ("s3", "GET", _, "logging") => "GetBucketLogging",
        ("guardduty", "GET", "/detector", _) => "ListDetectors",
        ("guardduty", "GET", p, _) if p.starts_with("/detector/") => "GetDetector",
        ("account", "POST", "/listRegions", _) => "ListRegions",
        _ => panic!("a request the tests cannot name: {service} {method} {url}"),
    };
    operation.to_owned()
}

/// A request of the recorded-response server's log (its X-Amz-Target, or method and path), as
/// an IAM action.
fn recorded_action(label: &str) -> String {
    if let Some(operation) = label.strip_prefix("AWSInsightsIndexService.") {
        return format!("ce:{operation}");
    }
    match label {
        "GET /analyzer" => "access-analyzer:ListAnalyzers".to_owned(),
        _ => panic!("a recorded request the tests cannot name: {label}"),
    }
}

/// The actions docs/iam-policy.json allows, but for its statements named in `except` (by Sid).
pub fn documented_actions(except: &[&str]) -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo().join("docs/iam-policy.json")).unwrap();
    let policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !except.contains(&s["Sid"].as_str().unwrap()))
        .flat_map(|s| s["Action"].as_array().unwrap())
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

/// The services of keyward's detective collection, as IAM action prefixes.
pub fn is_detective(action: &str) -> bool {
    [
        "cloudtrail:",
        "guardduty:",
        "access-analyzer:",
        "logs:",
        "cloudwatch:",
        "ce:",
        "s3:",
    ]
    .iter()
    .any(|p| action.starts_with(p))
}
