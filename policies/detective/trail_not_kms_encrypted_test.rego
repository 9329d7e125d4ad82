package keyward.detective.trail_not_kms_encrypted_test

import data.keyward.detective.trail_not_kms_encrypted as rule
import data.keyward.lib.detective_test_input as d

deny_with(trails) := findings if {
	inp := d.input_with({"trails": trails})
	findings := rule.deny with input as inp
}

test_a_kms_encrypted_trail_passes if {
	count(deny_with([d.trail("main", {})])) == 0
}

test_a_trail_without_a_key_fires if {
	findings := deny_with([d.trail("main", {"kms_key_id": null})])
	count(findings) == 1
	some f in findings
	f.message == "trail main does not encrypt its log files with a KMS key"
	f.evidence.s3_bucket == "trail-logs"
}
