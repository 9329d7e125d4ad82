package keyward.iam.access_key_not_rotated_test

import data.keyward.iam.access_key_not_rotated as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

deny_for(users) := findings if {
	inp := t.input_for({"users": users})
	findings := rule.deny with input as inp
}

alice(keys) := t.user("alice", {"access_keys": keys})

test_old_active_key_fires if {
	findings := deny_for([alice([t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(412), t.days_ago(1))])])
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:user/alice", f.resource)
	assert.equal("2025-03-24T00:00:00Z", f.key)
	assert.equal("access key AKIA…MPLE of user alice is 412 days old (limit 90)", f.message)
	assert.equal({"created": "2025-03-24T00:00:00Z", "age_days": 412, "limit_days": 90, "last_used": "2026-05-09T00:00:00Z"}, f.evidence)
}

# 90 days old is within the limit; 91 is not.
test_boundary if {
	assert.empty(deny_for([alice([t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(90), null)])]))
	findings := deny_for([alice([t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(91), null)])])
	assert.size(1, findings)
	some f in findings
	assert.equal(null, f.evidence.last_used)
}

test_inactive_key_no_finding if {
	assert.empty(deny_for([alice([t.access_key("AKIAIOSFODNN7EXAMPLE", "inactive", t.days_ago(400), null)])]))
}

test_one_finding_per_old_key if {
	findings := deny_for([alice([
		t.access_key("AKIAAAAAAAAAAAAA1111", "active", t.days_ago(200), null),
		t.access_key("AKIAAAAAAAAAAAAA2222", "active", t.days_ago(100), null),
	])])
	assert.equal({t.days_ago(200), t.days_ago(100)}, {f.key | some f in findings})
}

test_limit_from_input if {
	inp := t.input_with_thresholds({"users": [alice([t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(100), null)])]}, {"max_access_key_age_days": 180})
	assert.empty(rule.deny) with input as inp
	ahead := t.input_with_thresholds({"users": [alice([t.access_key("AKIAIOSFODNN7EXAMPLE", "active", t.days_ago(40), null)])]}, {"max_access_key_age_days": 30})
	findings := rule.deny with input as ahead
	some f in findings
	assert.equal("access key AKIA…MPLE of user alice is 40 days old (limit 30)", f.message)
}

# Two keys created in the same second (automation does it), without ids as in the credential
# report: two findings, two fingerprint keys, named by slot.
test_keys_created_in_the_same_second_get_a_finding_each if {
	created := t.days_ago(200)
	findings := deny_for([alice([
		t.access_key(null, "active", created, null),
		t.access_key(null, "active", created, t.days_ago(3)),
	])])
	count(findings) == 2
	{f.key | some f in findings} == {sprintf("%s#slot1", [created]), sprintf("%s#slot2", [created])}
	{f.message | some f in findings} == {
		"access key created 2025-10-22 (slot 1) of user alice is 200 days old (limit 90)",
		"access key created 2025-10-22 (slot 2) of user alice is 200 days old (limit 90)",
	}
}
