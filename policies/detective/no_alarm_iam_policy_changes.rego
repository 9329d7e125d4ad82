# METADATA
# title: No alarm on IAM policy changes
# description: |
#   An intruder who holds any IAM write permission widens it: an inline policy on their own user,
#   a managed policy attached to a role they can assume, a new default policy version. keyward
#   tests the filters on the log group of a multi-region, logging trail against each of the
#   sixteen IAM calls CIS lists (put, delete, attach and detach of user, group and role
#   policies; create and delete of policies and policy versions). Resource: the trail's log
#   group, or arn:<partition>:cloudwatch::<account>:alarm:*.
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-4
#   - ref: https://attack.mitre.org/techniques/T1098/
# custom:
#   id: KW-CW-004
#   name: no-alarm-iam-policy-changes
#   severity: medium
#   requires: [cloudtrail.trails, cloudtrail.status, cloudtrail.event_selectors, logs.metric_filters, cloudwatch.alarms]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "4.4"
#         partial: true
#         leaves_out: whether the alarm's SNS topic has a subscriber (keyward asks for an alarm action only)
#     aws-securityhub:
#       - id: CloudWatch.4
#         partial: true
#         leaves_out: whether the alarm's SNS topic has a subscriber (keyward asks for an alarm action only)
#     mitre-attack: [T1098, T1098.003]
#   remediation: |
#     On the trail's log group, add the CIS filter and an alarm that notifies someone:
#       aws logs put-metric-filter --log-group-name <log-group> --filter-name iam-policy-changes \
#         --metric-transformations metricName=IAMPolicyChanges,metricNamespace=CISBenchmark,metricValue=1 \
#         --filter-pattern '{($.eventSource=iam.amazonaws.com) && (($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy))}'
#       aws cloudwatch put-metric-alarm --alarm-name iam-policy-changes --metric-name IAMPolicyChanges \
#         --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 \
#         --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 \
#         --alarm-actions <sns-topic-arn>
package keyward.detective.no_alarm_iam_policy_changes

import data.keyward.lib.detective

policy_calls := [
	"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy",
	"PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
	"CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
	"AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
	"AttachGroupPolicy", "DetachGroupPolicy",
]

probes := [{"label": name, "event": detective.cloudtrail_event("IAMUser", "iam.amazonaws.com", name, false, {"requestParameters": {}})} |
	some name in policy_calls
]

deny contains gap if {
	some gap in detective.alarm_gaps(probes, "IAM policy changes")
}
