//! Secrets Manager: ListSecrets per region (rotation fields come with it) and the resource
//! policy of each secret. Never GetSecretValue: keyward has no use for a value and must not
//! be able to leak one.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_secretsmanager::types::SecretListEntry;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::aws::{AwsContext, CallError, classify};
use super::progress::AccountProgress;
use crate::snapshot::{CollectionError, DataSection, Rotation, RotationRules, Secret};

/// The service name collection errors give.
const SERVICE: &str = "secretsmanager";

/// ListSecrets' largest page.
const PAGE_SIZE: i32 = 100;

/// The secrets of one region, and what could not be read there.
pub struct RegionSecrets {
    pub secrets: Vec<Secret>,
    pub errors: Vec<CollectionError>,
}

/// Lists every region's secrets, `region_concurrency` regions at a time, with at most
/// `call_concurrency` resource-policy calls in flight across all regions.
pub async fn collect(
    aws: &AwsContext,
    regions: &[String],
    region_concurrency: usize,
    call_concurrency: usize,
    progress: &AccountProgress,
) -> RegionSecrets {
    let region_slots = Arc::new(Semaphore::new(region_concurrency.max(1)));
    let call_slots = Arc::new(Semaphore::new(call_concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for region in regions {
        let client = aws.secrets(region);
        let region = region.clone();
        let region_slots = region_slots.clone();
        let call_slots = call_slots.clone();
        let progress = progress.clone();
        tasks.spawn(async move {
            let _slot = region_slots.acquire_owned().await.expect("semaphore open");
            collect_region(&client, &region, call_slots, &progress).await
        });
    }
    let mut all = RegionSecrets {
        secrets: Vec::new(),
        errors: Vec::new(),
    };
    while let Some(result) = tasks.join_next().await {
        let region = result.expect("a region task does not panic");
        progress.region_done();
        all.secrets.extend(region.secrets);
        all.errors.extend(region.errors);
    }
    // Regions finish in any order; snapshots should not depend on it.
    all.secrets
        .sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
    all.errors
        .sort_by(|a, b| (&a.region, &a.resource).cmp(&(&b.region, &b.resource)));
    all
}

async fn collect_region(
    client: &aws_sdk_secretsmanager::Client,
    region: &str,
    call_slots: Arc<Semaphore>,
    progress: &AccountProgress,
) -> RegionSecrets {
    let entries = match list(client).await {
        Ok(entries) => entries,
        Err(error) => {
            return RegionSecrets {
                secrets: Vec::new(),
                errors: vec![
                    CollectionError::from_call(
                        SERVICE,
                        "ListSecrets",
                        &error,
                        &[DataSection::Secrets, DataSection::SecretResourcePolicies],
                    )
                    .in_region(region),
                ],
            };
        }
    };
    let mut secrets: Vec<Secret> = entries.iter().map(|e| secret(e, region)).collect();
    progress.calls_queued(secrets.len());
    let policies = resource_policies(client, &secrets, call_slots, progress).await;
    let mut failures = Vec::new();
    for (secret, policy) in secrets.iter_mut().zip(policies) {
        match policy {
            Ok(policy) => secret.resource_policy = policy,
            Err(error) => failures.push((secret.arn.clone(), error)),
        }
    }
    RegionSecrets {
        errors: policy_errors(region, secrets.len(), failures),
        secrets,
    }
}

async fn list(client: &aws_sdk_secretsmanager::Client) -> Result<Vec<SecretListEntry>, CallError> {
    // Secrets scheduled for deletion too: they are reported as such instead of vanishing, and a
    // restore brings them back with their old rotation and policy.
    let mut pages = client
        .list_secrets()
        .include_planned_deletion(true)
        .max_results(PAGE_SIZE)
        .into_paginator()
        .send();
    let mut entries = Vec::new();
    while let Some(page) = pages.next().await {
        entries.extend(
            page.map_err(|e| classify(&e))?
                .secret_list()
                .iter()
                .cloned(),
        );
    }
    Ok(entries)
}

/// One GetResourcePolicy per secret (there is no bulk call), run concurrently; results come
/// back in the secrets' order.
async fn resource_policies(
    client: &aws_sdk_secretsmanager::Client,
    secrets: &[Secret],
    call_slots: Arc<Semaphore>,
    progress: &AccountProgress,
) -> Vec<Result<Option<serde_json::Value>, CallError>> {
    let mut tasks = JoinSet::new();
    for (index, secret) in secrets.iter().enumerate() {
        let client = client.clone();
        let arn = secret.arn.clone();
        let call_slots = call_slots.clone();
        tasks.spawn(async move {
            let _slot = call_slots.acquire_owned().await.expect("semaphore open");
            let result = client.get_resource_policy().secret_id(arn).send().await;
            let policy = result
                .map(|output| {
                    output
                        .resource_policy()
                        .map(super::authorization::policy_document)
                })
                .map_err(|e| classify(&e));
            (index, policy)
        });
    }
    let mut results: BTreeMap<usize, _> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (index, policy) = joined.expect("a policy task does not panic");
        progress.call_done();
        results.insert(index, policy);
    }
    results.into_values().collect()
}

/// One error per secret whose policy could not be read, or one for the region when every
/// policy call there failed alike.
fn policy_errors(
    region: &str,
    secrets: usize,
    failures: Vec<(String, CallError)>,
) -> Vec<CollectionError> {
    let errors = failures
        .iter()
        .map(|(arn, error)| {
            CollectionError::from_call(
                SERVICE,
                "GetResourcePolicy",
                error,
                &[DataSection::SecretResourcePolicies],
            )
            .in_region(region)
            .about(arn)
        })
        .collect();
    super::collection_error::collapse(errors, secrets, "secrets")
}

fn secret(entry: &SecretListEntry, region: &str) -> Secret {
    let ts = |d: Option<&aws_sdk_secretsmanager::primitives::DateTime>| {
        d.and_then(super::aws::to_timestamp)
    };
    Secret {
        arn: entry.arn().unwrap_or_default().to_owned(),
        name: entry.name().unwrap_or_default().to_owned(),
        region: region.to_owned(),
        description: entry.description().map(str::to_owned),
        created: ts(entry.created_date()),
        last_changed: ts(entry.last_changed_date()),
        last_accessed: ts(entry.last_accessed_date()),
        rotation: Rotation {
            enabled: entry.rotation_enabled().unwrap_or(false),
            lambda_arn: entry.rotation_lambda_arn().map(str::to_owned),
            rules: entry.rotation_rules().map(|rules| RotationRules {
                automatically_after_days: rules.automatically_after_days().map(|d| d.max(0) as u32),
                schedule_expression: rules.schedule_expression().map(str::to_owned),
                duration: rules.duration().map(str::to_owned),
            }),
            last_rotated: ts(entry.last_rotated_date()),
            next_rotation: ts(entry.next_rotation_date()),
        },
        kms_key_id: entry.kms_key_id().map(str::to_owned),
        owning_service: entry.owning_service().map(str::to_owned),
        tags: entry
            .tags()
            .iter()
            .filter_map(|t| {
                Some((
                    t.key()?.to_owned(),
                    t.value().unwrap_or_default().to_owned(),
                ))
            })
            .collect(),
        resource_policy: None,
        deleted_date: ts(entry.deleted_date()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::ErrorKind;

    fn failure(arn: &str, kind: ErrorKind) -> (String, CallError) {
        let error = CallError {
            kind,
            message: format!("{kind:?} on {arn}"),
            code: None,
        };
        (arn.to_owned(), error)
    }

    #[test]
    fn a_region_where_every_policy_call_failed_alike_has_one_error() {
        let failures = vec![
            failure("arn:a", ErrorKind::AccessDenied),
            failure("arn:b", ErrorKind::AccessDenied),
        ];
        let errors = policy_errors("eu-west-1", 2, failures);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "all 2 secrets: AccessDenied on arn:a");
        assert_eq!(errors[0].region.as_deref(), Some("eu-west-1"));
        assert_eq!(errors[0].resource, None, "the whole region is incomplete");
        assert_eq!(errors[0].sections, [DataSection::SecretResourcePolicies]);
    }

    #[test]
    fn failures_that_differ_or_spare_a_secret_are_reported_per_secret() {
        let mixed = vec![
            failure("arn:a", ErrorKind::AccessDenied),
            failure("arn:b", ErrorKind::Timeout),
        ];
        let errors = policy_errors("eu-west-1", 2, mixed);
        let resources: Vec<_> = errors.iter().map(|e| e.resource.as_deref()).collect();
        assert_eq!(resources, [Some("arn:a"), Some("arn:b")]);
        assert_eq!(errors[1].kind, ErrorKind::Timeout);

        let some = vec![
            failure("arn:a", ErrorKind::AccessDenied),
            failure("arn:b", ErrorKind::AccessDenied),
        ];
        assert_eq!(policy_errors("eu-west-1", 3, some).len(), 2);
    }
}
