package keyward.secrets.secret_policy_too_open_test

import data.keyward.lib.secrets_input as t
import data.keyward.secrets.secret_policy_too_open.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

partner := "999988887777"

read := "secretsmanager:GetSecretValue"

# A grant of the secret's resource policy as the access model reports it (the model itself,
# Denies, RCPs and conditions included, is tested in Rust: src/access/tests.rs).
grant(scope, principal, fields) := object.union(
	{"principal": principal, "scope": scope, "access": "allowed", "statement": "#1", "actions": [read]},
	fields,
)

# Findings for one secret "shared" whose resource policy grants these to outsiders.
with_grants(grants) := found if {
	found := deny_for(t.input_with_access([t.secret("shared", {})], {"shared": {"resource_policy": grants}}, {}, {}))
}

test_cross_account_fires if {
	found := with_grants([grant("other_account", sprintf("arn:aws:iam::%s:root", [partner]), {"accounts": [partner], "statement": "PartnerRead"})])
	count(found) == 1
	some f in found
	f.resource == t.arn("shared")
	f.region == "us-east-1"
	f.message == "secret shared has a resource policy that lets account 999988887777 (arn:aws:iam::999988887777:root) call secretsmanager:GetSecretValue (statement PartnerRead), without a condition"
	f.evidence.account == t.account_id
	count(f.evidence.grants) == 1
}

test_a_whole_account_is_named_once if {
	found := with_grants([grant("other_account", partner, {"accounts": [partner]})])
	some f in found
	f.message == "secret shared has a resource policy that lets account 999988887777 call secretsmanager:GetSecretValue (statement #1), without a condition"
}

test_public_fires_with_the_conditions_it_rests_on if {
	found := with_grants([grant("public", "*", {"actions": [read, "secretsmanager:DescribeSecret"], "conditions": ["aws:SecureTransport Bool true"]})])
	some f in found
	f.message == "secret shared has a resource policy that lets anyone (principal *) call secretsmanager:GetSecretValue, secretsmanager:DescribeSecret (statement #1), when aws:SecureTransport Bool true"
}

test_conditional_grants_fire_marked if {
	found := with_grants([grant("public", "*", {"access": "conditional", "conditions": ["cannot judge: ec2:Vpc StringEquals vpc-1"]})])
	some f in found
	endswith(f.message, ", only if a condition keyward cannot judge holds (cannot judge: ec2:Vpc StringEquals vpc-1)")
}

test_grants_to_the_organization_or_a_network_do_not_fire if {
	# AWS's recommended "Allow *, Deny unless aws:PrincipalOrgID" comes out as the organization.
	count(with_grants([grant("organization", "*", {}), grant("network", "*", {})])) == 0
	count(with_grants([])) == 0
}

test_each_secret_is_one_finding_listing_its_grants if {
	found := with_grants([
		grant("public", "*", {"statement": "Open"}),
		grant("other_account", partner, {"accounts": [partner], "statement": "Partner"}),
		grant("organization", "*", {"statement": "Org"}),
	])
	count(found) == 1
	some f in found
	[g.statement | some g in f.evidence.grants] == ["Open", "Partner"]
	contains(f.message, "; ")
}
