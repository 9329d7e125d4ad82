//! Cost Anomaly Detection: GetAnomalyMonitors and GetAnomalySubscriptions (Cost Explorer is
//! global: two calls per account, paged).

use aws_sdk_costexplorer::types::{Dimension, Expression};

use super::aws::{AwsContext, CallError, classify};
use crate::snapshot::{
    AnomalyMonitor, AnomalySubscriber, AnomalySubscription, CostAnomalyDetection,
};

pub(super) async fn collect(
    aws: &AwsContext,
    partition: &str,
) -> Result<CostAnomalyDetection, CallError> {
    let client = aws.cost_explorer(partition);
    let mut monitors = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .get_anomaly_monitors()
            .set_next_page_token(token)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        monitors.extend(page.anomaly_monitors().iter().map(|m| {
            AnomalyMonitor {
                arn: m.monitor_arn().unwrap_or_default().to_owned(),
                name: m.monitor_name().to_owned(),
                monitor_type: m.monitor_type().as_str().to_owned(),
                dimension: m.monitor_dimension().map(|d| d.as_str().to_owned()),
                linked_accounts: m
                    .monitor_specification()
                    .map(linked_accounts)
                    .unwrap_or_default(),
                inherited_from: None,
            }
        }));
        token = page.next_page_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut subscriptions = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .get_anomaly_subscriptions()
            .set_next_page_token(token)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        subscriptions.extend(page.anomaly_subscriptions().iter().map(|s| {
            AnomalySubscription {
                arn: s.subscription_arn().unwrap_or_default().to_owned(),
                name: s.subscription_name().to_owned(),
                monitor_arns: s.monitor_arn_list().to_vec(),
                frequency: s.frequency().as_str().to_owned(),
                subscribers: s
                    .subscribers()
                    .iter()
                    .map(|r| AnomalySubscriber {
                        subscriber_type: r.r#type().map_or("", |t| t.as_str()).to_owned(),
                        address: r.address().unwrap_or_default().to_owned(),
                        status: r.status().map(|st| st.as_str().to_owned()),
                    })
                    .collect(),
                inherited_from: None,
            }
        }));
        token = page.next_page_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(CostAnomalyDetection {
        monitors,
        subscriptions,
    })
}

/// The member accounts a custom monitor's specification names (LINKED_ACCOUNT dimension
/// values, at any depth of its And/Or).
fn linked_accounts(expression: &Expression) -> Vec<String> {
    let own = expression
        .dimensions()
        .filter(|d| d.key() == Some(&Dimension::LinkedAccount))
        .map(|d| d.values().to_vec())
        .unwrap_or_default();
    let nested = expression
        .and()
        .iter()
        .chain(expression.or())
        .flat_map(linked_accounts);
    own.into_iter().chain(nested).collect()
}
