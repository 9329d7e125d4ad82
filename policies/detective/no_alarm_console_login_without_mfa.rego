# METADATA
# title: No alarm on console sign-in without MFA
# description: |
#   A console sign-in with only a password is the one a phished or reused password makes
#   possible. keyward tests the filters on the log group of a multi-region, logging trail
#   against a successful IAM-user sign-in without MFA (`additionalEventData.MFAUsed` = `No`).
#   Resource: the trail's log group, or arn:<partition>:cloudwatch::<account>:alarm:*.
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-3
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-CW-003
#   name: no-alarm-console-login-without-mfa
#   severity: medium
#   requires: [cloudtrail.trails, cloudtrail.status, cloudtrail.event_selectors, logs.metric_filters, cloudwatch.alarms]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "4.2"
#         partial: true
#         leaves_out: whether the alarm's SNS topic has a subscriber (keyward asks for an alarm action only)
#     aws-securityhub:
#       - id: CloudWatch.3
#         partial: true
#         leaves_out: whether the alarm's SNS topic has a subscriber (keyward asks for an alarm action only)
#     mitre-attack: [T1078.004]
#   remediation: |
#     On the trail's log group, add the CIS filter and an alarm that notifies someone:
#       aws logs put-metric-filter --log-group-name <log-group> --filter-name console-signin-without-mfa \
#         --metric-transformations metricName=ConsoleSigninWithoutMFA,metricNamespace=CISBenchmark,metricValue=1 \
#         --filter-pattern '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'
#       aws cloudwatch put-metric-alarm --alarm-name console-signin-without-mfa \
#         --metric-name ConsoleSigninWithoutMFA --namespace CISBenchmark --statistic Sum --period 300 \
#         --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 \
#         --alarm-actions <sns-topic-arn>
package keyward.detective.no_alarm_console_login_without_mfa

import data.keyward.lib.detective

probes := [{"label": "an IAM user's console sign-in without MFA", "event": detective.cloudtrail_event("IAMUser", "signin.amazonaws.com", "ConsoleLogin", false, {
	"eventType": "AwsConsoleSignIn",
	"responseElements": {"ConsoleLogin": "Success"},
	"additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"},
})}]

deny contains gap if {
	some gap in detective.alarm_gaps(probes, "console sign-in without MFA")
}
