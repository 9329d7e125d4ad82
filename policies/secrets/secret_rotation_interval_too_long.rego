# METADATA
# title: Secret rotation schedule longer than allowed
# description: |
#   Rotation is on, but the schedule leaves more than max_rotation_interval_days between two
#   rotations, so a stolen copy of the secret stays valid for longer than your policy accepts.
#   The AI-provider keys exposed in the May 2026 incident were used for weeks of resource
#   hijacking; the rotation interval is the upper bound on how long such a key keeps working.
#   The interval is rate(N days) or rate(N hours), or for a cron() schedule the longest gap
#   between two of its runs, worked out from the calendar with every field form AWS accepts
#   (minute and hour fields, day-of-month lists, ranges and steps such as 1/7, month lists and
#   ranges such as JAN,APR,JUL,OCT, day-of-week names, L, W and #): a quarterly schedule is 92
#   days, a bimonthly one 62. Without an expression AWS accepts, AutomaticallyAfterDays serves.
#   A schedule keyward cannot read is not reported here, and neither is a secret scheduled for
#   deletion. (Security Hub's SecretsManager.1 makes the same check only when it is given a
#   maximumAllowedRotationFrequency; its SecretsManager.4, the age of the last rotation whatever
#   the schedule, is KW-SM-007.)
# related_resources:
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-1
#   - ref: https://attack.mitre.org/techniques/T1528/
# custom:
#   id: KW-SM-002
#   name: secret-rotation-interval-too-long
#   severity: medium
#   requires: [secretsmanager.secrets]
#   evaluates: [secrets]
#   evaluation_group: secret-rotation-schedules
#   controls:
#     mitre-attack: [T1528]
#   remediation: |
#     1. Shorten the schedule to at most max_rotation_interval_days (keyward.yaml, default 90),
#        keeping the existing rotation function:
#          aws secretsmanager rotate-secret --secret-id <secret-arn> \
#            --rotation-rules '{"ScheduleExpression": "rate(30 days)"}' --no-rotate-immediately
#     2. For a cron() schedule, make it run at least monthly, e.g. `cron(0 3 1 * ? *)`.
#     3. Confirm the new schedule:
#          aws secretsmanager describe-secret --secret-id <secret-arn> \
#            --query '{Rules: RotationRules, Next: NextRotationDate}'
package keyward.secrets.secret_rotation_interval_too_long

max_days := input.evaluation.thresholds.max_rotation_interval_days

# Library tables are read by their full `data.` path: reading a rule through an import alias
# trips a regorus 0.14.1 bug (see keyward.lib.secrets_input).

# The schedules of the snapshot that are too long, keyed by rotation rules: one lookup per secret
# (an account has thousands of secrets but a handful of schedules).
too_long := {rules: schedule |
	some rules, schedule in data.keyward.lib.secrets.schedules
	schedule.days > max_days
}

deny contains finding if {
	table := too_long # read once, not once per secret
	some secret in input.snapshot.secrets
	secret.rotation.enabled == true
	secret.deleted_date == null
	schedule := table[secret.rotation.rules]
	finding := {
		"resource": secret.arn,
		"region": secret.region,
		"message": sprintf("secret %s rotates less often than every %v days: schedule %s", [secret.name, max_days, schedule.label]),
		"evidence": {
			"schedule": schedule.label,
			"interval_days": schedule.days,
			"max_rotation_interval_days": max_days,
			"last_rotated": secret.rotation.last_rotated,
		},
	}
}
