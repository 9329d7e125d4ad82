package keyward.detective.trail_log_validation_disabled_test

import data.keyward.detective.trail_log_validation_disabled as rule
import data.keyward.lib.detective_test_input as d

deny_with(trails) := findings if {
	inp := d.input_with({"trails": trails})
	findings := rule.deny with input as inp
}

test_validated_trails_pass if {
	count(deny_with([d.trail("main", {})])) == 0
}

test_an_owned_trail_without_validation_fires if {
	findings := deny_with([d.trail("main", {"log_file_validation": false})])
	count(findings) == 1
	some f in findings
	f.resource == d.trail_arn("main")
	f.message == "trail main does not validate its log files: deleted or edited logs go unnoticed"
}

test_another_accounts_trail_is_judged_there if {
	org := d.trail("org", {"arn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/org", "log_file_validation": false})
	count(deny_with([org])) == 0
}
