# METADATA
# title: CloudTrail log bucket has no server access logging
# description: |
#   CloudTrail records API calls on the account, but not, by default, who read or deleted the
#   log files themselves. S3 server access logging on the trail's bucket records that, so that
#   tampering with the evidence leaves evidence. Judged on the trails the account owns, from the
#   bucket's settings.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-7
#   - ref: https://attack.mitre.org/techniques/T1070/
# custom:
#   id: KW-CT-007
#   name: trail-bucket-access-logging-disabled
#   severity: low
#   requires: [cloudtrail.trails, cloudtrail.bucket]
#   evaluates: [trails]
#   controls:
#     cis-aws-foundations-v3.0: ["3.4"]
#     aws-securityhub: [CloudTrail.7]
#     mitre-attack: [T1070]
#   remediation: |
#     Send the bucket's access logs to another bucket (which grants the S3 logging service
#     write access):
#       aws s3api put-bucket-logging --bucket <bucket> --bucket-logging-status \
#         '{"LoggingEnabled": {"TargetBucket": "<log-bucket>", "TargetPrefix": "<bucket>/"}}'
package keyward.detective.trail_bucket_access_logging_disabled

deny contains {
	"resource": trail.arn,
	"region": trail.home_region,
	"message": sprintf("trail %s writes its logs to bucket %s, which has no server access logging", [trail.name, trail.bucket.name]),
	"evidence": {"bucket": trail.bucket.name},
} if {
	some trail in data.keyward.lib.detective.owned_trails
	trail.bucket != null
	not trail.bucket.access_logging
}
