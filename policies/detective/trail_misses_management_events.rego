# METADATA
# title: No logging multi-region trail records read and write management events
# description: |
#   Reading a secret (GetSecretValue), listing users or describing keys are *read* management
#   events; a trail that records only writes never shows a secret being read. After the May 2026
#   breach of an AI platform's AWS account, the question was exactly which stored AI-provider
#   keys had been read, and when: a write-only trail cannot answer it. CIS and Security Hub ask
#   for a multi-region trail that records management events of both kinds. The finding names
#   each logging multi-region trail and what it misses (reported only when such a trail exists:
#   KW-CT-001 covers an account without one).
# related_resources:
#   - ref: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
#   - ref: https://attack.mitre.org/techniques/T1555/006/
# custom:
#   id: KW-CT-002
#   name: trail-misses-management-events
#   severity: high
#   requires: [cloudtrail.trails, cloudtrail.status, cloudtrail.event_selectors]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "3.1"
#         partial: true
#         leaves_out: an account without a logging multi-region trail (KW-CT-001 reports it)
#         completed_by: [KW-CT-001]
#     aws-securityhub:
#       - id: CloudTrail.1
#         partial: true
#         leaves_out: an account without a logging multi-region trail (KW-CT-001 reports it)
#         completed_by: [KW-CT-001]
#     mitre-attack: [T1555.006, T1562.008]
#   remediation: |
#     Record read and write management events on the multi-region trail:
#       aws cloudtrail put-event-selectors --trail-name <trail> \
#         --event-selectors '[{"ReadWriteType": "All", "IncludeManagementEvents": true}]'
#     With advanced event selectors, select `eventCategory` = `Management` without a `readOnly`
#     condition. Check it with:
#       aws cloudtrail get-event-selectors --trail-name <trail>
package keyward.detective.trail_misses_management_events

import data.keyward.lib.detective

deny contains {
	"resource": trail.arn,
	"region": trail.home_region,
	"message": sprintf("multi-region trail %s does not record %s management events%s", [trail.name, concat(" or ", sort(missing)), consequence(missing)]),
	"evidence": {"trail": trail.name, "missing": sort(missing)},
} if {
	trails := data.keyward.lib.detective.logging_multi_region_trails
	every t in trails {
		count(detective.missing_management_events(t)) > 0
	}
	some trail in trails
	missing := detective.missing_management_events(trail)
}

consequence(missing) := ": reads of secrets (GetSecretValue) go unrecorded" if "read" in missing
else := ""
