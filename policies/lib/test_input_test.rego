# Test-only helpers for building rule inputs (a `_test.rego` file: `keyward policy test` loads it,
# a scan never does). Everything is relative to one fixed evaluation time, so tests say
# `days_ago(91)` rather than spelling out dates.
package keyward.lib.test_input

as_of := "2026-05-10T00:00:00Z"

as_of_ns := 1778371200000000000

account_id := "123456789012"

# The defaults of policies/README.md.
default_thresholds := {
	"max_access_key_age_days": 90,
	"unused_credential_days": 45,
	"root_recent_use_days": 30,
	"initial_key_window_hours": 24,
	"max_rotation_interval_days": 90,
	"max_days_since_rotation": 90,
	"rotation_grace_days": 3,
	"unused_secret_days": 90,
}

# RFC 3339 times relative to as_of, and to another time. (Full data paths, not an import alias:
# regorus 0.14.1 resolves an alias inside a package to undefined once a test has read a rule of
# that package through an alias, e.g. `t.as_of`.)
days_ago(n) := time.format(as_of_ns - (n * data.keyward.lib.time.ns_per_day))

hours_after(timestamp, n) := time.format(time.parse_rfc3339_ns(timestamp) + (n * data.keyward.lib.time.ns_per_hour))

# A snapshot with nothing in it: tests merge in the parts they need.
empty_snapshot := {
	"schema_version": 1,
	"collected_at": as_of,
	"collector": {"tool": "keyward", "version": "test", "regions": ["us-east-1"]},
	"account": {"id": account_id, "partition": "aws"},
	"root": null,
	"password_policy": null,
	"users": [],
	"groups": [],
	"roles": [],
	"policies": [],
	"secrets": [],
	"collection_errors": [],
}

# The input for a snapshot (merged over empty_snapshot) with the default thresholds, or with
# some thresholds overridden. Bind it to a variable before `with input as`: regorus 0.14.1
# evaluates `f(x) with input as t.input_for(...)` wrongly when both read rules of this package.
input_for(snapshot) := input_with_thresholds(snapshot, {})

input_with_thresholds(snapshot, overrides) := {
	"snapshot": object.union(empty_snapshot, snapshot),
	"evaluation": {
		"as_of": as_of,
		"as_of_ns": as_of_ns,
		"thresholds": object.union(default_thresholds, overrides),
		"third_party_key_markers": ["openai", "anthropic", "api key"],
	},
}

# An IAM user created 400 days ago, with no credentials or policies unless `fields` adds them.
user(name, fields) := object.union(
	{
		"name": name,
		"arn": sprintf("arn:aws:iam::%s:user/%s", [account_id, name]),
		"created": days_ago(400),
		"password": null,
		"mfa_active": false,
		"mfa_devices": [],
		"access_keys": [],
		"groups": [],
		"attached_policies": [],
		"inline_policies": [],
		"tags": {},
	},
	fields,
)

# A group or role with the given policies.
group(name, fields) := object.union(
	{
		"name": name,
		"arn": sprintf("arn:aws:iam::%s:group/%s", [account_id, name]),
		"created": days_ago(400),
		"attached_policies": [],
		"inline_policies": [],
	},
	fields,
)

role(name, fields) := object.union(
	{
		"name": name,
		"arn": sprintf("arn:aws:iam::%s:role/%s", [account_id, name]),
		"created": days_ago(400),
		"assume_role_policy": null,
		"last_used": null,
		"attached_policies": [],
		"inline_policies": [],
		"tags": {},
	},
	fields,
)

# A console password: enabled, last used `last_used` (null: never), set 200 days ago.
password(last_used) := {"enabled": true, "last_used": last_used, "last_changed": days_ago(200)}

# An access key; `last_used` is a time or null (never used).
access_key(id, status, created, last_used) := {
	"id": id,
	"status": status,
	"created": created,
	"last_used": key_use(last_used),
}

key_use(null) := null

key_use(date) := {"date": date, "service": "s3", "region": "us-east-1"} if date != null

# Policies: an inline policy, a customer-managed policy and a reference attaching one.
inline_policy(name, document) := {"name": name, "document": document}

managed_policy(name, document, attachment_count) := {
	"name": name,
	"arn": sprintf("arn:aws:iam::%s:policy/%s", [account_id, name]),
	"aws_managed": false,
	"attachment_count": attachment_count,
	"document": document,
}

attachment(name) := {"name": name, "arn": sprintf("arn:aws:iam::%s:policy/%s", [account_id, name])}

# A policy document with one statement (as a single object, the way AWS allows it).
allow(action, resource) := {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": action, "Resource": resource}}

# A Terraform plan's section of the snapshot (`terraform`): the plan alone unless `live`.
terraform(resources, live) := {"tool": "terraform", "version": "1.11.4", "live_account": live, "resources": resources}

# One resource of a plan: what it does (`create`, `update`, `replace`, `delete`, `no-op`) to
# whom (`subject`, an ARN).
planned(address, type, action, subject, details) := {
	"address": address,
	"type": type,
	"action": action,
	"subject": subject,
	"details": details,
}
