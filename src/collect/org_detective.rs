//! Under `--org`, the detective controls one account runs for the whole organization count for
//! the others. After every account is collected, each account's organization-wide records are
//! copied into the snapshots of the other accounts scanned, marked `inherited_from` it:
//!
//! - its organization trails, with their status and event selectors as the owner read them, and
//!   the metric filters and alarms on their log groups (a member cannot read those: they live
//!   in the owner's account); the member's own errors about those trails and log groups are
//!   dropped, the owner's come along;
//! - its ORGANIZATION analyzers (the management or delegated administrator account's);
//! - its cost anomaly monitors that watch member accounts (LINKED_ACCOUNT, or custom monitors
//!   naming accounts), with the subscriptions that follow them.
//!
//! Nothing is shared onward: only records an account read itself are copied.

use std::collections::BTreeSet;

use crate::snapshot::{
    AccessAnalyzer, AnomalyMonitor, AnomalySubscription, CollectionError, MetricAlarm,
    MetricFilter, Snapshot, Trail,
};

/// What one account's snapshot contributes to the others'.
#[derive(Default)]
struct Shared {
    trails: Vec<Trail>,
    metric_filters: Vec<MetricFilter>,
    alarms: Vec<MetricAlarm>,
    analyzers: Vec<AccessAnalyzer>,
    monitors: Vec<AnomalyMonitor>,
    subscriptions: Vec<AnomalySubscription>,
    /// The ARNs of the shared trails and log groups: a member's errors about them are moot.
    resolved: BTreeSet<String>,
    /// The owner's errors about them.
    errors: Vec<CollectionError>,
}

/// One account's organization-wide controls, and the account.
pub(super) struct Share {
    owner: String,
    shared: Shared,
}

/// Copies every reached account's organization-wide controls into the other reached accounts'
/// snapshots (`reached[i]` says whether `snapshots[i]` was collected at all).
pub(super) fn share(snapshots: &mut [Snapshot], reached: &[bool]) {
    let shares = shares(snapshots, reached);
    for (member, &ok) in snapshots.iter_mut().zip(reached) {
        if ok {
            apply_shares(member, &shares);
        }
    }
}

/// The organization-wide controls of the reached accounts, to copy into other accounts'
/// snapshots as they come (`apply_shares`).
pub(super) fn shares(snapshots: &[Snapshot], reached: &[bool]) -> Vec<Share> {
    snapshots
        .iter()
        .zip(reached)
        .filter(|(_, ok)| **ok)
        .filter_map(|(s, _)| {
            Some(Share {
                owner: s.account.id.clone(),
                shared: shared_by(s)?,
            })
        })
        .collect()
}

/// Copies the controls of every other account into a reached account's snapshot.
pub(super) fn apply_shares(member: &mut Snapshot, shares: &[Share]) {
    for share in shares {
        if share.owner != member.account.id {
            apply(member, &share.owner, &share.shared);
        }
    }
}

fn shared_by(snapshot: &Snapshot) -> Option<Shared> {
    let detective = snapshot.detective.as_ref()?;
    let own = |arn: &str, inherited: &Option<String>| {
        inherited.is_none() && arn.split(':').nth(4) == Some(snapshot.account.id.as_str())
    };
    let mut shared = Shared::default();
    for trail in &detective.trails {
        if !(trail.organization && own(&trail.arn, &trail.inherited_from)) {
            continue;
        }
        shared.resolved.insert(trail.arn.clone());
        if let Some(group) = &trail.cloudwatch_logs_log_group_arn {
            let group = group.trim_end_matches(":*");
            shared.resolved.insert(group.to_owned());
            let filters: Vec<&MetricFilter> = detective
                .metric_filters
                .iter()
                .filter(|f| f.log_group_arn == group)
                .collect();
            shared.alarms.extend(
                detective
                    .alarms
                    .iter()
                    .filter(|a| {
                        a.metrics
                            .iter()
                            .any(|m| filters.iter().any(|f| f.metrics.contains(m)))
                    })
                    .cloned(),
            );
            shared.metric_filters.extend(filters.into_iter().cloned());
        }
        shared.trails.push(trail.clone());
    }
    shared.errors = snapshot
        .collection_errors
        .iter()
        .filter(|e| {
            e.resource
                .as_ref()
                .is_some_and(|r| shared.resolved.contains(r))
        })
        .cloned()
        .collect();
    shared.analyzers = detective
        .access_analyzers
        .iter()
        .filter(|a| a.analyzer_type.starts_with("ORGANIZATION") && own(&a.arn, &a.inherited_from))
        .cloned()
        .collect();
    shared.monitors = detective
        .cost_anomaly
        .monitors
        .iter()
        .filter(|m| m.inherited_from.is_none())
        .filter(|m| {
            m.dimension.as_deref() == Some("LINKED_ACCOUNT") || !m.linked_accounts.is_empty()
        })
        .cloned()
        .collect();
    let monitor_arns: BTreeSet<&str> = shared.monitors.iter().map(|m| m.arn.as_str()).collect();
    shared.subscriptions = detective
        .cost_anomaly
        .subscriptions
        .iter()
        .filter(|s| {
            s.monitor_arns
                .iter()
                .any(|arn| monitor_arns.contains(arn.as_str()))
        })
        .cloned()
        .collect();
    Some(shared)
}

fn apply(member: &mut Snapshot, owner: &str, shared: &Shared) {
    let Some(detective) = member.detective.as_mut() else {
        return;
    };
    let inherited = Some(owner.to_owned());
    detective
        .trails
        .retain(|t| !shared.resolved.contains(&t.arn));
    detective.trails.extend(shared.trails.iter().map(|t| Trail {
        inherited_from: inherited.clone(),
        ..t.clone()
    }));
    detective
        .metric_filters
        .extend(shared.metric_filters.iter().map(|f| MetricFilter {
            inherited_from: inherited.clone(),
            ..f.clone()
        }));
    detective
        .alarms
        .extend(shared.alarms.iter().map(|a| MetricAlarm {
            inherited_from: inherited.clone(),
            ..a.clone()
        }));
    detective
        .access_analyzers
        .extend(shared.analyzers.iter().map(|a| AccessAnalyzer {
            inherited_from: inherited.clone(),
            ..a.clone()
        }));
    let cost = &mut detective.cost_anomaly;
    cost.monitors
        .extend(shared.monitors.iter().map(|m| AnomalyMonitor {
            inherited_from: inherited.clone(),
            ..m.clone()
        }));
    cost.subscriptions
        .extend(shared.subscriptions.iter().map(|s| AnomalySubscription {
            inherited_from: inherited.clone(),
            ..s.clone()
        }));
    member.collection_errors.retain(|e| {
        !e.resource
            .as_ref()
            .is_some_and(|r| shared.resolved.contains(r))
    });
    member
        .collection_errors
        .extend(shared.errors.iter().cloned());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{DataSection, Detective, MetricName};

    const OWNER: &str = "111111111111";
    const MEMBER: &str = "222222222222";

    fn snapshot(account: &str, detective: Detective) -> Snapshot {
        let text = format!(
            r#"{{"schema_version": 3, "collected_at": "2026-05-01T00:00:00Z",
                "collector": {{"tool": "keyward", "version": "test"}},
                "account": {{"id": "{account}"}}}}"#
        );
        let mut s: Snapshot = serde_json::from_str(&text).unwrap();
        s.detective = Some(detective);
        s
    }

    fn trail(account: &str, organization: bool) -> Trail {
        Trail {
            arn: format!("arn:aws:cloudtrail:us-east-1:{OWNER}:trail/org"),
            name: "org".into(),
            home_region: "us-east-1".into(),
            multi_region: true,
            organization,
            include_global_service_events: true,
            log_file_validation: true,
            kms_key_id: None,
            s3_bucket: None,
            cloudwatch_logs_log_group_arn: Some(format!(
                "arn:aws:logs:us-east-1:{account}:log-group:org:*"
            )),
            logging: account == OWNER,
            latest_cloudwatch_logs_delivery_error: None,
            event_selectors: Vec::new(),
            advanced_event_selectors: Vec::new(),
            bucket: None,
            inherited_from: None,
        }
    }

    fn metric() -> MetricName {
        MetricName {
            namespace: "CIS".into(),
            name: "Root".into(),
        }
    }

    fn owner() -> Snapshot {
        let mut detective = Detective::default();
        detective.trails.push(trail(OWNER, true));
        detective.metric_filters.push(MetricFilter {
            name: "root".into(),
            log_group_arn: format!("arn:aws:logs:us-east-1:{OWNER}:log-group:org"),
            pattern: String::new(),
            reading: Default::default(),
            metrics: vec![metric()],
            inherited_from: None,
        });
        detective.alarms.push(MetricAlarm {
            arn: format!("arn:aws:cloudwatch:us-east-1:{OWNER}:alarm:root"),
            name: "root".into(),
            region: "us-east-1".into(),
            metrics: vec![metric()],
            actions_enabled: true,
            alarm_actions: vec!["topic".into()],
            inherited_from: None,
        });
        for (name, kind) in [("org", "ORGANIZATION"), ("own", "ACCOUNT")] {
            detective.access_analyzers.push(AccessAnalyzer {
                arn: format!("arn:aws:access-analyzer:us-east-1:{OWNER}:analyzer/{name}"),
                name: name.into(),
                region: "us-east-1".into(),
                analyzer_type: kind.into(),
                status: "ACTIVE".into(),
                inherited_from: None,
            });
        }
        snapshot(OWNER, detective)
    }

    fn member() -> Snapshot {
        let mut detective = Detective::default();
        // The member sees the organization trail, but not its status or its log group.
        let mut seen = trail(OWNER, true);
        seen.logging = false;
        detective.trails.push(seen);
        let mut member = snapshot(MEMBER, detective);
        member.collection_errors.push(
            CollectionError::not_available(
                "logs",
                "DescribeMetricFilters",
                "belongs to another account",
                &[DataSection::MetricFilters],
            )
            .about(&format!("arn:aws:logs:us-east-1:{OWNER}:log-group:org")),
        );
        member
    }

    #[test]
    fn a_members_view_of_an_organization_trail_is_replaced_by_the_owners() {
        let mut snapshots = vec![owner(), member()];
        share(&mut snapshots, &[true, true]);
        let shared_with = &snapshots[1];
        let detective = shared_with.detective.as_ref().unwrap();
        assert_eq!(detective.trails.len(), 1);
        assert!(detective.trails[0].logging, "the owner's status");
        assert_eq!(detective.trails[0].inherited_from.as_deref(), Some(OWNER));
        assert_eq!(
            detective.metric_filters[0].inherited_from.as_deref(),
            Some(OWNER)
        );
        assert_eq!(detective.alarms.len(), 1);
        assert!(
            shared_with.collection_errors.is_empty(),
            "the owner supplied it"
        );
        let analyzers: Vec<&str> = detective
            .access_analyzers
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(analyzers, ["org"], "only the organization's analyzer");
        // The owner gains nothing from itself, and an unreached account nothing at all.
        assert_eq!(
            snapshots[0]
                .detective
                .as_ref()
                .unwrap()
                .access_analyzers
                .len(),
            2
        );
        let mut snapshots = vec![owner(), member()];
        share(&mut snapshots, &[true, false]);
        assert_eq!(snapshots[1].collection_errors.len(), 1);
    }

    #[test]
    fn only_monitors_that_watch_members_are_shared_with_their_subscriptions() {
        let mut owner = owner();
        let cost = &mut owner.detective.as_mut().unwrap().cost_anomaly;
        for (name, dimension) in [("members", "LINKED_ACCOUNT"), ("services", "SERVICE")] {
            cost.monitors.push(AnomalyMonitor {
                arn: format!("arn:aws:ce::{OWNER}:anomalymonitor/{name}"),
                name: name.into(),
                monitor_type: "DIMENSIONAL".into(),
                dimension: Some(dimension.into()),
                linked_accounts: Vec::new(),
                inherited_from: None,
            });
            cost.subscriptions.push(AnomalySubscription {
                arn: format!("arn:aws:ce::{OWNER}:anomalysubscription/{name}"),
                name: name.into(),
                monitor_arns: vec![format!("arn:aws:ce::{OWNER}:anomalymonitor/{name}")],
                frequency: "DAILY".into(),
                subscribers: Vec::new(),
                inherited_from: None,
            });
        }
        let mut snapshots = vec![owner, member()];
        share(&mut snapshots, &[true, true]);
        let cost = &snapshots[1].detective.as_ref().unwrap().cost_anomaly;
        assert_eq!(cost.monitors.len(), 1);
        assert_eq!(cost.monitors[0].name, "members");
        assert_eq!(cost.subscriptions.len(), 1);
        assert_eq!(cost.subscriptions[0].inherited_from.as_deref(), Some(OWNER));
    }
}
