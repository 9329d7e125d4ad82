# METADATA
# title: Console user without MFA enforcement in its policies
# description: |
#   The configuration gives an IAM user a console password (`aws_iam_user_login_profile`), and
#   none of the user's policies (its own, or its groups') denies access while the sign-in has no
#   MFA. A new user has no MFA device: until someone enrolls one, the password alone signs in
#   with every permission the user holds, and nothing makes enrolling necessary. Stolen valid
#   credentials are the likely way in of the May 2026 breach of an AI platform's AWS account; a
#   policy that denies everything but MFA set-up while `aws:MultiFactorAuthPresent` is false
#   makes a stolen password alone useless. Enforcement counts when a Deny statement carries a
#   `Bool` or `BoolIfExists` condition on `aws:MultiFactorAuthPresent` equal to "false", or a
#   `Null` condition on `aws:MultiFactorAuthAge` equal to "true".
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_user_login_profile
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-TF-003
#   name: console-user-without-mfa-enforcement
#   severity: high
#   requires: [terraform, iam.credentials, iam.authorization]
#   evaluates: [users]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "1.10"
#         partial: true
#         leaves_out: whether the user has an MFA device, and users the plan does not define (KW-IAM-005 checks the account)
#     aws-securityhub:
#       - id: IAM.5
#         partial: true
#         leaves_out: whether the user has an MFA device, and users the plan does not define (KW-IAM-005 checks the account)
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Put console users in a group whose policy denies everything except managing their own
#        MFA while aws:MultiFactorAuthPresent is false (AWS's example "allows MFA-authenticated
#        IAM users to manage their own credentials"), for example with an
#        aws_iam_policy_document statement: effect = "Deny", not_actions = the iam:*MFA* and
#        sts:GetSessionToken actions, condition { test = "BoolIfExists",
#        variable = "aws:MultiFactorAuthPresent", values = ["false"] }.
#     2. Better, give people access through IAM Identity Center with MFA required, and remove
#        the login profile.
package keyward.terraform.console_user_without_mfa_enforcement

import data.keyward.lib.iam

deny contains {
	"resource": user.arn,
	"message": sprintf("user %s gets a console password from %s, and none of its policies denies access without MFA (checked: %s)", [user.name, profile.address, checked_text(checked)]),
	"evidence": {"address": profile.address, "action": profile.action, "policies_checked": checked},
} if {
	# Without a plan this is undefined and the body ends here, before indexing every user.
	resources := input.snapshot.terraform.resources
	users := users_by_arn # built once: a lookup per profile, not a pass over every user
	some profile in resources
	profile.type == "aws_iam_user_login_profile"
	profile.action != "delete"
	user := users[profile.subject]
	policies := user_policies(user)
	not enforced(policies)
	checked := sort([p.name | some p in policies])
}

users_by_arn := {user.arn: user | some user in input.snapshot.users}

# The user's policies and those of its groups: {"name", "document"}.
user_policies(user) := array.concat(iam.principal_policies(user), [p |
	some group in input.snapshot.groups
	group.name in user.groups
	some q in iam.principal_policies(group)
	p := {"name": sprintf("%s (group %s)", [q.name, group.name]), "arn": q.arn, "document": q.document}
])

enforced(policies) if {
	some policy in policies
	some statement in iam.statements(policy.document)
	statement.Effect == "Deny"
	denies_without_mfa(statement.Condition)
}

denies_without_mfa(condition) if {
	some operator in ["Bool", "BoolIfExists"]
	some key, value in condition[operator]
	lower(key) == "aws:multifactorauthpresent"
	"false" in iam.as_array(value)
} else := true if {
	some key, value in condition.Null
	lower(key) == "aws:multifactorauthage"
	"true" in iam.as_array(value)
}

checked_text(names) := concat(", ", names) if count(names) > 0 else := "no policies"
