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
	"max_secret_readers": 10,
}

# RFC 3339 times relative to as_of, and to another time. (Full data paths, not an import alias:
# regorus 0.14.1 resolves an alias inside a package to undefined once a test has read a rule of
# that package through an alias, e.g. `t.as_of`.)
days_ago(n) := time.format(as_of_ns - (n * data.keyward.lib.time.ns_per_day))

hours_after(timestamp, n) := time.format(time.parse_rfc3339_ns(timestamp) + (n * data.keyward.lib.time.ns_per_hour))

# A snapshot with nothing in it: tests merge in the parts they need.
empty_snapshot := {
	"schema_version": 3,
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
	"organization": null,
	"collection_errors": [],
}

# input.access of an account where nobody reads anything (see model::access).
empty_access := {
	"basis": {"service_control_policies": "not_in_organization", "resource_control_policies": "not_in_organization", "organization_id": null},
	"principals": {},
	"secrets": {},
	"grants": [],
	"outside": [],
	"every_secret": {"grants": [], "outside": []},
	"unreadable_policies": [],
}

# input.schedules for the schedule expressions the tests use, as keyward works them out before
# the rules run (src/policy/schedule.rs; a Rust test checks every entry against it). Expressions
# AWS would reject are absent, as they are from a real input.
schedules := {
	"rate(1 day)": {"days": 1, "label": "rate(1 day)"},
	"rate(4 hours)": {"days": 0.16666666666666666, "label": "rate(4 hours)"},
	"rate(7 days)": {"days": 7, "label": "rate(7 days)"},
	"rate(12 hours)": {"days": 0.5, "label": "rate(12 hours)"},
	"rate(30 days)": {"days": 30, "label": "rate(30 days)"},
	"rate(90 days)": {"days": 90, "label": "rate(90 days)"},
	"rate(120 days)": {"days": 120, "label": "rate(120 days)"},
	"rate(180 days)": {"days": 180, "label": "rate(180 days)"},
	"rate(2160 hours)": {"days": 90, "label": "rate(2160 hours)"},
	"rate(2184 hours)": {"days": 91, "label": "rate(2184 hours)"},
	"cron(0 3 ? * MON *)": {"days": 7, "label": "cron(0 3 ? * MON *), at most about 7 days apart"},
	"cron(0 3 1 * ? *)": {"days": 31, "label": "cron(0 3 1 * ? *), at most about 31 days apart"},
	"cron(0 3 1/7 * ? *)": {"days": 7, "label": "cron(0 3 1/7 * ? *), at most about 7 days apart"},
	"cron(0 0 1 JAN,APR,JUL,OCT ? *)": {"days": 92, "label": "cron(0 0 1 JAN,APR,JUL,OCT ? *), at most about 92 days apart"},
	"cron(0 0 1 1,3,5,7,9,11 ? *)": {"days": 62, "label": "cron(0 0 1 1,3,5,7,9,11 ? *), at most about 62 days apart"},
	"cron(0 3 1 JAN,JUL ? *)": {"days": 184, "label": "cron(0 3 1 JAN,JUL ? *), at most about 184 days apart"},
}

# The input for a snapshot (merged over empty_snapshot) with the default thresholds, or with
# some thresholds overridden. Bind it to a variable before `with input as`: regorus 0.14.1
# evaluates `f(x) with input as t.input_for(...)` wrongly when both read rules of this package.
input_for(snapshot) := input_with_thresholds(snapshot, {})

input_with_thresholds(snapshot, overrides) := with_markers(
	{
		"snapshot": with_secret_histories(with_key_identities(object.union(empty_snapshot, snapshot))),
		"evaluation": {
			"as_of": as_of,
			"as_of_ns": as_of_ns,
			"thresholds": object.union(default_thresholds, overrides),
		},
		"access": empty_access,
		"schedules": schedules,
	},
	["openai", "anthropic", "api key"],
)

# The access keys of users and the root user with their `identity`, as keyward works it out
# before the rules run (src/policy/key_identity.rs, where it is tested): named by the creation
# time, or, for keys of one principal created in the same second, with the key id or slot; the
# label shows the ends of the id, or the creation day.
with_key_identities(snapshot) := object.union(snapshot, {
	"users": [identified(u) | some u in snapshot.users],
	"root": identified(snapshot.root),
})

identified(principal) := p if {
	keys := principal.access_keys
	p := object.union(principal, {"access_keys": [object.union(key, {"identity": key_identity(keys, i)}) | some i, key in keys]})
} else := principal

key_identity(keys, i) := {"ref": keys[i].created, "label": key_label(keys[i])} if {
	count([k | some k in keys; k.created == keys[i].created]) == 1
} else := {"ref": concat("#", [keys[i].created, keys[i].id]), "label": key_label(keys[i])} if {
	is_string(object.get(keys[i], "id", null))
} else := {
	"ref": sprintf("%s#slot%d", [keys[i].created, i + 1]),
	"label": sprintf("%s (slot %d)", [key_label(keys[i]), i + 1]),
}

key_label(key) := concat(" ", ["created", substring(key.created, 0, 10)]) if {
	object.get(key, "id", null) == null
} else := concat("…", [substring(key.id, 0, 4), substring(key.id, count(key.id) - 4, 4)]) if {
	count(key.id) > 8
} else := key.id

# The secrets with their `history`, as keyward works it out before the rules run
# (src/policy/secret_history.rs, where it is tested, and checked against since_last here): how
# long ago each last rotated and was last read, counting from its creation when it never was.
with_secret_histories(snapshot) := object.union(snapshot, {"secrets": [object.union(secret, {"history": {
	"rotated": since_last(object.get(secret, ["rotation", "last_rotated"], null), object.get(secret, "created", null), "rotated"),
	"accessed": since_last(object.get(secret, "last_accessed", null), object.get(secret, "created", null), "accessed"),
}}) |
	some secret in snapshot.secrets
]})

since_last(at, created, what) := {"at": at, "days": days, "text": sprintf("last %s %s, %v days ago", [what, substring(at, 0, 10), days])} if {
	at != null
	days := floor((as_of_ns - time.parse_rfc3339_ns(at)) / data.keyward.lib.time.ns_per_day)
} else := {"at": created, "days": days, "text": sprintf("never %s since its creation on %s, %v days ago", [what, substring(created, 0, 10), days])} if {
	created != null
	days := floor((as_of_ns - time.parse_rfc3339_ns(created)) / data.keyward.lib.time.ns_per_day)
} else := {"at": null, "days": null, "text": sprintf("never %s, creation date unknown", [what])}

# An input with its third-party key markers, and input.third_party_keys found with them the way
# keyward finds them before the rules run (src/policy/input.rs, where the search is tested): each
# of the secret's texts searched ignoring case.
with_markers(inp, markers) := object.union(inp, {
	"evaluation": {"third_party_key_markers": markers},
	"third_party_keys": {secret.arn: found |
		some secret in inp.snapshot.secrets
		texts := array.concat([secret.name, object.get(secret, "description", null)], tag_texts(object.get(secret, "tags", {})))
		found := sort({lower(m) | some m in markers; m != ""; some text in texts; is_string(text); contains(lower(text), lower(m))})
		count(found) > 0
	},
})

tag_texts(tags) := array.concat([k | some k, _ in tags], [v | some _, v in tags])

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
		"permissions_boundary": null,
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
		"permissions_boundary": null,
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
