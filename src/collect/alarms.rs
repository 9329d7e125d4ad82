//! The alarms on the trails' log groups: DescribeMetricFilters on each log group a trail
//! delivers to (in the log group's region), then DescribeAlarms in those regions, keeping the
//! alarms on the filters' metrics. Calls per log group and per region, never per user or secret.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::join_all;

use super::aws::{AwsContext, CallError, classify};
use crate::snapshot::{
    CollectionError, DataSection, MetricAlarm, MetricFilter, MetricName, PatternReading, Trail,
};

/// Metric filters and the alarms on their metrics, with what could not be read.
pub(super) struct Alarms {
    pub metric_filters: Vec<MetricFilter>,
    pub alarms: Vec<MetricAlarm>,
    pub errors: Vec<CollectionError>,
}

/// A log group named by a trail: `arn:<partition>:logs:<region>:<account>:log-group:<name>`.
struct LogGroup {
    arn: String,
    region: String,
    account: String,
    name: String,
}

impl LogGroup {
    fn of(trail_value: &str) -> Option<LogGroup> {
        let arn = trail_value.trim_end_matches(":*");
        let parts: Vec<&str> = arn.splitn(7, ':').collect();
        match parts.as_slice() {
            [_, _, "logs", region, account, "log-group", name] => Some(LogGroup {
                arn: arn.to_owned(),
                region: (*region).to_owned(),
                account: (*account).to_owned(),
                name: (*name).to_owned(),
            }),
            _ => None,
        }
    }
}

pub(super) async fn collect(aws: &AwsContext, account_id: &str, trails: &[Trail]) -> Alarms {
    let groups: BTreeMap<String, LogGroup> = trails
        .iter()
        .filter_map(|t| t.cloudwatch_logs_log_group_arn.as_deref())
        .filter_map(LogGroup::of)
        .map(|g| (g.arn.clone(), g))
        .collect();
    let mut errors = Vec::new();
    let (own, elsewhere): (Vec<&LogGroup>, Vec<&LogGroup>) =
        groups.values().partition(|g| g.account == account_id);
    // Metric filters cannot be read across accounts: an organization trail's log group is read
    // in the account that owns it (`--org` brings its filters here).
    errors.extend(elsewhere.iter().map(|g| {
        CollectionError::not_available(
            "logs",
            "DescribeMetricFilters",
            format!(
                "log group {} belongs to account {}: its metric filters are read there (scan the organization with --org)",
                g.name, g.account
            ),
            &[DataSection::MetricFilters],
        )
        .in_region(&g.region)
        .about(&g.arn)
    }));
    let reads = own
        .iter()
        .map(|g| async move { (*g, metric_filters(aws, g).await) });
    let mut metric_filters = Vec::new();
    for (group, result) in join_all(reads).await {
        match result {
            Ok(filters) => metric_filters.extend(filters),
            Err(error) => errors.push(
                CollectionError::from_call(
                    "logs",
                    "DescribeMetricFilters",
                    &error,
                    &[DataSection::MetricFilters],
                )
                .in_region(&group.region)
                .about(&group.arn),
            ),
        }
    }
    let regions: BTreeSet<&str> = own.iter().map(|g| g.region.as_str()).collect();
    let metrics: BTreeSet<&MetricName> = metric_filters.iter().flat_map(|f| &f.metrics).collect();
    let reads = regions
        .iter()
        .map(|region| async move { (*region, alarms(aws, region).await) });
    let mut watching = Vec::new();
    for (region, result) in join_all(reads).await {
        match result {
            Ok(found) => watching.extend(
                found
                    .into_iter()
                    .filter(|a| a.metrics.iter().any(|m| metrics.contains(m))),
            ),
            Err(error) => errors.push(
                CollectionError::from_call(
                    "cloudwatch",
                    "DescribeAlarms",
                    &error,
                    &[DataSection::Alarms],
                )
                .in_region(region),
            ),
        }
    }
    Alarms {
        metric_filters,
        alarms: watching,
        errors,
    }
}

async fn metric_filters(
    aws: &AwsContext,
    group: &LogGroup,
) -> Result<Vec<MetricFilter>, CallError> {
    let mut pages = aws
        .logs(&group.region)
        .describe_metric_filters()
        .log_group_name(&group.name)
        .into_paginator()
        .send();
    let mut filters = Vec::new();
    while let Some(page) = pages.next().await {
        for filter in page.map_err(|e| classify(&e))?.metric_filters() {
            let pattern = filter.filter_pattern().unwrap_or_default().to_owned();
            filters.push(MetricFilter {
                name: filter.filter_name().unwrap_or_default().to_owned(),
                log_group_arn: group.arn.clone(),
                reading: PatternReading::of(&pattern),
                pattern,
                metrics: filter
                    .metric_transformations()
                    .iter()
                    .map(|t| MetricName {
                        namespace: t.metric_namespace().to_owned(),
                        name: t.metric_name().to_owned(),
                    })
                    .collect(),
                inherited_from: None,
            });
        }
    }
    Ok(filters)
}

async fn alarms(aws: &AwsContext, region: &str) -> Result<Vec<MetricAlarm>, CallError> {
    let mut pages = aws
        .cloudwatch(region)
        .describe_alarms()
        .into_paginator()
        .send();
    let mut alarms = Vec::new();
    while let Some(page) = pages.next().await {
        for alarm in page.map_err(|e| classify(&e))?.metric_alarms() {
            alarms.push(MetricAlarm {
                arn: alarm.alarm_arn().unwrap_or_default().to_owned(),
                name: alarm.alarm_name().unwrap_or_default().to_owned(),
                region: region.to_owned(),
                metrics: watched_metrics(alarm),
                actions_enabled: alarm.actions_enabled().unwrap_or(false),
                alarm_actions: alarm.alarm_actions().to_vec(),
                inherited_from: None,
            });
        }
    }
    Ok(alarms)
}

/// The metric an alarm watches, or those its metric math reads.
fn watched_metrics(alarm: &aws_sdk_cloudwatch::types::MetricAlarm) -> Vec<MetricName> {
    let single = alarm
        .metric_name()
        .zip(alarm.namespace())
        .map(|(name, namespace)| MetricName {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        });
    let queried = alarm.metrics().iter().filter_map(|query| {
        let metric = query.metric_stat()?.metric()?;
        Some(MetricName {
            namespace: metric.namespace()?.to_owned(),
            name: metric.metric_name()?.to_owned(),
        })
    });
    single.into_iter().chain(queried).collect()
}
