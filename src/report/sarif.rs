//! SARIF 2.1.0 for GitHub code scanning (see docs/github-code-scanning.md and
//! README.md, "GitHub code scanning"). What GitHub needs, point by point:
//! - every result has a physical location: AWS resources are not files, so the location is a
//!   relative pseudo path derived from the ARN (`aws/123456789012/iam/user/alice`, line 1), or,
//!   for a resource Terraform defines (`--terraform-plan`, `--terraform-state`), the `.tf` file
//!   and line of its block, so that code scanning annotates the pull request's diff; the ARN
//!   itself is kept as a logical location;
//! - findings a Terraform plan fixes are not results (they would open alerts); each result
//!   says in `properties.plan` whether the plan introduces it or leaves it unchanged;
//! - `partialFingerprints.primaryLocationLineHash` is keyward's own stable fingerprint, because
//!   GitHub computes one only for files in the checkout;
//! - one run per account with `automationDetails.id` `keyward/aws/<account>/`, so accounts do not
//!   replace each other's alerts; expired waivers get a run of their own;
//! - `security-severity` is a string per rule, `level` only `error`, `warning` or `note`;
//! - at most 20 runs per file and 25,000 results per run: past that the least severe results
//!   are left out, with a notification in the run and a warning on stderr.
//!
//! Waived findings carry `suppressions` (kind `external`, status `accepted`). GitHub does not
//! read `suppressions` and would show them as open alerts: `--waived omit` leaves them out of
//! a SARIF file meant for upload.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, ReportingDescriptorReference, Result as SarifResult, ResultLevel, Run,
    RunAutomationDetails, Sarif, Suppression, Tool, ToolComponent,
};

use super::rendered::{Rendered, ReportError};
use super::rule_doc;
use crate::model::{
    AccountReport, Finding, NotApplicable, NotEvaluated, RuleMetadata, ScanReport, Severity,
};

/// GitHub's limits on one SARIF upload.
pub const MAX_RUNS: usize = 20;
pub const MAX_RESULTS_PER_RUN: usize = 25_000;
/// GitHub reads at most this many characters of a rule's descriptions.
const MAX_DESCRIPTION: usize = 1024;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(report: &ScanReport, category: &str) -> Result<Rendered, ReportError> {
    let category = category.trim_matches('/');
    if category.is_empty() || category.contains(char::is_whitespace) {
        return Err(ReportError(format!(
            "--sarif-category `{category}` must be a non-empty name without spaces, e.g. keyward or nightly-audit"
        )));
    }
    let mut warnings = Vec::new();
    let mut runs: Vec<Run> = report
        .accounts
        .iter()
        .map(|account| account_run(report, account, category, &mut warnings))
        .collect();
    if !report.config_findings.is_empty() {
        runs.push(config_run(report, category));
    }
    if runs.len() > MAX_RUNS {
        return Err(ReportError(format!(
            "a SARIF file for {} accounts would hold {} runs, and GitHub accepts at most {MAX_RUNS} per upload\nhint: scan at most {} accounts per SARIF file, or use --format json for the whole organization",
            report.accounts.len(),
            runs.len(),
            MAX_RUNS - 1
        )));
    }
    let sarif = Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(runs)
        .build();
    let text = serde_json::to_string_pretty(&sarif).expect("SARIF always serializes") + "\n";
    Ok(Rendered { text, warnings })
}

fn account_run(
    report: &ScanReport,
    account: &AccountReport,
    category: &str,
    warnings: &mut Vec<String>,
) -> Run {
    let id = &account.account.id;
    let (kept, left_out) = within_limit(&account.findings);
    let mut notifications: Vec<Notification> = account
        .not_evaluated
        .iter()
        .map(not_evaluated_notification)
        .chain(
            account
                .not_applicable
                .iter()
                .map(not_applicable_notification),
        )
        .chain(account_warnings(report, id))
        .collect();
    if left_out > 0 {
        let text = format!(
            "account {id}: {left_out} of {} findings left out of the SARIF run (GitHub keeps at most {MAX_RESULTS_PER_RUN} results per run); the least severe were dropped, the JSON report has them all",
            account.findings.len()
        );
        warnings.push(text.clone());
        notifications.push(
            Notification::builder()
                .level(json!("warning"))
                .message(message(&text))
                .build(),
        );
    }
    build_run(
        &report.rules,
        kept,
        &format!("{category}/aws/{id}/"),
        notifications,
        report,
    )
}

fn config_run(report: &ScanReport, category: &str) -> Run {
    build_run(
        &report.rules,
        &report.config_findings,
        &format!("{category}/config/"),
        Vec::new(),
        report,
    )
}

fn build_run(
    rules: &[RuleMetadata],
    findings: &[Finding],
    automation_id: &str,
    notifications: Vec<Notification>,
    report: &ScanReport,
) -> Run {
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let results: Vec<SarifResult> = findings.iter().map(|f| result(f, &index)).collect();
    let driver = ToolComponent::builder()
        .name("keyward")
        .version(report.tool.version.clone())
        .semantic_version(report.tool.version.clone())
        .rules(rules.iter().map(rule_descriptor).collect::<Vec<_>>())
        .build();
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(notifications)
        .build();
    Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(RunAutomationDetails::builder().id(automation_id).build())
        .invocations(vec![invocation])
        .results(results)
        .build()
}

/// Findings arrive most severe first: keep the head, count the tail.
fn within_limit(findings: &[Finding]) -> (&[Finding], usize) {
    let kept = findings.len().min(MAX_RESULTS_PER_RUN);
    (&findings[..kept], findings.len() - kept)
}

fn rule_descriptor(rule: &RuleMetadata) -> ReportingDescriptor {
    let mut tags = vec!["security".to_owned(), rule.severity.to_string()];
    tags.extend(rule.control_tags());
    let properties = PropertyBag::builder()
        .tags(tags)
        .additional_properties(BTreeMap::from([
            (
                "security-severity".to_owned(),
                json!(security_severity(rule.severity)),
            ),
            ("precision".to_owned(), json!("very-high")),
        ]))
        .build();
    let mut descriptor = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(rule.name.clone())
        .short_description(text(&rule.title))
        .full_description(text(&truncate(&rule.description, MAX_DESCRIPTION)))
        .help(
            MultiformatMessageString::builder()
                .text(rule_doc::plain_text(rule))
                .markdown(rule_doc::markdown(rule))
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(rule.severity)))
                .build(),
        )
        .properties(properties)
        .build();
    descriptor.help_uri = rule_doc::page_url(rule);
    descriptor
}

fn result(finding: &Finding, rule_index: &BTreeMap<&str, usize>) -> SarifResult {
    let mut properties = BTreeMap::from([
        ("severity".to_owned(), json!(finding.severity)),
        (
            "evidence".to_owned(),
            Value::Object(finding.evidence.to_map()),
        ),
    ]);
    if !finding.account_id.is_empty() {
        properties.insert("account".to_owned(), json!(finding.account_id));
    }
    if let Some(region) = &finding.region {
        properties.insert("region".to_owned(), json!(region));
    }
    if let Some(change) = finding.plan_change {
        properties.insert("plan".to_owned(), json!(change));
    }
    let mut result = SarifResult::builder()
        .rule_id(finding.rule_id.clone())
        .rule_index(
            rule_index
                .get(finding.rule_id.as_str())
                .copied()
                .unwrap_or(0) as i64,
        )
        .level(level(finding.severity))
        .message(message(&finding.message))
        .locations(vec![location(finding)])
        .partial_fingerprints(BTreeMap::from([(
            "primaryLocationLineHash".to_owned(),
            format!("{}:1", finding.fingerprint),
        )]))
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        )
        .build();
    result.baseline_state = finding.baseline_state.map(|state| json!(state));
    result.suppressions = finding.waiver.as_ref().map(|waiver| {
        vec![
            Suppression::builder()
                .kind(json!("external"))
                .status(json!("accepted"))
                .justification(format!(
                    "{} (owner {}, expires {})",
                    waiver.reason, waiver.owner, waiver.expires
                ))
                .build(),
        ]
    });
    result
}

fn location(finding: &Finding) -> Location {
    let (uri, line) = match &finding.location {
        Some(file) => (relative_file_uri(&file.path), file.line.max(1)),
        None => (resource_path(&finding.resource, &finding.account_id), 1),
    };
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(uri).build())
        .region(Region::builder().start_line(line as i64).build())
        .build();
    let logical = LogicalLocation::builder()
        .fully_qualified_name(finding.resource.clone())
        .kind("resource")
        .build();
    Location::builder()
        .physical_location(physical)
        .logical_locations(vec![logical])
        .build()
}

/// The report's warnings about this account (a stale snapshot), as warning notifications.
fn account_warnings<'a>(
    report: &'a ScanReport,
    id: &'a str,
) -> impl Iterator<Item = Notification> + 'a {
    report
        .warnings
        .iter()
        .filter(move |w| w.account_id.as_deref() == Some(id))
        .map(|w| {
            Notification::builder()
                .level(json!("warning"))
                .message(message(&w.message))
                .build()
        })
}

/// A rule that does not apply (a plan's missing ages, a live scan's missing plan): a note, not
/// a warning, as nothing is missing that should be there.
fn not_applicable_notification(entry: &NotApplicable) -> Notification {
    Notification::builder()
        .level(json!("note"))
        .message(message(&format!(
            "{} not applicable: {}",
            entry.rule_id, entry.reason
        )))
        .associated_rule(
            ReportingDescriptorReference::builder()
                .id(entry.rule_id.clone())
                .build(),
        )
        .build()
}

fn not_evaluated_notification(gap: &NotEvaluated) -> Notification {
    let scope = gap.scope();
    let text = if scope.is_empty() {
        format!("{} not evaluated: {}", gap.rule_id, gap.reason)
    } else {
        format!("{} not evaluated for {scope}: {}", gap.rule_id, gap.reason)
    };
    Notification::builder()
        .level(json!("warning"))
        .message(message(&text))
        .associated_rule(
            ReportingDescriptorReference::builder()
                .id(gap.rule_id.clone())
                .build(),
        )
        .build()
}

/// A relative pseudo path for a resource, as GitHub needs a file-like location:
/// `arn:aws:iam::123456789012:user/ops/alice` -> `aws/123456789012/iam/user/ops/alice`,
/// `arn:aws:secretsmanager:eu-west-1:1234…:secret:db-AbCd` -> `aws/1234…/secretsmanager/eu-west-1/secret/db-AbCd`.
/// The first segment is `aws`, so no colon can make it read as a URI scheme; characters that
/// are not safe in a URI path are percent-encoded.
pub fn resource_path(resource: &str, account_id: &str) -> String {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let segments: Vec<&str> = match parts.as_slice() {
        ["arn", _partition, service, region, account, rest] => {
            let account = if account.is_empty() {
                account_id
            } else {
                account
            };
            let mut segments = vec![account, *service];
            if !region.is_empty() {
                segments.push(*region);
            }
            segments.extend(rest.split([':', '/']).filter(|s| !s.is_empty()));
            segments
        }
        _ => vec![account_id, "resource", resource],
    };
    let encoded: Vec<String> = segments
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| uri_segment(s))
        .collect();
    format!("aws/{}", encoded.join("/"))
}

/// A config file path relative to the working directory (the repository root in CI), with
/// `.` and `a/..` resolved; a `..` that leaves the directory is kept encoded (`%2E%2E`), never
/// as a step a SARIF viewer would take.
fn relative_file_uri(path: &str) -> String {
    let path = std::path::Path::new(path);
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    let mut segments: Vec<&str> = Vec::new();
    for segment in text.split('/') {
        match segment {
            "" | "." => {}
            ".." if segments.last().is_some_and(|last| *last != "..") => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    segments
        .iter()
        .map(|s| uri_segment(s))
        .collect::<Vec<_>>()
        .join("/")
}

/// One segment of an artifact URI. A segment of dots alone (`..`, `.`) would step through the
/// path: its dots are percent-encoded, so that the URI never leaves where it starts.
fn uri_segment(segment: &str) -> String {
    if !segment.is_empty() && segment.chars().all(|c| c == '.') {
        return segment.replace('.', "%2E");
    }
    percent_encode(segment)
}

/// What a path segment keeps as it is: RFC 3986 unreserved characters and the sub-delimiters
/// that ARNs use; everything else (spaces, `/`, `%`, `?`, `#`, non-ASCII) is percent-encoded.
const SEGMENT_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@');

fn percent_encode(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT_ESCAPES).to_string()
}

/// GitHub's severity column: above 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, below low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(s.to_owned())
        .build()
}

fn message(s: &str) -> Message {
    Message::builder().text(s.to_owned()).build()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max - 1).collect();
    cut + "…"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_paths_have_no_scheme_and_no_spaces() {
        assert_eq!(
            resource_path("arn:aws:iam::123456789012:user/ops/alice", "123456789012"),
            "aws/123456789012/iam/user/ops/alice"
        );
        assert_eq!(
            resource_path("arn:aws:iam::123456789012:root", "123456789012"),
            "aws/123456789012/iam/root"
        );
        assert_eq!(
            resource_path(
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/openai key-AbCdEf",
                "123456789012"
            ),
            "aws/123456789012/secretsmanager/eu-west-1/secret/prod/openai%20key-AbCdEf"
        );
        assert_eq!(
            resource_path("not an arn", "1"),
            "aws/1/resource/not%20an%20arn"
        );
    }

    #[test]
    fn artifact_paths_never_step_out_of_their_directory() {
        assert_eq!(
            resource_path(
                "arn:aws:iam::123456789012:user/../../etc/./passwd",
                "123456789012"
            ),
            "aws/123456789012/iam/user/%2E%2E/%2E%2E/etc/%2E/passwd"
        );
        assert_eq!(
            resource_path("../../x", "123456789012"),
            "aws/123456789012/resource/..%2F..%2Fx"
        );
        assert_eq!(relative_file_uri("a/./b/../keyward.yaml"), "a/keyward.yaml");
        assert_eq!(
            relative_file_uri("../../common/keyward.yaml"),
            "%2E%2E/%2E%2E/common/keyward.yaml"
        );
        for uri in [
            resource_path("arn:aws:iam::1:user/..", "1"),
            relative_file_uri("x/../../../y"),
        ] {
            assert!(uri.split('/').all(|s| s != ".." && s != "."), "{uri}");
        }
    }

    #[test]
    fn severities_map_into_githubs_bands() {
        let band = |s: Severity| security_severity(s).parse::<f64>().unwrap();
        assert!(band(Severity::Critical) > 9.0);
        assert!((7.0..9.0).contains(&band(Severity::High)));
        assert!((4.0..7.0).contains(&band(Severity::Medium)));
        assert!((0.1..4.0).contains(&band(Severity::Low)));
    }

    #[test]
    fn built_in_rules_link_their_page_and_user_rules_do_not() {
        let pack = crate::policy::PolicySet::load(&crate::policy::builtin_sources()).unwrap();
        let mut rule = pack.rules()[0].metadata.clone();
        let uri = rule_descriptor(&rule).help_uri.unwrap();
        assert!(
            uri.ends_with(&format!("/docs/rules/{}.md", rule.id)),
            "{uri}"
        );
        rule.builtin = false;
        assert_eq!(rule_descriptor(&rule).help_uri, None);
    }

    #[test]
    fn long_descriptions_are_cut_to_githubs_limit() {
        let long = "x".repeat(2000);
        assert_eq!(
            truncate(&long, MAX_DESCRIPTION).chars().count(),
            MAX_DESCRIPTION
        );
        assert_eq!(truncate("short", MAX_DESCRIPTION), "short");
    }
}
