package keyward.iam.console_user_without_mfa_test

import data.keyward.iam.console_user_without_mfa as rule
import data.keyward.lib.test_input as t

deny_for(users) := findings if {
	inp := t.input_for({"users": users})
	findings := rule.deny with input as inp
}

test_password_without_mfa_fires if {
	findings := deny_for([t.user("alice", {"password": t.password(t.days_ago(2))})])
	count(findings) == 1
	some f in findings
	f.resource == "arn:aws:iam::123456789012:user/alice"
	f.message == "user alice can sign in to the console with a password but has no MFA device (password last used 2026-05-08)"
	f.evidence == {"password_last_used": "2026-05-08T00:00:00Z", "password_last_changed": "2025-10-22T00:00:00Z"}
}

test_never_used_password_fires if {
	findings := deny_for([t.user("alice", {"password": t.password(null)})])
	count(findings) == 1
	some f in findings
	endswith(f.message, "(password never used)")
}

test_mfa_disabled_password_no_user_without_password_no_finding if {
	count(deny_for([
		t.user("mfa", {"password": t.password(null), "mfa_active": true}),
		t.user("disabled", {"password": {"enabled": false, "last_used": null, "last_changed": null}}),
		t.user("api-only", {}),
	])) == 0
}

test_one_finding_per_user if {
	findings := deny_for([
		t.user("alice", {"password": t.password(null)}),
		t.user("bob", {"password": t.password(null)}),
		t.user("carol", {"password": t.password(null), "mfa_active": true}),
	])
	{f.resource | some f in findings} == {"arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/bob"}
}
