//! Live collection: reads one AWS account, read-only, into a `Snapshot`. Every call that fails
//! becomes a collection error naming the snapshot sections it leaves incomplete, so the rules
//! that need them report *not evaluated* instead of passing on missing data.

mod account;
pub mod authorization;
pub mod aws;
mod collection_error;
pub mod credential_report;
pub mod org;
pub mod regions;
mod secrets;

use std::collections::BTreeMap;
use std::future::Future;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use chrono::Utc;
use tokio::time::Instant;

pub use aws::{AwsContext, CallError, ConnectOptions, connect};

use crate::snapshot::{
    Account, CollectionError, Collector, ConsolePassword, DataSection, ErrorKind, MfaKind,
    RootUser, SCHEMA_VERSION, Snapshot, Timestamp, User,
};

/// What to collect and how hard to try.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Only these regions' secrets; `None` discovers the enabled regions.
    pub regions: Option<Vec<String>>,
    /// Regions listed at once.
    pub region_concurrency: usize,
    /// Per-secret calls in flight at once.
    pub call_concurrency: usize,
    /// The whole collection's time budget: calls still running then are recorded as timeouts.
    pub deadline: Duration,
    /// Show progress on stderr (only ever when it is a terminal).
    pub progress: bool,
}

/// Collection cannot start: the caller's identity is unknown, so there is no account to
/// write a snapshot for.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot identify the AWS account (sts GetCallerIdentity failed): {0}\nhint: check the credentials keyward finds (environment, --profile, SSO, web identity or instance role), e.g. with `aws sts get-caller-identity`"
)]
pub struct IdentityError(pub String);

/// The account and partition of the current credentials.
pub async fn caller_identity(aws: &AwsContext) -> Result<(String, String), IdentityError> {
    let identity = account::identity(&aws.sts())
        .await
        .map_err(|e| IdentityError(e.message))?;
    Ok((identity.account_id, identity.partition))
}

/// Collects one account with the given AWS context.
pub async fn collect_account(
    aws: &AwsContext,
    options: &CollectOptions,
) -> Result<Snapshot, IdentityError> {
    let progress = Progress::new(options.progress);
    let deadline = Instant::now() + options.deadline;
    let identity = account::identity(&aws.sts())
        .await
        .map_err(|e| IdentityError(e.message))?;
    progress.update(&format!("collecting account {}", identity.account_id));
    let iam = aws.iam();
    let home_region = aws.home_region();
    let (alias, summary, report, mfa, password_policy, authorization, (regions, region_error)) = tokio::join!(
        within(deadline, account::alias(&iam)),
        within(deadline, account::summary(&iam)),
        within(deadline, credential_report::fetch(&iam)),
        within(deadline, account::virtual_mfa_devices(&iam)),
        within(deadline, account::password_policy(&iam)),
        within(deadline, authorization::fetch(&iam)),
        choose_regions(aws, options, &identity.partition, &home_region, deadline),
    );
    progress.update("IAM collected");
    let secrets = within(deadline, async {
        Ok::<_, CallError>(
            secrets::collect(
                aws,
                &regions,
                options.region_concurrency,
                options.call_concurrency,
                &progress,
            )
            .await,
        )
    })
    .await;
    progress.finish();
    let parts = Parts {
        account_id: identity.account_id,
        partition: identity.partition,
        alias,
        summary,
        report,
        mfa,
        password_policy,
        authorization,
        regions,
        region_error,
        secrets,
    };
    Ok(assemble(parts, aws.counter.total()))
}

/// Runs a step, turning the passing of the deadline into a timeout error of that step.
async fn within<T>(
    deadline: Instant,
    step: impl Future<Output = Result<T, CallError>>,
) -> Result<T, CallError> {
    tokio::time::timeout_at(deadline, step)
        .await
        .unwrap_or_else(|_| {
            Err(CallError {
                kind: ErrorKind::Timeout,
                message:
                    "the collection deadline passed before the call finished (raise --deadline)"
                        .to_owned(),
                code: None,
            })
        })
}

async fn choose_regions(
    aws: &AwsContext,
    options: &CollectOptions,
    partition: &str,
    home_region: &str,
    deadline: Instant,
) -> (Vec<String>, Option<CallError>) {
    if let Some(regions) = &options.regions {
        return (regions.clone(), None);
    }
    match within(deadline, regions::enabled(&aws.account())).await {
        Ok(regions) if !regions.is_empty() => (regions, None),
        Ok(_) => (regions::fallback(partition, home_region), None),
        Err(error) => (regions::fallback(partition, home_region), Some(error)),
    }
}

/// The results of every collection step, successful or not.
struct Parts {
    account_id: String,
    partition: String,
    alias: Result<Option<String>, CallError>,
    summary: Result<account::Summary, CallError>,
    report: Result<credential_report::CredentialReport, CallError>,
    mfa: Result<BTreeMap<String, Vec<crate::snapshot::MfaDevice>>, CallError>,
    password_policy: Result<Option<crate::snapshot::PasswordPolicy>, CallError>,
    authorization: Result<authorization::Authorization, CallError>,
    regions: Vec<String>,
    region_error: Option<CallError>,
    secrets: Result<secrets::RegionSecrets, CallError>,
}

/// Builds the snapshot from the steps' results; every failure becomes a collection error.
fn assemble(parts: Parts, api_requests: u64) -> Snapshot {
    let collected_at = Utc::now();
    let mut errors = ErrorLog::default();
    let alias = errors
        .take(parts.alias, "iam", "ListAccountAliases", vec![])
        .flatten();
    let summary = errors.take(
        parts.summary,
        "iam",
        "GetAccountSummary",
        vec![DataSection::IamRoot],
    );
    let report = errors.take(
        parts.report,
        "iam",
        "GetCredentialReport",
        vec![DataSection::IamRoot, DataSection::IamCredentials],
    );
    let mfa = errors.take(
        parts.mfa,
        "iam",
        "ListVirtualMFADevices",
        vec![DataSection::IamRoot],
    );
    let password_policy = errors
        .take(
            parts.password_policy,
            "iam",
            "GetAccountPasswordPolicy",
            vec![DataSection::IamPasswordPolicy],
        )
        .flatten();
    let authorization = errors.take(
        parts.authorization,
        "iam",
        "GetAccountAuthorizationDetails",
        vec![DataSection::IamAuthorization, DataSection::IamCredentials],
    );
    if let Some(error) = &parts.region_error {
        errors.record(
            "account",
            "ListRegions",
            error,
            // Not a gap in any rule's data: the default regions were scanned instead.
            vec![],
            Some(format!(
                "{}; scanned the regions enabled by default ({}), opt-in regions were not checked",
                error.message,
                parts.regions.len()
            )),
        );
    }
    let root_arn = format!("arn:{}:iam::{}:root", parts.partition, parts.account_id);
    let root = match (&summary, &report, &mfa) {
        (Some(summary), Some(report), Some(mfa)) => match &report.root {
            // The summary is live, the report up to four hours old: a root key created since
            // would be missed, so the root data is declared incomplete rather than clean.
            Some(row) if summary.root_access_keys_present && row.access_keys.is_empty() => {
                errors.push(root_not_available(
                    &root_arn,
                    "GetAccountSummary reports root access keys that the credential report does not list yet; scan again once AWS regenerates the report",
                ));
                None
            }
            Some(row) => Some(root_user(
                &root_arn,
                summary,
                row,
                mfa.contains_key(&root_arn),
            )),
            None => {
                errors.push(root_not_available(
                    &root_arn,
                    "the credential report has no <root_account> row",
                ));
                None
            }
        },
        _ => None,
    };
    let (users, groups, roles, policies) = match authorization {
        Some(auth) => {
            let users = users(
                auth.users,
                report.as_ref(),
                mfa.as_ref(),
                collected_at,
                &mut errors,
            );
            (users, auth.groups, auth.roles, auth.policies)
        }
        None => Default::default(),
    };
    let secrets = match parts.secrets {
        Ok(found) => {
            errors.extend(found.errors);
            found.secrets
        }
        Err(error) => {
            errors.record(
                "secretsmanager",
                "ListSecrets",
                &error,
                vec![DataSection::Secrets, DataSection::SecretResourcePolicies],
                None,
            );
            Vec::new()
        }
    };
    Snapshot {
        schema_version: SCHEMA_VERSION,
        collected_at,
        collector: Collector {
            tool: "keyward".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            regions: parts.regions,
            credential_report_generated_at: report.as_ref().and_then(|r| r.generated_at),
            api_requests: Some(api_requests),
        },
        account: Account {
            id: parts.account_id,
            alias,
            name: None,
            partition: parts.partition,
        },
        root,
        password_policy,
        users,
        groups,
        roles,
        policies,
        secrets,
        collection_errors: errors.0,
    }
}

/// The root user's data is missing or not to be trusted: its rules report *not evaluated*.
fn root_not_available(root_arn: &str, message: &str) -> CollectionError {
    CollectionError::not_available(
        "iam",
        "GetCredentialReport",
        message,
        &[DataSection::IamRoot],
    )
    .about(root_arn)
}

fn root_user(
    arn: &str,
    summary: &account::Summary,
    row: &credential_report::ReportRow,
    has_virtual_mfa: bool,
) -> RootUser {
    let mfa_enabled = summary.root_mfa_enabled || row.mfa_active;
    RootUser {
        arn: arn.to_owned(),
        mfa_enabled,
        // The account-wide list shows virtual devices only: an enabled MFA with no virtual
        // device is a hardware one (a FIDO key or a TOTP token).
        mfa_kind: mfa_enabled.then_some(if has_virtual_mfa {
            MfaKind::Virtual
        } else {
            MfaKind::Hardware
        }),
        access_keys: row.access_keys.clone(),
        password_last_used: row.password_last_used,
    }
}

/// Joins the users of the authorization details with their credential-report rows.
fn users(
    entries: Vec<authorization::UserEntry>,
    report: Option<&credential_report::CredentialReport>,
    mfa: Option<&BTreeMap<String, Vec<crate::snapshot::MfaDevice>>>,
    collected_at: Timestamp,
    errors: &mut ErrorLog,
) -> Vec<User> {
    entries
        .into_iter()
        .map(|entry| {
            let row = report.and_then(|r| r.users.get(&entry.name));
            if report.is_some() && row.is_none() {
                errors.push(
                    CollectionError::not_available(
                        "iam",
                        "GetCredentialReport",
                        format!(
                            "user {} is not in the credential report (created after the report was generated?)",
                            entry.name
                        ),
                        &[DataSection::IamCredentials],
                    )
                    .about(&entry.arn),
                );
            }
            User {
                password: row.filter(|r| r.password_enabled).map(|r| ConsolePassword {
                    enabled: true,
                    last_used: r.password_last_used,
                    last_changed: r.password_last_changed,
                }),
                mfa_active: row.is_some_and(|r| r.mfa_active),
                mfa_devices: mfa.and_then(|m| m.get(&entry.arn)).cloned().unwrap_or_default(),
                access_keys: row.map(|r| r.access_keys.clone()).unwrap_or_default(),
                // AWS always sends CreateDate; the fallback only keeps a malformed answer usable.
                created: entry.created.unwrap_or(collected_at),
                name: entry.name,
                arn: entry.arn,
                groups: entry.groups,
                attached_policies: entry.attached_policies,
                inline_policies: entry.inline_policies,
                tags: entry.tags,
            }
        })
        .collect()
}

/// The collection errors of one account, in the order they were met.
#[derive(Default)]
struct ErrorLog(Vec<CollectionError>);

impl ErrorLog {
    /// The step's value, or `None` with its failure recorded.
    fn take<T>(
        &mut self,
        result: Result<T, CallError>,
        service: &str,
        operation: &str,
        sections: Vec<DataSection>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.record(service, operation, &error, sections, None);
                None
            }
        }
    }

    fn record(
        &mut self,
        service: &str,
        operation: &str,
        error: &CallError,
        sections: Vec<DataSection>,
        message: Option<String>,
    ) {
        let error = CollectionError::from_call(service, operation, error, &sections);
        self.push(match message {
            Some(message) => error.with_message(message),
            None => error,
        });
    }

    fn push(&mut self, error: CollectionError) {
        self.0.push(error);
    }

    fn extend(&mut self, errors: Vec<CollectionError>) {
        self.0.extend(errors);
    }
}

/// A one-line progress display on stderr, for terminals only.
pub struct Progress {
    enabled: bool,
}

impl Progress {
    pub fn new(wanted: bool) -> Progress {
        Progress {
            enabled: wanted && std::io::stderr().is_terminal(),
        }
    }

    pub fn update(&self, message: &str) {
        if self.enabled {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2Kkeyward: {message}");
            let _ = stderr.flush();
        }
    }

    pub fn finish(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}

/// AWS timestamps to the snapshot's.
/// (Every SDK crate re-exports the same smithy `DateTime`.)
pub(crate) fn to_timestamp(time: &aws_sdk_iam::primitives::DateTime) -> Option<Timestamp> {
    chrono::DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{AccessKey, KeyStatus, MfaDevice};
    use account::Summary;
    use authorization::{Authorization, UserEntry};
    use credential_report::{CredentialReport, ReportRow};
    use secrets::RegionSecrets;

    const ROOT_ARN: &str = "arn:aws:iam::123456789012:root";

    fn denied() -> CallError {
        CallError {
            kind: ErrorKind::AccessDenied,
            message: "AccessDenied: not authorized".to_owned(),
            code: Some("AccessDenied".to_owned()),
        }
    }

    fn user_arn(name: &str) -> String {
        format!("arn:aws:iam::123456789012:user/{name}")
    }

    fn entry(name: &str) -> UserEntry {
        UserEntry {
            name: name.to_owned(),
            arn: user_arn(name),
            created: None,
            groups: Vec::new(),
            attached_policies: Vec::new(),
            inline_policies: Vec::new(),
            tags: BTreeMap::new(),
        }
    }

    fn active_key() -> AccessKey {
        AccessKey {
            id: None,
            status: KeyStatus::Active,
            created: "2024-01-01T00:00:00Z".parse().unwrap(),
            last_used: None,
        }
    }

    fn virtual_device(serial: &str) -> MfaDevice {
        MfaDevice {
            serial: serial.to_owned(),
            kind: MfaKind::Virtual,
            enabled_at: None,
        }
    }

    /// Every step succeeded: root has a hardware MFA and no keys, alice a password and MFA.
    fn healthy() -> Parts {
        let alice = ReportRow {
            password_enabled: true,
            mfa_active: true,
            ..ReportRow::default()
        };
        Parts {
            account_id: "123456789012".to_owned(),
            partition: "aws".to_owned(),
            alias: Ok(Some("prod".to_owned())),
            summary: Ok(Summary {
                root_mfa_enabled: true,
                root_access_keys_present: false,
            }),
            report: Ok(CredentialReport {
                generated_at: None,
                root: Some(ReportRow::default()),
                users: BTreeMap::from([("alice".to_owned(), alice)]),
            }),
            mfa: Ok(BTreeMap::from([(
                user_arn("alice"),
                vec![virtual_device("alice-phone")],
            )])),
            password_policy: Ok(None),
            authorization: Ok(Authorization {
                users: vec![entry("alice")],
                ..Authorization::default()
            }),
            regions: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
            region_error: None,
            secrets: Ok(RegionSecrets {
                secrets: Vec::new(),
                errors: Vec::new(),
            }),
        }
    }

    fn report_mut(parts: &mut Parts) -> &mut CredentialReport {
        parts.report.as_mut().ok().unwrap()
    }

    fn summary_mut(parts: &mut Parts) -> &mut Summary {
        parts.summary.as_mut().ok().unwrap()
    }

    /// Each error as (operation, sections), in the snapshot's order.
    fn gaps(snapshot: &Snapshot) -> Vec<(&str, Vec<DataSection>)> {
        snapshot
            .collection_errors
            .iter()
            .map(|e| (e.operation.as_str(), e.sections.clone()))
            .collect()
    }

    #[test]
    fn every_step_succeeding_leaves_no_gap() {
        let snapshot = assemble(healthy(), 7);
        assert!(snapshot.collection_errors.is_empty());
        let root = snapshot.root.unwrap();
        assert_eq!(root.arn, ROOT_ARN);
        assert!(root.mfa_enabled);
        assert_eq!(root.mfa_kind, Some(MfaKind::Hardware));
        let alice = &snapshot.users[0];
        assert!(alice.password.is_some() && alice.mfa_active);
        assert_eq!(alice.mfa_devices[0].serial, "alice-phone");
        assert_eq!(snapshot.account.alias.as_deref(), Some("prod"));
        assert_eq!(snapshot.collector.regions, ["eu-west-1", "us-east-1"]);
        assert_eq!(snapshot.collector.api_requests, Some(7));
    }

    /// Makes one step of healthy parts fail.
    type BreakStep = fn(&mut Parts);

    #[test]
    fn each_failed_step_names_the_sections_it_leaves_incomplete() {
        use DataSection::*;
        let cases: [(&str, Vec<DataSection>, BreakStep); 8] = [
            ("ListAccountAliases", vec![], |p| p.alias = Err(denied())),
            ("GetAccountSummary", vec![IamRoot], |p| {
                p.summary = Err(denied())
            }),
            ("GetCredentialReport", vec![IamRoot, IamCredentials], |p| {
                p.report = Err(denied())
            }),
            ("ListVirtualMFADevices", vec![IamRoot], |p| {
                p.mfa = Err(denied())
            }),
            ("GetAccountPasswordPolicy", vec![IamPasswordPolicy], |p| {
                p.password_policy = Err(denied())
            }),
            (
                "GetAccountAuthorizationDetails",
                vec![IamAuthorization, IamCredentials],
                |p| p.authorization = Err(denied()),
            ),
            ("ListRegions", vec![], |p| p.region_error = Some(denied())),
            ("ListSecrets", vec![Secrets, SecretResourcePolicies], |p| {
                p.secrets = Err(denied())
            }),
        ];
        for (operation, sections, break_step) in cases {
            let mut parts = healthy();
            break_step(&mut parts);
            let snapshot = assemble(parts, 0);
            // One error only: a step's failure must not also be reported by the joins that
            // depend on it (root reconciliation, the users' report rows).
            assert_eq!(gaps(&snapshot), [(operation, sections)], "{operation}");
            assert_eq!(
                snapshot.collection_errors[0].kind,
                ErrorKind::AccessDenied,
                "{operation}"
            );
        }
    }

    #[test]
    fn a_failed_step_leaves_the_data_that_depends_on_it_empty() {
        let mut parts = healthy();
        parts.summary = Err(denied());
        parts.password_policy = Err(denied());
        let snapshot = assemble(parts, 0);
        assert!(snapshot.root.is_none());
        assert!(snapshot.password_policy.is_none());
        assert_eq!(snapshot.users.len(), 1, "users do not need the summary");

        let mut parts = healthy();
        parts.authorization = Err(denied());
        let snapshot = assemble(parts, 0);
        assert!(snapshot.users.is_empty());
        assert!(snapshot.root.is_some(), "root does not need the details");
    }

    #[test]
    fn a_failed_mfa_list_leaves_root_out_but_keeps_the_users() {
        let mut parts = healthy();
        parts.mfa = Err(denied());
        let snapshot = assemble(parts, 0);
        assert!(snapshot.root.is_none(), "root's kind of MFA is unknown");
        assert!(snapshot.users[0].mfa_active, "from the credential report");
        assert!(snapshot.users[0].mfa_devices.is_empty());
    }

    #[test]
    fn a_report_without_a_root_row_leaves_root_not_evaluated() {
        let mut parts = healthy();
        report_mut(&mut parts).root = None;
        let snapshot = assemble(parts, 0);
        assert!(snapshot.root.is_none());
        let error = &snapshot.collection_errors[..];
        assert_eq!(
            gaps(&snapshot),
            [("GetCredentialReport", vec![DataSection::IamRoot])]
        );
        assert_eq!(error[0].kind, ErrorKind::NotAvailable);
        assert_eq!(error[0].resource.as_deref(), Some(ROOT_ARN));
        assert!(error[0].message.contains("<root_account>"));
    }

    #[test]
    fn a_root_key_the_report_does_not_list_yet_leaves_root_not_evaluated() {
        let mut parts = healthy();
        summary_mut(&mut parts).root_access_keys_present = true;
        let snapshot = assemble(parts, 0);
        assert!(
            snapshot.root.is_none(),
            "the stale report would pass as keyless"
        );
        assert_eq!(
            gaps(&snapshot),
            [("GetCredentialReport", vec![DataSection::IamRoot])]
        );
        let error = &snapshot.collection_errors[0];
        assert_eq!(error.kind, ErrorKind::NotAvailable);
        assert!(error.message.contains("scan again"), "{}", error.message);

        let mut parts = healthy();
        summary_mut(&mut parts).root_access_keys_present = true;
        report_mut(&mut parts).root.as_mut().unwrap().access_keys = vec![active_key()];
        let snapshot = assemble(parts, 0);
        assert!(snapshot.collection_errors.is_empty());
        assert_eq!(snapshot.root.unwrap().access_keys.len(), 1);
    }

    #[test]
    fn roots_kind_of_mfa_comes_from_the_virtual_device_list() {
        let mut parts = healthy();
        parts
            .mfa
            .as_mut()
            .ok()
            .unwrap()
            .insert(ROOT_ARN.to_owned(), vec![virtual_device("root-phone")]);
        assert_eq!(
            assemble(parts, 0).root.unwrap().mfa_kind,
            Some(MfaKind::Virtual)
        );

        // The report's row alone is enough to know MFA is on.
        let mut parts = healthy();
        summary_mut(&mut parts).root_mfa_enabled = false;
        report_mut(&mut parts).root.as_mut().unwrap().mfa_active = true;
        assert!(assemble(parts, 0).root.unwrap().mfa_enabled);

        let mut parts = healthy();
        summary_mut(&mut parts).root_mfa_enabled = false;
        let root = assemble(parts, 0).root.unwrap();
        assert!(!root.mfa_enabled);
        assert_eq!(root.mfa_kind, None);
    }

    #[test]
    fn a_user_missing_from_the_report_is_a_gap_in_that_users_credentials() {
        let mut parts = healthy();
        parts
            .authorization
            .as_mut()
            .ok()
            .unwrap()
            .users
            .push(entry("bob"));
        let snapshot = assemble(parts, 0);
        assert_eq!(
            gaps(&snapshot),
            [("GetCredentialReport", vec![DataSection::IamCredentials])]
        );
        let error = &snapshot.collection_errors[0];
        assert_eq!(error.kind, ErrorKind::NotAvailable);
        assert_eq!(error.resource, Some(user_arn("bob")));
        let bob = &snapshot.users[1];
        assert!(bob.password.is_none() && bob.access_keys.is_empty());
    }

    #[test]
    fn a_region_discovery_failure_says_which_regions_were_scanned_instead() {
        let mut parts = healthy();
        parts.region_error = Some(denied());
        let snapshot = assemble(parts, 0);
        let error = &snapshot.collection_errors[0];
        assert_eq!(error.service, "account");
        assert_eq!(
            error.message,
            "AccessDenied: not authorized; scanned the regions enabled by default (2), opt-in regions were not checked"
        );
    }

    #[test]
    fn errors_keep_the_order_of_the_steps() {
        let mut parts = healthy();
        parts.summary = Err(denied());
        parts.region_error = Some(denied());
        parts
            .authorization
            .as_mut()
            .ok()
            .unwrap()
            .users
            .push(entry("bob"));
        let region_gap = CollectionError::from_call(
            "secretsmanager",
            "ListSecrets",
            &denied(),
            &[DataSection::Secrets],
        )
        .in_region("eu-west-1");
        parts.secrets.as_mut().ok().unwrap().errors.push(region_gap);
        let snapshot = assemble(parts, 0);
        let operations: Vec<&str> = gaps(&snapshot).into_iter().map(|(o, _)| o).collect();
        assert_eq!(
            operations,
            [
                "GetAccountSummary",
                "ListRegions",
                "GetCredentialReport",
                "ListSecrets"
            ]
        );
    }
}
