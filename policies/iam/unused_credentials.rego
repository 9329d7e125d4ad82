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
# that is unknown, from the user's creation): the first of those times that is set.
deny contains unused(user, "password", "console password", user.password.last_used, created) if {
	cutoff := cutoff_ns # bound once: a rule reference inside the loop costs more
	some user in input.snapshot.users
	user.password.enabled == true
	since := [t | some t in [user.password.last_used, user.password.last_changed, user.created]; t != null][0]
	time.parse_rfc3339_ns(since) <= cutoff
	created := iam.first_set(user.password.last_changed, user.created)
}

# An access key counts from its last use; never used, from its creation.
deny contains unused(user, format.key_ref(key), label, last_used, key.created) if {
	cutoff := cutoff_ns
	some user in input.snapshot.users
	some key in user.access_keys
	key.status == "active"
	time.parse_rfc3339_ns(object.get(key, ["last_used", "date"], key.created)) <= cutoff
	last_used := object.get(key, ["last_used", "date"], null)
	label := sprintf("access key %s", [format.key_label(key)])
}

limit := input.evaluation.thresholds.unused_credential_days

# Unused for `limit` whole days or more exactly when the last use (or creation) is at or before
# as_of - limit days: one comparison per credential; the days are worked out only for the
# credentials reported.
cutoff_ns := input.evaluation.as_of_ns - (limit * kwtime.ns_per_day)

# The finding for a credential: `last_used` is null when it was never used.
unused(user, key, credential, last_used, created) := {
	"resource": user.arn,
	"key": key,
	"message": sprintf("%s of user %s %s (limit %d days)", [credential, user.name, idle_phrase(last_used, created, days), limit]),
	"evidence": {"last_used": last_used, "created": created, "days_unused": days, "limit_days": limit},
} if {
	days := kwtime.days_since(iam.first_set(last_used, created))
}

# (`days` is at least the limit, so "days" is the plural that fits.)
idle_phrase(last_used, created, days) := sprintf("has never been used since it was created %d days ago, on %s", [days, iam.day(created)]) if {
	last_used == null
} else := sprintf("was last used %d days ago, on %s", [days, iam.day(last_used)])
