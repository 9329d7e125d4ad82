//! Live collection: reads one AWS account, read-only, into a `Snapshot`. Every call that fails
//! becomes a collection error naming the snapshot sections it leaves incomplete, so the rules
//! that need them report *not evaluated* instead of passing on missing data.

mod account;
pub mod authorization;
pub mod aws;
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
    CollectionError {
        sections: vec![DataSection::IamRoot],
        service: "iam".to_owned(),
        operation: "GetCredentialReport".to_owned(),
        region: None,
        resource: Some(root_arn.to_owned()),
        kind: ErrorKind::NotAvailable,
        message: message.to_owned(),
    }
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
                errors.push(CollectionError {
                    sections: vec![DataSection::IamCredentials],
                    service: "iam".to_owned(),
                    operation: "GetCredentialReport".to_owned(),
                    region: None,
                    resource: Some(entry.arn.clone()),
                    kind: ErrorKind::NotAvailable,
                    message: format!(
                        "user {} is not in the credential report (created after the report was generated?)",
                        entry.name
                    ),
                });
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
        self.push(CollectionError {
            sections,
            service: service.to_owned(),
            operation: operation.to_owned(),
            region: None,
            resource: None,
            kind: error.kind,
            message: message.unwrap_or_else(|| error.message.clone()),
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
