package keyward.detective.no_alarm_console_login_without_mfa_test

import data.keyward.detective.no_alarm_console_login_without_mfa as rule
import data.keyward.lib.detective_test_input as d

deny_with(changes) := findings if {
	inp := d.input_with(changes)
	findings := rule.deny with input as inp
}

test_the_cis_filter_with_an_alarm_passes if {
	count(deny_with({})) == 0
}

test_a_filter_on_mfa_sign_ins_does_not_count if {
	wrong := d.filter("no-mfa", [[d.eq(["eventName"], "^ConsoleLogin$"), d.eq(["additionalEventData", "MFAUsed"], "^Yes$")]])
	some f in deny_with({"metric_filters": [wrong]})
	f.evidence.unwatched == ["an IAM user's console sign-in without MFA"]
}

test_numeric_and_boolean_tests_are_read if {
	checks := [
		{"test": "is_false", "path": ["readOnly"], "regex": null, "number": null, "text": null},
		{"test": "ge", "path": ["eventVersion"], "regex": null, "number": 1, "text": null},
		{"test": "is_null", "path": ["requestParameters"], "regex": null, "number": null, "text": null},
	]
	numeric := object.union(d.filter("no-mfa", []), {"reading": {"kind": "conditions", "any_of": [checks]}})
	# eventVersion is a string in CloudTrail events: a numeric test on it does not hold.
	count(deny_with({"metric_filters": [numeric]})) == 1
}
