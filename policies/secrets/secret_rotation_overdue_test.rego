package keyward.secrets.secret_rotation_overdue_test

import data.keyward.lib.assert
import data.keyward.lib.secrets_input as t
import data.keyward.secrets.secret_rotation_overdue.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

findings(secrets) := deny_for(t.input_for(secrets))

# One secret "s" rotating on `fields` (merged over a rotating secret).
one(fields) := findings([t.secret("s", fields)])

test_boundary_interval_plus_grace if {
	# Every 30 days plus 3 days of grace: 33 days is on time, 34 is overdue.
	assert.empty(one(t.rotating_every(30, t.days_ago(33))))
	found := one(t.rotating_every(30, t.days_ago(34)))
	assert.size(1, found)
	some f in found
	assert.equal(t.arn("s"), f.resource)
	assert.equal("us-east-1", f.region)
	assert.equal(sprintf("secret s has rotation enabled but it is overdue: last rotated %s, 34 days ago; schedule every 30 days, plus 3 days grace", [t.day_ago(34)]), f.message)
	expected := {
		"last_rotated": t.days_ago(34),
		"created": t.days_ago(400),
		"days_since_rotation": 34,
		"schedule": "every 30 days",
		"interval_days": 30,
		"grace_days": 3,
		"rotation_lambda": t.rotation_lambda,
	}
	assert.equal(expected, f.evidence)
}

test_never_rotated_counts_from_creation if {
	found := one(object.union(t.rotating_every(30, null), {"created": t.days_ago(277)}))
	assert.size(1, found)
	some f in found
	assert.equal(sprintf("secret s has rotation enabled but it is overdue: never rotated since its creation on %s, 277 days ago; schedule every 30 days, plus 3 days grace", [t.day_ago(277)]), f.message)
	assert.equal(null, f.evidence.last_rotated)
	assert.equal(277, f.evidence.days_since_rotation)
}

test_never_rotated_but_new_does_not_fire if {
	assert.empty(one(object.union(t.rotating_every(30, null), {"created": t.days_ago(10)})))
}

test_schedule_forms if {
	assert.empty(one(t.rotating_on("rate(12 hours)", t.days_ago(3))))
	assert.size(1, one(t.rotating_on("rate(12 hours)", t.days_ago(4))))
	assert.empty(one(t.rotating_on("cron(0 3 ? * MON *)", t.days_ago(10))))
	assert.size(1, one(t.rotating_on("cron(0 3 ? * MON *)", t.days_ago(11))))
	found := one(t.rotating_on("rate(180 days)", t.days_ago(200)))
	some f in found
	assert.equal(sprintf("secret s has rotation enabled but it is overdue: last rotated %s, 200 days ago; schedule rate(180 days), plus 3 days grace", [t.day_ago(200)]), f.message)
}

test_grace_comes_from_thresholds if {
	s := t.secret("s", t.rotating_every(30, t.days_ago(31)))
	assert.empty(findings([s]))
	found := deny_for(t.input_with_thresholds([s], {"rotation_grace_days": 0}))
	assert.size(1, found)
	some f in found
	endswith(f.message, "schedule every 30 days, plus 0 days grace")
}

test_no_interval_uses_next_rotation if {
	stalled := object.union(t.rotating(null, t.days_ago(90)), {"rotation": {"next_rotation": t.days_ago(60)}})
	found := one(stalled)
	assert.size(1, found)
	some f in found
	assert.equal(sprintf("secret s has rotation enabled but it is overdue: no rotation interval known, and the next rotation was due %s, 60 days ago (grace 3 days)", [t.day_ago(60)]), f.message)
	assert.equal(t.days_ago(60), f.evidence.next_rotation)
	assert.equal(60, f.evidence.days_past_next_rotation)

	on_time := object.union(t.rotating(null, t.days_ago(90)), {"rotation": {"next_rotation": t.days_ago(3)}})
	assert.empty(one(on_time))
}

test_rotation_disabled_does_not_fire if {
	# Disabled rotation is KW-SM-001's finding, however old the secret.
	assert.empty(one({"rotation": {"rules": {"automatically_after_days": 30}, "last_rotated": t.days_ago(300)}}))
}

test_counts_each_overdue_secret_once if {
	found := findings([
		t.secret("late", t.rotating_every(30, t.days_ago(110))),
		t.secret("fresh", t.rotating_every(30, t.days_ago(1))),
		t.secret("off", {}),
		t.secret("later", t.rotating_on("cron(0 3 1 * ? *)", t.days_ago(70))),
	])
	assert.equal({t.arn("late"), t.arn("later")}, {f.resource | some f in found})
}

test_a_quarterly_schedule_is_overdue_after_its_longest_gap if {
	# AWS's own example schedule: its longest gap is 92 days (October to January), so a rotation
	# that stalled 100 days ago is overdue, and one 95 days ago is not yet (92 + 3 days grace).
	quarterly := "cron(0 0 1 JAN,APR,JUL,OCT ? *)"
	count(one(t.rotating_on(quarterly, t.days_ago(100)))) == 1
	count(one(t.rotating_on(quarterly, t.days_ago(95)))) == 0
}

test_rotation_just_turned_on_is_not_overdue if {
	# KW-SM-001's remediation with --no-rotate-immediately: never rotated, first run planned.
	planned := object.union(t.rotating_every(30, null), {"created": t.days_ago(300), "rotation": {"next_rotation": t.days_ago(-20)}})
	count(one(planned)) == 0
}
