package keyward.iam.read_all_secrets_test

import data.keyward.iam.read_all_secrets as rule
import data.keyward.lib.test_input as t

# deny for input.access.principals (the access model's answer; the model itself is tested in
# Rust, src/access/tests.rs).
deny_for(principals) := findings if {
	inp := object.union(t.input_for({}), {"access": {"principals": principals}})
	findings := rule.deny with input as inp
}

role_arn := "arn:aws:iam::123456789012:role/ci"

path(policy, attached_to, statement) := {"policy": policy, "attached_to": attached_to, "statement": statement}

principal(kind, name, fields) := object.union(
	{
		"kind": kind,
		"name": name,
		"every_secret": null,
		"admin": null,
		"readable_secrets": 0,
		"conditionally_readable_secrets": 0,
		"escalations": [],
		"assumed_by": [],
	},
	fields,
)

test_a_principal_reading_every_secret_in_effect_fires if {
	grant := {"access": "allowed", "paths": [path("secrets", role_arn, "#1")]}
	findings := deny_for({role_arn: principal("role", "ci", {"every_secret": grant})})
	count(findings) == 1
	some f in findings
	f.resource == role_arn
	object.get(f, "key", null) == null # no key: one finding per resource
	f.message == "role ci can read the value of every secret in effect (secretsmanager:GetSecretValue on all secrets, future ones included) through policy secrets (attached to role/ci, statement #1)"
	f.evidence == {"access": "allowed", "paths": [path("secrets", role_arn, "#1")]}
}

test_group_paths_and_conditions_are_named if {
	alice := "arn:aws:iam::123456789012:user/alice"
	group_path := object.union(path("admins-read", "arn:aws:iam::123456789012:group/admins", "ReadAll"), {"conditions": ["aws:SourceIp IpAddress 203.0.113.0/24"]})
	grant := {"access": "conditional", "paths": [group_path, path("own", alice, "#2")]}
	findings := deny_for({alice: principal("user", "alice", {"every_secret": grant})})
	some f in findings
	f.message == "user alice can read the value of every secret in effect (secretsmanager:GetSecretValue on all secrets, future ones included) through policy admins-read (attached to group/admins, statement ReadAll) when aws:SourceIp IpAddress 203.0.113.0/24; policy own (attached to user/alice, statement #2) (only if a condition keyward cannot judge holds)"
	f.evidence.access == "conditional"
}

test_principals_without_every_secret_do_not_fire if {
	# Reading many secrets, or through escalation, is not "every secret through its own policies".
	found := deny_for({
		role_arn: principal("role", "ci", {"readable_secrets": 9000, "escalations": [{"kind": "self_policy", "actions": ["iam:PutRolePolicy"], "access": "allowed"}]}),
	})
	count(found) == 0
	count(deny_for({})) == 0
}
