package keyward.secrets.unused_secret_test

import data.keyward.lib.assert
import data.keyward.lib.secrets_input as t
import data.keyward.secrets.unused_secret.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

# Findings for one secret "s" (default unused_secret_days: 90).
one(fields) := deny_for(t.input_for([t.secret("s", fields)]))

test_last_accessed_boundary if {
	assert.empty(one({"last_accessed": t.days_ago(89)}))
	found := one({"last_accessed": t.days_ago(90)})
	assert.size(1, found)
	some f in found
	assert.equal(t.arn("s"), f.resource)
	assert.equal("us-east-1", f.region)
	assert.equal(sprintf("secret s last accessed %s, 90 days ago; unused limit 90 days", [t.day_ago(90)]), f.message)
	expected := {
		"last_accessed": t.days_ago(90),
		"created": t.days_ago(400),
		"days_unused": 90,
		"unused_secret_days": 90,
	}
	assert.equal(expected, f.evidence)
}

test_never_accessed_counts_from_creation if {
	assert.empty(one({"last_accessed": null, "created": t.days_ago(89)}))
	found := one({"last_accessed": null, "created": t.days_ago(217)})
	assert.size(1, found)
	some f in found
	assert.equal(sprintf("secret s never accessed since its creation on %s, 217 days ago; unused limit 90 days", [t.day_ago(217)]), f.message)
	assert.equal(null, f.evidence.last_accessed)
	assert.equal(217, f.evidence.days_unused)
}

test_no_timestamps_does_not_fire if {
	assert.empty(one({"last_accessed": null, "created": null}))
}

test_recent_access_wins_over_old_creation if {
	assert.empty(one({"last_accessed": t.days_ago(1), "created": t.days_ago(900)}))
}

test_threshold_comes_from_evaluation if {
	s := t.secret("s", {"last_accessed": t.days_ago(30)})
	assert.empty(deny_for(t.input_for([s])))
	found := deny_for(t.input_with_thresholds([s], {"unused_secret_days": 30}))
	assert.size(1, found)
	some f in found
	endswith(f.message, "30 days ago; unused limit 30 days")
}

test_one_finding_per_unused_secret if {
	found := deny_for(t.input_for([
		t.secret("old", {"last_accessed": t.days_ago(217)}),
		t.secret("used", {}),
		t.secret("never", {"last_accessed": null}),
	]))
	assert.equal({t.arn("old"), t.arn("never")}, {f.resource | some f in found})
}

test_a_secret_scheduled_for_deletion_is_not_reported if {
	count(one({"last_accessed": t.days_ago(300), "deleted_date": t.days_ago(2)})) == 0
	count(one({"last_accessed": null, "deleted_date": t.days_ago(2)})) == 0
}
