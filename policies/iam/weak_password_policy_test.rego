package keyward.iam.weak_password_policy_test

import data.keyward.iam.weak_password_policy as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

strong := {
	"minimum_length": 14,
	"require_symbols": true,
	"require_numbers": true,
	"require_uppercase": true,
	"require_lowercase": true,
	"allow_users_to_change": true,
	"max_age_days": null,
	"reuse_prevention": 24,
	"hard_expiry": false,
}

# The strong policy with some fields changed.
policy(changes) := {"password_policy": object.union(strong, changes)}

deny_for(snapshot) := findings if {
	inp := t.input_for(snapshot)
	findings := rule.deny with input as inp
}

test_strong_policy_no_finding if {
	assert.empty(deny_for(policy({})))
	assert.empty(deny_for(policy({"minimum_length": 32, "reuse_prevention": 24})))
}

test_missing_policy_fires if {
	findings := deny_for({"password_policy": null})
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:root", f.resource)
	assert.equal("password policy of account 123456789012 is weak: no password policy is set, so AWS accepts 8-character passwords and their reuse", f.message)
	assert.equal({"weaknesses": ["no_policy"], "password_policy": null}, f.evidence)
}

test_short_minimum_length_boundary if {
	findings := deny_for(policy({"minimum_length": 13}))
	assert.size(1, findings)
	some f in findings
	assert.equal("password policy of account 123456789012 is weak: minimum length is 13 (CIS: 14 or more)", f.message)
	assert.equal(["minimum_length"], f.evidence.weaknesses)
	assert.equal(13, f.evidence.password_policy.minimum_length)
}

test_reuse_prevention if {
	some low in deny_for(policy({"reuse_prevention": 23}))
	assert.equal(["reuse_prevention"], low.evidence.weaknesses)
	endswith(low.message, "only 23 previous passwords are remembered (CIS: 24)")
	some off in deny_for(policy({"reuse_prevention": null}))
	endswith(off.message, "password reuse is not prevented (CIS: remember 24)")
}

test_every_weakness_in_one_finding if {
	weak := {
		"minimum_length": 8,
		"require_symbols": false,
		"require_numbers": false,
		"require_uppercase": false,
		"require_lowercase": false,
		"reuse_prevention": null,
	}
	findings := deny_for(policy(weak))
	assert.size(1, findings)
	some f in findings
	assert.equal(["minimum_length", "require_lowercase", "require_numbers", "require_symbols", "require_uppercase", "reuse_prevention"], f.evidence.weaknesses)
	expected := concat("", [
		"password policy of account 123456789012 is weak: minimum length is 8 (CIS: 14 or more); ",
		"lower-case letters are not required; numbers are not required; symbols are not required; ",
		"upper-case letters are not required; password reuse is not prevented (CIS: remember 24)",
	])
	assert.equal(expected, f.message)
}

test_single_character_class if {
	some f in deny_for(policy({"require_symbols": false}))
	assert.equal(["require_symbols"], f.evidence.weaknesses)
}

test_partition_in_resource if {
	findings := deny_for({"account": {"id": "210987654321", "partition": "aws-us-gov"}, "password_policy": null})
	some f in findings
	assert.equal("arn:aws-us-gov:iam::210987654321:root", f.resource)
}

# A finding names the controls of its weaknesses only: a compliance report fails CIS 1.9 and not
# 1.8 for a policy that only allows reuse.
controls_of(changes) := {f.controls | some f in deny_for(policy(changes))}

test_a_finding_names_the_controls_its_weaknesses_fail if {
	controls_of({"reuse_prevention": 5}) == {{"cis-aws-foundations-v3.0": ["1.9"], "aws-securityhub": ["IAM.16"]}}
	controls_of({"minimum_length": 10}) == {{"cis-aws-foundations-v3.0": ["1.8"], "aws-securityhub": ["IAM.15"]}}
	controls_of({"minimum_length": 6, "require_symbols": false}) == {{"cis-aws-foundations-v3.0": ["1.8"], "aws-securityhub": ["IAM.13", "IAM.15", "IAM.7"]}}
	controls_of({"require_uppercase": false, "require_lowercase": false, "require_numbers": false}) == {{"cis-aws-foundations-v3.0": [], "aws-securityhub": ["IAM.11", "IAM.12", "IAM.14", "IAM.7"]}}
}

test_no_policy_fails_every_password_control if {
	some f in deny_for({"password_policy": null})
	f.controls == {
		"cis-aws-foundations-v3.0": ["1.8", "1.9"],
		"aws-securityhub": ["IAM.11", "IAM.12", "IAM.13", "IAM.14", "IAM.15", "IAM.16", "IAM.7"],
	}
}
