//! OCSF (Open Cybersecurity Schema Framework) 1.8.0 Compliance Findings, class 2003, as a JSON
//! array of events: what Prowler emits, and what AWS Security Hub, Amazon Security Lake and most
//! SIEMs take in. `tests/integration/ocsf.rs` validates the output against the schema's own
//! definitions (tests/fixtures/ocsf-1.8.0).
//!
//! One event per finding: compliance status `Fail`, finding status `New`, or `Suppressed` for a
//! waived finding (the waiver in `unmapped.waiver`). One event per check that could not be
//! evaluated: compliance status `Warning` ("did not yield a result due to missing information"),
//! severity `Informational`. Passes are not events: the compliance report counts them.

use serde_json::{Value, json};

use super::rule_doc::PROJECT_HOME;
use crate::model::{AccountReport, Finding, NotEvaluated, RuleMetadata, ScanReport, Severity};

/// The OCSF version the events follow.
pub const OCSF_VERSION: &str = "1.8.0";

/// Findings (category 2), Compliance Finding (class 3 in it).
const CATEGORY_UID: u32 = 2;
const CLASS_UID: u32 = 2003;
/// Activity "Create": each scan reports its findings afresh.
const ACTIVITY_CREATE: u32 = 1;

/// `compliance.status_id` values.
const COMPLIANCE_WARNING: (u32, &str) = (2, "Warning");
const COMPLIANCE_FAIL: (u32, &str) = (3, "Fail");

/// A JSON array with one event per line: each event is serialized as soon as it is built, so
/// that a large account's tens of thousands of events never sit in memory as JSON trees.
pub fn render(report: &ScanReport) -> String {
    let config = report
        .config_findings
        .iter()
        .map(|finding| finding_event(report, None, finding));
    let accounts = report.accounts.iter().flat_map(|account| {
        let findings = account
            .findings
            .iter()
            .map(move |f| finding_event(report, Some(account), f));
        let gaps = account
            .not_evaluated
            .iter()
            .map(move |gap| gap_event(report, account, gap));
        findings.chain(gaps)
    });
    let mut out = String::from("[");
    for (index, event) in config.chain(accounts).enumerate() {
        out.push_str(if index == 0 { "\n" } else { ",\n" });
        out.push_str(&serde_json::to_string(&event).expect("OCSF events serialize"));
    }
    out + "\n]\n"
}

fn finding_event(report: &ScanReport, account: Option<&AccountReport>, finding: &Finding) -> Value {
    let rule = report.rule(&finding.rule_id);
    let (status_id, status) = if finding.is_waived() {
        (3, "Suppressed")
    } else {
        (1, "New")
    };
    let mut unmapped = serde_json::Map::new();
    if !finding.evidence.is_empty() {
        unmapped.insert(
            "evidence".to_owned(),
            Value::Object(finding.evidence.to_map()),
        );
    }
    if let Some(waiver) = &finding.waiver {
        unmapped.insert("waiver".to_owned(), json!(waiver));
    }
    if let Some(state) = finding.baseline_state {
        unmapped.insert("baseline_state".to_owned(), json!(state));
    }
    let mut event = base_event(
        report,
        account,
        finding.severity,
        &finding.message,
        &finding.fingerprint,
    );
    let fields = json!({
        "status_id": status_id,
        "status": status,
        "finding_info": finding_info(&finding.fingerprint, &finding.rule_id, rule),
        "compliance": compliance(&finding.rule_id, rule, COMPLIANCE_FAIL),
        "resources": [resource(&finding.resource, finding.region.as_deref(), account)],
    });
    merge(&mut event, fields);
    if let Some(rule) = rule {
        merge(&mut event, json!({"remediation": remediation(rule)}));
    }
    if let Some(region) = &finding.region {
        event["cloud"]["region"] = json!(region);
    }
    if !unmapped.is_empty() {
        event["unmapped"] = Value::Object(unmapped);
    }
    event
}

/// A check that could not be evaluated in a scope: a warning, not a pass.
fn gap_event(report: &ScanReport, account: &AccountReport, gap: &NotEvaluated) -> Value {
    let rule = report.rule(&gap.rule_id);
    let scope = match gap.scope() {
        scope if scope.is_empty() => "the account".to_owned(),
        scope => scope,
    };
    let uid = crate::model::fingerprint(
        &gap.rule_id,
        &gap.account_id,
        &root_arn(account),
        Some(&format!("not-evaluated {scope}")),
    );
    let message = format!(
        "{} could not be evaluated in {scope}: {}",
        gap.rule_id, gap.reason
    );
    let resource_arn = gap.resource.clone().unwrap_or_else(|| root_arn(account));
    let mut event = base_event(report, Some(account), Severity::Low, &message, &uid);
    merge(
        &mut event,
        json!({
            "severity_id": 1,
            "severity": "Informational",
            "status_id": 1,
            "status": "New",
            "finding_info": finding_info(&uid, &gap.rule_id, rule),
            "compliance": compliance(&gap.rule_id, rule, COMPLIANCE_WARNING),
            "resources": [resource(&resource_arn, gap.region.as_deref(), Some(account))],
            "unmapped": {"not_evaluated": {"reason": gap.reason}},
        }),
    );
    if let Some(region) = &gap.region {
        event["cloud"]["region"] = json!(region);
    }
    event
}

/// What every event has: class, time, severity, metadata and the cloud account.
fn base_event(
    report: &ScanReport,
    account: Option<&AccountReport>,
    severity: Severity,
    message: &str,
    uid: &str,
) -> Value {
    let time = account.map_or(report.as_of, |a| a.as_of);
    let (severity_id, severity_name) = ocsf_severity(severity);
    let mut cloud = json!({"provider": "AWS"});
    if let Some(account) = account {
        let mut ocsf_account = json!({
            "uid": account.account.id,
            "type_id": 10,
            "type": "AWS Account",
        });
        if let Some(name) = account
            .account
            .name
            .as_ref()
            .or(account.account.alias.as_ref())
        {
            ocsf_account["name"] = json!(name);
        }
        cloud["account"] = ocsf_account;
        cloud["cloud_partition"] = json!(account.account.partition);
    }
    json!({
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "keyward",
                "vendor_name": "keyward",
                "version": report.tool.version,
                "url_string": PROJECT_HOME,
            },
            "profiles": ["cloud"],
            "uid": uid,
        },
        "time": time.timestamp_millis(),
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "severity_id": severity_id,
        "severity": severity_name,
        "message": message,
        "cloud": cloud,
    })
}

fn ocsf_severity(severity: Severity) -> (u32, &'static str) {
    match severity {
        Severity::Critical => (5, "Critical"),
        Severity::High => (4, "High"),
        Severity::Medium => (3, "Medium"),
        Severity::Low => (2, "Low"),
    }
}

fn finding_info(uid: &str, rule_id: &str, rule: Option<&RuleMetadata>) -> Value {
    let mut info = json!({"uid": uid, "title": rule.map_or(rule_id, |r| r.title.as_str())});
    if let Some(rule) = rule {
        info["desc"] = json!(rule.description);
        info["types"] = json!([format!("keyward/{}", rule.name)]);
    }
    info
}

/// The rule as the check, and every control it maps to as a requirement
/// (`cis-aws-foundations-v3.0/1.14`) of its standard (`cis-aws-foundations-v3.0`).
fn compliance(
    rule_id: &str,
    rule: Option<&RuleMetadata>,
    (status_id, status): (u32, &str),
) -> Value {
    let standards: Vec<&String> = rule
        .map(|r| r.controls.keys().collect())
        .unwrap_or_default();
    let requirements = rule.map(RuleMetadata::control_tags).unwrap_or_default();
    let mut check = json!({"uid": rule_id, "status_id": status_id, "status": status});
    if let Some(rule) = rule {
        check["name"] = json!(rule.title);
        let (severity_id, severity) = ocsf_severity(rule.severity);
        check["severity_id"] = json!(severity_id);
        check["severity"] = json!(severity);
        check["standards"] = json!(standards);
    }
    json!({
        "status_id": status_id,
        "status": status,
        "standards": standards,
        "requirements": requirements,
        "checks": [check],
    })
}

fn remediation(rule: &RuleMetadata) -> Value {
    let mut remediation = json!({"desc": rule.remediation});
    let mut references = rule.references.clone();
    references.extend(super::rule_doc::page_url(rule));
    if !references.is_empty() {
        remediation["references"] = json!(references);
    }
    remediation
}

fn resource(arn: &str, region: Option<&str>, account: Option<&AccountReport>) -> Value {
    let mut resource = json!({"uid": arn, "type": resource_type(arn)});
    if let Some(name) = arn.rsplit(['/', ':']).next().filter(|n| !n.is_empty()) {
        resource["name"] = json!(name);
    }
    if let Some(region) = region {
        resource["region"] = json!(region);
    }
    if let Some(account) = account {
        resource["cloud_partition"] = json!(account.account.partition);
    }
    resource
}

/// The AWS Security Finding Format's resource type for an ARN, as Prowler and Security Hub
/// name them.
fn resource_type(arn: &str) -> &'static str {
    let mut parts = arn.splitn(6, ':');
    let service = parts.nth(2).unwrap_or_default();
    let rest = parts.nth(2).unwrap_or_default();
    match (service, rest.split('/').next().unwrap_or_default()) {
        ("iam", "root") => "AwsAccount",
        ("iam", "user") => "AwsIamUser",
        ("iam", "role") => "AwsIamRole",
        ("iam", "group") => "AwsIamGroup",
        ("iam", "policy") => "AwsIamPolicy",
        ("secretsmanager", _) => "AwsSecretsManagerSecret",
        _ => "Other",
    }
}

fn root_arn(account: &AccountReport) -> String {
    format!(
        "arn:{}:iam::{}:root",
        account.account.partition, account.account.id
    )
}

fn merge(event: &mut Value, fields: Value) {
    if let (Value::Object(event), Value::Object(fields)) = (event, fields) {
        event.extend(fields);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_types_follow_the_arn() {
        assert_eq!(
            resource_type("arn:aws:iam::123456789012:root"),
            "AwsAccount"
        );
        assert_eq!(
            resource_type("arn:aws:iam::123456789012:user/ops/alice"),
            "AwsIamUser"
        );
        assert_eq!(
            resource_type("arn:aws:iam::123456789012:policy/Admin"),
            "AwsIamPolicy"
        );
        assert_eq!(
            resource_type("arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbC"),
            "AwsSecretsManagerSecret"
        );
        assert_eq!(resource_type("not an arn"), "Other");
    }
}
