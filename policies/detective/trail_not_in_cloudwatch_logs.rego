# METADATA
# title: CloudTrail trail does not deliver to CloudWatch Logs
# description: |
#   Log files in S3 are for after the fact; metric filters and alarms (KW-CW-001 to KW-CW-005)
#   need the events in CloudWatch Logs, within minutes. A trail without a log group, or whose
#   delivery fails, cannot raise an alarm on root use, refused calls or a secret being read.
#   Judged on the trails the account owns; a delivery error reported by CloudTrail counts too.
#   (CIS v3.0 dropped this recommendation; Security Hub keeps it as CloudTrail.5.)
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-5
#   - ref: https://attack.mitre.org/techniques/T1562/008/
# custom:
#   id: KW-CT-005
#   name: trail-not-in-cloudwatch-logs
#   severity: medium
#   requires: [cloudtrail.trails, cloudtrail.status]
#   evaluates: [trails]
#   controls:
#     aws-securityhub: [CloudTrail.5]
#     mitre-attack: [T1562.008]
#   remediation: |
#     Create a log group and a role CloudTrail can assume to write to it (see the AWS guide),
#     then:
#       aws cloudtrail update-trail --name <trail> \
#         --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>
#     For a delivery error, check that role's trust and permissions (logs:CreateLogStream,
#     logs:PutLogEvents).
package keyward.detective.trail_not_in_cloudwatch_logs

deny contains {
	"resource": trail.arn,
	"region": trail.home_region,
	"message": sprintf("trail %s does not deliver its events to CloudWatch Logs, so no alarm can watch them", [trail.name]),
	"evidence": {"trail": trail.name},
} if {
	some trail in data.keyward.lib.detective.owned_trails
	trail.cloudwatch_logs_log_group_arn == null
}

deny contains {
	"resource": trail.arn,
	"region": trail.home_region,
	"message": sprintf("trail %s fails to deliver to CloudWatch Logs: %s", [trail.name, trail.latest_cloudwatch_logs_delivery_error]),
	"evidence": {"trail": trail.name, "delivery_error": trail.latest_cloudwatch_logs_delivery_error},
} if {
	some trail in data.keyward.lib.detective.owned_trails
	trail.cloudwatch_logs_log_group_arn != null
	is_string(trail.latest_cloudwatch_logs_delivery_error)
}
