# METADATA
# title: Access key created with the user and never used
# description: |
#   Creating an access key by default when a console user is set up leaves a long-lived credential
#   that nobody needs: it was never used, yet it works for as long as the user exists, and it tends
#   to sit in a setup script, a CSV download or a chat message. Unneeded keys are exactly the kind
#   of valid credential whose theft likely opened an AI platform's AWS account breached in May
#   2026; a console user should get a key only when a real need for one appears. Reported for an
#   active access key that was never used, of a user with a console password, created within
#   `initial_key_window_hours` (24 by default) of the user.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-006
#   name: initial-access-key-unused
#   severity: low
#   requires: [iam.credentials, activity]
#   evaluates: [users]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "1.11"
#         partial: true
#         leaves_out: >-
#           never-used keys of console users created more than initial_key_window_hours (24 by
#           default) after the user, and inactive ones: CIS's audit asks about every never-used
#           key of a user with a console password
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Confirm with the user that the key is not needed (it has never been used):
#          aws iam get-access-key-last-used --access-key-id <key-id>
#     2. Delete it:
#          aws iam delete-access-key --user-name <user> --access-key-id <key-id>
#     3. Change the onboarding process (scripts, templates) so that it no longer creates a key
#        along with a console user.
package keyward.iam.initial_access_key_unused

import data.keyward.lib.iam
import data.keyward.lib.time as kwtime

deny contains {
	"resource": user.arn,
	"key": id.ref,
	"message": sprintf("access key %s of console user %s was created %s after the user and has never been used", [
		id.label,
		user.name,
		iam.count_phrase(hours, "hour"),
	]),
	"evidence": {"user_created": user.created, "key_created": key.created, "hours_after_user": hours, "window_hours": window},
} if {
	window := input.evaluation.thresholds.initial_key_window_hours
	some user in input.snapshot.users
	user.password.enabled == true
	some key in user.access_keys
	key.status == "active"
	key.last_used == null
	hours := kwtime.hours_between(user.created, key.created)
	hours < window
	id := key.identity
}
