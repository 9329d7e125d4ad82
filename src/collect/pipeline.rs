//! Collecting one account: the steps run concurrently under one deadline, then are joined into
//! a snapshot.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::aws::{AwsContext, CallError};
use super::progress::Progress;
use super::{
    account, authorization, credential_report, detective, join, organization, regions, secrets,
};
use crate::snapshot::{ErrorKind, Snapshot};

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
    /// Where progress is shown (stderr: bars, lines, or nothing).
    pub progress: Progress,
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
    let progress = &options.progress;
    let deadline = Instant::now() + options.deadline;
    let identity = account::identity(&aws.sts())
        .await
        .map_err(|e| IdentityError(e.message))?;
    let id = identity.account_id.as_str();
    progress.stage(id, "collecting IAM and the account's regions");
    let iam = aws.iam();
    let home_region = aws.home_region();
    let organizations = aws.organizations();
    let (
        alias,
        summary,
        report,
        mfa,
        password_policy,
        authorization,
        organization,
        (regions, region_error),
    ) = tokio::join!(
        within(deadline, account::alias(&iam)),
        within(deadline, account::summary(&iam)),
        within(deadline, credential_report::fetch(&iam)),
        within(deadline, account::virtual_mfa_devices(&iam)),
        within(deadline, account::password_policy(&iam)),
        within(deadline, authorization::fetch(&iam)),
        within(deadline, organization::describe(&organizations)),
        choose_regions(aws, options, &identity.partition, &home_region, deadline),
    );
    progress.regions(id, regions.len());
    progress.stage(id, "IAM collected; listing secrets and detective controls");
    let (secrets, detective) = tokio::join!(
        within(deadline, async {
            Ok::<_, CallError>(
                secrets::collect(
                    aws,
                    &regions,
                    options.region_concurrency,
                    options.call_concurrency,
                    &progress.for_account(id),
                )
                .await,
            )
        }),
        within(deadline, async {
            Ok::<_, CallError>(
                detective::collect(aws, &identity.account_id, &identity.partition, &regions).await,
            )
        }),
    );
    progress.account_done(id);
    let parts = join::Parts {
        account_id: identity.account_id,
        partition: identity.partition,
        alias,
        summary,
        report,
        mfa,
        password_policy,
        authorization,
        organization,
        regions,
        region_error,
        secrets,
        detective,
    };
    Ok(join::assemble(parts, aws.counter.total()))
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
