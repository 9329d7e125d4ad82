# METADATA
# title: Secret not accessed recently
# description: |
#   Nobody has read the secret for unused_secret_days or more (or ever, counting from its
#   creation). A secret that no application needs is pure exposure: it can still be read by
#   whoever holds secretsmanager:GetSecretValue on it, it is rarely rotated, and forgotten
#   third-party API keys are exactly what an intruder harvests after breaking into an account,
#   as in the May 2026 incident. It also costs money every month. AWS records the last access
#   to the day, so "days ago" is approximate by up to a day. Secrets without a last access or a
#   creation date are not reported, nor are secrets already scheduled for deletion (what this
#   rule's remediation does).
# related_resources:
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_delete-secret.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-3
# custom:
#   id: KW-SM-004
#   name: unused-secret
#   severity: low
#   requires: [secretsmanager.secrets, activity]
#   evaluates: [secrets]
#   controls:
#     aws-securityhub:
#       - id: SecretsManager.3
#         thresholds: {unused_secret_days: 90}
#   remediation: |
#     1. Confirm nothing uses it: search CloudTrail for GetSecretValue on the secret, and your code
#        and infrastructure for its name:
#          aws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=<secret-arn>
#     2. If it holds a third-party API key, revoke the key at the provider first.
#     3. Schedule the deletion with a recovery window, so it can still be restored:
#          aws secretsmanager delete-secret --secret-id <secret-arn> --recovery-window-in-days 30
#        Undo it within the window with:
#          aws secretsmanager restore-secret --secret-id <secret-arn>
#     4. If it must stay, waive the finding with an owner and an expiry in keyward.yaml.
package keyward.secrets.unused_secret

import data.keyward.lib.time as kwtime

limit_days := input.evaluation.thresholds.unused_secret_days

unused_cutoff := kwtime.cutoff(limit_days)

# Unused since the last read, or since the creation when it was never read: the `at` of its
# access history (keyward works it out before the rules run, see policies/README.md). The
# finding is written out here rather than through a function: this runs for every unused
# secret, and in regorus a function call per finding costs more than the rest of it.
deny contains {
	"resource": secret.arn,
	"region": secret.region,
	"message": sprintf("secret %s %s; unused limit %v days", [secret.name, use.text, limit_days]),
	"evidence": {
		"last_accessed": secret.last_accessed,
		"created": secret.created,
		"days_unused": use.days,
		"unused_secret_days": limit_days,
	},
} if {
	cut := unused_cutoff # read once, not once per secret
	before := cut.candidates_before
	some secret in input.snapshot.secrets
	use := secret.history.accessed
	since := use.at
	since <= before
	since != null
	secret.deleted_date == null
	time.parse_rfc3339_ns(since) <= cut.ns
}
