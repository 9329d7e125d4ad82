package keyward.detective.trail_bucket_access_logging_disabled_test

import data.keyward.detective.trail_bucket_access_logging_disabled as rule
import data.keyward.lib.detective_test_input as d

deny_with(trail) := findings if {
	inp := d.input_with({"trails": [trail]})
	findings := rule.deny with input as inp
}

test_a_logged_bucket_passes if {
	count(deny_with(d.trail("main", {}))) == 0
	count(deny_with(d.trail("main", {"bucket": null}))) == 0
}

test_a_bucket_without_access_logging_fires if {
	bucket := object.union(d.trail("main", {}).bucket, {"access_logging": false})
	findings := deny_with(d.trail("main", {"bucket": bucket}))
	some f in findings
	f.message == "trail main writes its logs to bucket trail-logs, which has no server access logging"
}
