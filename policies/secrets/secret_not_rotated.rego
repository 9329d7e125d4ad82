# METADATA
# title: Secret not rotated within the limit
# description: |
#   The secret's last rotation (or, when it never rotated, its creation) is more than
#   max_days_since_rotation days ago (90 by default), whatever its schedule and whether rotation
#   is enabled at all. This is the plain question of the advice after the May 2026 breach of an AI
#   platform's AWS account, where stored AI-provider keys had to be rotated and the timestamps
#   checked: has the value been rotated lately? KW-SM-001 asks whether rotation is on and KW-SM-003
#   whether a configured rotation keeps its schedule; a secret can pass both and still hold the
#   same value for a year (rotation switched on yesterday, or a schedule of 365 days). A value
#   replaced by hand (PutSecretValue) is not a rotation: AWS records it as the secret's
#   last_changed, which the evidence shows. Counting from the creation keeps a new secret quiet
#   until it is older than the limit. A secret with neither date is not reported, and neither is
#   one scheduled for deletion.
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-4
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/secretsmanager-secret-periodic-rotation.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
#   - ref: https://attack.mitre.org/techniques/T1528/
# custom:
#   id: KW-SM-007
#   name: secret-not-rotated
#   severity: medium
#   requires: [secretsmanager.secrets, activity]
#   evaluates: [secrets]
#   controls:
#     aws-securityhub:
#       - id: SecretsManager.4
#         thresholds: {max_days_since_rotation: 90}
#     mitre-attack: [T1528]
#   remediation: |
#     1. Rotate the secret now (with a rotation function configured):
#          aws secretsmanager rotate-secret --secret-id <secret-arn>
#        For a secret without a rotation function, give it one first (see KW-SM-001); a value
#        replaced by hand with `put-secret-value` does not count as a rotation.
#     2. Check the timestamps:
#          aws secretsmanager describe-secret --secret-id <secret-arn> \
#            --query '{LastRotated: LastRotatedDate, Next: NextRotationDate, Rules: RotationRules}'
#     3. Keep it from happening again: a schedule of at most max_days_since_rotation days
#        (KW-SM-002) and an alarm on the RotationFailed event (KW-SM-003).
package keyward.secrets.secret_not_rotated

import data.keyward.lib.time as kwtime

limit_days := input.evaluation.thresholds.max_days_since_rotation

too_old := kwtime.cutoff(limit_days + 1)

# The clock starts at the last rotation, or at the creation when the secret never rotated: the
# `at` of its rotation history (see keyward.lib.secrets.rotation_history). The finding is written
# out here rather than through a function: this runs for most secrets of an account that does
# not rotate, and in regorus a function call per finding cost a third of the rule's time. The
# evidence holds rotation_history's fields, with the limit.
deny contains {
	"resource": secret.arn,
	"region": secret.region,
	"message": sprintf("secret %s has not rotated within %v days: %s", [secret.name, limit_days, last.text]),
	"evidence": {
		"rotation_enabled": secret.rotation.enabled,
		"last_rotated": secret.rotation.last_rotated,
		"created": secret.created,
		"last_changed": secret.last_changed,
		"days_since_rotation": last.days,
		"owning_service": secret.owning_service,
		"max_days_since_rotation": limit_days,
	},
} if {
	cut := too_old # read once, not once per secret
	before := cut.candidates_before
	some secret in input.snapshot.secrets
	last := secret.history.rotated
	since := last.at
	since <= before
	since != null
	secret.deleted_date == null # scheduled for deletion: not judged for rotation
	time.parse_rfc3339_ns(since) <= cut.ns
}
