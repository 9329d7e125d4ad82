package keyward.detective.no_alarm_iam_policy_changes_test

import data.keyward.detective.no_alarm_iam_policy_changes as rule
import data.keyward.lib.detective_test_input as d

deny_with(changes) := findings if {
	inp := d.input_with(changes)
	findings := rule.deny with input as inp
}

test_the_cis_filter_with_an_alarm_passes if {
	count(deny_with({})) == 0
}

test_a_filter_on_some_calls_names_the_others if {
	partial := d.filter("iam-policy", [[d.eq(["eventName"], "^(Put|Delete)(User|Group|Role)Policy$")]])
	some f in deny_with({"metric_filters": [partial]})
	count(f.evidence.unwatched) == 10
	"AttachRolePolicy" in f.evidence.unwatched
}

test_a_trail_that_misses_writes_cannot_carry_the_alarm if {
	reads := d.trail("main", {"event_selectors": [{"read_write_type": "ReadOnly", "include_management_events": true, "exclude_management_event_sources": []}]})
	some f in deny_with({"trails": [reads]})
	f.resource == "arn:aws:cloudwatch::123456789012:alarm:*"
}
