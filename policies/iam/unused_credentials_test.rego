package keyward.iam.unused_credentials_test

import data.keyward.iam.unused_credentials as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

deny_for(users) := findings if {
	inp := t.input_for({"users": users})
	findings := rule.deny with input as inp
}

with_key(status, created, last_used) := t.user("alice", {"access_keys": [t.access_key("AKIAIOSFODNN7EXAMPLE", status, created, last_used)]})

with_password(password) := t.user("alice", {"password": password})

test_key_unused_for_45_days_fires if {
	findings := deny_for([with_key("active", t.days_ago(400), t.days_ago(45))])
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:user/alice", f.resource)
	assert.equal(t.days_ago(400), f.key)
	assert.equal("access key AKIA…MPLE of user alice was last used 45 days ago, on 2026-03-26 (limit 45 days)", f.message)
	assert.equal({"last_used": "2026-03-26T00:00:00Z", "created": "2025-04-05T00:00:00Z", "days_unused": 45, "limit_days": 45}, f.evidence)
}

test_key_used_44_days_ago_no_finding if {
	assert.empty(deny_for([with_key("active", t.days_ago(400), t.days_ago(44))]))
}

# A key never used counts from its creation.
test_never_used_key_counts_from_creation if {
	findings := deny_for([with_key("active", t.days_ago(60), null)])
	assert.size(1, findings)
	some f in findings
	assert.equal("access key AKIA…MPLE of user alice has never been used since it was created 60 days ago, on 2026-03-11 (limit 45 days)", f.message)
	assert.equal(null, f.evidence.last_used)
	assert.empty(deny_for([with_key("active", t.days_ago(44), null)]))
}

test_inactive_key_no_finding if {
	assert.empty(deny_for([with_key("inactive", t.days_ago(400), t.days_ago(300))]))
}

test_password_last_used_long_ago_fires if {
	findings := deny_for([with_password(t.password(t.days_ago(100)))])
	assert.size(1, findings)
	some f in findings
	assert.equal("password", f.key)
	assert.equal("console password of user alice was last used 100 days ago, on 2026-01-30 (limit 45 days)", f.message)
	assert.equal(100, f.evidence.days_unused)
}

# Never used: counts from when it was set (200 days ago in t.password), else from the user's creation.
test_never_used_password if {
	findings := deny_for([with_password(t.password(null))])
	assert.size(1, findings)
	some f in findings
	assert.equal({"last_used": null, "created": "2025-10-22T00:00:00Z", "days_unused": 200, "limit_days": 45}, f.evidence)
	unknown := deny_for([with_password({"enabled": true, "last_used": null, "last_changed": null})])
	some g in unknown
	assert.equal("2025-04-05T00:00:00Z", g.evidence.created)
	assert.equal(400, g.evidence.days_unused)
}

test_disabled_or_recent_password_no_finding if {
	assert.empty(deny_for([with_password({"enabled": false, "last_used": t.days_ago(300), "last_changed": t.days_ago(300)})]))
	assert.empty(deny_for([with_password(t.password(t.days_ago(1)))]))
}

test_one_finding_per_credential if {
	user := t.user("bob", {
		"password": t.password(t.days_ago(90)),
		"access_keys": [
			t.access_key("AKIAAAAAAAAAAAAA1111", "active", t.days_ago(400), t.days_ago(50)),
			t.access_key("AKIAAAAAAAAAAAAA2222", "active", t.days_ago(400), t.days_ago(2)),
		],
	})
	findings := deny_for([user])
	assert.equal({"password", t.days_ago(400)}, {f.key | some f in findings})
}

test_threshold_from_input if {
	inp := t.input_with_thresholds({"users": [with_key("active", t.days_ago(400), t.days_ago(20))]}, {"unused_credential_days": 14})
	findings := rule.deny with input as inp
	assert.size(1, findings)
	some f in findings
	assert.equal(14, f.evidence.limit_days)
}
