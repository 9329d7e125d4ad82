package keyward.lib.service_principals_test

import data.keyward.lib.assert
import data.keyward.lib.service_principals

events := "events.amazonaws.com"

read(principal) := {"Effect": "Allow", "Principal": principal, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}

policy(statements) := {"Version": "2012-10-17", "Statement": statements}

reads(statements) := service_principals.unscoped_reads(policy(statements))

test_a_service_without_a_condition_is_reported_with_its_statement if {
	s := object.union(read({"Service": events}), {"Sid": "Events"})
	reads([s]) == [{"statement": "Events", "services": [events], "document": s}]
}

test_a_list_of_services_and_a_single_statement_object if {
	s := read({"Service": ["lambda.amazonaws.com", events]})
	reads(s) == [{"statement": "#1", "services": [events, "lambda.amazonaws.com"], "document": s}]
}

test_each_source_key_scopes_the_grant_in_any_case if {
	every condition in [
		{"StringEquals": {"aws:SourceAccount": "123456789012"}},
		{"ArnLike": {"AWS:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/*"}},
		{"stringequals": {"aws:SourceOrgID": ["o-abc123"]}},
		{"StringLike": {"aws:SourceOrgPaths": "o-abc123/r-ab12/*"}},
		{"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r"}},
	] {
		reads([object.union(read({"Service": events}), {"Condition": condition})]) == []
	}
}

test_conditions_that_do_not_scope_leave_it_reported if {
	every condition in [
		{"StringNotEquals": {"aws:SourceAccount": "123456789012"}},
		{"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}},
		{"StringLike": {"aws:SourceArn": "*"}},
		{"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
	] {
		count(reads([object.union(read({"Service": events}), {"Condition": condition})])) == 1
	}
}

test_other_principals_actions_and_effects_are_not_reported if {
	reads([read({"AWS": "arn:aws:iam::999988887777:root"})]) == []
	reads([read("*")]) == []
	reads([object.union(read({"Service": events}), {"Effect": "Deny"})]) == []
	reads([object.union(read({"Service": events}), {"Action": "secretsmanager:DescribeSecret"})]) == []
}

test_wildcard_actions_read_the_secret if {
	count(reads([object.union(read({"Service": events}), {"Action": "secretsmanager:*"})])) == 1
}

get_secret := "secretsmanager:GetSecretValue"

stmt(fields) := object.union({"Effect": "Allow", "Resource": "*"}, fields)

# --- allows_action -----------------------------------------------------------------------------

test_allows_exact_action_ignoring_case if {
	service_principals.allows_action(stmt({"Action": "secretsmanager:GetSecretValue"}), get_secret)
	service_principals.allows_action(stmt({"Action": "SecretsManager:getsecretvalue"}), get_secret)
}

test_allows_wildcard_actions if {
	every pattern in ["*", "secretsmanager:*", "secretsmanager:Get*", "SECRETSMANAGER:GET*", "secretsmanager:*Value", "secretsmanager:GetSecretValu?", "secrets*"] {
		service_principals.allows_action(stmt({"Action": pattern}), get_secret)
	}
}

test_allows_action_from_a_list if {
	service_principals.allows_action(stmt({"Action": ["s3:GetObject", "secretsmanager:Get*"]}), get_secret)
}

test_other_actions_do_not_allow if {
	every pattern in ["s3:*", "secretsmanager:List*", "secretsmanager:GetSecretValueX", "secretsmanager:Describe?ecret", "ssm:GetParameter*", ["kms:Decrypt", "secretsmanager:Put*"]] {
		not service_principals.allows_action(stmt({"Action": pattern}), get_secret)
	}
}

test_deny_statement_does_not_allow if {
	not service_principals.allows_action({"Effect": "Deny", "Action": "*", "Resource": "*"}, get_secret)
}

test_glob_syntax_is_not_an_error if {
	not service_principals.allows_action(stmt({"Action": "secretsmanager:[G]et*"}), get_secret)
	not service_principals.allows_action(stmt({"Action": "secretsmanager:{Get,Put}*"}), get_secret)
}

test_not_action_allows_what_it_leaves_out if {
	service_principals.allows_action(stmt({"NotAction": "iam:*"}), get_secret)
	service_principals.allows_action(stmt({"NotAction": ["iam:*", "secretsmanager:Delete*"]}), get_secret)
}

test_not_action_covering_the_action_does_not_allow if {
	not service_principals.allows_action(stmt({"NotAction": "secretsmanager:*"}), get_secret)
	not service_principals.allows_action(stmt({"NotAction": ["iam:*", "SecretsManager:GetSecretValue"]}), get_secret)
	not service_principals.allows_action({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}, get_secret)
}
