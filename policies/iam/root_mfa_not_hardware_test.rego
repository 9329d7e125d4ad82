package keyward.iam.root_mfa_not_hardware_test

import data.keyward.iam.root_mfa_not_hardware as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

root(mfa_enabled, mfa_kind) := {"root": {
	"arn": "arn:aws:iam::123456789012:root",
	"mfa_enabled": mfa_enabled,
	"mfa_kind": mfa_kind,
	"access_keys": [],
	"password_last_used": null,
}}

deny_for(snapshot) := findings if {
	inp := t.input_for(snapshot)
	findings := rule.deny with input as inp
}

test_virtual_mfa_fires if {
	findings := deny_for(root(true, "virtual"))
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:root", f.resource)
	assert.equal("root user of account 123456789012 is protected by a virtual MFA device, not a hardware device", f.message)
	assert.equal({"mfa_kind": "virtual"}, f.evidence)
}

test_unknown_kind_fires if {
	findings := deny_for(root(true, null))
	assert.size(1, findings)
	some f in findings
	assert.includes("an MFA device of unknown kind", f.message)
	assert.equal({"mfa_kind": null}, f.evidence)
}

test_hardware_mfa_no_finding if {
	assert.empty(deny_for(root(true, "hardware")))
}

# No MFA at all is KW-IAM-002's finding, not this rule's.
test_no_mfa_no_finding if {
	assert.empty(deny_for(root(false, null)))
}

test_root_without_a_password_no_finding if {
	without := object.union(root(true, "virtual"), {"root": {"password_present": false}})
	count(deny_for(without)) == 0
	unknown := object.union(root(true, "virtual"), {"root": {"password_present": null}})
	count(deny_for(unknown)) == 1
}
