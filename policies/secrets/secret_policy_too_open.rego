# METADATA
# title: Secret resource policy open to anyone or to other accounts
# description: |
#   The secret's resource policy lets anyone with AWS credentials (Principal "*", or an Allow
#   with NotPrincipal), or principals of another named account, act on the secret. Whoever
#   controls such a principal can read or change the secret without any permission in your
#   account, and your CloudTrail shows only the calls, not who is behind the other account. Read
#   access to stored API keys is precisely what turned the May 2026 breach into stolen
#   AI-provider keys used for resource hijacking.
#
#   The policy is judged with keyward's model of AWS's policy evaluation (`input.access`): its
#   Deny statements and the RCPs on the account are honoured, and only conditions that narrow
#   *who* may call narrow the grant: aws:PrincipalOrgID, aws:PrincipalOrgPaths (the organization:
#   not reported), aws:PrincipalAccount, aws:PrincipalArn (those accounts), aws:SourceVpce,
#   aws:SourceVpc, aws:SourceIp (a network: not reported). Conditions any caller can meet
#   (aws:SecureTransport, dates, request tags) narrow nothing, so "Allow * when
#   aws:SecureTransport" is public. A condition keyward cannot judge is reported, marked
#   conditional. The policy AWS recommends, "Allow * and Deny unless aws:PrincipalOrgID", is not
#   reported. Principals of the snapshot's own account and service principals are not reported
#   (KW-SM-008 checks service principals; KW-SM-009 covers third-party keys read from within the
#   organization).
# related_resources:
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_secret-policy.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
#   - ref: https://attack.mitre.org/techniques/T1555/006/
#   - ref: https://attack.mitre.org/techniques/T1528/
# custom:
#   id: KW-SM-005
#   name: secret-policy-too-open
#   severity: critical
#   requires: [secretsmanager.resource_policies, organizations.policies]
#   evaluates: [secrets]
#   controls:
#     mitre-attack: [T1555.006, T1528]
#   remediation: |
#     1. Read the policy:
#          aws secretsmanager get-resource-policy --secret-id <secret-arn>
#     2. If no other account needs the secret, remove the policy:
#          aws secretsmanager delete-resource-policy --secret-id <secret-arn>
#     3. Otherwise name exact principals (role ARNs, not "*" or a whole account) and restrict the
#        statement with a Condition such as aws:PrincipalOrgID, then put it back with public
#        policies blocked:
#          aws secretsmanager put-resource-policy --secret-id <secret-arn> \
#            --resource-policy file://policy.json --block-public-policy
#     4. A cross-account reader also needs kms:Decrypt on a customer-managed KMS key: review that
#        key policy too. If the secret was readable by anyone, treat its value as leaked: rotate it
#        and revoke the old value:
#          aws secretsmanager rotate-secret --secret-id <secret-arn>
package keyward.secrets.secret_policy_too_open

open_scopes := {"public", "other_account"}

deny contains {
	"resource": arn,
	"region": split(arn, ":")[3],
	"message": sprintf("secret %s has a resource policy that lets %s", [secret.name, concat("; ", sort([grant_text(g) | some g in grants]))]),
	"evidence": {"account": input.snapshot.account.id, "grants": grants},
} if {
	some arn, secret in input.access.secrets
	grants := [g | some g in secret.resource_policy; g.scope in open_scopes]
	count(grants) > 0
}

grant_text(g) := sprintf("anyone (principal %s) call %s (statement %s)%s", [g.principal, concat(", ", g.actions), g.statement, condition_text(g)]) if {
	g.scope == "public"
} else := sprintf("account %s call %s (statement %s)%s", [g.principal, concat(", ", g.actions), g.statement, condition_text(g)]) if {
	g.accounts == [g.principal] # the whole account: its id says it all
} else := sprintf("account %s (%s) call %s (statement %s)%s", [concat(", ", g.accounts), g.principal, concat(", ", g.actions), g.statement, condition_text(g)])

# Conditions the grant rests on: kept (who, from where) or not judged (then it is conditional).
condition_text(g) := sprintf(", only if a condition keyward cannot judge holds (%s)", [concat("; ", g.conditions)]) if {
	g.access == "conditional"
} else := sprintf(", when %s", [concat(" and ", g.conditions)]) if {
	count(object.get(g, "conditions", [])) > 0
} else := ", without a condition"
