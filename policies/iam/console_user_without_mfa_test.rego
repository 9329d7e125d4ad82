package keyward.iam.console_user_without_mfa_test

import data.keyward.iam.console_user_without_mfa as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

deny_for(users) := findings if {
	inp := t.input_for({"users": users})
	findings := rule.deny with input as inp
}

test_password_without_mfa_fires if {
	findings := deny_for([t.user("alice", {"password": t.password(t.days_ago(2))})])
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:user/alice", f.resource)
	assert.equal("user alice can sign in to the console with a password but has no MFA device (password last used 2026-05-08)", f.message)
	assert.equal({"password_last_used": "2026-05-08T00:00:00Z", "password_last_changed": "2025-10-22T00:00:00Z"}, f.evidence)
}

test_never_used_password_fires if {
	findings := deny_for([t.user("alice", {"password": t.password(null)})])
	assert.size(1, findings)
	some f in findings
	endswith(f.message, "(password never used)")
}

test_mfa_disabled_password_no_user_without_password_no_finding if {
	assert.empty(deny_for([
		t.user("mfa", {"password": t.password(null), "mfa_active": true}),
		t.user("disabled", {"password": {"enabled": false, "last_used": null, "last_changed": null}}),
		t.user("api-only", {}),
	]))
}

test_one_finding_per_user if {
	findings := deny_for([
		t.user("alice", {"password": t.password(null)}),
		t.user("bob", {"password": t.password(null)}),
		t.user("carol", {"password": t.password(null), "mfa_active": true}),
	])
	assert.equal({"arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/bob"}, {f.resource | some f in findings})
}
