# Test-only builders for the detective rules: a well-watched account's `detective` section that
# tests take parts away from. Metric filter readings are written out here the way keyward
# derives them from a pattern (the Rust side tests the derivation).
package keyward.lib.detective_test_input

account := "123456789012"

trail_arn(name) := sprintf("arn:aws:cloudtrail:us-east-1:%s:trail/%s", [account, name])

log_group_arn := sprintf("arn:aws:logs:us-east-1:%s:log-group:cloudtrail", [account])

# A multi-region, logging, validated, encrypted trail recording all management events into
# CloudWatch Logs; `fields` overrides.
trail(name, fields) := object.union(
	{
		"arn": trail_arn(name),
		"name": name,
		"home_region": "us-east-1",
		"multi_region": true,
		"organization": false,
		"include_global_service_events": true,
		"log_file_validation": true,
		"kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/trail",
		"s3_bucket": "trail-logs",
		"cloudwatch_logs_log_group_arn": concat("", [log_group_arn, ":*"]),
		"logging": true,
		"latest_cloudwatch_logs_delivery_error": null,
		"event_selectors": [{"read_write_type": "All", "include_management_events": true, "exclude_management_event_sources": []}],
		"advanced_event_selectors": [],
		"bucket": {"name": "trail-logs", "policy_public": false, "public_acl_grants": [], "public_access_block": null, "access_logging": true},
		"inherited_from": null,
	},
	fields,
)

# Conditions as keyward reads them from a pattern.
eq(path, regex) := {"test": "eq", "path": path, "regex": regex, "number": null, "text": null}

ne(path, regex) := {"test": "ne", "path": path, "regex": regex, "number": null, "text": null}

not_exists(path) := {"test": "not_exists", "path": path, "regex": null, "number": null, "text": null}

conditions(any_of) := {"kind": "conditions", "any_of": any_of}

filter(name, any_of) := {
	"name": name,
	"log_group_arn": log_group_arn,
	"pattern": "(see reading)",
	"reading": conditions(any_of),
	"metrics": [{"namespace": "CIS", "name": name}],
	"inherited_from": null,
}

alarm(metric) := {
	"arn": sprintf("arn:aws:cloudwatch:us-east-1:%s:alarm:%s", [account, metric]),
	"name": metric,
	"region": "us-east-1",
	"metrics": [{"namespace": "CIS", "name": metric}],
	"actions_enabled": true,
	"alarm_actions": [sprintf("arn:aws:sns:us-east-1:%s:security", [account])],
	"inherited_from": null,
}

# The CIS filters (4.1-4.4) and keyward's own on key reads, as keyward reads them.
root_filter := filter("root", [[
	eq(["userIdentity", "type"], "^Root$"),
	not_exists(["userIdentity", "invokedBy"]),
	ne(["eventType"], "^AwsServiceEvent$"),
]])

unauthorized_filter := filter("unauthorized", [
	[eq(["errorCode"], "^.*UnauthorizedOperation$")],
	[eq(["errorCode"], "^AccessDenied.*$"), ne(["sourceIPAddress"], "^delivery\\.logs\\.amazonaws\\.com$")],
])

no_mfa_filter := filter("no-mfa", [[
	eq(["eventName"], "^ConsoleLogin$"),
	ne(["additionalEventData", "MFAUsed"], "^Yes$"),
]])

policy_filter := filter("iam-policy", [[eq(["eventSource"], "^iam\\.amazonaws\\.com$"), eq(["eventName"], sprintf("^%s$", [name]))] |
	some name in data.keyward.detective.no_alarm_iam_policy_changes.policy_calls
])

key_read_filter := filter("key-reads", [[
	eq(["eventName"], "^GetSecretValue$"),
	eq(["requestParameters", "secretId"], "^.*api-key.*$"),
]])

all_filters := [root_filter, unauthorized_filter, no_mfa_filter, policy_filter, key_read_filter]

# Every detective control in place.
watched := {
	"trails": [trail("main", {})],
	"guardduty_detectors": [{"id": "d1", "region": "us-east-1", "status": "ENABLED"}],
	"access_analyzers": [{
		"arn": sprintf("arn:aws:access-analyzer:us-east-1:%s:analyzer/external", [account]),
		"name": "external",
		"region": "us-east-1",
		"type": "ACCOUNT",
		"status": "ACTIVE",
		"inherited_from": null,
	}],
	"metric_filters": all_filters,
	"alarms": [alarm(f.name) | some f in all_filters],
	"cost_anomaly": {
		"monitors": [monitor("services", "SERVICE", null)],
		"subscriptions": [subscription([monitor_arn("services")])],
	},
}

monitor_arn(name) := sprintf("arn:aws:ce::%s:anomalymonitor/%s", [account, name])

monitor(name, dimension, inherited_from) := {
	"arn": monitor_arn(name),
	"name": name,
	"type": "DIMENSIONAL",
	"dimension": dimension,
	"linked_accounts": [],
	"inherited_from": inherited_from,
}

subscription(monitors) := {
	"arn": sprintf("arn:aws:ce::%s:anomalysubscription/daily", [account]),
	"name": "daily",
	"monitor_arns": monitors,
	"frequency": "DAILY",
	"subscribers": [{"type": "EMAIL", "address": "security@example.com", "status": null}],
	"inherited_from": null,
}

# A secret that looks like a third-party key (the test markers are openai, anthropic and "api key":
# its name and tag say openai), named so that the key-reads filter (`*api-key*`) matches it.
key_secret := {
	"arn": sprintf("arn:aws:secretsmanager:us-east-1:%s:secret:prod/openai-api-key-AbCdEf", [account]),
	"name": "prod/openai-api-key",
	"region": "us-east-1",
	"description": null,
	"created": "2025-01-01T00:00:00Z",
	"last_changed": null,
	"last_accessed": null,
	"rotation": {"enabled": false, "lambda_arn": null, "rules": null, "last_rotated": null, "next_rotation": null},
	"kms_key_id": null,
	"owning_service": null,
	"tags": {"provider": "openai"},
	"resource_policy": null,
}

# The input for a snapshot whose detective section is `watched` changed by `changes`.
input_with(changes) := data.keyward.lib.test_input.input_for({
	"detective": object.union(watched, changes),
	"secrets": [key_secret],
})
