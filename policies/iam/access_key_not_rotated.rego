# METADATA
# title: Access key not rotated within the limit
# description: |
#   The longer an access key lives, the more places it has been copied to (laptops, CI settings,
#   config files, old backups) and the longer a leaked copy stays useful. Stolen valid credentials
#   are the likely way into an AI platform's AWS account breached in May 2026, and the advice that
#   followed was to rotate long-lived credentials and check the timestamps to confirm the rotation
#   happened. An active key older than `max_access_key_age_days` (90 by default) has not been
#   rotated.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-3
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-009
#   name: access-key-not-rotated
#   severity: high
#   requires: [iam.credentials, activity]
#   evaluates: [users]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "1.14"
#         thresholds: {max_access_key_age_days: 90}
#     aws-securityhub:
#       - id: IAM.3
#         thresholds: {max_access_key_age_days: 90}
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Create a second key and move every caller to it:
#          aws iam create-access-key --user-name <user>
#     2. Deactivate the old key, wait for anything that breaks, then delete it:
#          aws iam update-access-key --user-name <user> --access-key-id <old-key-id> --status Inactive
#          aws iam delete-access-key --user-name <user> --access-key-id <old-key-id>
#     3. Check the timestamps: the old key's last use must stop at the switch, and the new key's
#        creation date must be today:
#          aws iam get-access-key-last-used --access-key-id <old-key-id>
#          aws iam list-access-keys --user-name <user>
#     4. Better still, replace the key with a role (workloads in AWS), IAM Roles Anywhere or IAM
#        Identity Center (people), so no long-lived key exists.
package keyward.iam.access_key_not_rotated

import data.keyward.lib.time as kwtime

deny contains {
	"resource": user.arn,
	"key": id.ref,
	"message": sprintf("access key %s of user %s is %d days old (limit %d)", [id.label, user.name, age, max]),
	"evidence": {"created": key.created, "age_days": age, "limit_days": max, "last_used": object.get(key, ["last_used", "date"], null)},
} if {
	# Bound once, outside the loop: a rule or input reference inside it costs more.
	cut := too_old
	before := cut.candidates_before
	now := input.evaluation.as_of_ns
	day := kwtime.ns_per_day
	max := limit
	some user in input.snapshot.users
	some key in user.access_keys
	key.created <= before
	key.status == "active"
	created := time.parse_rfc3339_ns(key.created)
	created <= cut.ns
	# Whole days from the timestamp parsed above: in regorus a function call (kwtime.days_since)
	# costs more than the arithmetic, and this runs for every key reported.
	age := floor((now - created) / day)
	id := key.identity
}

limit := input.evaluation.thresholds.max_access_key_age_days

# Older than `limit` whole days is `limit + 1` or more: one string comparison settles most keys.
too_old := kwtime.cutoff(limit + 1)
