# METADATA
# title: User with more than one active access key
# description: |
#   Two active keys are normal for the minutes of a rotation, not as a steady state: a second key
#   usually means the old one was never retired after a rotation, or that the user's identity is
#   spread over several applications that cannot be told apart in CloudTrail. Either way there is
#   one more long-lived credential to leak. The advice after the May 2026 breach of an AI platform's
#   AWS account was to rotate and then confirm, by timestamp, that the old key is really gone; a
#   lingering second key is a rotation that did not finish.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-008
#   name: multiple-active-keys
#   severity: medium
#   requires: [iam.credentials]
#   evaluates: [users]
#   controls:
#     cis-aws-foundations-v3.0: ["1.13"]
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. List the keys and see which one is in use:
#          aws iam list-access-keys --user-name <user>
#          aws iam get-access-key-last-used --access-key-id <key-id>
#     2. Finish the rotation: move every caller to the newer key, then deactivate the older one,
#        wait for anything that breaks, and delete it:
#          aws iam update-access-key --user-name <user> --access-key-id <old-key-id> --status Inactive
#          aws iam delete-access-key --user-name <user> --access-key-id <old-key-id>
#     3. If two applications share the user, give each its own role (or user) instead.
package keyward.iam.multiple_active_keys


deny contains {
	"resource": user.arn,
	"message": sprintf("user %s has %d active access keys: %s", [user.name, count(active), concat(", ", labels)]),
	"evidence": {"active_keys": labels, "created": [key.created | some key in active]},
} if {
	some user in input.snapshot.users
	user.access_keys[1] # a second key exists: most users have one key or none, skipped cheaply
	active := [key | some key in user.access_keys; key.status == "active"]
	count(active) > 1
	labels := [key.identity.label | some key in user.access_keys; key.status == "active"]
}
