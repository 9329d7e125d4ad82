package keyward.terraform.secret_without_rotation_test

import data.keyward.lib.test_input as t
import data.keyward.terraform.secret_without_rotation as rule

db := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-??????"

key := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/openai-api-key-AbCdEf"

secret(arn, name) := {"arn": arn, "name": name, "region": "eu-west-1"}

deny_for(resources) := findings if {
	inp := t.input_for({
		"secrets": [secret(db, "prod/db")],
		"terraform": t.terraform(resources, false),
	})
	findings := rule.deny with input as inp
}

test_a_secret_without_rotation_fires if {
	findings := deny_for([t.planned(`module.s["db"].aws_secretsmanager_secret.this`, "aws_secretsmanager_secret", "create", db, {})])
	count(findings) == 1
	some f in findings
	f.resource == db
	f.region == "eu-west-1"
	f.message == `secret prod/db (module.s["db"].aws_secretsmanager_secret.this) has no aws_secretsmanager_secret_rotation in the configuration, so nothing rotates it`
}

test_a_secret_missing_from_the_snapshot_is_named_by_its_arn if {
	findings := deny_for([t.planned("aws_secretsmanager_secret.k", "aws_secretsmanager_secret", "no-op", key, {})])
	count(findings) == 1
	some f in findings
	f.region == "eu-west-1"
	startswith(f.message, sprintf("secret %s (", [key]))
}

test_a_rotated_secret_does_not_fire if {
	count(deny_for([
		t.planned("aws_secretsmanager_secret.db", "aws_secretsmanager_secret", "create", db, {}),
		t.planned("aws_secretsmanager_secret_rotation.db", "aws_secretsmanager_secret_rotation", "create", db, {}),
	])) == 0
}

test_a_rotation_being_deleted_does_not_count_and_a_deleted_secret_does_not_fire if {
	count(deny_for([
		t.planned("aws_secretsmanager_secret.db", "aws_secretsmanager_secret", "no-op", db, {}),
		t.planned("aws_secretsmanager_secret_rotation.db", "aws_secretsmanager_secret_rotation", "delete", db, {}),
	])) == 1
	count(deny_for([t.planned("aws_secretsmanager_secret.old", "aws_secretsmanager_secret", "delete", key, {})])) == 0
}
