# METADATA
# title: No alarm on root user activity
# description: |
#   The root user can do anything, and nothing day to day needs it: any use of it deserves a
#   look the same day. The alarm must catch both a console sign-in and an API call made with a
#   root access key (the May 2026 breach of an AI platform's AWS account is the reason to fear
#   the second). keyward tests the metric filters on the log group of a multi-region, logging
#   trail against both events and asks for an alarm with an action on a filter that matches
#   each (the CIS pattern does). Resource: the trail's log group, or
#   arn:<partition>:cloudwatch::<account>:alarm:* when no trail delivers to CloudWatch Logs.
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-1
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-CW-001
#   name: no-alarm-root-activity
#   severity: high
#   requires: [cloudtrail.trails, cloudtrail.status, cloudtrail.event_selectors, logs.metric_filters, cloudwatch.alarms]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "4.3"
#         partial: true
#         leaves_out: whether the alarm's SNS topic has a subscriber (keyward asks for an alarm action only)
#     aws-securityhub:
#       - id: CloudWatch.1
#         partial: true
#         leaves_out: whether the alarm's SNS topic has a subscriber (keyward asks for an alarm action only)
#     mitre-attack: [T1078.004]
#   remediation: |
#     On the trail's log group, add the CIS filter and an alarm that notifies someone:
#       aws logs put-metric-filter --log-group-name <log-group> --filter-name root-activity \
#         --metric-transformations metricName=RootActivity,metricNamespace=CISBenchmark,metricValue=1 \
#         --filter-pattern '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
#       aws cloudwatch put-metric-alarm --alarm-name root-activity --metric-name RootActivity \
#         --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 \
#         --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 \
#         --alarm-actions <sns-topic-arn>
package keyward.detective.no_alarm_root_activity

import data.keyward.lib.detective

probes := [
	{"label": "a root console sign-in", "event": detective.cloudtrail_event("Root", "signin.amazonaws.com", "ConsoleLogin", false, {
		"eventType": "AwsConsoleSignIn",
		"responseElements": {"ConsoleLogin": "Success"},
		"additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"},
	})},
	{"label": "an API call with a root access key", "event": detective.cloudtrail_event("Root", "iam.amazonaws.com", "CreateAccessKey", false, {"requestParameters": {}})},
]

deny contains gap if {
	some gap in detective.alarm_gaps(probes, "root user activity")
}
