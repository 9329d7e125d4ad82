package keyward.lib.time_test

import data.keyward.lib.assert
import data.keyward.lib.time as kwtime

evaluation := {"evaluation": {"as_of_ns": time.parse_rfc3339_ns("2026-05-03T12:00:00Z")}}

test_days_since_counts_whole_days if {
	assert.equal(1, kwtime.days_since("2026-05-01T13:00:00Z")) with input as evaluation
	assert.equal(0, kwtime.days_since("2026-05-03T12:00:00Z")) with input as evaluation
}

test_days_since_is_negative_for_the_future if {
	assert.equal(-2, kwtime.days_since("2026-05-05T12:00:00Z")) with input as evaluation
}

test_hours_between_ignores_order if {
	assert.equal(3, kwtime.hours_between("2026-05-01T10:00:00Z", "2026-05-01T13:30:00Z"))
	assert.equal(3, kwtime.hours_between("2026-05-01T13:30:00Z", "2026-05-01T10:00:00Z"))
}

test_cutoff_is_days_before_as_of if {
	c := kwtime.cutoff(2) with input as evaluation
	assert.equal(time.parse_rfc3339_ns("2026-05-01T12:00:00Z"), c.ns)
}

# The string pre-filter lets through everything at or before the cutoff, in any UTC offset,
# and rules out what is two days or more after it.
test_cutoff_string_test_is_conservative if {
	c := kwtime.cutoff(2) with input as evaluation
	"2026-05-01T12:00:00Z" <= c.candidates_before
	"2026-05-02T09:00:00-09:00" <= c.candidates_before
	"2026-05-03T12:00:01Z" > c.candidates_before
}

# A schedule of a billion days from a snapshot must not take the cutoff out of the range of
# nanosecond times (time.format would fail and take the rule with it).
test_cutoff_holds_huge_intervals_at_a_hundred_years if {
	c := kwtime.cutoff(1000000000) with input as evaluation
	c.ns == kwtime.cutoff(36500).ns with input as evaluation
	startswith(c.candidates_before, "1926-")
}
