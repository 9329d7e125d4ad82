package keyward.secrets.secret_rotation_interval_too_long_test

import data.keyward.lib.assert
import data.keyward.lib.secrets_input as t
import data.keyward.secrets.secret_rotation_interval_too_long.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

# Findings for one secret "s" rotating on `rules` (default max_rotation_interval_days: 90).
findings_for(rules) := deny_for(t.input_for([t.secret("s", t.rotating(rules, t.days_ago(5)))]))

after_days(n) := {"automatically_after_days": n}

on(expression) := {"schedule_expression": expression}

fires(rules) if assert.size(1, findings_for(rules))

quiet(rules) if assert.empty(findings_for(rules))

test_automatically_after_days_boundary if {
	quiet(after_days(90))
	found := findings_for(after_days(91))
	assert.size(1, found)
	some f in found
	assert.equal(t.arn("s"), f.resource)
	assert.equal("us-east-1", f.region)
	assert.equal("secret s rotates less often than every 90 days: schedule every 91 days", f.message)
	expected := {
		"schedule": "every 91 days",
		"interval_days": 91,
		"max_rotation_interval_days": 90,
		"last_rotated": t.days_ago(5),
	}
	assert.equal(expected, f.evidence)
}

test_rate_days if {
	quiet(on("rate(90 days)"))
	found := findings_for(on("rate(180 days)"))
	assert.size(1, found)
	some f in found
	assert.equal("secret s rotates less often than every 90 days: schedule rate(180 days)", f.message)
	assert.equal(180, f.evidence.interval_days)
}

test_rate_hours if {
	quiet(on("rate(2160 hours)")) # 90 days
	fires(on("rate(2184 hours)")) # 91 days
	quiet(on("rate(4 hours)"))
}

test_cron_forms_by_their_longest_gap if {
	# The gaps come from input.schedules (see test_input.schedules; the calendar arithmetic is
	# tested in Rust, src/policy/schedule.rs).
	quiet(on("cron(0 3 ? * MON *)"))
	quiet(on("cron(0 3 1 * ? *)"))
	quiet(on("cron(0 3 1/7 * ? *)"))
	quiet(on("cron(0 0 1 1,3,5,7,9,11 ? *)")) # bimonthly: 62 days
	fires(on("cron(0 0 1 JAN,APR,JUL,OCT ? *)")) # quarterly: 92 days
	found := findings_for(on("cron(0 3 1 JAN,JUL ? *)"))
	assert.size(1, found)
	some f in found
	assert.equal("secret s rotates less often than every 90 days: schedule cron(0 3 1 JAN,JUL ? *), at most about 184 days apart", f.message)
	assert.equal(184, f.evidence.interval_days)
}

test_a_secret_scheduled_for_deletion_is_not_judged if {
	s := t.secret("s", object.union(t.rotating(after_days(365), t.days_ago(5)), {"deleted_date": t.days_ago(1)}))
	assert.size(0, deny_for(t.input_for([s])))
}

test_threshold_comes_from_evaluation if {
	s := t.secret("s", t.rotating_on("cron(0 3 1 * ? *)", null))
	assert.empty(deny_for(t.input_for([s])))
	found := deny_for(t.input_with_thresholds([s], {"max_rotation_interval_days": 30}))
	assert.size(1, found)
	some f in found
	assert.equal("secret s rotates less often than every 30 days: schedule cron(0 3 1 * ? *), at most about 31 days apart", f.message)
	assert.equal(30, f.evidence.max_rotation_interval_days)
	assert.equal(null, f.evidence.last_rotated)
}

test_unreadable_or_missing_schedule_does_not_fire if {
	quiet(on("cron(0 3 1 * ?)")) # AWS would reject it: not in input.schedules
	quiet(null)
}

test_rotation_disabled_does_not_fire if {
	# A stale schedule on a secret whose rotation is off: KW-SM-001 reports it instead.
	s := t.secret("s", {"rotation": {"enabled": false, "rules": after_days(365)}})
	assert.empty(deny_for(t.input_for([s])))
}

test_schedule_expression_wins_over_automatically_after_days if {
	fires({"automatically_after_days": 30, "schedule_expression": "rate(120 days)"})
	quiet({"automatically_after_days": 120, "schedule_expression": "rate(30 days)"})
	# An expression keyward cannot read leaves AutomaticallyAfterDays to decide.
	fires({"automatically_after_days": 120, "schedule_expression": "rate(thirty days)"})
}

test_one_finding_per_secret_sharing_a_schedule if {
	yearly := t.rotating_on("rate(120 days)", null)
	found := deny_for(t.input_for([
		t.secret("a", yearly),
		t.secret("b", yearly),
		t.secret("c", t.rotating_every(30, null)),
	]))
	assert.equal({t.arn("a"), t.arn("b")}, {f.resource | some f in found})
}
