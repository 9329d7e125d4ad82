package keyward.secrets.secret_policy_too_open_test

import data.keyward.lib.assert
import data.keyward.lib.secrets_input as t
import data.keyward.secrets.secret_policy_too_open.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

partner := "999988887777"

partner_root := sprintf("arn:aws:iam::%s:root", [partner])

own_role := sprintf("arn:aws:iam::%s:role/app", [t.account_id])

read := "secretsmanager:GetSecretValue"

# A statement: `effect` for `principal` (the whole Principal element) on the secret.
statement(effect, principal) := {"Effect": effect, "Principal": principal, "Action": read, "Resource": "*"}

# Findings for one secret "shared" whose policy has `statements` (a list, or one statement
# object as AWS allows).
with_policy(statements) := found if {
	s := t.secret("shared", {"resource_policy": {"Version": "2012-10-17", "Statement": statements}})
	found := deny_for(t.input_for([s]))
}

fires(statements) if assert.size(1, with_policy(statements))

quiet(statements) if assert.empty(with_policy(statements))

test_cross_account_fires if {
	found := with_policy([object.union(statement("Allow", {"AWS": partner_root}), {"Sid": "PartnerRead"})])
	assert.size(1, found)
	some f in found
	assert.equal(t.arn("shared"), f.resource)
	assert.equal("us-east-1", f.region)
	assert.equal("secret shared has a resource policy that lets account 999988887777 (arn:aws:iam::999988887777:root) call secretsmanager:GetSecretValue (statement PartnerRead), without a condition", f.message)
	expected := {
		"account": t.account_id,
		"grants": {{
			"principal": partner_root,
			"access": "cross-account",
			"account": partner,
			"statement": "PartnerRead",
			"actions": [read],
		}},
	}
	assert.equal(expected, f.evidence)
}

test_cross_account_bare_id_and_sts_arn_fire if {
	fires(statement("Allow", {"AWS": partner}))
	fires(statement("Allow", {"AWS": "arn:aws:sts::999988887777:assumed-role/reader/session"}))
}

test_public_principal_forms_fire if {
	found := with_policy(statement("Allow", "*"))
	assert.size(1, found)
	some f in found
	assert.equal("secret shared has a resource policy that lets anyone (principal *) call secretsmanager:GetSecretValue (statement #1), without a condition", f.message)
	assert.equal({{"principal": "*", "access": "public", "statement": "#1", "actions": [read]}}, f.evidence.grants)
	fires(statement("Allow", {"AWS": "*"}))
	fires(statement("Allow", {"AWS": [own_role, "*"]}))
}

test_not_principal_counts_as_public if {
	found := with_policy({"Effect": "Allow", "NotPrincipal": {"AWS": own_role}, "Action": "secretsmanager:*", "Resource": "*"})
	some f in found
	assert.equal({{"principal": "*", "access": "public", "statement": "#1", "actions": ["secretsmanager:*"]}}, f.evidence.grants)
}

test_not_action_is_named if {
	found := with_policy({"Effect": "Allow", "Principal": "*", "NotAction": ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy"], "Resource": "*"})
	some f in found
	assert.includes("call every action except secretsmanager:DeleteSecret, secretsmanager:PutResourcePolicy (statement #1)", f.message)
}

test_same_account_does_not_fire if {
	quiet(statement("Allow", {"AWS": own_role}))
	quiet(statement("Allow", {"AWS": t.account_id}))
	quiet(statement("Allow", {"AWS": sprintf("arn:aws:iam::%s:root", [t.account_id])}))
}

test_service_and_unique_id_principals_do_not_fire if {
	quiet(statement("Allow", {"Service": "lambda.amazonaws.com"}))
	quiet(statement("Allow", {"AWS": "AROAEXAMPLEID1234567"}))
}

test_conditional_statement_does_not_fire if {
	conditional := object.union(statement("Allow", "*"), {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}})
	quiet(conditional)
	quiet(object.union(statement("Allow", {"AWS": partner_root}), {"Condition": {"Bool": {"aws:SecureTransport": "true"}}}))
}

test_empty_condition_restricts_nothing if {
	fires(object.union(statement("Allow", "*"), {"Condition": {}}))
}

test_deny_statement_does_not_fire if {
	quiet(statement("Deny", "*"))
	quiet([statement("Deny", {"AWS": partner_root}), statement("Allow", {"AWS": own_role})])
}

test_no_policy_does_not_fire if {
	found := deny_for(t.input_for([t.secret("private", {})]))
	assert.empty(found)
}

test_every_grant_in_one_finding if {
	found := with_policy([
		statement("Allow", {"AWS": [partner_root, "111122223333", own_role]}),
		object.union(statement("Allow", "*"), {"Sid": "Everyone", "Action": ["secretsmanager:DescribeSecret", read]}),
		object.union(statement("Allow", "*"), {"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}),
	])
	assert.size(1, found)
	some f in found
	assert.size(3, f.evidence.grants)
	assert.equal({partner_root, "111122223333", "*"}, {g.principal | some g in f.evidence.grants})
	assert.includes("account 111122223333 (111122223333) call secretsmanager:GetSecretValue (statement #1)", f.message)
	assert.includes("anyone (principal *) call secretsmanager:DescribeSecret, secretsmanager:GetSecretValue (statement Everyone)", f.message)
}

test_one_finding_per_open_secret if {
	open := t.secret("open", {"resource_policy": {"Statement": [statement("Allow", "*")]}})
	closed := t.secret("closed", {"resource_policy": {"Statement": [statement("Allow", {"AWS": own_role})]}})
	found := deny_for(t.input_for([open, closed, t.secret("none", {})]))
	assert.equal({t.arn("open")}, {f.resource | some f in found})
}
