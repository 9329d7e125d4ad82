//! The regions whose secrets are listed: the account's enabled regions (account:ListRegions),
//! `--region` when given, or a documented fallback when discovery is not permitted.

use aws_sdk_account::types::RegionOptStatus;

use super::aws::{CallError, classify};

/// The commercial regions that every account has enabled by default (no opt-in needed).
/// Used when ListRegions is denied; opt-in regions are then not scanned, and the snapshot
/// says so in its collection errors.
pub const DEFAULT_ENABLED_REGIONS: [&str; 17] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "sa-east-1",
];

/// The enabled regions of the account, sorted.
pub async fn enabled(account: &aws_sdk_account::Client) -> Result<Vec<String>, CallError> {
    let mut pages = account
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .max_results(50)
        .into_paginator()
        .send();
    let mut regions = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify(&e))?;
        regions.extend(
            page.regions()
                .iter()
                .filter_map(|r| r.region_name().map(str::to_owned)),
        );
    }
    regions.sort();
    Ok(regions)
}

/// The fallback for a partition: the default list in the commercial partition, else only the
/// home region (GovCloud and China have their own, short region lists).
pub fn fallback(partition: &str, home_region: &str) -> Vec<String> {
    if partition == "aws" {
        DEFAULT_ENABLED_REGIONS
            .iter()
            .map(|r| (*r).to_owned())
            .collect()
    } else {
        vec![home_region.to_owned()]
    }
}
