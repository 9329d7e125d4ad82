//! GuardDuty: ListDetectors and GetDetector in one region (an account has at most one
//! detector per region).

use super::aws::{AwsContext, CallError, classify};
use crate::snapshot::GuardDutyDetector;

pub(super) async fn detectors(
    aws: &AwsContext,
    region: &str,
) -> Result<Vec<GuardDutyDetector>, CallError> {
    let client = aws.guardduty(region);
    let mut ids = Vec::new();
    let mut pages = client.list_detectors().into_paginator().send();
    while let Some(page) = pages.next().await {
        ids.extend(
            page.map_err(|e| classify(&e))?
                .detector_ids()
                .iter()
                .cloned(),
        );
    }
    let mut detectors = Vec::new();
    for id in ids {
        let detector = client
            .get_detector()
            .detector_id(&id)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        detectors.push(GuardDutyDetector {
            status: detector.status().map_or("", |s| s.as_str()).to_owned(),
            region: region.to_owned(),
            id,
        });
    }
    Ok(detectors)
}
