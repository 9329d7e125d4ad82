package keyward.lib.iam_test

import data.keyward.lib.assert
import data.keyward.lib.iam
import data.keyward.lib.test_input as t

get_secret := "secretsmanager:GetSecretValue"

stmt(fields) := object.union({"Effect": "Allow", "Resource": "*"}, fields)

# --- as_array and statements -------------------------------------------------------------------

test_as_array_wraps_a_single_value if {
	assert.equal(["s3:GetObject"], iam.as_array("s3:GetObject"))
	assert.equal(["a", "b"], iam.as_array(["a", "b"]))
}

test_statements_single_object_and_list if {
	assert.equal([{"Effect": "Allow"}], iam.statements({"Statement": {"Effect": "Allow"}}))
	assert.equal([{"Effect": "Allow"}, {"Effect": "Deny"}], iam.statements({"Statement": [{"Effect": "Allow"}, {"Effect": "Deny"}]}))
}

test_statements_undefined_without_statement if {
	not iam.statements({"Version": "2012-10-17"})
	not iam.statements(null)
}

test_is_conditional if {
	iam.is_conditional({"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
	not iam.is_conditional({"Condition": {}})
	not iam.is_conditional({"Effect": "Allow"})
}

# --- allows_action -----------------------------------------------------------------------------

test_allows_exact_action_ignoring_case if {
	iam.allows_action(stmt({"Action": "secretsmanager:GetSecretValue"}), get_secret)
	iam.allows_action(stmt({"Action": "SecretsManager:getsecretvalue"}), get_secret)
}

test_allows_wildcard_actions if {
	every pattern in ["*", "secretsmanager:*", "secretsmanager:Get*", "SECRETSMANAGER:GET*", "secretsmanager:*Value", "secretsmanager:GetSecretValu?", "secrets*"] {
		iam.allows_action(stmt({"Action": pattern}), get_secret)
	}
}

test_allows_action_from_a_list if {
	iam.allows_action(stmt({"Action": ["s3:GetObject", "secretsmanager:Get*"]}), get_secret)
}

test_other_actions_do_not_allow if {
	every pattern in ["s3:*", "secretsmanager:List*", "secretsmanager:GetSecretValueX", "secretsmanager:Describe?ecret", "ssm:GetParameter*", ["kms:Decrypt", "secretsmanager:Put*"]] {
		not iam.allows_action(stmt({"Action": pattern}), get_secret)
	}
}

test_deny_statement_does_not_allow if {
	not iam.allows_action({"Effect": "Deny", "Action": "*", "Resource": "*"}, get_secret)
}

test_glob_syntax_is_not_an_error if {
	not iam.allows_action(stmt({"Action": "secretsmanager:[G]et*"}), get_secret)
	not iam.allows_action(stmt({"Action": "secretsmanager:{Get,Put}*"}), get_secret)
}

test_not_action_allows_what_it_leaves_out if {
	iam.allows_action(stmt({"NotAction": "iam:*"}), get_secret)
	iam.allows_action(stmt({"NotAction": ["iam:*", "secretsmanager:Delete*"]}), get_secret)
}

test_not_action_covering_the_action_does_not_allow if {
	not iam.allows_action(stmt({"NotAction": "secretsmanager:*"}), get_secret)
	not iam.allows_action(stmt({"NotAction": ["iam:*", "SecretsManager:GetSecretValue"]}), get_secret)
	not iam.allows_action({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}, get_secret)
}

# --- covers_every_secret and on_every_secret ---------------------------------------------------

test_patterns_covering_every_secret if {
	every resource in [
		"*",
		"arn:*",
		"arn:aws:secretsmanager:*",
		"arn:aws:secretsmanager:*:*:secret:*",
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
		"arn:aws:secretsmanager:eu-west-1:*",
		"arn:aws:secretsmanager:*:*:*",
		"arn:aws:secretsmanager:*:123456789012:secret*",
		"arn:*:secret:*",
		"arn:aws-cn:secretsmanager:*:*:secret:*",
	] {
		iam.covers_every_secret(resource)
	}
}

test_patterns_covering_some_secrets_only if {
	every resource in [
		"arn:aws:secretsmanager:*:*:secret:prod/*",
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
		"arn:aws:secretsmanager:*:*:secret:?*",
		"arn:aws:s3:::*",
		"arn:aws:ssm:*:*:parameter/*",
		"arn:aws:secretsmanager:*:*:secret:${aws:username}*",
	] {
		not iam.covers_every_secret(resource)
	}
}

test_on_every_secret_with_a_resource_list if {
	iam.on_every_secret({"Resource": ["arn:aws:s3:::b/*", "arn:aws:secretsmanager:*:*:secret:*"]})
	not iam.on_every_secret({"Resource": ["arn:aws:s3:::b/*", "arn:aws:secretsmanager:*:*:secret:app/*"]})
}

test_not_resource_outside_secrets_manager_covers_every_secret if {
	iam.on_every_secret({"NotResource": "arn:aws:s3:::audit-logs/*"})
	iam.on_every_secret({"NotResource": ["arn:aws:s3:::a", "arn:aws:kms:*:*:key/*"]})
}

test_not_resource_naming_secrets_does_not_cover_every_secret if {
	every excluded in [
		"arn:aws:secretsmanager:*:*:secret:prod/*",
		["arn:aws:s3:::a", "arn:aws:secrets*:*"],
		"*",
		"arn:*",
		"arn:aws:[x]:*",
	] {
		not iam.on_every_secret({"NotResource": excluded})
	}
}

# --- principal_policies ------------------------------------------------------------------------

test_principal_policies_inline_then_managed if {
	doc := t.allow("s3:GetObject", "*")
	snapshot := {"policies": [t.managed_policy("Shared", doc, 1)]}
	principal := t.user("alice", {
		"inline_policies": [t.inline_policy("Own", doc)],
		"attached_policies": [t.attachment("Shared"), t.attachment("Missing")],
	})
	inp := t.input_for(snapshot)
	policies := iam.principal_policies(principal) with input as inp
	expected := [
		{"name": "Own", "arn": null, "document": doc},
		{"name": "Shared", "arn": "arn:aws:iam::123456789012:policy/Shared", "document": doc},
	]
	assert.equal(expected, policies)
}

test_principal_policies_empty if {
	inp := t.input_for({})
	assert.equal([], iam.principal_policies(t.role("r", {}))) with input as inp
}

test_principals_by_kind if {
	inp := t.input_for({"users": [t.user("alice", {})], "roles": [t.role("r", {})]})
	kinds := iam.principals_by_kind with input as inp
	assert.equal(["alice"], [u.name | some u in kinds.user])
	assert.equal([], kinds.group)
	assert.equal(["r"], [r.name | some r in kinds.role])
}

# --- credentials -------------------------------------------------------------------------------

test_use_phrase if {
	assert.equal("last used 2026-05-01", iam.use_phrase("2026-05-01T10:00:00Z"))
	assert.equal("never used", iam.use_phrase(null))
}

test_first_set if {
	assert.equal("a", iam.first_set("a", "b"))
	assert.equal("b", iam.first_set(null, "b"))
}

test_count_phrase if {
	assert.equal("1 day", iam.count_phrase(1, "day"))
	assert.equal("0 days", iam.count_phrase(0, "day"))
	assert.equal("412 days", iam.count_phrase(412, "day"))
}

test_wildcard_forms if {
	iam.action_matches("secretsmanager:*", get_secret)
	iam.action_matches("*", get_secret)
	iam.action_matches("secretsmanager:*Secret*", get_secret)
	iam.action_matches("secretsmanager:Get?ecretValue", get_secret)
	not iam.action_matches("secretsmanager:*Secret", get_secret)
	not iam.action_matches("secretsmanager:Get", get_secret)
}
