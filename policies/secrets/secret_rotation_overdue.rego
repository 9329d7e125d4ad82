# METADATA
# title: Secret rotation enabled but overdue
# description: |
#   Rotation is configured, yet the secret has not rotated on schedule: the last rotation (or the
#   creation, when it never rotated) is older than the interval plus rotation_grace_days. Usually
#   the rotation function fails (permissions, network, a provider API change) and nobody looks,
#   so the dashboard says "rotation enabled" while the same value stays in use. The May 2026
#   incident's advice was to rotate and then "check the timestamps" to confirm the rotation
#   really happened; this rule checks them. The interval is the longest gap the schedule leaves
#   (see KW-SM-002). When the schedule cannot be read, the secret counts as overdue once
#   NextRotationDate is more than the grace period in the past. A secret that never rotated but
#   whose NextRotationDate lies ahead (rotation just turned on, first run planned) is not overdue;
#   a secret scheduled for deletion is not judged.
# related_resources:
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-2
#   - ref: https://attack.mitre.org/techniques/T1528/
# custom:
#   id: KW-SM-003
#   name: secret-rotation-overdue
#   severity: high
#   requires: [secretsmanager.secrets, activity]
#   evaluates: [secrets]
#   evaluation_group: secret-rotation-schedules
#   controls:
#     aws-securityhub:
#       - id: SecretsManager.2
#         partial: true
#         leaves_out: >-
#           rotations late by no more than rotation_grace_days (3 by default), and failures the
#           timestamps do not show: keyward judges by the last rotation and the schedule, Security
#           Hub by AWS's own record of whether the rotation happened as scheduled
#     mitre-attack: [T1528]
#   remediation: |
#     1. Find why rotation stopped: read the rotation function's logs and the secret's version
#        stages (an AWSPENDING version left behind blocks the next rotation):
#          aws logs tail /aws/lambda/<function-name> --since 30d
#          aws secretsmanager list-secret-version-ids --secret-id <secret-arn>
#     2. Fix the cause (the function's role needs secretsmanager:PutSecretValue and
#        UpdateSecretVersionStage on the secret, and network access to the provider or database).
#     3. Rotate now and watch it succeed:
#          aws secretsmanager rotate-secret --secret-id <secret-arn>
#     4. Check the timestamps:
#          aws secretsmanager describe-secret --secret-id <secret-arn> \
#            --query '{LastRotated: LastRotatedDate, Next: NextRotationDate}'
#     5. Alarm on failures (EventBridge rule on the RotationFailed event) so it does not stall again.
package keyward.secrets.secret_rotation_overdue

import data.keyward.lib.secrets

# Library tables are read by their full `data.` path: reading a rule through an import alias
# trips a regorus 0.14.1 bug (see keyward.lib.secrets_input).
deny contains finding if {
	some overdue in data.keyward.lib.secrets.overdue_rotations
	secret := overdue.secret
	report := secrets.overdue_report(overdue)
	finding := {
		"resource": secret.arn,
		"region": secret.region,
		"message": sprintf("secret %s has rotation enabled but it is overdue: %s", [secret.name, report.summary]),
		"evidence": object.union(report.evidence, {"rotation_lambda": secret.rotation.lambda_arn}),
	}
}
