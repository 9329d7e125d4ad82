# METADATA
# title: GuardDuty not enabled in a region
# description: |
#   GuardDuty watches CloudTrail, DNS and network flow logs for what stolen credentials look like
#   in use: calls from unusual places or Tor, instance credentials used outside AWS, discovery
#   sweeps, crypto mining, models invoked at unusual volume. It works per region, and intruders
#   like the regions nobody looks at: each enabled region needs a detector that is enabled (a
#   suspended detector, status DISABLED, sees nothing). A member account's detector is its own,
#   even when the organization's delegated administrator enables and manages it. Resource: the
#   suspended detector, or arn:<partition>:guardduty:<region>:<account>:detector/* when the
#   region has none.
# related_resources:
#   - ref: https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html#guardduty-1
#   - ref: https://attack.mitre.org/techniques/T1078/004/
#   - ref: https://attack.mitre.org/techniques/T1496/
# custom:
#   id: KW-GD-001
#   name: guardduty-not-enabled
#   severity: high
#   requires: [guardduty.detectors]
#   evaluates: [regions]
#   controls:
#     aws-securityhub: [GuardDuty.1]
#     mitre-attack: [T1078.004, T1496.001, T1496.004]
#   remediation: |
#     Enable GuardDuty in the region (from the delegated administrator, for every member
#     account, with auto-enable for new ones):
#       aws guardduty create-detector --enable --region <region>
#     Resume a suspended detector:
#       aws guardduty update-detector --detector-id <id> --enable --region <region>
package keyward.detective.guardduty_not_enabled

import data.keyward.lib.detective

deny contains {
	"resource": detective.region_scope("guardduty", region, "detector/*"),
	"region": region,
	"message": sprintf("GuardDuty is not enabled in %s: no detector", [region]),
	"evidence": {"region": region},
} if {
	some region in input.snapshot.collector.regions
	count([d | some d in input.snapshot.detective.guardduty_detectors; d.region == region]) == 0
}

deny contains {
	"resource": sprintf("arn:%s:guardduty:%s:%s:detector/%s", [detective.partition, region, detective.account_id, d.id]),
	"region": region,
	"message": sprintf("GuardDuty is suspended in %s: detector %s is %s", [region, d.id, d.status]),
	"evidence": {"region": region, "detector": d.id, "status": d.status},
} if {
	some region in input.snapshot.collector.regions
	detectors := [d | some d in input.snapshot.detective.guardduty_detectors; d.region == region]
	count(detectors) > 0
	every d in detectors {
		d.status != "ENABLED"
	}
	some d in detectors
}
