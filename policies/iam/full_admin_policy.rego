# METADATA
# title: Principal has full administrative access in effect
# description: |
#   A user or role with administrative access can do anything in the account: read every secret,
#   create access keys for anyone, switch off logging. When such a principal's credentials are
#   stolen, as valid credentials likely were in the May 2026 breach of an AI platform's AWS
#   account, the intruder gets the whole account, including the AI-provider keys stored in it.
#   Least privilege keeps the damage to what the principal's job needs.
#
#   Administrative access in effect means, after explicit denies, the principal's permissions
#   boundary and the SCPs on the account: (1) every action of every service on any resource, as
#   a grant of `*`, `*:*` or a NotAction that leaves almost everything in (a NotResource that
#   spares a few resources changes nothing), and (2) IAM's privilege-management actions
#   (iam:PutUserPolicy, iam:AttachUserPolicy, iam:PutRolePolicy, iam:AttachRolePolicy,
#   iam:CreatePolicyVersion, iam:CreateAccessKey, iam:UpdateAssumeRolePolicy, iam:PassRole) on any
#   resource, so whatever is left it can grant itself. A PowerUserAccess-shaped policy (everything
#   but IAM, Organizations and Account) fails (2) and is not reported; a Deny of iam:* or an SCP
#   that keeps IAM out ends it. Every source counts, AWS-managed AdministratorAccess included, and
#   the finding names the policies and statements. Grants that hold only under a condition keyward
#   cannot judge are reported, marked conditional; CIS and Security Hub count a conditional full
#   grant as administrative too. Administrative access reached by assuming a role or granting
#   oneself more shows in `keyward access` (the principal's escalations). A finding names
#   Security Hub's IAM.1 only when a customer-managed policy is among its sources, the policies
#   that control checks.
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
#   requires: [iam.authorization, iam.policy_documents, organizations.policies]
#   evaluates: [principals]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "1.16"
#         partial: true
#         leaves_out: >-
#           full-admin policies attached where they grant nothing in effect: to a group without
#           members, or cancelled by an explicit Deny, a permissions boundary or an SCP (CIS checks
#           the attachment; keyward reports the access)
#     aws-securityhub:
#       - id: IAM.1
#         partial: true
#         leaves_out: >-
#           customer-managed policies attached to no user or role, or whose grant is cancelled in
#           effect (they grant nothing now, but would when attached or uncancelled)
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
#     4. Keep true administrators few, behind MFA, in a group or role that is reviewed regularly,
#        and waive their findings in keyward.yaml with an owner and an expiry.
package keyward.iam.full_admin_policy

import data.keyward.lib.access

deny contains {
	"resource": arn,
	"message": sprintf("%s %s has administrative access in effect (every action on every resource, IAM included) through %s%s", [
		principal.kind,
		principal.name,
		access.paths_text(grant.paths),
		access.conditional_note(grant.access),
	]),
	"evidence": {"access": grant.access, "paths": grant.paths},
	"controls": {"aws-securityhub": securityhub_controls(grant.paths)},
} if {
	some arn, principal in input.access.principals
	grant := principal.admin
	grant != null
}

# Security Hub's IAM.1 checks customer-managed policies only: a principal that is administrator
# through inline or AWS-managed policies alone does not fail it.
securityhub_controls(paths) := ["IAM.1"] if {
	some path in paths
	customer_managed(path)
} else := []

customer_managed(path) if {
	arn := object.get(path, "policy_arn", "")
	arn != ""
	not contains(arn, ":aws:policy/")
}

