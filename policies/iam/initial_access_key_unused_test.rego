package keyward.iam.initial_access_key_unused_test

import data.keyward.iam.initial_access_key_unused as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

created := "2025-04-05T09:00:00Z"

# A console user created at `created` with one key created `hours` later.
console_user(status, hours, last_used) := t.user("alice", {
	"created": created,
	"password": t.password(null),
	"access_keys": [t.access_key("AKIAIOSFODNN7EXAMPLE", status, t.hours_after(created, hours), last_used)],
})

deny_for(users) := findings if {
	inp := t.input_for({"users": users})
	findings := rule.deny with input as inp
}

test_key_created_with_user_never_used_fires if {
	findings := deny_for([console_user("active", 0, null)])
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:user/alice", f.resource)
	assert.equal(created, f.key)
	assert.equal("access key AKIA…MPLE of console user alice was created 0 hours after the user and has never been used", f.message)
	assert.equal({"user_created": created, "key_created": created, "hours_after_user": 0, "window_hours": 24}, f.evidence)
}

# Created 23 hours after the user: inside the 24-hour window; 24 hours after: outside.
test_window_boundary if {
	assert.size(1, deny_for([console_user("active", 23, null)]))
	assert.empty(deny_for([console_user("active", 24, null)]))
}

test_window_from_input if {
	inp := t.input_with_thresholds({"users": [console_user("active", 30, null)]}, {"initial_key_window_hours": 48})
	assert.size(1, rule.deny) with input as inp
}

test_used_or_inactive_key_no_finding if {
	assert.empty(deny_for([console_user("active", 1, t.days_ago(3))]))
	assert.empty(deny_for([console_user("inactive", 1, null)]))
}

# Without a console password, a key made at creation is how the user was meant to work.
test_user_without_password_no_finding if {
	user := object.union(console_user("active", 0, null), {"password": null})
	assert.empty(deny_for([user]))
	disabled := object.union(console_user("active", 0, null), {"password": {"enabled": false}})
	assert.empty(deny_for([disabled]))
}

test_second_key_created_later_is_not_reported if {
	user := t.user("bob", {
		"created": created,
		"password": t.password(null),
		"access_keys": [
			t.access_key("AKIAAAAAAAAAAAAA1111", "active", t.hours_after(created, 1), null),
			t.access_key("AKIAAAAAAAAAAAAA2222", "active", t.hours_after(created, 200), null),
		],
	})
	findings := deny_for([user])
	assert.size(1, findings)
	some f in findings
	assert.equal(t.hours_after(created, 1), f.key)
	assert.includes("1 hour after the user", f.message)
}

# Two keys created with the user in the same second, without ids: one finding each.
test_keys_of_the_same_second_get_a_finding_each if {
	key := t.access_key(null, "active", t.hours_after(created, 1), null)
	user := t.user("alice", {"created": created, "password": t.password(null), "access_keys": [key, key]})
	findings := deny_for([user])
	{f.key | some f in findings} == {"2025-04-05T10:00:00Z#slot1", "2025-04-05T10:00:00Z#slot2"}
}
