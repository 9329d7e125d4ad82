# METADATA
# title: Principal can read every secret
# description: |
#   A user, group or role allowed `secretsmanager:GetSecretValue` on every secret holds the keys to
#   everything stored there: database passwords, signing keys and third-party API keys. In the May
#   2026 breach of an AI platform's AWS account, that one account likely exposed the AI-provider API
#   keys customers had stored in it, and the response included restricting who can reach them. A
#   principal that reads all secrets turns any theft of its credentials into theft of all those keys
#   (ATT&CK T1528). Grants come from inline and attached managed policies, through
#   `secretsmanager:*`, `secretsmanager:Get*`, `*`, or an Allow with NotAction that leaves
#   GetSecretValue in; conditional grants are reported too, marked as such. Explicit denies,
#   permission boundaries, SCPs and secrets' own resource policies are not weighed.
# related_resources:
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
#   - ref: https://attack.mitre.org/techniques/T1555/006/
#   - ref: https://attack.mitre.org/techniques/T1528/
# custom:
#   id: KW-IAM-013
#   name: read-all-secrets
#   severity: high
#   requires: [iam.authorization]
#   evaluates: [principals]
#   controls:
#     mitre-attack: [T1555.006, T1528]
#   remediation: |
#     1. List the secrets the principal really needs, and scope the statement's Resource to their
#        ARNs (or a name prefix such as arn:aws:secretsmanager:<region>:<account>:secret:app/*),
#        or grant by tag with a condition on secretsmanager:ResourceTag/<key>.
#     2. Replace the policy (managed: new default version; inline: put the narrower policy):
#          aws iam create-policy-version --policy-arn <policy-arn> --policy-document file://scoped.json --set-as-default
#          aws iam put-role-policy --role-name <role> --policy-name <name> --policy-document file://scoped.json
#     3. Check the result for a secret the principal should not read (expect "implicitDeny"):
#          aws iam simulate-principal-policy --policy-source-arn <principal-arn> \
#            --action-names secretsmanager:GetSecretValue --resource-arns <secret-arn>
#     4. For a conditional grant, confirm that the condition really narrows the access.
package keyward.iam.read_all_secrets

import data.keyward.lib.iam

get_secret_value := "secretsmanager:GetSecretValue"

deny contains {
	"resource": principal.arn,
	"message": sprintf("%s %s can read the value of every secret (secretsmanager:GetSecretValue on all secrets) through %s %s%s", [
		principal.kind,
		principal.name,
		plural_word(count(names), "policy", "policies"),
		concat(", ", names),
		condition_note(conditional),
	]),
	"evidence": {"policies": names, "conditional": conditional},
} if {
	some principal, found in grants
	names := sort({g.policy | some g in found})
	# Conditional only when no granting policy is unconditional.
	conditional := count([g | some g in found; g.conditional == false]) == 0
}

# The policies through which each principal can read every secret, grouped by principal, in one
# pass over the principals' inline policies and attachments (most principals have neither a
# granting inline policy nor a granting attachment, and cost one loop each). Attached managed
# policies are evaluated once, by ARN, in managed_grants, however many principals share them.
# (iam.principal_policies gives the same documents, one principal at a time.)
grants[who] contains {"policy": policy.name, "conditional": conditional} if {
	some kind, principals in iam.principals_by_kind
	some principal in principals
	some policy in principal.inline_policies
	conditional := document_grant(policy.document)
	who := {"kind": kind, "name": principal.name, "arn": principal.arn}
}

grants[who] contains {"policy": attached.name, "conditional": conditional} if {
	some kind, principals in iam.principals_by_kind
	some principal in principals
	some attached in principal.attached_policies
	conditional := managed_grants[attached.arn]
	who := {"kind": kind, "name": principal.name, "arn": principal.arn}
}

managed_grants[policy.arn] := conditional if {
	some policy in input.snapshot.policies
	conditional := document_grant(policy.document)
}

# Whether a policy document grants reading every secret only under a Condition (true: every
# statement that grants it has one) or unconditionally (false); undefined when it does not.
document_grant(document) := count(unconditional) == 0 if {
	granting := [s |
		some s in iam.statements(document)
		iam.allows_action(s, get_secret_value)
		iam.on_every_secret(s)
	]
	count(granting) > 0
	unconditional := [s | some s in granting; not iam.is_conditional(s)]
}

plural_word(n, one, many) := one if n == 1 else := many

condition_note(conditional) := " (only when the statements' Condition holds)" if conditional else := ""
