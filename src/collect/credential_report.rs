//! The IAM credential report: one account-wide CSV with every user's password, MFA and access
//! key dates, and the root user's row. One generate call, a bounded poll, one get call.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_iam::operation::get_credential_report::GetCredentialReportError;
use aws_sdk_iam::types::ReportStateType;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::aws::{CallError, classify};
use crate::snapshot::{AccessKey, ErrorKind, KeyLastUse, KeyStatus, Timestamp};

/// The row the report gives the root user.
const ROOT_ROW: &str = "<root_account>";

/// How long to wait for AWS to generate a report, in total, and between polls.
const POLL_LIMIT: Duration = Duration::from_secs(60);
const FIRST_POLL_DELAY: Duration = Duration::from_millis(250);
const MAX_POLL_DELAY: Duration = Duration::from_secs(4);

/// The parsed report.
#[derive(Debug, Default)]
pub struct CredentialReport {
    pub generated_at: Option<Timestamp>,
    pub root: Option<ReportRow>,
    /// Rows by user name.
    pub users: BTreeMap<String, ReportRow>,
}

/// One row, with AWS's "N/A" and "no_information" turned into `None`.
#[derive(Debug, Clone, Default)]
pub struct ReportRow {
    pub password_enabled: bool,
    pub password_last_used: Option<Timestamp>,
    pub password_last_changed: Option<Timestamp>,
    pub mfa_active: bool,
    pub access_keys: Vec<AccessKey>,
}

/// Asks AWS for a fresh report and reads it. A report generated in the last four hours is
/// reused by AWS, so the generation time is kept with the data.
pub async fn fetch(iam: &aws_sdk_iam::Client) -> Result<CredentialReport, CallError> {
    let mut delay = FIRST_POLL_DELAY;
    let mut waited = Duration::ZERO;
    loop {
        let state = iam
            .generate_credential_report()
            .send()
            .await
            .map_err(|e| in_operation("GenerateCredentialReport", classify(&e)))?;
        if state.state() == Some(&ReportStateType::Complete) {
            break;
        }
        if waited >= POLL_LIMIT {
            return Err(not_ready(waited));
        }
        tokio::time::sleep(delay).await;
        waited += delay;
        delay = (delay * 2).min(MAX_POLL_DELAY);
    }
    let output = iam.get_credential_report().send().await.map_err(|e| {
        let mut error = classify(&e);
        if matches!(
            e.as_service_error(),
            Some(GetCredentialReportError::CredentialReportNotReadyException(
                _
            ))
        ) {
            error.kind = ErrorKind::Timeout;
        }
        error
    })?;
    let content = output
        .content()
        .map(|b| b.as_ref().to_vec())
        .unwrap_or_default();
    let mut report = parse(&content).map_err(|message| CallError {
        kind: ErrorKind::Other,
        message,
        code: None,
    })?;
    report.generated_at = output.generated_time().and_then(super::aws::to_timestamp);
    Ok(report)
}

/// Names the generate step in the message: the snapshot records the report as one operation.
fn in_operation(operation: &str, error: CallError) -> CallError {
    CallError {
        message: format!("{operation}: {}", error.message),
        ..error
    }
}

fn not_ready(waited: Duration) -> CallError {
    CallError {
        kind: ErrorKind::Timeout,
        message: format!(
            "GenerateCredentialReport: the report was not ready after {} s",
            waited.as_secs()
        ),
        code: None,
    }
}

/// The columns keyward reads; the report has more (certificates), which are ignored.
#[derive(Debug, Deserialize)]
struct Row {
    user: String,
    password_enabled: String,
    password_last_used: String,
    password_last_changed: String,
    mfa_active: String,
    access_key_1_active: String,
    access_key_1_last_rotated: String,
    access_key_1_last_used_date: String,
    access_key_1_last_used_region: String,
    access_key_1_last_used_service: String,
    access_key_2_active: String,
    access_key_2_last_rotated: String,
    access_key_2_last_used_date: String,
    access_key_2_last_used_region: String,
    access_key_2_last_used_service: String,
}

/// Parses the report CSV (header row first, as AWS writes it).
pub fn parse(csv_bytes: &[u8]) -> Result<CredentialReport, String> {
    let mut report = CredentialReport::default();
    let mut reader = csv::Reader::from_reader(csv_bytes);
    for (index, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.map_err(|e| {
            format!(
                "the credential report's row {} is unreadable: {e}",
                index + 2
            )
        })?;
        let parsed = ReportRow {
            password_enabled: row.password_enabled == "true",
            password_last_used: date(&row.password_last_used),
            password_last_changed: date(&row.password_last_changed),
            mfa_active: row.mfa_active == "true",
            access_keys: [
                key(
                    &row.access_key_1_active,
                    &row.access_key_1_last_rotated,
                    &row.access_key_1_last_used_date,
                    &row.access_key_1_last_used_service,
                    &row.access_key_1_last_used_region,
                ),
                key(
                    &row.access_key_2_active,
                    &row.access_key_2_last_rotated,
                    &row.access_key_2_last_used_date,
                    &row.access_key_2_last_used_service,
                    &row.access_key_2_last_used_region,
                ),
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        if row.user == ROOT_ROW {
            report.root = Some(parsed);
        } else {
            report.users.insert(row.user, parsed);
        }
    }
    Ok(report)
}

/// A key slot is empty when it has never held a key ("N/A" creation date).
fn key(
    active: &str,
    created: &str,
    last_used: &str,
    service: &str,
    region: &str,
) -> Option<AccessKey> {
    let created = date(created)?;
    Some(AccessKey {
        id: None,
        status: if active == "true" {
            KeyStatus::Active
        } else {
            KeyStatus::Inactive
        },
        created,
        last_used: date(last_used).map(|date| KeyLastUse {
            date,
            service: present(service),
            region: present(region),
        }),
    })
}

/// AWS writes ISO 8601 with an offset, or N/A, no_information, not_supported.
fn date(text: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn present(text: &str) -> Option<String> {
    (!matches!(text, "" | "N/A" | "no_information" | "not_supported")).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-05-01T10:00:00+00:00,not_supported,not_supported,false,true,2023-02-14T10:00:00+00:00,2026-05-01T22:14:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
\"ops,alice\",\"arn:aws:iam::123456789012:user/ops,alice\",2024-01-10T09:00:00+00:00,true,no_information,2024-01-10T09:05:00+00:00,N/A,true,true,2025-03-20T12:00:00+00:00,N/A,N/A,N/A,false,2025-01-01T00:00:00+00:00,2025-02-01T00:00:00+00:00,eu-west-1,s3,false,N/A,false,N/A
";

    #[test]
    fn parses_root_and_users_including_commas_in_names() {
        let report = parse(REPORT.as_bytes()).unwrap();
        let root = report.root.unwrap();
        assert!(!root.mfa_active);
        assert_eq!(root.access_keys.len(), 1);
        assert_eq!(root.access_keys[0].status, KeyStatus::Active);
        assert_eq!(
            root.access_keys[0]
                .last_used
                .as_ref()
                .unwrap()
                .service
                .as_deref(),
            Some("iam")
        );
        assert_eq!(
            root.password_last_used.unwrap().to_rfc3339(),
            "2026-05-01T10:00:00+00:00"
        );

        let alice = &report.users["ops,alice"];
        assert!(alice.password_enabled && alice.mfa_active);
        assert_eq!(
            alice.password_last_used, None,
            "no_information is not a date"
        );
        assert_eq!(alice.access_keys.len(), 2);
        assert!(
            alice.access_keys[0].last_used.is_none(),
            "N/A means never used"
        );
        assert_eq!(alice.access_keys[1].status, KeyStatus::Inactive);
        assert_eq!(
            alice.access_keys[1]
                .last_used
                .as_ref()
                .unwrap()
                .region
                .as_deref(),
            Some("eu-west-1")
        );
    }

    #[test]
    fn a_report_without_a_root_row_has_no_root() {
        let without_root: String = REPORT
            .lines()
            .filter(|l| !l.starts_with("<root"))
            .map(|l| format!("{l}\n"))
            .collect();
        let report = parse(without_root.as_bytes()).unwrap();
        assert!(report.root.is_none());
        assert_eq!(report.users.len(), 1);
    }

    #[test]
    fn a_broken_report_is_an_error_not_a_panic() {
        assert!(parse(b"user,arn\nx").is_err());
    }
}
