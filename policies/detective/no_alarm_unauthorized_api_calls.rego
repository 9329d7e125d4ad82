# METADATA
# title: No alarm on unauthorized API calls
# description: |
#   A burst of refused calls is what a stolen key looks like while its holder finds out what it
#   can do: listing secrets, describing instances, invoking models it may not use. The alarm
#   must catch the error codes of every kind of service: `AccessDenied` (IAM, S3, Secrets
#   Manager), `AccessDeniedException` (JSON services such as Bedrock) and
#   `Client.UnauthorizedOperation` (EC2). keyward tests the filters on the log group of a
#   multi-region, logging trail against one refused call of each. Resource: the trail's log
#   group, or arn:<partition>:cloudwatch::<account>:alarm:*.
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-2
#   - ref: https://attack.mitre.org/techniques/T1580/
# custom:
#   id: KW-CW-002
#   name: no-alarm-unauthorized-api-calls
#   severity: medium
#   requires: [cloudtrail.trails, cloudtrail.status, cloudtrail.event_selectors, logs.metric_filters, cloudwatch.alarms]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "4.1"
#         partial: true
#         leaves_out: whether the alarm's SNS topic has a subscriber (keyward asks for an alarm action only)
#     aws-securityhub:
#       - id: CloudWatch.2
#         partial: true
#         leaves_out: whether the alarm's SNS topic has a subscriber (keyward asks for an alarm action only)
#     mitre-attack: [T1580, T1526]
#   remediation: |
#     On the trail's log group, add the CIS filter and an alarm that notifies someone:
#       aws logs put-metric-filter --log-group-name <log-group> --filter-name unauthorized-api-calls \
#         --metric-transformations metricName=UnauthorizedAPICalls,metricNamespace=CISBenchmark,metricValue=1 \
#         --filter-pattern '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }'
#       aws cloudwatch put-metric-alarm --alarm-name unauthorized-api-calls \
#         --metric-name UnauthorizedAPICalls --namespace CISBenchmark --statistic Sum --period 300 \
#         --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 \
#         --alarm-actions <sns-topic-arn>
package keyward.detective.no_alarm_unauthorized_api_calls

import data.keyward.lib.detective

refused(source, name, code) := {
	"label": sprintf("a refused %s (%s)", [name, code]),
	"event": detective.cloudtrail_event("IAMUser", source, name, true, {"errorCode": code, "errorMessage": "not authorized"}),
}

probes := [
	refused("secretsmanager.amazonaws.com", "ListSecrets", "AccessDenied"),
	refused("bedrock.amazonaws.com", "InvokeModel", "AccessDeniedException"),
	refused("ec2.amazonaws.com", "DescribeInstances", "Client.UnauthorizedOperation"),
]

deny contains gap if {
	some gap in detective.alarm_gaps(probes, "unauthorized API calls")
}
