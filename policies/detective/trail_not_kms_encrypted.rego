# METADATA
# title: CloudTrail logs not encrypted with a KMS key
# description: |
#   Log files record who did what, including secret names, user names and IP addresses. With a
#   KMS key, reading them needs both the bucket and the key (kms:Decrypt), and every decryption
#   is itself logged; with S3's default encryption, read access to the bucket is enough. Judged
#   on the trails the account owns.
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-2
#   - ref: https://attack.mitre.org/techniques/T1530/
# custom:
#   id: KW-CT-004
#   name: trail-not-kms-encrypted
#   severity: medium
#   requires: [cloudtrail.trails]
#   evaluates: [trails]
#   controls:
#     cis-aws-foundations-v3.0: ["3.5"]
#     aws-securityhub: [CloudTrail.2]
#     mitre-attack: [T1530]
#   remediation: |
#     Create a KMS key whose policy lets CloudTrail encrypt with it (see the AWS guide), then:
#       aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn>
package keyward.detective.trail_not_kms_encrypted

deny contains {
	"resource": trail.arn,
	"region": trail.home_region,
	"message": sprintf("trail %s does not encrypt its log files with a KMS key", [trail.name]),
	"evidence": {"trail": trail.name, "s3_bucket": trail.s3_bucket},
} if {
	some trail in data.keyward.lib.detective.owned_trails
	trail.kms_key_id == null
}
