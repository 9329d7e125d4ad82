package keyward.detective.trail_not_in_cloudwatch_logs_test

import data.keyward.detective.trail_not_in_cloudwatch_logs as rule
import data.keyward.lib.detective_test_input as d

deny_with(trails) := findings if {
	inp := d.input_with({"trails": trails})
	findings := rule.deny with input as inp
}

test_a_delivering_trail_passes if {
	count(deny_with([d.trail("main", {})])) == 0
}

test_a_trail_without_a_log_group_fires if {
	findings := deny_with([d.trail("main", {"cloudwatch_logs_log_group_arn": null})])
	count(findings) == 1
	some f in findings
	f.message == "trail main does not deliver its events to CloudWatch Logs, so no alarm can watch them"
}

test_a_delivery_error_fires if {
	findings := deny_with([d.trail("main", {"latest_cloudwatch_logs_delivery_error": "AccessDenied"})])
	some f in findings
	f.message == "trail main fails to deliver to CloudWatch Logs: AccessDenied"
}
