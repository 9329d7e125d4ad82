package keyward.detective.no_multi_region_trail_test

import data.keyward.detective.no_multi_region_trail as rule
import data.keyward.lib.detective_test_input as d

deny_with(changes) := findings if {
	inp := d.input_with(changes)
	findings := rule.deny with input as inp
}

test_a_logging_multi_region_trail_passes if {
	count(deny_with({})) == 0
}

test_an_organization_trail_of_another_account_counts if {
	org_trail := d.trail("org", {"arn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/org", "organization": true})
	count(deny_with({"trails": [org_trail]})) == 0
}

test_no_trail_at_all_is_an_account_finding if {
	findings := deny_with({"trails": [d.trail("local", {"multi_region": false})]})
	count(findings) == 1
	some f in findings
	f.resource == "arn:aws:cloudtrail::123456789012:trail/*"
	f.message == "account 123456789012 has no multi-region CloudTrail trail: API calls in most regions are not recorded"
	f.evidence.trails == ["local"]
}

test_a_stopped_multi_region_trail_is_named if {
	findings := deny_with({"trails": [d.trail("main", {"logging": false})]})
	count(findings) == 1
	some f in findings
	f.resource == d.trail_arn("main")
	f.region == "us-east-1"
	contains(f.message, "multi-region trail main is not logging")
}
