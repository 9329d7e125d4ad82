package keyward.iam.root_recently_used_test

import data.keyward.iam.root_recently_used as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

root(password_last_used, keys) := {"root": {
	"arn": "arn:aws:iam::123456789012:root",
	"mfa_enabled": true,
	"mfa_kind": "hardware",
	"access_keys": keys,
	"password_last_used": password_last_used,
}}

deny_for(snapshot) := findings if {
	inp := t.input_for(snapshot)
	findings := rule.deny with input as inp
}

test_password_used_3_days_ago_fires if {
	findings := deny_for(root(t.days_ago(3), []))
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:root", f.resource)
	assert.equal("password", f.key)
	assert.equal("the password of the root user of account 123456789012 was used 3 days ago (2026-05-07), within the last 30 days", f.message)
	assert.equal({"last_used": "2026-05-07T00:00:00Z", "days_since_use": 3, "limit_days": 30}, f.evidence)
}

# 30 whole days ago is no longer "within the last 30 days"; 29 days and 23 hours still is.
test_boundary if {
	assert.empty(deny_for(root(t.days_ago(30), [])))
	assert.size(1, deny_for(root(t.hours_after(t.days_ago(30), 1), [])))
}

test_threshold_from_input if {
	inp := t.input_with_thresholds(root(t.days_ago(40), []), {"root_recent_use_days": 60})
	findings := rule.deny with input as inp
	assert.size(1, findings)
	some f in findings
	assert.equal(60, f.evidence.limit_days)
	assert.includes("within the last 60 days", f.message)
}

test_key_use_fires_even_when_inactive if {
	findings := deny_for(root(null, [t.access_key("AKIAIOSFODNN7EXAMPLE", "inactive", t.days_ago(500), t.days_ago(1))]))
	assert.size(1, findings)
	some f in findings
	assert.equal(t.days_ago(500), f.key)
	startswith(f.message, "access key AKIA…MPLE of the root user of account 123456789012 was used 1 day ago")
}

test_password_and_key_are_separate_findings if {
	findings := deny_for(root(t.days_ago(2), [t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(500), t.days_ago(5))]))
	assert.size(2, findings)
	assert.equal({"password", t.days_ago(500)}, {f.key | some f in findings})
}

test_never_used_or_long_ago_no_finding if {
	assert.empty(deny_for(root(null, [t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(500), null)])))
	assert.empty(deny_for(root(t.days_ago(200), [t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(500), t.days_ago(90))])))
}

test_root_not_collected_no_finding if {
	assert.empty(deny_for({"root": null}))
}

# Both root keys created in the same second and used: one finding each.
test_keys_of_the_same_second_get_a_finding_each if {
	created := t.days_ago(500)
	findings := deny_for(root(null, [
		t.access_key(null, "active", created, t.days_ago(1)),
		t.access_key(null, "active", created, t.days_ago(2)),
	]))
	{f.key | some f in findings} == {sprintf("%s#slot1", [created]), sprintf("%s#slot2", [created])}
}
