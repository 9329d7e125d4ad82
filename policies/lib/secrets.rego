# Helpers shared by the Secrets Manager rules: how often a secret is meant to rotate, whether its
# rotation is overdue, and whether it holds a third-party (AI-provider) API key.
#
# Every helper is undefined when the snapshot does not carry what it needs (no schedule, no
# timestamps), so a rule can never report a secret on a guess.
package keyward.lib.secrets

import data.keyward.lib.time as kwtime

grace_days := input.evaluation.thresholds.rotation_grace_days

# ---------------------------------------------------------------------------------------------
# Small conversions

# AWS gives Statement, Action and principals as one value or a list; rules iterate a list.
as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

# The calendar day of an RFC 3339 timestamp, as messages show it: "2026-01-02".
day(timestamp) := substring(timestamp, 0, 10)

# ---------------------------------------------------------------------------------------------
# Rotation schedule
#
# schedule(secret) is {"days": <interval in days>, "label": <how a message names it>}, undefined
# when rotation has no schedule keyward can read. A schedule expression is the configuration
# itself, while DescribeSecret's AutomaticallyAfterDays is what AWS derives from it after each
# rotation, so the expression wins when it parses; AutomaticallyAfterDays serves otherwise.

schedule(secret) := expression_schedule(secret.rotation.rules.schedule_expression)

schedule(secret) := {"days": days, "label": sprintf("every %v days", [days])} if {
	not expression_schedule(secret.rotation.rules.schedule_expression)
	days := secret.rotation.rules.automatically_after_days
	is_number(days)
}

# The interval in days between two rotations, undefined when unknown.
interval_days(secret) := schedule(secret).days

# Schedules are parsed with string builtins, not regex: regorus compiles a pattern on every call
# (it has no regex cache in keyward's build), which costs milliseconds per secret.

# rate(N days) / rate(N hours); AWS also writes the unit in the singular ("rate(1 day)").
expression_schedule(expr) := {"days": to_number(n) / hours_per[unit], "label": expr} if {
	[n, unit] := words(call_args(normalized(expr), "rate"))
	digits(n)
}

hours_per := {"day": 1, "days": 1, "hour": 24, "hours": 24}

# cron(minutes hours day-of-month month day-of-week year). Rotation needs the longest gap between
# two runs, not the next run, so the fields are approximated from above (the number is an upper
# bound, so it errs towards "interval too long" and away from "overdue"):
#   - specific months listed (e.g. "1,7", "JAN"):                        365 days (yearly)
#   - a month step "*/N" or "M/N":                                       N * 31 days
#   - every month, specific day-of-month (e.g. "1", "L", "1,15", "*/5"):  31 days (monthly)
#   - every month, day-of-week "#" or "L" (e.g. "MON#1", "6L"):         31 days (monthly)
#   - every month, day-of-week naming days (e.g. "MON", "2-6"):          7 days (weekly)
#   - every month, day-of-month and day-of-week both "*" or "?":         1 day (daily; hourly
#     schedules such as "0 */4 * * ? *" count as daily too)
# A cron expression without its six fields, or with a month field keyward cannot read, has no
# known interval.
expression_schedule(expr) := {"days": days, "label": sprintf("%s, at most about %v days apart", [expr, days])} if {
	fields := words(call_args(normalized(expr), "cron"))
	count(fields) == 6
	days := cron_days(fields)
}

normalized(expr) := lower(trim_space(expr)) if is_string(expr)

# The text between "<name>(" and the final ")": "30 days" for "rate(30 days)".
call_args(expr, name) := substring(expr, count(name) + 1, (count(expr) - count(name)) - 2) if {
	startswith(expr, concat("", [name, "("]))
	endswith(expr, ")")
}

# The words of a text, however many spaces separate them.
words(text) := [w | some w in split(text, " "); w != ""]

# A non-empty run of decimal digits (to_number fails on anything else).
digits(text) if {
	text != ""
	trim(text, "0123456789") == ""
}

wildcard(field) if field in {"*", "?"}

cron_days(f) := 365 if {
	not wildcard(f[3])
	not contains(f[3], "/")
}

cron_days(f) := 31 * to_number(step) if {
	[start, step] := split(f[3], "/")
	start != ""
	digits(step)
}

cron_days(f) := 1 if {
	wildcard(f[3])
	wildcard(f[2])
	wildcard(f[4])
}

cron_days(f) := 31 if {
	wildcard(f[3])
	not wildcard(f[2])
}

cron_days(f) := weekday_gap(f[4]) if {
	wildcard(f[3])
	wildcard(f[2])
	not wildcard(f[4])
}

# "MON#1" (first Monday) and "6L" (last Friday) name one day a month; anything else names
# days of every week. (The fields are lower-cased, and no day name contains an "l".)
weekday_gap(dow) := 31 if once_a_month(dow)

weekday_gap(dow) := 7 if not once_a_month(dow)

once_a_month(dow) if contains(dow, "#")

once_a_month(dow) if contains(dow, "l")

# ---------------------------------------------------------------------------------------------
# Rotation history

# How long ago something last happened to a secret (`what`: "rotated", "accessed"), counting
# from its creation when it never happened: {"at": timestamp, "days": whole days since, "text":
# for messages}. Undefined when both timestamps are null.
since_last(at, created, what) := {"at": at, "days": days, "text": sprintf("last %s %s, %v days ago", [what, day(at), days])} if {
	is_string(at)
	days := kwtime.days_since(at)
}

since_last(at, created, what) := {"at": created, "days": days, "text": sprintf("never %s since its creation on %s, %v days ago", [what, day(created), days])} if {
	not is_string(at)
	is_string(created)
	days := kwtime.days_since(created)
}

# Where the rotation clock starts: the last rotation, or the creation when it never rotated.
last_rotation(secret) := since_last(
	object.get(secret.rotation, "last_rotated", null),
	object.get(secret, "created", null),
	"rotated",
)

# The history for a message, also when the snapshot lacks both timestamps.
rotation_history(secret) := last_rotation(secret).text

rotation_history(secret) := "never rotated, creation date unknown" if not last_rotation(secret)

# The rotation timestamps as evidence. last_changed is there because a manual PutSecretValue
# changes the value without counting as a rotation: "check the timestamps".
rotation_evidence(secret) := {
	"rotation_enabled": secret.rotation.enabled,
	"last_rotated": object.get(secret.rotation, "last_rotated", null),
	"created": object.get(secret, "created", null),
	"last_changed": object.get(secret, "last_changed", null),
	"days_since_rotation": days_since_rotation(secret),
}

days_since_rotation(secret) := last_rotation(secret).days

days_since_rotation(secret) := null if not last_rotation(secret)

# ---------------------------------------------------------------------------------------------
# Overdue rotation (KW-SM-003 and KW-SM-006)
#
# rotation_overdue(secret) is {"summary": <message text>, "evidence": <object>} for a secret whose
# rotation is enabled but has not happened in time, undefined otherwise:
#   - with a known interval and a known start (last rotation, else creation): overdue when that
#     start is more than interval + rotation_grace_days whole days before as_of;
#   - otherwise (no interval keyward can read, or no timestamps): overdue when next_rotation
#     lies more than rotation_grace_days whole days before as_of. Without next_rotation either,
#     nothing can be judged and nothing is reported.
# A secret with rotation disabled is never "overdue": KW-SM-001 reports it instead.

rotation_overdue(secret) := result if {
	secret.rotation.enabled == true
	s := schedule(secret)
	last := last_rotation(secret)
	last.days > s.days + grace_days
	result := {
		"summary": sprintf("%s; schedule %s, plus %v days grace", [last.text, s.label, grace_days]),
		"evidence": {
			"last_rotated": secret.rotation.last_rotated,
			"created": secret.created,
			"days_since_rotation": last.days,
			"schedule": s.label,
			"interval_days": s.days,
			"grace_days": grace_days,
		},
	}
}

rotation_overdue(secret) := result if {
	secret.rotation.enabled == true
	not judged_by_interval(secret)
	next := secret.rotation.next_rotation
	is_string(next)
	late := kwtime.days_since(next)
	late > grace_days
	result := {
		"summary": sprintf("no rotation interval known, and the next rotation was due %s, %v days ago (grace %v days)", [day(next), late, grace_days]),
		"evidence": {
			"last_rotated": secret.rotation.last_rotated,
			"next_rotation": next,
			"days_past_next_rotation": late,
			"grace_days": grace_days,
		},
	}
}

judged_by_interval(secret) if {
	schedule(secret)
	last_rotation(secret)
}

# ---------------------------------------------------------------------------------------------
# Third-party API keys (KW-SM-006)

# input.evaluation.third_party_key_markers, lower-cased once per evaluation.
markers := {lower(m) | some m in input.evaluation.third_party_key_markers; m != ""}

# The markers found (case-insensitively, as substrings) in a secret's name, description, tag keys
# and tag values; undefined when there are none. The texts are joined with a newline, which no
# marker contains, so one search per marker covers them all without matching across two texts.
third_party_markers(secret) := found if {
	text := lower(concat("\n", searchable_texts(secret)))
	found := {m | some m in markers; contains(text, m)}
	count(found) > 0
}

searchable_texts(secret) := array.concat(
	[t | some t in [secret.name, object.get(secret, "description", null)]; is_string(t)],
	[t | some k, v in object.get(secret, "tags", {}); some t in [k, v]],
)
