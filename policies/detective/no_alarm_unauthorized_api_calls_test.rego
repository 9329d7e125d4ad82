package keyward.detective.no_alarm_unauthorized_api_calls_test

import data.keyward.detective.no_alarm_unauthorized_api_calls as rule
import data.keyward.lib.detective_test_input as d

deny_with(changes) := findings if {
	inp := d.input_with(changes)
	findings := rule.deny with input as inp
}

test_the_cis_filter_with_an_alarm_passes if {
	count(deny_with({})) == 0
}

test_an_exact_access_denied_filter_misses_other_services if {
	exact := d.filter("unauthorized", [[d.eq(["errorCode"], "^AccessDenied$")]])
	some f in deny_with({"metric_filters": [exact]})
	f.evidence.unwatched == ["a refused DescribeInstances (Client.UnauthorizedOperation)", "a refused InvokeModel (AccessDeniedException)"]
}

test_a_text_pattern_counts_and_unreadable_ones_do_not if {
	text := object.union(d.filter("unauthorized", []), {"reading": {"kind": "conditions", "any_of": [
		[{"test": "contains_text", "path": [], "regex": null, "number": null, "text": "\"errorCode\""}, {"test": "lacks_text", "path": [], "regex": null, "number": null, "text": "HeadBucket"}],
	]}})
	count(deny_with({"metric_filters": [text]})) == 0
	unreadable := object.union(d.filter("unauthorized", []), {"reading": {"kind": "unreadable", "reason": "space-delimited"}})
	some f in deny_with({"metric_filters": [unreadable]})
	f.evidence.metric_filters[0].readable == false
}
