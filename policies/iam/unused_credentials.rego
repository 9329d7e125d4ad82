# METADATA
# title: Unused password or access key
# description: |
#   A password or access key that nobody has used for weeks is a credential nobody watches: it
#   still works, it is still stored somewhere, and its first use in months would likely be an
#   attacker's. The AWS account breached at Braintrust in May 2026 was most likely entered with
#   stolen valid credentials; removing credentials that are not in use shrinks what can be stolen.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-22
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-007
#   name: unused-credentials
#   severity: medium
#   requires: [iam.credentials]
#   controls:
#     cis-aws-foundations-v3.0: ["1.12"]
#     aws-securityhub: [IAM.22]
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Confirm with the owner that the credential is no longer needed.
#     2. Access key: deactivate it, wait a few days for anything that breaks, then delete it:
#          aws iam update-access-key --user-name <user> --access-key-id <key-id> --status Inactive
#          aws iam delete-access-key --user-name <user> --access-key-id <key-id>
#     3. Console password: remove it (the user can no longer sign in to the console):
#          aws iam delete-login-profile --user-name <user>
#     4. If the user has no credential left, consider deleting the user.
package keyward.iam.unused_credentials

import data.keyward.lib.format
import data.keyward.lib.iam
import data.keyward.lib.time as kwtime

# A console password counts from its last sign-in; never used, from when it was set (or, when
# that is unknown, from the user's creation).
deny contains finding if {
	some user in input.snapshot.users
	user.password.enabled == true
	created := iam.first_set(user.password.last_changed, user.created)
	finding := unused(user, "password", "console password", user.password.last_used, created)
}

deny contains finding if {
	some user in input.snapshot.users
	some key in user.access_keys
	key.status == "active"
	label := sprintf("access key %s", [format.key_label(key)])
	finding := unused(user, format.key_ref(key), label, iam.key_last_used(key), key.created)
}

# The finding for a credential whose last use (or, never used, its creation) is
# `unused_credential_days` or more before as_of; undefined for one in use.
unused(user, key, credential, last_used, created) := {
	"resource": user.arn,
	"key": key,
	"message": sprintf("%s of user %s %s (limit %s)", [credential, user.name, idle_phrase(last_used, created, days), iam.count_phrase(limit, "day")]),
	"evidence": {"last_used": last_used, "created": created, "days_unused": days, "limit_days": limit},
} if {
	limit := input.evaluation.thresholds.unused_credential_days
	days := kwtime.days_since(iam.first_set(last_used, created))
	days >= limit
}

idle_phrase(null, created, days) := sprintf("has never been used since it was created %s ago, on %s", [iam.count_phrase(days, "day"), iam.day(created)])

idle_phrase(last_used, _, days) := sprintf("was last used %s ago, on %s", [iam.count_phrase(days, "day"), iam.day(last_used)]) if last_used != null
