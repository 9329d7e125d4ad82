package keyward.detective.trail_bucket_public_test

import data.keyward.detective.trail_bucket_public as rule
import data.keyward.lib.detective_test_input as d

deny_with(bucket) := findings if {
	inp := d.input_with({"trails": [d.trail("main", {"bucket": object.union(d.trail("main", {}).bucket, bucket)})]})
	findings := rule.deny with input as inp
}

test_a_private_bucket_passes if {
	count(deny_with({})) == 0
}

test_a_public_policy_and_acl_fire if {
	findings := deny_with({"policy_public": true, "public_acl_grants": ["AllUsers:READ"]})
	count(findings) == 1
	some f in findings
	f.message == "trail main writes its logs to bucket trail-logs, which is public: its ACL grants AllUsers:READ; its bucket policy allows public access"
}

test_block_public_access_cancels_what_it_covers if {
	block := {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true}
	count(deny_with({"policy_public": true, "public_acl_grants": ["AllUsers:READ"], "public_access_block": block})) == 0
	acls_only := object.union(block, {"restrict_public_buckets": false})
	some f in deny_with({"policy_public": true, "public_acl_grants": ["AllUsers:READ"], "public_access_block": acls_only})
	f.evidence.exposures == ["its bucket policy allows public access"]
}

test_an_unread_bucket_is_not_judged if {
	inp := d.input_with({"trails": [d.trail("main", {"bucket": null})]})
	count(rule.deny) == 0 with input as inp
}
