package keyward.detective.no_alarm_third_party_key_reads_test

import data.keyward.detective.no_alarm_third_party_key_reads as rule
import data.keyward.lib.detective_test_input as d

deny_with(changes) := findings if {
	inp := d.input_with(changes)
	findings := rule.deny with input as inp
}

test_a_filter_on_key_reads_with_an_alarm_passes if {
	count(deny_with({})) == 0
}

test_a_filter_on_the_arn_only_misses_reads_by_name if {
	by_arn := d.filter("key-reads", [[d.eq(["requestParameters", "secretId"], "^arn:aws:secretsmanager:.*$")]])
	findings := deny_with({"metric_filters": [by_arn]})
	count(findings) == 1
	some f in findings
	f.message == "log group arn:aws:logs:us-east-1:123456789012:log-group:cloudtrail (trail main) has no metric filter with an alarm for reads of third-party API keys: nothing alarms on GetSecretValue of prod/openai-api-key by name"
}

test_a_write_only_trail_cannot_see_reads if {
	writes := d.trail("main", {"event_selectors": [{"read_write_type": "WriteOnly", "include_management_events": true, "exclude_management_event_sources": []}]})
	some f in deny_with({"trails": [writes]})
	f.resource == "arn:aws:cloudwatch::123456789012:alarm:*"
}

test_an_account_without_key_secrets_has_nothing_to_watch if {
	# (object.union merges tags, so the key's tags are left out by hand.)
	plain := object.union(object.remove(d.key_secret, ["tags"]), {"name": "db-password", "tags": {}, "arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password-AbCdEf"})
	inp := data.keyward.lib.test_input.input_for({"detective": object.union(d.watched, {"metric_filters": []}), "secrets": [plain]})
	findings := rule.deny with input as inp
	count(findings) == 0
}
