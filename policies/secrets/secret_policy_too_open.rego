# METADATA
# title: Secret resource policy open to anyone or to other accounts
# description: |
#   The secret's resource policy has an Allow statement, without a Condition, for Principal "*"
#   (anyone, including principals of every other AWS account) or for a principal of another
#   account. Whoever controls that principal can read the secret without any permission in your
#   account, and your CloudTrail shows only the calls, not who is behind the other account. Read
#   access to stored API keys is precisely what turned the May 2026 breach into stolen
#   AI-provider keys used for resource hijacking. Principals of the snapshot's own account, and
#   service principals, are not reported (KW-SM-008 checks service principals). An Allow with
#   NotPrincipal grants everyone but the listed principals and counts as "*". Deny statements are ignored, and so is any statement with
#   a Condition: keyward does not judge conditions (aws:PrincipalOrgID, aws:SourceVpce, ...),
#   so review those yourself.
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
#   requires: [secretsmanager.resource_policies]
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

import data.keyward.lib.secrets

account_id := input.snapshot.account.id

deny contains finding if {
	some secret in input.snapshot.secrets
	secret.resource_policy != null
	grants := open_grants(secret.resource_policy)
	count(grants) > 0
	finding := {
		"resource": secret.arn,
		"region": secret.region,
		"message": sprintf("secret %s has a resource policy that lets %s, without a condition", [secret.name, concat("; ", {grant_text(g) | some g in grants})]),
		"evidence": {"account": account_id, "grants": grants},
	}
}

# The unconditional Allow grants of a policy to someone outside the account, one per statement
# and principal. (The helpers below are `else` chains: their cases exclude each other, and a
# chain stops at the first that holds.)
open_grants(policy) := {grant |
	some i, statement in secrets.as_list(policy.Statement)
	statement.Effect == "Allow"
	not conditional(statement)
	label := statement_label(statement, i)
	acts := actions(statement)
	some principal in principals(statement)
	grant := outside_grant(principal, label, acts)
}

# An empty Condition block ({}) restricts nothing, so only a non-empty one counts.
conditional(statement) if count(object.get(statement, "Condition", {})) > 0

# AWS principals of a statement. Service, Federated and CanonicalUser principals are left out:
# a service acts for the account that configured it. Allow + NotPrincipal grants everyone except
# the listed principals, which is "*" for this rule.
principals(statement) := ["*"] if {
	statement.Principal == "*"
} else := aws if {
	is_object(statement.Principal)
	aws := secrets.as_list(statement.Principal.AWS)
} else := ["*"] if {
	statement.NotPrincipal
}

outside_grant(principal, label, acts) := {"principal": principal, "access": "public", "statement": label, "actions": acts} if {
	principal == "*"
} else := {"principal": principal, "access": "cross-account", "account": other, "statement": label, "actions": acts} if {
	other := account_of(principal)
	other != account_id
}

# The account of an AWS principal: a bare 12-digit id, or the account field of an ARN
# (arn:aws:iam::111122223333:role/x, arn:aws:sts::111122223333:assumed-role/...). Unique ids
# (AROA..., left behind when a principal is deleted) name no account and are not reported.
account_of(principal) := principal if {
	count(principal) == 12
	secrets.digits(principal)
} else := account if {
	startswith(principal, "arn:")
	account := split(principal, ":")[4]
}

# A statement is named by its Sid, else by its position: "#2".
statement_label(statement, i) := statement.Sid if {
	is_string(statement.Sid)
	statement.Sid != ""
} else := sprintf("#%d", [i + 1])

actions(statement) := acts if {
	acts := secrets.as_list(statement.Action)
} else := [sprintf("every action except %s", [concat(", ", secrets.as_list(statement.NotAction))])]

grant_text(g) := sprintf("anyone (principal *) call %s (statement %s)", [concat(", ", g.actions), g.statement]) if {
	g.access == "public"
} else := sprintf("account %s (%s) call %s (statement %s)", [g.account, g.principal, concat(", ", g.actions), g.statement])
