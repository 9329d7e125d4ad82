package keyward.secrets.third_party_key_widely_readable_test

import data.keyward.lib.secrets_input as t
import data.keyward.secrets.third_party_key_widely_readable.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

key := "prod/openai-api-key"

partner_reader := {
	"principal": "arn:aws:iam::999988887777:root",
	"scope": "other_account",
	"accounts": ["999988887777"],
	"access": "allowed",
	"via": "resource_policy",
	"paths": [],
}

public_reader := object.union(partner_reader, {"principal": "*", "scope": "public", "accounts": []})

ci_reader := {
	"principal": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
	"scope": "federated", "access": "conditional", "via": "role",
	"role": "arn:aws:iam::123456789012:role/ci", "paths": [],
}

admins := {
	"holder": "arn:aws:iam::123456789012:group/admins",
	"holder_kind": "group",
	"members": 14,
	"via": "identity_policy",
	"access": "allowed",
	"paths": [],
}

# input.access lists grants and outside readers once; secrets refer to them by index:
# outside 0 is the partner, 1 the public, 2 the CI identities; grant 0 is the admins group.
tables := {"grants": [admins], "outside": [partner_reader, public_reader, ci_reader]}

# Findings for one secret `name` with its effective access `fields` (input.access.secrets) and
# what reaches every secret. (The access model that computes them is tested in Rust.)
findings(name, fields, everywhere) := deny_for(t.input_with_access([t.secret(name, {})], {name: fields}, everywhere, tables))

test_readable_from_another_account_fires if {
	found := findings(key, {"readers": 2, "outside_account": true, "outside": [0]}, {})
	count(found) == 1
	some f in found
	f.resource == t.arn(key)
	f.region == "us-east-1"
	f.message == "secret prod/openai-api-key looks like a third-party API key (openai) and it can be read from outside the account by account arn:aws:iam::999988887777:root"
	f.evidence.outside == [partner_reader]
	f.evidence.readers == 2
	f.evidence.public == false
}

test_public_fires_once_without_repeating_the_public_reader if {
	found := findings(key, {"public": true, "outside_account": true, "outside": [1]}, {})
	some f in found
	f.message == "secret prod/openai-api-key looks like a third-party API key (openai) and anyone with AWS credentials can read it"
}

test_outside_readers_reaching_every_secret_count_too if {
	found := findings(key, {"outside_account": true}, {"outside": [2]})
	some f in found
	f.message == "secret prod/openai-api-key looks like a third-party API key (openai) and it can be read from outside the account by identities of arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com through role arn:aws:iam::123456789012:role/ci (conditional)"
}

test_more_readers_than_the_limit_fires_with_the_grants_as_evidence if {
	quiet := findings(key, {"readers": 10, "grants": [0]}, {})
	count(quiet) == 0
	found := findings(key, {"readers": 9, "conditional_readers": 3}, {"grants": [0]})
	count(found) == 1
	some f in found
	f.message == "secret prod/openai-api-key looks like a third-party API key (openai) and 12 of the account's principals can read it (3 of them only under a condition keyward cannot judge), more than the limit of 10"
	f.evidence.grants == [{"holder": admins.holder, "holder_kind": "group", "members": 14, "via": "identity_policy", "access": "allowed", "except": []}]
	f.evidence.grants_total == 1
	f.evidence.max_secret_readers == 10
}

# In an account where many principals read every secret, a finding lists the first 20 grants
# (every secret's first) and counts them all.
test_at_most_20_grants_are_listed_and_all_are_counted if {
	many := {"grants": [object.union(admins, {"holder": sprintf("arn:aws:iam::123456789012:user/u%d", [i]), "holder_kind": "user", "members": null}) | some i in numbers.range(0, 29)]}
	inp := t.input_with_access([t.secret(key, {})], {key: {"readers": 30, "grants": [25, 26, 27, 28, 29]}}, {"grants": numbers.range(0, 24)}, many)
	some f in deny_for(inp)
	count(f.evidence.grants) == 20
	f.evidence.grants[0].holder == "arn:aws:iam::123456789012:user/u0"
	f.evidence.grants_total == 30
}

# Many accounts outside reading every secret through roles: the message names five and counts
# the rest, the evidence lists 20 and counts them all.
test_the_message_names_five_outside_readers_and_counts_the_rest if {
	accounts := [object.union(partner_reader, {"principal": sprintf("arn:aws:iam::%d:root", [100000000000 + i])}) | some i in numbers.range(0, 29)]
	inp := t.input_with_access([t.secret(key, {})], {key: {"outside_account": true}}, {"outside": numbers.range(0, 29)}, {"outside": accounts})
	some f in deny_for(inp)
	f.message == "secret prod/openai-api-key looks like a third-party API key (openai) and it can be read from outside the account by account arn:aws:iam::100000000000:root, account arn:aws:iam::100000000001:root, account arn:aws:iam::100000000002:root, account arn:aws:iam::100000000003:root, account arn:aws:iam::100000000004:root and 25 more"
	count(f.evidence.outside) == 20
	f.evidence.outside_total == 30
}

test_the_limit_comes_from_the_thresholds if {
	inp := object.union(
		t.input_with_access([t.secret(key, {})], {key: {"readers": 3}}, {}, tables),
		{"evaluation": {"thresholds": {"max_secret_readers": 2}}},
	)
	count(deny_for(inp)) == 1
}

test_secrets_that_are_no_third_party_key_or_read_by_few_do_not_fire if {
	count(findings("prod/db-password", {"readers": 50, "public": true, "outside_account": true, "outside": [1]}, {})) == 0
	count(findings(key, {"readers": 1}, {})) == 0
}

test_every_problem_is_in_one_message if {
	found := findings(key, {"readers": 40, "outside_account": true, "outside": [0]}, {})
	count(found) == 1
	some f in found
	contains(f.message, "by account arn:aws:iam::999988887777:root; 40 of the account's principals can read it")
}

test_a_sparse_entry_as_the_report_writes_it if {
	# Empty lists and false flags are left out of input.access.
	entry := {"name": key, "readers": 11, "conditional_readers": 0, "public": false, "outside_account": false}
	inp := object.union(t.input_for([t.secret(key, {})]), {"access": {"secrets": {t.arn(key): entry}}})
	found := deny_for(inp)
	count(found) == 1
	some f in found
	f.evidence.outside == []
}
