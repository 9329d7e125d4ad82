# METADATA
# title: Plan creates a long-lived IAM user access key
# description: |
#   An `aws_iam_access_key` gives an IAM user a credential that works until someone deletes it:
#   nothing expires it, and it tends to be copied into CI settings, config files and laptops.
#   Stolen valid credentials are the likely way in of the May 2026 breach of an AI platform's
#   AWS account. A key made by Terraform is worse still: its secret is stored in the Terraform
#   state, in plain text unless `pgp_key` is set, so everyone who can read the state can use it.
#   Roles (for workloads in AWS), OIDC federation (for CI such as GitHub Actions) and IAM
#   Identity Center (for people) give short-lived credentials instead.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_access_key
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp
#   - ref: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-TF-001
#   name: plan-creates-access-key
#   severity: high
#   requires: [terraform]
#   evaluates: [users]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "1.11"
#         partial: true
#         leaves_out: keys that are not created by the plan (KW-IAM-006 checks the account's)
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Give the workload a role instead: an instance profile, a task or function role, or for
#        CI an OIDC trust (aws_iam_openid_connect_provider and a role whose trust policy names
#        the repository), and remove the aws_iam_access_key resource.
#     2. If a key cannot be avoided yet, create it outside Terraform so that its secret never
#        reaches the state, or at least set pgp_key so that the state holds it encrypted, and
#        rotate it on a schedule (KW-IAM-009 checks its age).
#     3. Check who can read the state (its bucket or backend) while any key's secret is in it.
package keyward.terraform.plan_creates_access_key

deny contains {
	"resource": key.subject,
	"key": key.address,
	"message": sprintf("the plan creates a long-lived access key %s for user %s%s", [key.address, user_name(key.subject), state_note[plain]]),
	"evidence": {"address": key.address, "action": key.action, "secret_in_state": state_word[plain]},
} if {
	some key in input.snapshot.terraform.resources
	key.type == "aws_iam_access_key"
	key.action in {"create", "replace"}
	key.subject != null
	plain := object.get(key.details, "pgp_key_set", false) == false
}

user_name(arn) := name if {
	parts := split(arn, "/")
	name := parts[count(parts) - 1]
}

state_note := {
	true: "; its secret will be stored in the Terraform state in plain text",
	false: "; its secret will be stored in the Terraform state, encrypted with pgp_key",
}

state_word := {true: "plain text", false: "pgp-encrypted"}
