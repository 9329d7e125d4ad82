package keyward.iam.root_recently_used_test

import data.keyward.iam.root_recently_used as rule
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
	count(findings) == 1
	some f in findings
	f.resource == "arn:aws:iam::123456789012:root"
	f.key == "password"
	f.message == "the password of the root user of account 123456789012 was used 3 days ago (2026-05-07), within the last 30 days"
	f.evidence == {"last_used": "2026-05-07T00:00:00Z", "days_since_use": 3, "limit_days": 30}
}

# 30 whole days ago is no longer "within the last 30 days"; 29 days and 23 hours still is.
test_boundary if {
	count(deny_for(root(t.days_ago(30), []))) == 0
	count(deny_for(root(t.hours_after(t.days_ago(30), 1), []))) == 1
}

test_threshold_from_input if {
	inp := t.input_with_thresholds(root(t.days_ago(40), []), {"root_recent_use_days": 60})
	findings := rule.deny with input as inp
	count(findings) == 1
	some f in findings
	f.evidence.limit_days == 60
	contains(f.message, "within the last 60 days")
}

test_key_use_fires_even_when_inactive if {
	findings := deny_for(root(null, [t.access_key("AKIAIOSFODNN7EXAMPLE", "inactive", t.days_ago(500), t.days_ago(1))]))
	count(findings) == 1
	some f in findings
	f.key == t.days_ago(500)
	startswith(f.message, "access key AKIA…MPLE of the root user of account 123456789012 was used 1 day ago")
}

test_password_and_key_are_separate_findings if {
	findings := deny_for(root(t.days_ago(2), [t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(500), t.days_ago(5))]))
	count(findings) == 2
	{f.key | some f in findings} == {"password", t.days_ago(500)}
}

test_never_used_or_long_ago_no_finding if {
	count(deny_for(root(null, [t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(500), null)]))) == 0
	count(deny_for(root(t.days_ago(200), [t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(500), t.days_ago(90))]))) == 0
}

test_root_not_collected_no_finding if {
	count(deny_for({"root": null})) == 0
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
