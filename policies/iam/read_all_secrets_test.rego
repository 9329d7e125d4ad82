package keyward.iam.read_all_secrets_test

import data.keyward.iam.read_all_secrets as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

deny_for(snapshot) := findings if {
	inp := t.input_for(snapshot)
	findings := rule.deny with input as inp
}

read_all := t.allow("secretsmanager:GetSecretValue", "*")

# A role whose only (inline) policy has the given document.
role_with(document) := {"roles": [t.role("ci", {"inline_policies": [t.inline_policy("secrets", document)]})]}

statement(fields) := {"Version": "2012-10-17", "Statement": [object.union({"Effect": "Allow"}, fields)]}

test_inline_grant_fires if {
	findings := deny_for(role_with(read_all))
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:role/ci", f.resource)
	assert.equal(null, object.get(f, "key", null)) # no key: one finding per resource
	assert.equal("role ci can read the value of every secret (secretsmanager:GetSecretValue on all secrets) through policy secrets", f.message)
	assert.equal({"policies": ["secrets"], "conditional": false}, f.evidence)
}

test_action_and_resource_forms_that_fire if {
	every document in [
		t.allow("secretsmanager:*", "*"),
		t.allow("SecretsManager:Get*", "arn:aws:secretsmanager:*:*:secret:*"),
		t.allow(["s3:GetObject", "*"], ["arn:aws:s3:::b/*", "arn:aws:secretsmanager:us-east-1:123456789012:secret:*"]),
		t.allow("secretsmanager:GetSecret*", "arn:aws:secretsmanager:*"),
		statement({"NotAction": ["iam:*", "organizations:*"], "Resource": "*"}),
		statement({"Action": "secretsmanager:GetSecretValue", "NotResource": "arn:aws:s3:::logs/*"}),
	] {
		assert.size(1, deny_for(role_with(document)))
	}
}

test_forms_that_do_not_fire if {
	every document in [
		t.allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/*"),
		t.allow("secretsmanager:List*", "*"),
		t.allow("secretsmanager:DescribeSecret", "*"),
		t.allow("s3:*", "*"),
		statement({"NotAction": "secretsmanager:*", "Resource": "*"}),
		statement({"Action": "*", "NotResource": "arn:aws:secretsmanager:*:*:secret:prod/*"}),
		{"Statement": {"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"}},
		{"Version": "2012-10-17"},
	] {
		assert.empty(deny_for(role_with(document)))
	}
}

test_conditional_grant_fires_marked if {
	document := statement({
		"Action": "secretsmanager:GetSecretValue",
		"Resource": "*",
		"Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
	})
	findings := deny_for(role_with(document))
	assert.size(1, findings)
	some f in findings
	assert.equal({"policies": ["secrets"], "conditional": true}, f.evidence)
	endswith(f.message, "through policy secrets (only when the statements' Condition holds)")
}

# One unconditional statement anywhere makes the grant unconditional.
test_conditional_and_unconditional_grant if {
	conditional := statement({"Action": "secretsmanager:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}})
	user := t.user("alice", {"inline_policies": [t.inline_policy("a-cond", conditional), t.inline_policy("b-open", read_all)]})
	findings := deny_for({"users": [user]})
	assert.size(1, findings)
	some f in findings
	assert.equal({"policies": ["a-cond", "b-open"], "conditional": false}, f.evidence)
	assert.equal("user alice can read the value of every secret (secretsmanager:GetSecretValue on all secrets) through policies a-cond, b-open", f.message)
}

# Managed policies count for every principal they are attached to, AWS-managed ones included.
test_attached_managed_policy if {
	aws_read_write := object.union(t.managed_policy("SecretsManagerReadWrite", t.allow("secretsmanager:*", "*"), 2), {
		"aws_managed": true,
		"arn": "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
	})
	attach := {"name": "SecretsManagerReadWrite", "arn": "arn:aws:iam::aws:policy/SecretsManagerReadWrite"}
	findings := deny_for({
		"policies": [aws_read_write, t.managed_policy("Unused", read_all, 0)],
		"groups": [t.group("ops", {"attached_policies": [attach]})],
		"roles": [t.role("app", {"attached_policies": [attach]}), t.role("other", {})],
	})
	assert.size(2, findings)
	assert.equal({"arn:aws:iam::123456789012:group/ops", "arn:aws:iam::123456789012:role/app"}, {f.resource | some f in findings})
	some f in findings
	assert.equal("group ops can read the value of every secret (secretsmanager:GetSecretValue on all secrets) through policy SecretsManagerReadWrite", f.message)
}

# An attached policy missing from the snapshot's policies grants nothing we can see.
test_missing_managed_policy_no_finding if {
	assert.empty(deny_for({"users": [t.user("alice", {"attached_policies": [t.attachment("Gone")]})]}))
}

test_user_without_policies_no_finding if {
	assert.empty(deny_for({"users": [t.user("alice", {})]}))
}
