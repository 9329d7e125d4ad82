package keyward.iam.root_mfa_disabled_test

import data.keyward.iam.root_mfa_disabled as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

root(mfa_enabled, mfa_kind, password_last_used) := {"root": {
	"arn": "arn:aws:iam::123456789012:root",
	"mfa_enabled": mfa_enabled,
	"mfa_kind": mfa_kind,
	"access_keys": [],
	"password_last_used": password_last_used,
}}

deny_for(snapshot) := findings if {
	inp := t.input_for(snapshot)
	findings := rule.deny with input as inp
}

test_no_mfa_fires if {
	findings := deny_for(root(false, null, "2026-05-01T08:00:00Z"))
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:root", f.resource)
	assert.equal("root user of account 123456789012 has no MFA device: its password alone signs in (password last used 2026-05-01)", f.message)
	assert.equal({"mfa_enabled": false, "password_last_used": "2026-05-01T08:00:00Z"}, f.evidence)
}

test_no_mfa_password_never_used_fires if {
	findings := deny_for(root(false, null, null))
	assert.size(1, findings)
	some f in findings
	endswith(f.message, "(password never used)")
}

test_mfa_enabled_no_finding if {
	assert.empty(deny_for(root(true, "virtual", null)))
	assert.empty(deny_for(root(true, "hardware", null)))
}

test_root_not_collected_no_finding if {
	assert.empty(deny_for({"root": null}))
}

test_root_without_a_password_no_finding if {
	# AccountPasswordPresent 0: a member account whose root credentials were removed.
	without := object.union(root(false, null, null), {"root": {"password_present": false}})
	count(deny_for(without)) == 0
	with_password := object.union(root(false, null, null), {"root": {"password_present": true}})
	count(deny_for(with_password)) == 1
}
