# METADATA
# title: CloudTrail log bucket is public
# description: |
#   A trail's log files describe the account to anyone who reads them: user and role names,
#   secret names, source IP addresses, what runs where. A bucket made public by its policy, or
#   by an ACL grant to everyone (AllUsers) or to any AWS account (AuthenticatedUsers) that Block
#   Public Access does not cancel, hands that map to an attacker, and may let one delete logs.
#   Judged on the trails the account owns, from the bucket's own settings (a bucket of another
#   account, a central log archive, is read there or reported *not evaluated*).
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
#   - ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-6
#   - ref: https://attack.mitre.org/techniques/T1530/
# custom:
#   id: KW-CT-006
#   name: trail-bucket-public
#   severity: critical
#   requires: [cloudtrail.trails, cloudtrail.bucket]
#   evaluates: [trails]
#   controls:
#     aws-securityhub: [CloudTrail.6]
#     mitre-attack: [T1530]
#   remediation: |
#     Block public access on the bucket, then remove the public statement or grant:
#       aws s3api put-public-access-block --bucket <bucket> --public-access-block-configuration \
#         BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
#       aws s3api get-bucket-policy --bucket <bucket>
#     Then look in the S3 server access logs (or CloudTrail data events) for reads you do not
#     recognize.
package keyward.detective.trail_bucket_public

deny contains {
	"resource": trail.arn,
	"region": trail.home_region,
	"message": sprintf("trail %s writes its logs to bucket %s, which is public: %s", [trail.name, bucket.name, concat("; ", sort(exposures))]),
	"evidence": {"bucket": bucket.name, "exposures": sort(exposures)},
} if {
	some trail in data.keyward.lib.detective.owned_trails
	bucket := trail.bucket
	bucket != null
	exposures := policy_exposure(bucket) | acl_exposure(bucket)
	count(exposures) > 0
}

policy_exposure(bucket) := {"its bucket policy allows public access"} if {
	bucket.policy_public
	not blocked(bucket, "restrict_public_buckets")
} else := set()

acl_exposure(bucket) := {sprintf("its ACL grants %s", [concat(", ", sort(bucket.public_acl_grants))])} if {
	count(bucket.public_acl_grants) > 0
	not blocked(bucket, "ignore_public_acls")
} else := set()

# Block Public Access set on the bucket cancels the matching exposure.
blocked(bucket, setting) if bucket.public_access_block[setting] == true
