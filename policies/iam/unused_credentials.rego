# METADATA
# title: Unused password or access key
# description: |
#   A password or access key that nobody has used for weeks is a credential nobody watches: it still
#   works, it is still stored somewhere, and its first use in months would likely be an attacker's.
#   In the May 2026 breach of an AI platform's AWS account, the way in was most likely stolen valid
#   credentials; removing credentials that are not in use shrinks what can be stolen. Reported for
#   each enabled console password and active access key last used (or, never used, created)
#   `unused_credential_days` (45 by default) or more days ago.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-22
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-8
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-007
#   name: unused-credentials
#   severity: medium
#   requires: [iam.credentials, activity]
#   evaluates: [users]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "1.12"
#         thresholds: {unused_credential_days: 45}
#     aws-securityhub:
#       - id: IAM.22
#         thresholds: {unused_credential_days: 45}
#       - id: IAM.8
#         thresholds: {unused_credential_days: 90}
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

import data.keyward.lib.iam
import data.keyward.lib.time as kwtime

# A console password counts from its last sign-in. Most users sign in often: this body settles
# each of them with one comparison.
deny contains unused(user, "password", "console password", since, created, since, days) if {
	# Bound once, outside the loop: a rule or input reference inside it costs more.
	cut := idle
	before := cut.candidates_before
	now := input.evaluation.as_of_ns
	day := kwtime.ns_per_day
	some user in input.snapshot.users
	since := user.password.last_used
	since <= before
	since != null
	user.password.enabled == true
	since_ns := time.parse_rfc3339_ns(since)
	since_ns <= cut.ns
	created := iam.first_set(user.password.last_changed, user.created)
	days := floor((now - since_ns) / day)
}

# A password never used counts from when it was set, or (when that is unknown) from the user's
# creation.
deny contains unused(user, "password", "console password", null, since, since, days) if {
	cut := idle
	before := cut.candidates_before
	now := input.evaluation.as_of_ns
	day := kwtime.ns_per_day
	some user in input.snapshot.users
	user.password.last_used == null
	user.password.enabled == true
	since := iam.first_set(user.password.last_changed, user.created)
	since <= before
	since_ns := time.parse_rfc3339_ns(since)
	since_ns <= cut.ns
	days := floor((now - since_ns) / day)
}

# An access key counts from its last use; never used, from its creation.
deny contains unused(user, id.ref, label, last_used, key.created, since, days) if {
	cut := idle
	before := cut.candidates_before
	now := input.evaluation.as_of_ns
	day := kwtime.ns_per_day
	some user in input.snapshot.users
	some key in user.access_keys
	# A key is last used no earlier than it was created, so a key created after the cutoff is
	# settled by one comparison, before the costlier object.get.
	key.created <= before
	since := object.get(key, ["last_used", "date"], key.created)
	since <= before
	key.status == "active"
	since_ns := time.parse_rfc3339_ns(since)
	since_ns <= cut.ns
	last_used := object.get(key, ["last_used", "date"], null)
	days := floor((now - since_ns) / day)
	id := key.identity
	label := sprintf("access key %s", [id.label])
}

limit := input.evaluation.thresholds.unused_credential_days

# Unused for `limit` whole days or more exactly when the last use (or creation) is at or before
# as_of - limit days. The days are worked out in the rule bodies from the time they already
# parsed, and only for the credentials reported: in regorus a function call costs more than the
# arithmetic.
idle := kwtime.cutoff(limit)

# The finding for a credential unused since `since` (its last use, or when never used
# (`last_used` null), its creation), `days` whole days before as_of.
unused(user, key, credential, last_used, created, since, days) := {
	"resource": user.arn,
	"key": key,
	"message": sprintf("%s of user %s %s %d days ago, on %s (limit %d days)", [credential, user.name, idle_phrase[last_used == null], days, substring(since, 0, 10), limit]),
	"evidence": {"last_used": last_used, "created": created, "days_unused": days, "limit_days": limit},
	"controls": {"aws-securityhub": [id | some id, control_days in securityhub_limits; days >= control_days]},
}

# Security Hub's controls on unused credentials and their limits: a credential unused for 45 to
# 89 days, reported at the default limit, fails IAM.22 but not IAM.8.
securityhub_limits := {"IAM.22": 45, "IAM.8": 90}

# (`days` is at least the limit, so "days" is the plural that fits.)
idle_phrase := {
	true: "has never been used since it was created",
	false: "was last used",
}
