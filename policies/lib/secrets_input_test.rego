# Test-only builders for Secrets Manager inputs (a `_test.rego` file: `keyward policy test` loads
# it, a scan never does). The evaluation input comes from keyward.lib.test_input, and times are
# relative to its fixed as_of: `days_ago(34)`.
#
# Two regorus 0.14.1 pitfalls shape these helpers and the tests that use them:
# - Build an input before the `with` that uses it (`inp := t.input_for(...)`, or pass it as a
#   function argument), never inside it (`with input as t.input_for(...)`): the rules evaluated
#   while computing a `with` value are marked evaluated but their values are dropped, so later
#   reads of them (e.g. data.keyward.lib.time.ns_per_day) are undefined.
# - This package reads keyward.lib.test_input by full `data.` paths, not through an import: once
#   a rule of a package is read through an import alias (`t.account_id`), the whole package counts
#   as evaluated and its functions can no longer read rules through their own import aliases.
package keyward.lib.secrets_input

account_id := data.keyward.lib.test_input.account_id

days_ago(n) := data.keyward.lib.test_input.days_ago(n)

hours_after(timestamp, n) := data.keyward.lib.test_input.hours_after(timestamp, n)

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
		"deleted_date": null,
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

input_with_thresholds(secrets, overrides) := data.keyward.lib.test_input.input_with_thresholds(snapshot(secrets), overrides)

snapshot(secrets) := {"account": {"id": account_id, "partition": "aws"}, "secrets": secrets}

input_with_markers(secrets, markers) := data.keyward.lib.test_input.with_markers(input_for(secrets), markers)

# The input for secrets with the effective access of some of them: `access` maps a secret's name
# to fields of its entry in input.access.secrets (merged over access_secret), `everywhere` is
# input.access.every_secret, and `tables` holds input.access.grants and input.access.outside,
# which the entries refer to by index.
input_with_access(secrets, access, everywhere, tables) := object.union(input_for(secrets), {"access": {
	"secrets": {arn(name): access_secret(name, fields) | some name, fields in access},
	"every_secret": object.union({"grants": [], "outside": []}, everywhere),
	"grants": object.get(tables, "grants", []),
	"outside": object.get(tables, "outside", []),
}})

# A secret's entry in input.access.secrets: nobody reads it unless `fields` says so.
access_secret(name, fields) := object.union(
	{
		"name": name,
		"readers": 0,
		"conditional_readers": 0,
		"public": false,
		"outside_account": false,
		"scheduled_for_deletion": false,
		"grants": [],
		"outside": [],
		"resource_policy": [],
	},
	fields,
)
