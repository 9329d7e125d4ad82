//! IAM Access Analyzer: ListAnalyzers in one region (every type; the rules tell them apart).

use super::aws::{AwsContext, CallError, classify};
use crate::snapshot::AccessAnalyzer;

pub(super) async fn analyzers(
    aws: &AwsContext,
    region: &str,
) -> Result<Vec<AccessAnalyzer>, CallError> {
    let mut pages = aws
        .access_analyzer(region)
        .list_analyzers()
        .into_paginator()
        .send();
    let mut analyzers = Vec::new();
    while let Some(page) = pages.next().await {
        for analyzer in page.map_err(|e| classify(&e))?.analyzers() {
            analyzers.push(AccessAnalyzer {
                arn: analyzer.arn().to_owned(),
                name: analyzer.name().to_owned(),
                region: region.to_owned(),
                analyzer_type: analyzer.r#type().as_str().to_owned(),
                status: analyzer.status().as_str().to_owned(),
                inherited_from: None,
            });
        }
    }
    Ok(analyzers)
}
