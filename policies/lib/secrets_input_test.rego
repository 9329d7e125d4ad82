# Test-only builders for Secrets Manager inputs (a `_test.rego` file: `keyward policy test` loads
# it, a scan never does). The evaluation input comes from keyward.lib.test_input, and times are
# relative to its fixed as_of: `days_ago(34)`.
#
# days_ago is computed here rather than taken from test_input: regorus 0.14.1 loses the imports of
# a package once one of its rules was evaluated from a third package, so test_input.days_ago
# (which reads time_lib.ns_per_day through an import) turns undefined after, say,
# test_input.account_id was read from here. Functions here use only this package's rules.
package keyward.lib.secrets_input

import data.keyward.lib.test_input

account_id := "123456789012"

ns_per_hour := 3600000000000

days_ago(n) := time.format(test_input.as_of_ns - ((n * 24) * ns_per_hour))

hours_after(timestamp, n) := time.format(time.parse_rfc3339_ns(timestamp) + (n * ns_per_hour))

# The calendar day of days_ago(n), as messages print it.
day_ago(n) := substring(days_ago(n), 0, 10)

arn(name) := sprintf("arn:aws:secretsmanager:us-east-1:%s:secret:%s-AbCdEf", [account_id, name])

# A secret in us-east-1, created 400 days ago, read yesterday, with rotation disabled and never
# rotated, no tags and no resource policy. `fields` is merged over it (objects merge deeply, so
# {"rotation": {"enabled": true}} changes one field of the rotation).
secret(name, fields) := object.union(
	{
		"arn": arn(name),
		"name": name,
		"region": "us-east-1",
		"description": null,
		"created": days_ago(400),
		"last_changed": days_ago(400),
		"last_accessed": days_ago(1),
		"rotation": {
			"enabled": false,
			"lambda_arn": null,
			"rules": null,
			"last_rotated": null,
			"next_rotation": null,
		},
		"kms_key_id": null,
		"owning_service": null,
		"tags": {},
		"resource_policy": null,
	},
	fields,
)

rotation_lambda := sprintf("arn:aws:lambda:us-east-1:%s:function:rotate", [account_id])

# Fields for secret(): rotation enabled with AutomaticallyAfterDays, or with a schedule
# expression, last rotated at `last_rotated` (null: never).
rotating_every(days, last_rotated) := rotating({"automatically_after_days": days, "schedule_expression": null, "duration": null}, last_rotated)

rotating_on(expression, last_rotated) := rotating({"automatically_after_days": null, "schedule_expression": expression, "duration": null}, last_rotated)

rotating(rules, last_rotated) := {"rotation": {
	"enabled": true,
	"lambda_arn": rotation_lambda,
	"rules": rules,
	"last_rotated": last_rotated,
	"next_rotation": null,
}}

# The input for a list of secrets, with the default thresholds or some overridden, and with the
# given third-party key markers.
input_for(secrets) := input_with_thresholds(secrets, {})

input_with_thresholds(secrets, overrides) := test_input.input_with_thresholds(snapshot(secrets), overrides)

snapshot(secrets) := {"account": {"id": account_id, "partition": "aws"}, "secrets": secrets}

input_with_markers(secrets, markers) := object.union(input_for(secrets), {"evaluation": {"third_party_key_markers": markers}})
