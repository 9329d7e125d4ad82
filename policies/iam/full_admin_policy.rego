# METADATA
# title: Policy grants full administrative privileges
# description: |
#   A policy that allows every action on every resource makes whoever holds it an administrator:
#   they can read every secret, create access keys for anyone and switch off logging. When such a
#   principal's credentials are stolen, as valid credentials likely were in the May 2026 breach of
#   an AI platform's AWS account, the intruder gets the whole account, including the AI-provider
#   keys stored in it. Least privilege keeps the damage to what the principal's job needs. Checked
#   are the customer-managed policies that are attached to someone, and every inline policy
#   (AWS-managed policies such as AdministratorAccess are deliberate and out of scope here).
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-versioning.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-011
#   name: full-admin-policy
#   severity: high
#   requires: [iam.authorization]
#   evaluates: [policies, principals]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "1.16"
#         partial: true
#         leaves_out: >-
#           AWS-managed policies that allow every action on every resource (AdministratorAccess)
#           attached to a user, group or role: keyward takes them as a deliberate choice
#     aws-securityhub:
#       - id: IAM.1
#         partial: true
#         leaves_out: >-
#           customer-managed policies attached to no principal (they grant nothing until
#           attached)
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Work out what the principals really use: IAM Access Analyzer can generate a policy from
#        their CloudTrail activity, and "last accessed" data shows unused services:
#          aws iam generate-service-last-accessed-details --arn <principal-or-policy-arn>
#     2. Managed policy: publish a narrower version and make it the default:
#          aws iam create-policy-version --policy-arn <policy-arn> \
#            --policy-document file://least-privilege.json --set-as-default
#     3. Inline policy: replace it with a narrower one (or remove it):
#          aws iam put-role-policy --role-name <role> --policy-name <name> --policy-document file://least-privilege.json
#          aws iam delete-user-policy --user-name <user> --policy-name <name>
#     4. Keep true administrators few, behind MFA, in a group or role that is reviewed regularly.
package keyward.iam.full_admin_policy

import data.keyward.lib.iam

# Customer-managed policies, reported on the policy itself when attached to anyone.
deny contains {
	"resource": policy.arn,
	"message": sprintf("customer-managed policy %s allows every action (\"*\") on every resource and is attached to %s", [
		policy.name,
		iam.count_phrase(policy.attachment_count, "principal"),
	]),
	"evidence": {"policy": policy.name, "attachment_count": policy.attachment_count},
} if {
	some policy in input.snapshot.policies
	policy.aws_managed == false
	policy.attachment_count > 0
	grants_full_admin(policy.document)
}

# Inline policies, reported on the user, group or role that embeds them.
deny contains {
	"resource": principal.arn,
	"key": policy.name,
	"message": sprintf("inline policy %s of %s %s allows every action (\"*\") on every resource", [policy.name, kind, principal.name]),
	"evidence": {"policy": policy.name, "principal_type": kind},
	# Security Hub's IAM.1 checks customer-managed policies only, not inline ones.
	"controls": {"aws-securityhub": []},
} if {
	some kind, principals in iam.principals_by_kind
	some principal in principals
	some policy in principal.inline_policies
	grants_full_admin(policy.document)
}

all_actions := {"*", "*:*"}

# An Allow statement with Action "*" (or "*:*") on Resource "*", with or without a Condition:
# CIS and Security Hub count a conditional full grant as full admin too.
grants_full_admin(document) if {
	some statement in iam.statements(document)
	statement.Effect == "Allow"
	some action in iam.as_array(statement.Action)
	action in all_actions
	some resource in iam.as_array(statement.Resource)
	resource == "*"
}
