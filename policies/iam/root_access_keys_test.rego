package keyward.iam.root_access_keys_test

import data.keyward.iam.root_access_keys as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

root_arn := "arn:aws:iam::123456789012:root"

root_with_keys(keys) := {"root": {
	"arn": root_arn,
	"mfa_enabled": true,
	"mfa_kind": "hardware",
	"access_keys": keys,
	"password_last_used": null,
}}

deny_for(snapshot) := findings if {
	inp := t.input_for(snapshot)
	findings := rule.deny with input as inp
}

test_active_used_key_fires if {
	findings := deny_for(root_with_keys([t.access_key("AKIAIOSFODNN7EXAMPLE", "active", "2024-01-02T03:04:05Z", t.days_ago(3))]))
	assert.size(1, findings)
	some f in findings
	assert.equal(root_arn, f.resource)
	assert.equal("2024-01-02T03:04:05Z", f.key)
	assert.equal("root user of account 123456789012 has an active access key AKIA…MPLE (created 2024-01-02, last used 2026-05-07)", f.message)
	assert.equal({"status": "active", "created": "2024-01-02T03:04:05Z", "last_used": "2026-05-07T00:00:00Z"}, f.evidence)
}

test_inactive_never_used_key_fires if {
	findings := deny_for(root_with_keys([t.access_key("AKIAIOSFODNN7EXAMPLE", "inactive", "2024-01-02T03:04:05Z", null)]))
	assert.size(1, findings)
	some f in findings
	assert.equal("root user of account 123456789012 has an inactive access key AKIA…MPLE (created 2024-01-02, never used)", f.message)
	assert.equal(null, f.evidence.last_used)
}

test_one_finding_per_key if {
	findings := deny_for(root_with_keys([
		t.access_key("AKIAAAAAAAAAAAAA1111", "active", "2024-01-02T03:04:05Z", null),
		t.access_key("AKIAAAAAAAAAAAAA2222", "inactive", "2023-01-02T03:04:05Z", null),
	]))
	assert.size(2, findings)
	assert.equal({"2024-01-02T03:04:05Z", "2023-01-02T03:04:05Z"}, {f.key | some f in findings})
}

# The credential report lists root keys by creation time only: the key is named by its date.
test_key_without_id if {
	findings := deny_for(root_with_keys([t.access_key(null, "active", "2024-01-02T03:04:05Z", null)]))
	assert.size(1, findings)
	some f in findings
	assert.equal("2024-01-02T03:04:05Z", f.key)
	assert.includes("access key created 2024-01-02 (created 2024-01-02, never used)", f.message)
}

test_no_keys_no_finding if {
	assert.empty(deny_for(root_with_keys([])))
}

test_root_not_collected_no_finding if {
	assert.empty(deny_for({"root": null}))
}

# Both root keys created in the same second, without ids: one finding each, named by slot.
test_keys_of_the_same_second_get_a_finding_each if {
	findings := deny_for(root_with_keys([
		t.access_key(null, "active", "2024-01-02T03:04:05Z", null),
		t.access_key(null, "inactive", "2024-01-02T03:04:05Z", null),
	]))
	{f.key | some f in findings} == {"2024-01-02T03:04:05Z#slot1", "2024-01-02T03:04:05Z#slot2"}
	some f in findings
	f.key == "2024-01-02T03:04:05Z#slot2"
	f.message == "root user of account 123456789012 has an inactive access key created 2024-01-02 (slot 2) (created 2024-01-02, never used)"
}
