//! The detective controls of one account: CloudTrail (with the trail buckets), GuardDuty and
//! IAM Access Analyzer in every scanned region, the metric filters and alarms on the trails'
//! log groups, and Cost Anomaly Detection. A fixed handful of calls per region, per trail and
//! per log group: nothing grows with the number of users or secrets.

use futures_util::future::join_all;

use super::aws::{AwsContext, CallError};
use super::collection_error::collapse;
use super::{access_analyzer, alarms, cloudtrail, cost_anomaly, guardduty, trail_bucket};
use crate::snapshot::{CollectionError, CostAnomalyDetection, DataSection, Detective};

/// The detective section and what could not be read for it.
pub(super) struct DetectiveFound {
    pub detective: Detective,
    pub errors: Vec<CollectionError>,
}

pub(super) async fn collect(
    aws: &AwsContext,
    account_id: &str,
    partition: &str,
    regions: &[String],
) -> DetectiveFound {
    let (trails, regional, cost) = tokio::join!(
        cloudtrail::collect(aws, regions),
        regional(aws, regions),
        cost_anomaly::collect(aws, partition),
    );
    let mut errors = trails.errors;
    let mut trails = trails.trails;
    errors.extend(trail_bucket::collect(aws, account_id, &mut trails).await);
    let alarms = alarms::collect(aws, account_id, &trails).await;
    errors.extend(alarms.errors);
    let (guardduty_detectors, access_analyzers, regional_errors) = regional;
    errors.extend(regional_errors);
    let cost_anomaly = cost.unwrap_or_else(|error| {
        errors.push(CollectionError::from_call(
            "ce",
            "GetAnomalyMonitors",
            &error,
            &[DataSection::CostAnomalyDetection],
        ));
        CostAnomalyDetection::default()
    });
    DetectiveFound {
        detective: Detective {
            trails,
            guardduty_detectors,
            access_analyzers,
            metric_filters: alarms.metric_filters,
            alarms: alarms.alarms,
            cost_anomaly,
        },
        errors,
    }
}

type Regional = (
    Vec<crate::snapshot::GuardDutyDetector>,
    Vec<crate::snapshot::AccessAnalyzer>,
    Vec<CollectionError>,
);

/// GuardDuty detectors and Access Analyzer analyzers of every region; a region that fails
/// leaves only that region's part incomplete.
async fn regional(aws: &AwsContext, regions: &[String]) -> Regional {
    let reads = regions.iter().map(|region| async move {
        let (detectors, analyzers) = tokio::join!(
            guardduty::detectors(aws, region),
            access_analyzer::analyzers(aws, region)
        );
        (region, detectors, analyzers)
    });
    let (mut detectors, mut analyzers) = (Vec::new(), Vec::new());
    let (mut detector_errors, mut analyzer_errors) = (Vec::new(), Vec::new());
    for (region, found_detectors, found_analyzers) in join_all(reads).await {
        match found_detectors {
            Ok(found) => detectors.extend(found),
            Err(error) => detector_errors.push(regional_error(
                "guardduty",
                "ListDetectors",
                &error,
                DataSection::GuardDutyDetectors,
                region,
            )),
        }
        match found_analyzers {
            Ok(found) => analyzers.extend(found),
            Err(error) => analyzer_errors.push(regional_error(
                "access-analyzer",
                "ListAnalyzers",
                &error,
                DataSection::AccessAnalyzers,
                region,
            )),
        }
    }
    let mut errors = collapse(detector_errors, regions.len(), "regions");
    errors.extend(collapse(analyzer_errors, regions.len(), "regions"));
    (detectors, analyzers, errors)
}

fn regional_error(
    service: &str,
    operation: &str,
    error: &CallError,
    section: DataSection,
    region: &str,
) -> CollectionError {
    CollectionError::from_call(service, operation, error, &[section]).in_region(region)
}
