package keyward.detective.access_analyzer_not_enabled_test

import data.keyward.detective.access_analyzer_not_enabled as rule
import data.keyward.lib.detective_test_input as d

deny_with(analyzers) := findings if {
	inp := d.input_with({"access_analyzers": analyzers})
	findings := rule.deny with input as inp
}

analyzer(type, status, fields) := object.union(
	{"arn": "arn:aws:access-analyzer:us-east-1:111111111111:analyzer/org", "name": "org", "region": "us-east-1", "type": type, "status": status, "inherited_from": null},
	fields,
)

test_an_account_or_organization_analyzer_passes if {
	count(deny_with(d.watched.access_analyzers)) == 0
	count(deny_with([analyzer("ORGANIZATION", "ACTIVE", {"inherited_from": "111111111111"})])) == 0
}

test_a_region_without_one_fires if {
	findings := deny_with([])
	count(findings) == 1
	some f in findings
	f.resource == "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/*"
	f.message == "no active IAM Access Analyzer for external access in us-east-1"
}

test_unused_access_and_disabled_analyzers_do_not_count if {
	findings := deny_with([analyzer("ACCOUNT_UNUSED_ACCESS", "ACTIVE", {"name": "unused"}), analyzer("ACCOUNT", "DISABLED", {"name": "old"})])
	some f in findings
	f.message == "no active IAM Access Analyzer for external access in us-east-1 (its analyzers do not count: old is ACCOUNT DISABLED, unused is ACCOUNT_UNUSED_ACCESS ACTIVE)"
}
