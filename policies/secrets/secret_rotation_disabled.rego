# METADATA
# title: Secret without automatic rotation
# description: |
#   The secret's automatic rotation is turned off, so its value lives until someone replaces it
#   by hand, and a copy read once (by a leaked credential, a too-broad role, a log) stays valid for
#   as long. In the May 2026 incident the organization-level AI-provider API keys stored in a
#   breached AWS account had to be rotated by every customer after the fact; keys that rotate on
#   a schedule (a new version is created, tested, then made current) limit how long a stolen copy
#   is worth anything. Secrets managed by another service (owning_service) are reported too: their
#   managed rotation shows as enabled, so a disabled one is a real gap. A secret scheduled for
#   deletion is not judged: nobody can read it, and a restore brings its settings back.
# related_resources:
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-1
#   - ref: https://attack.mitre.org/techniques/T1528/
# custom:
#   id: KW-SM-001
#   name: secret-rotation-disabled
#   severity: medium
#   requires: [secretsmanager.secrets]
#   evaluates: [secrets]
#   controls:
#     aws-securityhub: [SecretsManager.1]
#     mitre-attack: [T1528]
#   remediation: |
#     1. Give the secret a rotation function: for a database secret use the Secrets Manager
#        template for its engine (or managed rotation); for a third-party API key write a Lambda
#        that creates a new key at the provider, stores it with PutSecretValue, tests it and
#        revokes the previous key.
#     2. Turn on rotation with a schedule no longer than your policy allows:
#          aws secretsmanager rotate-secret --secret-id <secret-arn> \
#            --rotation-lambda-arn <function-arn> \
#            --rotation-rules '{"ScheduleExpression": "rate(30 days)"}'
#        (this also rotates once right away; add `--no-rotate-immediately` to wait for the window).
#     3. Check the timestamps:
#          aws secretsmanager describe-secret --secret-id <secret-arn> \
#            --query '{RotationEnabled: RotationEnabled, LastRotated: LastRotatedDate, Next: NextRotationDate}'
package keyward.secrets.secret_rotation_disabled

# The finding is written out here rather than through keyward.lib.secrets.rotation_history,
# whose fields its evidence holds: this runs for every secret of an account that does not
# rotate, and in regorus a function call per finding costs more than the rest of it.
deny contains {
	"resource": secret.arn,
	"region": secret.region,
	"message": sprintf("secret %s has automatic rotation disabled; %s", [secret.name, last.text]),
	"evidence": {
		"rotation_enabled": false,
		"last_rotated": secret.rotation.last_rotated,
		"created": secret.created,
		"last_changed": secret.last_changed,
		"days_since_rotation": last.days,
		"owning_service": secret.owning_service,
	},
} if {
	some secret in input.snapshot.secrets
	secret.rotation.enabled == false
	secret.deleted_date == null
	last := secret.history.rotated
}
