package keyward.iam.multiple_active_keys_test

import data.keyward.iam.multiple_active_keys as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

deny_for(users) := findings if {
	inp := t.input_for({"users": users})
	findings := rule.deny with input as inp
}

key(id, status) := t.access_key(id, status, "2025-01-01T00:00:00Z", null)

test_two_active_keys_fire if {
	findings := deny_for([t.user("alice", {"access_keys": [key("AKIAAAAAAAAAAAAA1111", "active"), key("AKIAAAAAAAAAAAAA2222", "active")]})])
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:user/alice", f.resource)
	assert.equal("user alice has 2 active access keys: AKIA…1111, AKIA…2222", f.message)
	assert.equal({"active_keys": ["AKIA…1111", "AKIA…2222"], "created": ["2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"]}, f.evidence)
}

test_one_active_one_inactive_no_finding if {
	assert.empty(deny_for([t.user("alice", {"access_keys": [key("AKIAAAAAAAAAAAAA1111", "active"), key("AKIAAAAAAAAAAAAA2222", "inactive")]})]))
}

test_one_or_no_key_no_finding if {
	assert.empty(deny_for([t.user("alice", {"access_keys": [key("AKIAAAAAAAAAAAAA1111", "active")]}), t.user("bob", {})]))
}

test_one_finding_per_user if {
	two := [key("AKIAAAAAAAAAAAAA1111", "active"), key("AKIAAAAAAAAAAAAA2222", "active")]
	findings := deny_for([t.user("alice", {"access_keys": two}), t.user("bob", {"access_keys": two})])
	assert.size(2, findings)
}

# Keys without ids created in the same second are named apart by slot.
test_keys_of_the_same_second_are_named_by_slot if {
	findings := deny_for([t.user("alice", {"access_keys": [key(null, "active"), key(null, "active")]})])
	some f in findings
	f.message == "user alice has 2 active access keys: created 2025-01-01 (slot 1), created 2025-01-01 (slot 2)"
}
