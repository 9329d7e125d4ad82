//! Who can read a trail's log bucket: GetBucketLocation (to call S3 in the bucket's region),
//! then GetBucketPolicyStatus, GetBucketAcl, GetPublicAccessBlock and GetBucketLogging. Only
//! for the trails the account owns, each bucket once.

use std::collections::BTreeMap;

use aws_sdk_s3::error::ProvideErrorMetadata;
use futures_util::future::join_all;

use super::aws::{AwsContext, CallError, classify};
use super::collection_error::collapse;
use crate::snapshot::{CollectionError, DataSection, PublicAccessBlock, Trail, TrailBucket};

const SERVICE: &str = "s3";

/// The URIs of the ACL groups that make a grant public.
const PUBLIC_GROUPS: [(&str, &str); 2] = [
    (
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "AllUsers",
    ),
    (
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
        "AuthenticatedUsers",
    ),
];

/// Fills in `bucket` of the owned trails; returns the errors, about the trails.
pub(super) async fn collect(
    aws: &AwsContext,
    account_id: &str,
    trails: &mut [Trail],
) -> Vec<CollectionError> {
    let mut owners: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, trail) in trails.iter().enumerate() {
        if let (Some(bucket), true) = (&trail.s3_bucket, owned(trail, account_id)) {
            owners.entry(bucket.clone()).or_default().push(index);
        }
    }
    let home = aws.home_region();
    let reads = owners
        .keys()
        .map(|bucket| async { (bucket.clone(), read(aws, &home, bucket).await) });
    let mut errors = Vec::new();
    for (bucket, result) in join_all(reads).await {
        for &index in &owners[&bucket] {
            match &result {
                Ok(read) => trails[index].bucket = Some(read.clone()),
                Err((operation, error)) => errors.push(
                    CollectionError::from_call(
                        SERVICE,
                        operation,
                        error,
                        &[DataSection::CloudTrailBucket],
                    )
                    .about(&trails[index].arn),
                ),
            }
        }
    }
    let owned_with_bucket = owners.values().map(Vec::len).sum();
    collapse(errors, owned_with_bucket, "trail buckets")
}

fn owned(trail: &Trail, account_id: &str) -> bool {
    trail.arn.split(':').nth(4) == Some(account_id)
}

type Failed = (&'static str, CallError);

async fn read(aws: &AwsContext, home: &str, bucket: &str) -> Result<TrailBucket, Failed> {
    let location = aws
        .s3(home)
        .get_bucket_location()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| ("GetBucketLocation", classify(&e)))?;
    // No constraint means us-east-1; "EU" is the old name of eu-west-1.
    let region = match location.location_constraint().map(|c| c.as_str()) {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(region) => region.to_owned(),
    };
    let s3 = aws.s3(&region);
    let (policy, acl, block, logging) = tokio::join!(
        s3.get_bucket_policy_status().bucket(bucket).send(),
        s3.get_bucket_acl().bucket(bucket).send(),
        s3.get_public_access_block().bucket(bucket).send(),
        s3.get_bucket_logging().bucket(bucket).send(),
    );
    let policy_public = match policy {
        Ok(output) => output
            .policy_status()
            .and_then(|s| s.is_public())
            .unwrap_or(false),
        Err(e) if e.code() == Some("NoSuchBucketPolicy") => false,
        Err(e) => return Err(("GetBucketPolicyStatus", classify(&e))),
    };
    let acl = acl.map_err(|e| ("GetBucketAcl", classify(&e)))?;
    let public_acl_grants = acl
        .grants()
        .iter()
        .filter_map(|grant| {
            let uri = grant.grantee()?.uri()?;
            let (_, group) = PUBLIC_GROUPS.iter().find(|(u, _)| *u == uri)?;
            let permission = grant.permission().map_or("?", |p| p.as_str());
            Some(format!("{group}:{permission}"))
        })
        .collect();
    let public_access_block = match block {
        Ok(output) => output
            .public_access_block_configuration()
            .map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            }),
        Err(e) if e.code() == Some("NoSuchPublicAccessBlockConfiguration") => None,
        Err(e) => return Err(("GetPublicAccessBlock", classify(&e))),
    };
    let logging = logging.map_err(|e| ("GetBucketLogging", classify(&e)))?;
    Ok(TrailBucket {
        name: bucket.to_owned(),
        policy_public,
        public_acl_grants,
        public_access_block,
        access_logging: logging.logging_enabled().is_some(),
    })
}
