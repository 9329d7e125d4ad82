# METADATA
# title: CloudTrail log file validation disabled
# description: |
#   With validation on, CloudTrail writes a signed digest of every log file every hour, so that
#   a deleted or edited log file can be proven. Without it, an intruder with write access to the
#   bucket can remove the records of what was read, and nothing shows the gap. Judged on the
#   trails the account owns (an organization trail in the management account's snapshot).
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-4
#   - ref: https://attack.mitre.org/techniques/T1070/
# custom:
#   id: KW-CT-003
#   name: trail-log-validation-disabled
#   severity: medium
#   requires: [cloudtrail.trails]
#   evaluates: [trails]
#   controls:
#     cis-aws-foundations-v3.0: ["3.2"]
#     aws-securityhub: [CloudTrail.4]
#     mitre-attack: [T1070, T1562.008]
#   remediation: |
#     Turn validation on (it applies to log files written from then on):
#       aws cloudtrail update-trail --name <trail> --enable-log-file-validation
#     Validate the logs of a period with:
#       aws cloudtrail validate-logs --trail-arn <trail-arn> --start-time <time>
package keyward.detective.trail_log_validation_disabled

deny contains {
	"resource": trail.arn,
	"region": trail.home_region,
	"message": sprintf("trail %s does not validate its log files: deleted or edited logs go unnoticed", [trail.name]),
	"evidence": {"trail": trail.name, "multi_region": trail.multi_region},
} if {
	some trail in data.keyward.lib.detective.owned_trails
	not trail.log_file_validation
}
