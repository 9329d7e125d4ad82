# METADATA
# title: User with directly attached policies
# description: |
#   Permissions attached to individual users are hard to review and easy to forget: each user
#   becomes a one-off, and removing someone's access means finding every policy that names them.
#   Granting through groups (and roles) keeps permissions in a few places that can be audited.
#   Auditing and restricting access to related systems was part of the response to the May 2026
#   breach of an AI platform's AWS account; that is much easier when access is not scattered over
#   users. Reported for a user with managed policies attached or inline policies of its own.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_attach-policy.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-2
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
# custom:
#   id: KW-IAM-010
#   name: user-attached-policies
#   severity: low
#   requires: [iam.authorization]
#   evaluates: [users]
#   controls:
#     cis-aws-foundations-v3.0: ["1.15"]
#     aws-securityhub: [IAM.2]
#   remediation: |
#     1. Create (or pick) a group that carries the permissions, and add the user:
#          aws iam attach-group-policy --group-name <group> --policy-arn <policy-arn>
#          aws iam add-user-to-group --group-name <group> --user-name <user>
#     2. Remove the policies from the user:
#          aws iam detach-user-policy --user-name <user> --policy-arn <policy-arn>
#          aws iam delete-user-policy --user-name <user> --policy-name <inline-policy-name>
#     3. Check nothing is left:
#          aws iam list-attached-user-policies --user-name <user>
#          aws iam list-user-policies --user-name <user>
package keyward.iam.user_attached_policies

deny contains {
	"resource": user.arn,
	"message": sprintf("user %s has policies of its own instead of through a group or role (managed: %s; inline: %s)", [
		user.name,
		names_or_none(attached),
		names_or_none(inline),
	]),
	"evidence": {"attached_policies": attached, "inline_policies": inline},
} if {
	some user in input.snapshot.users
	# Has either kind (a comparison, cheaper per user in regorus than two counts).
	[user.attached_policies, user.inline_policies] != [[], []]
	attached := [p.name | some p in user.attached_policies]
	inline := [p.name | some p in user.inline_policies]
}

names_or_none(names) := concat(", ", names) if count(names) > 0 else := "none"
