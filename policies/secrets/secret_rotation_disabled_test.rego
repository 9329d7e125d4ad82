package keyward.secrets.secret_rotation_disabled_test

import data.keyward.lib.assert
import data.keyward.lib.secrets_input as t
import data.keyward.secrets.secret_rotation_disabled.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

findings(secrets) := deny_for(t.input_for(secrets))

test_disabled_never_rotated_fires if {
	s := t.secret("prod/openai-api-key", {"created": t.days_ago(340)})
	found := findings([s])
	assert.size(1, found)
	some f in found
	assert.equal(t.arn("prod/openai-api-key"), f.resource)
	assert.equal("us-east-1", f.region)
	assert.equal(sprintf("secret prod/openai-api-key has automatic rotation disabled; never rotated since its creation on %s, 340 days ago", [t.day_ago(340)]), f.message)
	assert.equal(false, f.evidence.rotation_enabled)
	assert.equal(null, f.evidence.last_rotated)
	assert.equal(t.days_ago(340), f.evidence.created)
	assert.equal(340, f.evidence.days_since_rotation)
}

test_disabled_after_earlier_rotation_fires if {
	# Rotation was on once and was switched off: the last rotation is the evidence.
	s := t.secret("legacy/reporting-token", {"rotation": {"last_rotated": t.days_ago(120)}})
	found := findings([s])
	assert.size(1, found)
	some f in found
	assert.equal(sprintf("secret legacy/reporting-token has automatic rotation disabled; last rotated %s, 120 days ago", [t.day_ago(120)]), f.message)
	assert.equal(t.days_ago(120), f.evidence.last_rotated)
	assert.equal(120, f.evidence.days_since_rotation)
}

test_disabled_without_timestamps_fires if {
	found := findings([t.secret("imported", {"created": null, "last_changed": null})])
	assert.size(1, found)
	some f in found
	assert.equal("secret imported has automatic rotation disabled; never rotated, creation date unknown", f.message)
	assert.equal(null, f.evidence.days_since_rotation)
}

test_disabled_service_owned_secret_fires if {
	found := findings([t.secret("rds!db-1234", {"owning_service": "rds"})])
	assert.size(1, found)
	some f in found
	assert.equal("rds", f.evidence.owning_service)
}

test_enabled_does_not_fire if {
	assert.empty(findings([t.secret("prod/db", t.rotating_every(30, t.days_ago(2)))]))
	# Enabled but long overdue is KW-SM-003's business, not this rule's.
	assert.empty(findings([t.secret("prod/db", t.rotating_every(30, t.days_ago(300)))]))
}

test_one_finding_per_disabled_secret if {
	found := findings([
		t.secret("a", {}),
		t.secret("b", t.rotating_on("rate(7 days)", t.days_ago(1))),
		t.secret("c", {}),
	])
	assert.equal({t.arn("a"), t.arn("c")}, {f.resource | some f in found})
}

test_no_secrets_no_findings if {
	assert.empty(findings([]))
}

test_a_secret_scheduled_for_deletion_is_not_judged if {
	deleted := t.secret("old", {"deleted_date": t.days_ago(2)})
	count(deny_for(t.input_for([deleted]))) == 0
}
