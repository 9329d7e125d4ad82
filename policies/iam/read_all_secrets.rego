# METADATA
# title: Principal can read every secret
# description: |
#   A user or role that may call `secretsmanager:GetSecretValue` on every secret, existing and
#   future, holds the keys to everything stored there: database passwords, signing keys and
#   third-party API keys. In the May 2026 breach of an AI platform's AWS account, that one account
#   likely exposed the AI-provider API keys customers had stored in it, and the response included
#   restricting who can reach them. A principal that reads all secrets turns any theft of its
#   credentials into theft of all those keys (ATT&CK T1528). The answer is in effect, from
#   keyward's model of AWS's policy evaluation (`input.access`): its inline and managed policies
#   and its groups', after explicit denies, its permissions boundary, and the SCPs on the account
#   (when the snapshot has them: `keyward scan --org`). "Every secret" includes a secret created
#   tomorrow, so a policy that lists today's secrets one by one is not reported, and a Deny on
#   one secret ends it. Grants that hold only under a condition keyward cannot judge are
#   reported, marked conditional; conditions on where the call comes from (aws:SourceIp, VPC
#   endpoints) are shown with the grant. Reading through a role it can assume, or by granting
#   itself more, is not counted here: `keyward access` and KW-SM-009 show those routes.
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
#   requires: [iam.authorization, iam.policy_documents, organizations.policies]
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

import data.keyward.lib.access

deny contains {
	"resource": arn,
	"message": sprintf("%s %s can read the value of every secret in effect (secretsmanager:GetSecretValue on all secrets, future ones included) through %s%s", [
		principal.kind,
		principal.name,
		access.paths_text(grant.paths),
		access.conditional_note(grant.access),
	]),
	"evidence": {"access": grant.access, "paths": grant.paths},
} if {
	some arn, principal in input.access.principals
	grant := principal.every_secret
	grant != null
}
