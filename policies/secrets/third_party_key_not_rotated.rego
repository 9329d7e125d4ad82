# METADATA
# title: Third-party API key stored as a secret and not rotated
# description: |
#   The secret looks like a third-party API key (its name, description, tag keys or tag values
#   contain one of third_party_key_markers, e.g. "openai" or "api-key"), and its rotation is
#   disabled or overdue (the same test as KW-SM-003). This is the May 2026 incident: the
#   organization-level AI-provider keys stored in a breached AWS account were read by the
#   attackers and used to run up model usage at the victims' expense (resource hijacking), and
#   every customer had to rotate them by hand and check the timestamps. A provider key is a
#   machine password to a paid service, usually with no MFA and no IP restriction: whoever copies
#   it can use it until it is revoked, so it deserves the same rotation discipline as a cloud
#   credential. A secret scheduled for deletion is not judged.
# related_resources:
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-1
#   - ref: https://attack.mitre.org/techniques/T1528/
#   - ref: https://attack.mitre.org/techniques/T1496/004/
# custom:
#   id: KW-SM-006
#   name: third-party-key-not-rotated
#   severity: critical
#   requires: [secretsmanager.secrets]
#   evaluates: [secrets]
#   evaluation_group: secret-rotation-schedules
#   controls:
#     aws-securityhub:
#       - id: SecretsManager.1
#         partial: true
#         leaves_out: secrets that do not look like third-party API keys (KW-SM-001 checks every secret)
#       - id: SecretsManager.2
#         partial: true
#         leaves_out: >-
#           secrets that do not look like third-party API keys, and what KW-SM-003 leaves out
#           (KW-SM-003 checks every secret)
#     mitre-attack: [T1528, T1496.004]
#   remediation: |
#     1. Rotate the key now: create a new key in the provider's console or API, store it as a
#        new version (from a file, so it stays out of shell history and process lists):
#          aws secretsmanager put-secret-value --secret-id <secret-arn> --secret-string file://new-key.json
#        then revoke the old key at the provider once the applications use the new one.
#     2. Check the timestamps, and the provider's usage and audit logs for calls you do not
#        recognize since the key was last changed:
#          aws secretsmanager describe-secret --secret-id <secret-arn> \
#            --query '{LastChanged: LastChangedDate, LastRotated: LastRotatedDate, LastAccessed: LastAccessedDate}'
#     3. Automate it with a rotation Lambda that calls the provider's key API (create, test,
#        then revoke the previous key), on a short schedule:
#          aws secretsmanager rotate-secret --secret-id <secret-arn> \
#            --rotation-lambda-arn <function-arn> \
#            --rotation-rules '{"ScheduleExpression": "rate(30 days)"}'
#     4. If rotation is enabled but overdue, fix the rotation function first (see KW-SM-003).
#     5. Set spending limits and usage alerts at the provider, so a stolen key shows up quickly.
package keyward.secrets.third_party_key_not_rotated

import data.keyward.lib.secrets

# Library tables are read by their full `data.` path: reading a rule through an import alias
# trips a regorus 0.14.1 bug (see keyward.lib.secrets_input).

# Rotation disabled. The markers are looked up in input.third_party_keys (keyward searches
# them before the rules run, see keyward.lib.secrets.third_party_markers) bound before the loop:
# most secrets are not keys, and a lookup settles each of them for less than a function call.
deny contains finding(secret, markers, "rotation_disabled", text, history.evidence) if {
	keys := input.third_party_keys
	some secret in input.snapshot.secrets
	markers := keys[secret.arn]
	secret.rotation.enabled == false
	secret.deleted_date == null
	history := secrets.rotation_history(secret)
	text := sprintf("has automatic rotation disabled; %s", [history.text])
}

# Rotation enabled but overdue: the same test as KW-SM-003.
deny contains finding(secret, markers, "rotation_overdue", text, report.evidence) if {
	keys := input.third_party_keys
	some overdue in data.keyward.lib.secrets.overdue_rotations
	secret := overdue.secret
	markers := keys[secret.arn]
	report := secrets.overdue_report(overdue)
	text := sprintf("its rotation is overdue: %s", [report.summary])
}

# (The markers come sorted.)
finding(secret, markers, problem, text, evidence) := {
	"resource": secret.arn,
	"region": secret.region,
	"message": sprintf("secret %s looks like a third-party API key (%s) and %s", [secret.name, concat(", ", markers), text]),
	"evidence": object.union(evidence, {"markers": markers, "problem": problem}),
	"controls": {"aws-securityhub": [failed_control[problem]]},
}

# Rotation disabled fails SecretsManager.1, rotation overdue SecretsManager.2.
failed_control := {"rotation_disabled": "SecretsManager.1", "rotation_overdue": "SecretsManager.2"}
