package keyward.lib.secrets_test

import data.keyward.lib.assert
import data.keyward.lib.secrets
import data.keyward.lib.secrets_input as t

# The schedule of a RotationRules object with a schedule expression, as input.schedules (worked
# out by keyward before the rules run, see test_input.schedules) gives it, and its interval.
on(expression) := s if {
	inp := t.input_for([])
	s := secrets.schedule_of({"automatically_after_days": null, "schedule_expression": expression}) with input as inp
}

days_of(expression) := on(expression).days

# ---------------------------------------------------------------------------------------------
# schedule_of: input.schedules, else AutomaticallyAfterDays

test_schedule_automatically_after_days if {
	assert.equal({"days": 30, "label": "every 30 days"}, secrets.schedule_of({"automatically_after_days": 30, "schedule_expression": null}))
	assert.equal(30, secrets.schedule_of({"automatically_after_days": 30}).days)
}

test_schedule_comes_from_input_schedules if {
	on("rate(180 days)") == {"days": 180, "label": "rate(180 days)"}
	days_of("rate(12 hours)") == 0.5
	on("cron(0 0 1 JAN,APR,JUL,OCT ? *)") == {"days": 92, "label": "cron(0 0 1 JAN,APR,JUL,OCT ? *), at most about 92 days apart"}
	days_of("cron(0 3 1/7 * ? *)") == 7
}

test_schedule_expression_wins_over_automatically_after_days if {
	inp := t.input_for([])
	s := secrets.schedule_of({"automatically_after_days": 30, "schedule_expression": "rate(120 days)"}) with input as inp
	s.days == 120
}

test_schedule_falls_back_to_automatically_after_days if {
	# Expressions AWS would reject are not in input.schedules.
	inp := t.input_for([])
	s := secrets.schedule_of({"automatically_after_days": 30, "schedule_expression": "rate(ten days)"}) with input as inp
	s == {"days": 30, "label": "every 30 days"}
}

test_schedule_unknown if {
	not on("rate(ten days)")
	not on("cron(0 3 1 * ?)")
	not secrets.schedule_of({})
	not secrets.schedule_of({"automatically_after_days": null, "schedule_expression": null})
	not secrets.schedule_of(null)
}

# ---------------------------------------------------------------------------------------------
# schedule: the snapshot's secrets, each distinct rules object parsed once

test_schedule_of_a_snapshot_secret if {
	weekly := t.secret("a", t.rotating_on("cron(0 3 ? * MON *)", null))
	monthly := t.secret("b", t.rotating_every(30, null))
	unreadable := t.secret("c", t.rotating_on("rate(nonsense)", null))
	inp := t.input_for([weekly, monthly, unreadable, t.secret("d", {})])
	w := secrets.schedule(weekly) with input as inp
	assert.equal(7, w.days)
	assert.equal("cron(0 3 ? * MON *), at most about 7 days apart", w.label)
	# Overdue once 7 + 3 days of grace are exceeded: at or before 11 days ago.
	assert.equal(time.parse_rfc3339_ns(t.days_ago(11)), w.overdue.ns)
	assert.equal(t.days_ago(9), w.overdue.candidates_before)
	m := secrets.schedule(monthly) with input as inp
	assert.equal(30, m.days)
	not secrets.schedule(unreadable) with input as inp
	table := secrets.schedules with input as inp
	assert.size(2, table)
}

test_schedule_needs_the_secret_in_the_snapshot if {
	inp := t.input_for([])
	not secrets.schedule(t.secret("a", t.rotating_every(30, null))) with input as inp
}

# ---------------------------------------------------------------------------------------------
# rotation_history: the secret's `history` (worked out by keyward before the rules run, see
# test_input.with_secret_histories) with the timestamps as evidence

test_rotation_history_without_timestamps if {
	inp := t.input_for([t.secret("s", {"created": null})])
	s := inp.snapshot.secrets[0]
	history := secrets.rotation_history(s) with input as inp
	assert.equal("never rotated, creation date unknown", history.text)
	assert.equal(null, history.evidence.days_since_rotation)
	assert.equal(null, history.evidence.created)
}

test_rotation_history if {
	inp := t.input_for([t.secret("s", object.union(t.rotating_every(30, t.days_ago(12)), {"last_changed": t.days_ago(5)}))])
	s := inp.snapshot.secrets[0]
	history := secrets.rotation_history(s) with input as inp
	assert.equal(sprintf("last rotated %s, 12 days ago", [t.day_ago(12)]), history.text)
	expected := {
		"rotation_enabled": true,
		"last_rotated": t.days_ago(12),
		"created": t.days_ago(400),
		"last_changed": t.days_ago(5),
		"days_since_rotation": 12,
		"owning_service": null,
	}
	assert.equal(expected, history.evidence)
}

test_rotation_history_counts_from_the_creation_when_never_rotated if {
	inp := t.input_for([t.secret("s", {"created": t.days_ago(50)})])
	history := secrets.rotation_history(inp.snapshot.secrets[0]) with input as inp
	assert.equal(sprintf("never rotated since its creation on %s, 50 days ago", [t.day_ago(50)]), history.text)
	assert.equal(50, history.evidence.days_since_rotation)
}

# ---------------------------------------------------------------------------------------------
# rotation_overdue: interval + grace (default grace 3 days)

# rotation_overdue for a secret, with the secret in the snapshot (its schedule comes from there).
overdue(s) := o if {
	inp := t.input_for([s])
	o := secrets.rotation_overdue(s) with input as inp
}

test_overdue_boundary_of_interval_plus_grace if {
	not overdue(t.secret("s", t.rotating_every(30, t.days_ago(33))))
	o := overdue(t.secret("s", t.rotating_every(30, t.days_ago(34))))
	assert.equal(sprintf("last rotated %s, 34 days ago; schedule every 30 days, plus 3 days grace", [t.day_ago(34)]), o.summary)
	assert.equal(34, o.evidence.days_since_rotation)
	assert.equal(30, o.evidence.interval_days)
	assert.equal(3, o.evidence.grace_days)
	assert.equal(t.days_ago(34), o.evidence.last_rotated)
}

test_overdue_counts_whole_days if {
	# 33 days and 23 hours is 33 whole days: not yet overdue.
	not overdue(t.secret("s", t.rotating_every(30, t.hours_after(t.days_ago(34), 1))))
}

# A time on the calendar day of days_ago(n), written with a UTC offset.
local(n, time_and_offset) := sprintf("%sT%s", [t.day_ago(n), time_and_offset])

test_overdue_with_utc_offsets if {
	# 34 days ago written five hours ahead of UTC; 33 days ago written ten hours behind UTC, on
	# the calendar day of 34 days ago. Only the exact comparison tells them apart.
	overdue(t.secret("s", t.rotating_every(30, local(34, "05:00:00+05:00"))))
	not overdue(t.secret("s", t.rotating_every(30, local(34, "14:00:00-10:00"))))
}

test_overdue_never_rotated_counts_from_creation if {
	not overdue(t.secret("s", object.union(t.rotating_every(30, null), {"created": t.days_ago(33)})))
	o := overdue(t.secret("s", object.union(t.rotating_every(30, null), {"created": t.days_ago(34)})))
	startswith(o.summary, sprintf("never rotated since its creation on %s, 34 days ago;", [t.day_ago(34)]))
	assert.equal(null, o.evidence.last_rotated)
	assert.equal(t.days_ago(34), o.evidence.created)
}

test_overdue_grace_comes_from_thresholds if {
	s := t.secret("s", t.rotating_every(30, t.days_ago(31)))
	not overdue(s)
	no_grace := t.input_with_thresholds([s], {"rotation_grace_days": 0})
	o := secrets.rotation_overdue(s) with input as no_grace
	assert.equal(0, o.evidence.grace_days)
}

test_overdue_with_each_schedule_form if {
	overdue(t.secret("s", t.rotating_on("rate(12 hours)", t.days_ago(4))))
	not overdue(t.secret("s", t.rotating_on("rate(12 hours)", t.days_ago(3))))
	overdue(t.secret("s", t.rotating_on("cron(0 3 ? * MON *)", t.days_ago(11))))
	not overdue(t.secret("s", t.rotating_on("cron(0 3 ? * MON *)", t.days_ago(10))))
	o := overdue(t.secret("s", t.rotating_on("cron(0 3 1 * ? *)", t.days_ago(35))))
	assert.includes("schedule cron(0 3 1 * ? *), at most about 31 days apart, plus 3 days grace", o.summary)
}

test_never_rotated_with_the_first_rotation_planned_is_not_overdue if {
	# Rotation just turned on with --no-rotate-immediately: never rotated, the first run ahead.
	planned := t.secret("s", object.union(t.rotating_every(30, null), {"created": t.days_ago(200), "rotation": {"next_rotation": t.days_ago(-2)}}))
	not overdue(planned)
	stalled := t.secret("s", object.union(t.rotating_every(30, null), {"created": t.days_ago(200), "rotation": {"next_rotation": t.days_ago(170)}}))
	overdue(stalled)
}

test_a_secret_scheduled_for_deletion_is_not_judged if {
	not overdue(t.secret("s", object.union(t.rotating_every(30, t.days_ago(300)), {"deleted_date": t.days_ago(1)})))
	not overdue(t.secret("s", object.union(t.rotating_every(30, null), {"deleted_date": t.days_ago(1)})))
	not overdue(with_next(object.union(t.rotating(null, t.days_ago(200)), {"deleted_date": t.days_ago(1)}), t.days_ago(60)))
}

test_overdue_needs_rotation_enabled if {
	not overdue(t.secret("s", {"rotation": {"enabled": false, "rules": {"automatically_after_days": 30}, "last_rotated": t.days_ago(300)}}))
}

# ---------------------------------------------------------------------------------------------
# rotation_overdue: no interval known, so next_rotation decides

with_next(fields, next) := t.secret("s", object.union(fields, {"rotation": {"next_rotation": next}}))

test_overdue_by_next_rotation_when_no_interval if {
	not overdue(with_next(t.rotating(null, t.days_ago(200)), t.days_ago(3)))
	o := overdue(with_next(t.rotating(null, t.days_ago(200)), t.days_ago(4)))
	assert.equal(sprintf("no rotation interval known, and the next rotation was due %s, 4 days ago (grace 3 days)", [t.day_ago(4)]), o.summary)
	assert.equal({"last_rotated": t.days_ago(200), "next_rotation": t.days_ago(4), "days_past_next_rotation": 4, "grace_days": 3}, o.evidence)
}

test_overdue_by_next_rotation_when_schedule_unreadable if {
	overdue(with_next(t.rotating_on("cron(0 3 1 * ?)", t.days_ago(200)), t.days_ago(10)))
}

test_overdue_by_next_rotation_when_no_timestamps if {
	# The interval is known but neither last_rotated nor created is.
	overdue(with_next(object.union(t.rotating_every(30, null), {"created": null}), t.days_ago(10)))
}

test_overdue_interval_decides_when_known if {
	# A stale next_rotation does not override a rotation that is on time by its interval.
	not overdue(with_next(t.rotating_every(30, t.days_ago(5)), t.days_ago(60)))
}

test_not_overdue_when_nothing_to_judge if {
	not overdue(t.secret("s", t.rotating(null, t.days_ago(200))))
}

# ---------------------------------------------------------------------------------------------
# third_party_markers

# third_party_markers reads input.third_party_keys, which keyward fills before the rules run (the
# search itself is tested in Rust, src/policy/input.rs; test_input.with_markers does it the same
# way for these tests).
markers_of(s, markers) := found if {
	inp := t.input_with_markers([s], markers)
	found := secrets.third_party_markers(s) with input as inp
}

test_markers_are_looked_up_by_arn if {
	markers_of(t.secret("prod/OpenAI-Key", {"tags": {"provider": "Anthropic"}}), ["openai", "anthropic"]) == ["anthropic", "openai"]
	inp := object.union(t.input_for([t.secret("prod/key", {})]), {"third_party_keys": {t.arn("prod/key"): ["mistral"]}})
	found := secrets.third_party_markers(t.secret("prod/key", {})) with input as inp
	found == ["mistral"]
}

test_markers_absent if {
	not markers_of(t.secret("prod/db-password", {"description": "Postgres", "tags": {"team": "data"}}), ["openai", "anthropic"])
	not markers_of(t.secret("prod/db-password", {}), [""])
}
