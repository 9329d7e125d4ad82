//! CloudTrail: DescribeTrails in every scanned region (a multi-region or organization trail
//! shows in each; single-region trails only in their own), then for each trail, once, in its
//! home region: GetTrailStatus and GetEventSelectors. Calls per trail, never per user or secret.

use std::collections::BTreeMap;

use aws_sdk_cloudtrail::types::{AdvancedEventSelector as SdkAdvanced, EventSelector as SdkBasic};
use futures_util::future::join_all;

use super::aws::{AwsContext, CallError, classify};
use super::collection_error::collapse;
use crate::snapshot::{
    AdvancedEventSelector, CollectionError, DataSection, EventSelector, FieldSelector, Trail,
};

const SERVICE: &str = "cloudtrail";

/// The trails of the account, with what could not be read.
pub(super) struct Trails {
    pub trails: Vec<Trail>,
    pub errors: Vec<CollectionError>,
}

/// Every trail the scanned regions show, each once, with its status and event selectors.
pub(super) async fn collect(aws: &AwsContext, regions: &[String]) -> Trails {
    let (described, mut errors) = describe_everywhere(aws, regions).await;
    let mut trails: Vec<Trail> = described.values().filter_map(trail).collect();
    let (status_errors, selector_errors) = complete(aws, &mut trails).await;
    errors.extend(collapse(status_errors, trails.len(), "trails"));
    errors.extend(collapse(selector_errors, trails.len(), "trails"));
    Trails { trails, errors }
}

/// DescribeTrails in every region, shadow copies included, the trails by ARN. A region that
/// fails hides its single-region trails only; when every region fails, no trail is known.
async fn describe_everywhere(
    aws: &AwsContext,
    regions: &[String],
) -> (
    BTreeMap<String, aws_sdk_cloudtrail::types::Trail>,
    Vec<CollectionError>,
) {
    let calls = regions.iter().map(|region| async move {
        let result = aws
            .cloudtrail(region)
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|e| classify(&e));
        (region, result)
    });
    let mut trails = BTreeMap::new();
    let mut errors = Vec::new();
    for (region, result) in join_all(calls).await {
        match result {
            Ok(output) => {
                for trail in output.trail_list() {
                    if let Some(arn) = trail.trail_arn() {
                        trails
                            .entry(arn.to_owned())
                            .or_insert_with(|| trail.clone());
                    }
                }
            }
            Err(error) => errors.push(
                CollectionError::from_call(
                    SERVICE,
                    "DescribeTrails",
                    &error,
                    &[DataSection::CloudTrailTrails],
                )
                .in_region(region),
            ),
        }
    }
    // A multi-region trail shows in every region, so one region's failure leaves only its
    // single-region trails unknown; when every scanned region failed (a single one included),
    // nothing is known of the account's trails and the errors are the account's.
    let every_region_failed = !errors.is_empty() && errors.len() == regions.len();
    let errors = collapse(errors, regions.len(), "regions");
    let errors = if every_region_failed {
        errors
            .into_iter()
            .map(|error| CollectionError {
                region: None,
                ..error
            })
            .collect()
    } else {
        errors
    };
    (trails, errors)
}

fn trail(sdk: &aws_sdk_cloudtrail::types::Trail) -> Option<Trail> {
    Some(Trail {
        arn: sdk.trail_arn()?.to_owned(),
        name: sdk.name().unwrap_or_default().to_owned(),
        home_region: sdk.home_region().unwrap_or_default().to_owned(),
        multi_region: sdk.is_multi_region_trail().unwrap_or(false),
        organization: sdk.is_organization_trail().unwrap_or(false),
        include_global_service_events: sdk.include_global_service_events().unwrap_or(false),
        log_file_validation: sdk.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: sdk.kms_key_id().map(str::to_owned),
        s3_bucket: sdk.s3_bucket_name().map(str::to_owned),
        cloudwatch_logs_log_group_arn: sdk.cloud_watch_logs_log_group_arn().map(str::to_owned),
        logging: false,
        latest_cloudwatch_logs_delivery_error: None,
        event_selectors: Vec::new(),
        advanced_event_selectors: Vec::new(),
        bucket: None,
        inherited_from: None,
    })
}

/// GetTrailStatus and GetEventSelectors of every trail, by ARN in its home region (the ARN is
/// what AWS asks of a member account reading an organization trail). Returns the errors of
/// each operation, about the trail.
async fn complete(
    aws: &AwsContext,
    trails: &mut [Trail],
) -> (Vec<CollectionError>, Vec<CollectionError>) {
    let calls = trails.iter().map(|trail| {
        let client = aws.cloudtrail(&trail.home_region);
        let arn = trail.arn.clone();
        async move {
            let status = client.get_trail_status().name(&arn).send();
            let selectors = client.get_event_selectors().trail_name(&arn).send();
            let (status, selectors) = tokio::join!(status, selectors);
            (
                status.map_err(|e| classify(&e)),
                selectors.map_err(|e| classify(&e)),
            )
        }
    });
    let results = join_all(calls).await;
    let mut status_errors = Vec::new();
    let mut selector_errors = Vec::new();
    for (trail, (status, selectors)) in trails.iter_mut().zip(results) {
        match status {
            Ok(status) => {
                trail.logging = status.is_logging().unwrap_or(false);
                trail.latest_cloudwatch_logs_delivery_error = status
                    .latest_cloud_watch_logs_delivery_error()
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned);
            }
            Err(error) => status_errors.push(about_trail(
                trail,
                "GetTrailStatus",
                &error,
                DataSection::CloudTrailStatus,
            )),
        }
        match selectors {
            Ok(output) => {
                trail.event_selectors = output.event_selectors().iter().map(basic).collect();
                trail.advanced_event_selectors = output
                    .advanced_event_selectors()
                    .iter()
                    .map(advanced)
                    .collect();
            }
            Err(error) => selector_errors.push(about_trail(
                trail,
                "GetEventSelectors",
                &error,
                DataSection::CloudTrailEventSelectors,
            )),
        }
    }
    (status_errors, selector_errors)
}

fn about_trail(
    trail: &Trail,
    operation: &str,
    error: &CallError,
    section: DataSection,
) -> CollectionError {
    CollectionError::from_call(SERVICE, operation, error, &[section])
        .in_region(&trail.home_region)
        .about(&trail.arn)
}

fn basic(selector: &SdkBasic) -> EventSelector {
    EventSelector {
        read_write_type: selector
            .read_write_type()
            .map_or("All", |t| t.as_str())
            .to_owned(),
        // AWS's default when the field is absent.
        include_management_events: selector.include_management_events().unwrap_or(true),
        exclude_management_event_sources: selector.exclude_management_event_sources().to_vec(),
    }
}

fn advanced(selector: &SdkAdvanced) -> AdvancedEventSelector {
    AdvancedEventSelector {
        name: selector.name().map(str::to_owned),
        field_selectors: selector
            .field_selectors()
            .iter()
            .map(|f| FieldSelector {
                field: f.field().to_owned(),
                equals: f.equals().to_vec(),
                starts_with: f.starts_with().to_vec(),
                ends_with: f.ends_with().to_vec(),
                not_equals: f.not_equals().to_vec(),
                not_starts_with: f.not_starts_with().to_vec(),
                not_ends_with: f.not_ends_with().to_vec(),
            })
            .collect(),
    }
}
