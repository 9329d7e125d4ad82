package keyward.detective.guardduty_not_enabled_test

import data.keyward.detective.guardduty_not_enabled as rule
import data.keyward.lib.detective_test_input as d

deny_with(detectors) := findings if {
	inp := d.input_with({"guardduty_detectors": detectors})
	findings := rule.deny with input as inp
}

test_an_enabled_detector_passes if {
	count(deny_with([{"id": "d1", "region": "us-east-1", "status": "ENABLED"}])) == 0
}

test_a_region_without_a_detector_fires if {
	findings := deny_with([{"id": "d1", "region": "eu-west-1", "status": "ENABLED"}])
	count(findings) == 1
	some f in findings
	f.resource == "arn:aws:guardduty:us-east-1:123456789012:detector/*"
	f.region == "us-east-1"
	f.message == "GuardDuty is not enabled in us-east-1: no detector"
}

test_a_suspended_detector_fires if {
	findings := deny_with([{"id": "d1", "region": "us-east-1", "status": "DISABLED"}])
	some f in findings
	f.resource == "arn:aws:guardduty:us-east-1:123456789012:detector/d1"
	f.message == "GuardDuty is suspended in us-east-1: detector d1 is DISABLED"
}
