package keyward.detective.no_alarm_root_activity_test

import data.keyward.detective.no_alarm_root_activity as rule
import data.keyward.lib.detective_test_input as d

deny_with(changes) := findings if {
	inp := d.input_with(changes)
	findings := rule.deny with input as inp
}

test_the_cis_filter_with_an_alarm_passes if {
	count(deny_with({})) == 0
}

test_a_filter_on_console_sign_in_only_misses_root_keys if {
	console_only := d.filter("root", [[d.eq(["userIdentity", "type"], "^Root$"), d.eq(["eventName"], "^ConsoleLogin$")]])
	findings := deny_with({"metric_filters": [console_only]})
	count(findings) == 1
	some f in findings
	f.resource == d.log_group_arn
	f.region == "us-east-1"
	f.message == "log group arn:aws:logs:us-east-1:123456789012:log-group:cloudtrail (trail main) has no metric filter with an alarm for root user activity: nothing alarms on an API call with a root access key"
	f.evidence.metric_filters == [{"name": "root", "pattern": "(see reading)", "readable": true, "alarms": ["root"]}]
}

test_a_filter_without_an_alarm_action_does_not_count if {
	silent := object.union(d.alarm("root"), {"alarm_actions": []})
	some f in deny_with({"alarms": [silent]})
	f.evidence.unwatched == ["a root console sign-in", "an API call with a root access key"]
}

test_no_trail_in_cloudwatch_logs_is_an_account_finding if {
	findings := deny_with({"trails": [d.trail("main", {"cloudwatch_logs_log_group_arn": null})]})
	some f in findings
	f.resource == "arn:aws:cloudwatch::123456789012:alarm:*"
	f.evidence.trails == [d.trail_arn("main")]
}
