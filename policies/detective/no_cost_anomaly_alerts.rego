# METADATA
# title: No Cost Anomaly Detection monitor sends alerts
# description: |
#   Stolen cloud credentials are turned into money fast: GPU instances mining, foundation models
#   invoked by the million for someone else's product (LLMjacking). After the May 2026 breach of
#   an AI platform's AWS account, the stolen keys ran up usage that the victims paid for. Cost
#   Anomaly Detection notices spend that departs from the account's pattern, within a day, but
#   only tells someone through a subscription: a monitor without one is a chart nobody opens.
#   The account needs a monitor (its own, or under `--org` a monitor of the management account
#   that watches each member account: LINKED_ACCOUNT, or a custom one naming the account) that
#   a subscription with at least one recipient follows. Resource:
#   arn:<partition>:ce::<account>:anomalymonitor/*.
# related_resources:
#   - ref: https://docs.aws.amazon.com/cost-management/latest/userguide/manage-ad.html
#   - ref: https://attack.mitre.org/techniques/T1496/004/
# custom:
#   id: KW-CE-001
#   name: no-cost-anomaly-alerts
#   severity: medium
#   requires: [ce.anomaly_detection]
#   evaluates: [account]
#   controls:
#     mitre-attack: [T1496.001, T1496.004]
#   remediation: |
#     Create a monitor of the account's services and a daily e-mail subscription (in a management
#     account, a LINKED_ACCOUNT monitor watches every member):
#       aws ce create-anomaly-monitor --anomaly-monitor \
#         '{"MonitorName": "services", "MonitorType": "DIMENSIONAL", "MonitorDimension": "SERVICE"}'
#       aws ce create-anomaly-subscription --anomaly-subscription \
#         '{"SubscriptionName": "spend-anomalies", "Frequency": "DAILY", "MonitorArnList": ["<monitor-arn>"],
#           "Subscribers": [{"Type": "EMAIL", "Address": "<security-team@example.com>"}],
#           "ThresholdExpression": {"Dimensions": {"Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE", "Values": ["100"], "MatchOptions": ["GREATER_THAN_OR_EQUAL"]}}}'
package keyward.detective.no_cost_anomaly_alerts

import data.keyward.lib.detective

cost := input.snapshot.detective.cost_anomaly

deny contains {
	"resource": detective.account_scope("ce", "anomalymonitor/*"),
	"message": sprintf("no Cost Anomaly Detection monitor of account %s sends alerts: %s", [detective.account_id, why]),
	"evidence": {
		"monitors": sort([m.name | some m in cost.monitors]),
		"subscriptions": sort([s.name | some s in cost.subscriptions]),
	},
} if {
	count(alerted) == 0
	why := reason
}

# Monitors that watch this account.
watching contains monitor if {
	some monitor in cost.monitors
	monitor.inherited_from == null
}

watching contains monitor if {
	some monitor in cost.monitors
	monitor.inherited_from != null
	monitor.dimension == "LINKED_ACCOUNT"
}

watching contains monitor if {
	some monitor in cost.monitors
	monitor.inherited_from != null
	detective.account_id in monitor.linked_accounts
}

# Monitors that a subscription with a recipient follows.
alerted contains monitor.arn if {
	some monitor in watching
	some subscription in cost.subscriptions
	monitor.arn in subscription.monitor_arns
	count(subscription.subscribers) > 0
}

reason := "there is no monitor" if count(watching) == 0
else := "no subscription with a recipient follows its monitors"
