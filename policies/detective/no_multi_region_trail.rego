# METADATA
# title: No multi-region CloudTrail trail is logging
# description: |
#   Without a trail that records every region, API calls made with stolen credentials leave no
#   durable record: nobody can tell what was read, created or deleted, or from where, and
#   CloudTrail's own 90-day event history covers management events of one region at a time and
#   cannot be kept or alarmed on. Attackers who get in often stop logging first (StopLogging,
#   DeleteTrail). After the May 2026 breach of an AI platform's AWS account, customers had to ask
#   which stored keys had been read: only a trail answers that. A trail counts when it is
#   multi-region and logging now; an organization trail counts for every member account.
#   Resource: the trail that does not count, or arn:<partition>:cloudtrail::<account>:trail/*
#   when the account has no multi-region trail at all.
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1562/008/
# custom:
#   id: KW-CT-001
#   name: no-multi-region-trail
#   severity: high
#   requires: [cloudtrail.trails, cloudtrail.status]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "3.1"
#         partial: true
#         leaves_out: whether the trail records read and write management events (KW-CT-002 checks it)
#         completed_by: [KW-CT-002]
#     aws-securityhub:
#       - id: CloudTrail.1
#         partial: true
#         leaves_out: whether the trail records read and write management events (KW-CT-002 checks it)
#         completed_by: [KW-CT-002]
#     mitre-attack: [T1562.008, T1078.004]
#   remediation: |
#     Create a multi-region trail (an organization trail from the management account covers
#     every member), with a bucket of its own, and start it:
#       aws cloudtrail create-trail --name management-events --s3-bucket-name <bucket> \
#         --is-multi-region-trail --enable-log-file-validation --kms-key-id <key-arn>
#       aws cloudtrail start-logging --name management-events
#     If a multi-region trail exists but is stopped, find out who stopped it (StopLogging in the
#     event history) before starting it again:
#       aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=StopLogging
package keyward.detective.no_multi_region_trail

import data.keyward.lib.detective

deny contains {
	"resource": detective.account_scope("cloudtrail", "trail/*"),
	"message": sprintf("account %s has no multi-region CloudTrail trail: API calls in most regions are not recorded", [detective.account_id]),
	"evidence": {"trails": sort([t.name | some t in input.snapshot.detective.trails])},
} if {
	count(data.keyward.lib.detective.logging_multi_region_trails) == 0
	count([t | some t in input.snapshot.detective.trails; t.multi_region]) == 0
}

deny contains {
	"resource": trail.arn,
	"region": trail.home_region,
	"message": sprintf("multi-region trail %s is not logging, and no other multi-region trail is: API calls are not recorded", [trail.name]),
	"evidence": {"trail": trail.name, "logging": false},
} if {
	count(data.keyward.lib.detective.logging_multi_region_trails) == 0
	some trail in input.snapshot.detective.trails
	trail.multi_region
}
