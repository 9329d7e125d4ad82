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
#
# Performance: these helpers run for every secret of every region, and a regorus function call
# costs far more than a builtin, so they use `else` chains (evaluated until the first match)
# rather than bodies that all run, and string builtins rather than regex (regorus compiles a
# pattern on every call).

schedule(secret) := s if {
	expr := secret.rotation.rules.schedule_expression
	is_string(expr)
	s := parsed_expression(expr)
} else := {"days": days, "label": sprintf("every %v days", [days])} if {
	days := secret.rotation.rules.automatically_after_days
	is_number(days)
}

# An account has thousands of secrets but a handful of schedules: each distinct expression of
# the snapshot is parsed once, and one not in the snapshot (a secret built by a test) on demand.
parsed_expression(expr) := s if {
	s := snapshot_schedules[expr]
} else := s if {
	s := expression_schedule(lower(trim_space(expr)), expr)
}

snapshot_schedules := {expr: s |
	some expr in {e | some secret in input.snapshot.secrets; e := secret.rotation.rules.schedule_expression; is_string(e)}
	s := expression_schedule(lower(trim_space(expr)), expr)
}

# The interval in days between two rotations, undefined when unknown.
interval_days(secret) := schedule(secret).days

# `e` is the expression trimmed and lower-cased, `expr` as written (for the label).
# rate(N days) / rate(N hours); AWS also writes the unit in the singular ("rate(1 day)").
expression_schedule(e, expr) := {"days": days, "label": expr} if {
	startswith(e, "rate(")
	endswith(e, ")")
	[n, unit] := words(substring(e, 5, count(e) - 6))
	digits(n)
	days := to_number(n) / hours_per[unit]
} else := {"days": days, "label": sprintf("%s, at most about %v days apart", [expr, days])} if {
	startswith(e, "cron(")
	endswith(e, ")")
	fields := words(substring(e, 5, count(e) - 6))
	count(fields) == 6
	days := cron_days(fields[2], fields[3], fields[4])
}

hours_per := {"day": 1, "days": 1, "hour": 24, "hours": 24}

# The words of a text, however many spaces separate them.
words(text) := [w | some w in split(text, " "); w != ""]

# A non-empty run of decimal digits (to_number fails on anything else).
digits(text) if {
	text != ""
	trim(text, "0123456789") == ""
}

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
# known interval. The fields arrive lower-cased.
cron_days(dom, month, dow) := 365 if {
	not month in wildcards
	not contains(month, "/")
} else := days if {
	[start, step] := split(month, "/")
	start != ""
	digits(step)
	days := 31 * to_number(step)
} else := days if {
	month in wildcards
	days := every_month_gap(dom, dow)
}

wildcards := {"*", "?"}

# "MON#1" (first Monday) and "6L" (last Friday) name one day a month; other day-of-week values
# name days of every week (no day name contains an "l").
every_month_gap(dom, dow) := 31 if not dom in wildcards
else := 1 if dow in wildcards
else := 31 if contains(dow, "#")
else := 31 if contains(dow, "l")
else := 7

# ---------------------------------------------------------------------------------------------
# Rotation history

# How long ago something last happened to a secret (`what`: "rotated", "accessed"), counting
# from its creation when it never happened: {"at": timestamp, "days": whole days since, "text":
# for messages}. Undefined when both timestamps are null.
since_last(at, created, what) := {"at": at, "days": days, "text": sprintf("last %s %s, %v days ago", [what, day(at), days])} if {
	is_string(at)
	days := kwtime.days_since(at)
} else := {"at": created, "days": days, "text": sprintf("never %s since its creation on %s, %v days ago", [what, day(created), days])} if {
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
rotation_history(secret) := last.text if {
	last := last_rotation(secret)
} else := "never rotated, creation date unknown"

# The rotation timestamps as evidence. last_changed is there because a manual PutSecretValue
# changes the value without counting as a rotation: "check the timestamps".
rotation_evidence(secret) := {
	"rotation_enabled": secret.rotation.enabled,
	"last_rotated": object.get(secret.rotation, "last_rotated", null),
	"created": object.get(secret, "created", null),
	"last_changed": object.get(secret, "last_changed", null),
	"days_since_rotation": days_since_rotation(secret),
}

days_since_rotation(secret) := last.days if {
	last := last_rotation(secret)
} else := null

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

rotation_overdue(secret) := overdue_report(secret, late) if {
	secret.rotation.enabled == true
	late := lateness(secret)
	late.days_late > 0
}

# How late the rotation is, in days past interval + grace (negative: on time).
lateness(secret) := {"by": "interval", "schedule": s, "last": last, "days_late": last.days - (s.days + grace_days)} if {
	s := schedule(secret)
	last := last_rotation(secret)
} else := {"by": "next_rotation", "next": next, "days_past": days, "days_late": days - grace_days} if {
	next := secret.rotation.next_rotation
	is_string(next)
	days := kwtime.days_since(next)
}

overdue_report(secret, late) := {
	"summary": sprintf("%s; schedule %s, plus %v days grace", [late.last.text, late.schedule.label, grace_days]),
	"evidence": {
		"last_rotated": secret.rotation.last_rotated,
		"created": secret.created,
		"days_since_rotation": late.last.days,
		"schedule": late.schedule.label,
		"interval_days": late.schedule.days,
		"grace_days": grace_days,
	},
} if {
	late.by == "interval"
} else := {
	"summary": sprintf("no rotation interval known, and the next rotation was due %s, %v days ago (grace %v days)", [day(late.next), late.days_past, grace_days]),
	"evidence": {
		"last_rotated": secret.rotation.last_rotated,
		"next_rotation": late.next,
		"days_past_next_rotation": late.days_past,
		"grace_days": grace_days,
	},
}

# ---------------------------------------------------------------------------------------------
# Third-party API keys (KW-SM-006)

# input.evaluation.third_party_key_markers, lower-cased once per evaluation.
markers := {lower(m) | some m in input.evaluation.third_party_key_markers; m != ""}

# The markers found (case-insensitively, as substrings) in a secret's name, description, tag keys
# and tag values; undefined when there are none. The texts are searched as one JSON text, where
# quotes separate them, so a marker (a word) cannot match across two texts, and each marker costs
# one `contains`.
third_party_markers(secret) := found if {
	text := lower(json.marshal([
		secret.name,
		[d | d := object.get(secret, "description", null); is_string(d)],
		object.get(secret, "tags", {}),
	]))
	found := {m | some m in markers; contains(text, m)}
	count(found) > 0
}
