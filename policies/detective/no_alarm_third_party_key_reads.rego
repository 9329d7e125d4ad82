# METADATA
# title: No alarm when a stored third-party API key is read
# description: |
#   The May 2026 breach of an AI platform's AWS account: attackers read the AI-provider keys
#   that customers had stored there, and nobody noticed until the keys were used. A read of such
#   a secret (GetSecretValue) is rare and normally comes from one known workload, so an alarm on
#   it is cheap and loud. For every secret that looks like a third-party API key (the same
#   markers as KW-SM-006), keyward tests the filters on the log group of a multi-region, logging
#   trail that records read events against a GetSecretValue of that secret, by name and by ARN
#   (callers use either), and asks for an alarm with an action on a filter that matches. A filter
#   on every GetSecretValue counts too. Resource: the trail's log group, or
#   arn:<partition>:cloudwatch::<account>:alarm:*.
# related_resources:
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudwatch.html
#   - ref: https://attack.mitre.org/techniques/T1555/006/
#   - ref: https://attack.mitre.org/techniques/T1528/
# custom:
#   id: KW-CW-005
#   name: no-alarm-third-party-key-reads
#   severity: high
#   requires: [cloudtrail.trails, cloudtrail.status, cloudtrail.event_selectors, logs.metric_filters, cloudwatch.alarms, secretsmanager.secrets]
#   evaluates: [account]
#   controls:
#     mitre-attack: [T1555.006, T1528]
#   remediation: |
#     On the trail's log group, add a filter on reads of the key secrets (here every secret whose
#     name contains "api-key"; adjust to your naming) and an alarm that notifies someone:
#       aws logs put-metric-filter --log-group-name <log-group> --filter-name third-party-key-reads \
#         --metric-transformations metricName=ThirdPartyKeyReads,metricNamespace=Keyward,metricValue=1 \
#         --filter-pattern '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && ($.requestParameters.secretId = "*api-key*") }'
#       aws cloudwatch put-metric-alarm --alarm-name third-party-key-reads \
#         --metric-name ThirdPartyKeyReads --namespace Keyward --statistic Sum --period 300 \
#         --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 \
#         --alarm-actions <sns-topic-arn>
#     The trail must record read management events (KW-CT-002).
package keyward.detective.no_alarm_third_party_key_reads

import data.keyward.lib.detective

# The secrets that look like third-party API keys: input.third_party_keys (see
# keyward.lib.secrets.third_party_markers) bound before the loop, a lookup per secret rather
# than a function call.
key_secrets contains secret if {
	keys := input.third_party_keys
	some secret in input.snapshot.secrets
	keys[secret.arn]
}

# A GetSecretValue by an assumed role: built once, each probe sets its region and secret id.
read_event := detective.cloudtrail_event("AssumedRole", "secretsmanager.amazonaws.com", "GetSecretValue", true, {})

probes := [probe |
	event := read_event
	some secret in key_secrets
	some [id, how] in [[secret.name, "name"], [secret.arn, "ARN"]]
	probe := {
		"label": sprintf("GetSecretValue of %s by %s", [secret.name, how]),
		"event": object.union(event, {"awsRegion": secret.region, "requestParameters": {"secretId": id}}),
	}
]

deny contains gap if {
	count(probes) > 0
	some gap in detective.alarm_gaps(probes, "reads of third-party API keys")
}
