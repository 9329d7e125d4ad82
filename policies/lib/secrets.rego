# Helpers shared by the Secrets Manager rules: how often a secret is meant to rotate, whether its
# rotation is overdue, and whether it holds a third-party (AI-provider) API key.
#
# Every helper is undefined when the snapshot does not carry what it needs (no schedule, no
# timestamps), so a rule can never report a secret on a guess.
#
# Performance: the rules run over every secret of an account (think 10,000), and regorus spends
# thousands of instructions on every builtin or function call (a field access or a comparison is
# cheap). So the per-secret paths avoid calls: what depends only on a secret's rotation rules is
# computed once per distinct rules object (`schedules`), ages are checked by comparing timestamps
# with cutoffs computed once (`kwtime.cutoff`), the overdue secrets are collected in one pass
# (`overdue_rotations`), and message text is built only for the secrets that are reported (or,
# for the rotation and access history, by keyward before the rules run: each secret's
# `history`). Rule files read these tables by their full `data.` path, and functions here read
# other packages' rules the same way, never through an import alias (see
# keyward.lib.secrets_input for the regorus bug this avoids). The rules reading `schedules` share the METADATA evaluation_group
# `secret-rotation-schedules`, so that one evaluation computes the tables once for all of them.
package keyward.lib.secrets

import data.keyward.lib.time as kwtime

as_of_ns := input.evaluation.as_of_ns

grace_days := input.evaluation.thresholds.rotation_grace_days

# ---------------------------------------------------------------------------------------------
# Rotation schedule
#
# schedule(secret) is {"days": <longest gap between two rotations, in days>, "label": <how a
# message names it>, "overdue": <the cutoff for the start of its rotation clock>}, undefined when
# the secret's rotation has no schedule keyward can read. It comes from `schedules`, which holds
# the schedules of input.snapshot's secrets, each distinct rules object read once.

schedule(secret) := schedules[secret.rotation.rules]

schedules := {rules: object.union(s, {"overdue": overdue_cutoff(s.days)}) |
	some rules in {secret.rotation.rules | some secret in input.snapshot.secrets}
	s := schedule_of(rules)
}

# Overdue means more than interval + grace whole days since the start; for whole days n and any
# K, n > K exactly when n >= floor(K) + 1.
overdue_cutoff(interval_days) := kwtime.cutoff(floor(interval_days + grace_days) + 1)

# The schedule of a RotationRules object. A schedule expression is the configuration itself,
# while DescribeSecret's AutomaticallyAfterDays is what AWS derives from it after each rotation,
# so the expression wins when AWS would accept it; AutomaticallyAfterDays serves otherwise.
# keyward works out each expression's longest gap before the rules run (rate() in hours or
# days; cron() from the calendar, every field form AWS accepts): input.schedules holds them, by
# the expression as written, and leaves out those AWS would reject.
schedule_of(rules) := s if {
	s := input.schedules[rules.schedule_expression]
} else := {"days": days, "label": sprintf("every %v days", [days])} if {
	days := rules.automatically_after_days
	is_number(days)
}

# ---------------------------------------------------------------------------------------------
# Rotation history

# A secret's rotation history for a finding: {"text": for the message, "evidence": the
# timestamps, and the owning service, whose managed rotation should be on}. last_changed is in
# the evidence because a manual PutSecretValue changes the value without counting as a
# rotation: "check the timestamps".
#
# How long ago a secret last rotated or was read comes with it: keyward works out each secret's
# `history` before the rules run, {"rotated": …, "accessed": …}, each {"at": <the last time,
# else the creation>, "days": <whole days since>, "text": "last rotated 2026-04-28, 11 days
# ago" | "never rotated since its creation on …, … days ago" | "never rotated, creation date
# unknown"}; see policies/README.md. (Working out that text here, with sprintf and substring,
# took a third of the rotation rules' time in regorus.) KW-SM-001 and KW-SM-007 write these
# evidence fields out in their findings instead of calling this function, which costs more per
# finding than the rest of the finding: keep the three alike.
rotation_history(secret) := {"text": last.text, "evidence": {
	"rotation_enabled": secret.rotation.enabled,
	"last_rotated": secret.rotation.last_rotated,
	"created": secret.created,
	"last_changed": secret.last_changed,
	"days_since_rotation": last.days,
	"owning_service": secret.owning_service,
}} if {
	last := secret.history.rotated
}

# ---------------------------------------------------------------------------------------------
# Overdue rotation (KW-SM-003 and KW-SM-006)
#
# overdue_rotations holds, by ARN, each secret of input.snapshot whose rotation is enabled but has
# not happened in time:
#   - with a known interval and a known start (last rotation, else creation): overdue when that
#     start is more than interval + rotation_grace_days whole days before as_of;
#   - otherwise (no interval keyward can read, or no timestamps): overdue when next_rotation
#     lies more than rotation_grace_days whole days before as_of. Without next_rotation either,
#     nothing can be judged and nothing is reported.
# A never-rotated secret whose next_rotation lies ahead is not overdue: its first rotation is
# planned. A secret scheduled for deletion is not judged for rotation at all. A secret with
# rotation disabled is never "overdue": KW-SM-001 reports it instead. Each entry is
# {"secret": <the secret>, "since": <start of the clock>, "schedule": <its schedule>} or
# {"secret": <the secret>, "next": <next_rotation>}; overdue_report turns one into message text
# and evidence.

# (In each body the tables and cutoffs are bound before the loop over the secrets, so they are
# read once rather than once per secret; and the first test in the loop is the one that settles
# most secrets, a string comparison, so that a secret rotated on time costs one field read and
# one comparison per body. A null timestamp passes the comparisons, which is why each is
# followed by its null test.)

# The clock starts at the last rotation, or at the creation when the secret never rotated: the
# `at` of its rotation history. A first rotation that Secrets Manager has planned ahead
# (rotation just turned on with --no-rotate-immediately) is not overdue.
overdue_rotations[secret.arn] := {"secret": secret, "since": since, "schedule": s} if {
	table := schedules
	on_time_after := any_candidates_before
	some secret in input.snapshot.secrets
	since := secret.history.rotated.at
	since <= on_time_after
	since != null
	secret.rotation.enabled == true
	secret.deleted_date == null
	s := table[secret.rotation.rules]
	since <= s.overdue.candidates_before
	time.parse_rfc3339_ns(since) <= s.overdue.ns
	not first_rotation_planned(secret)
}

# No interval or no start known: next_rotation against the grace period.
overdue_rotations[secret.arn] := {"secret": secret, "next": next} if {
	due := next_rotation_overdue
	due_before := due.candidates_before
	some secret in input.snapshot.secrets
	next := secret.rotation.next_rotation
	next <= due_before
	next != null
	secret.rotation.enabled == true
	secret.deleted_date == null
	time.parse_rfc3339_ns(next) <= due.ns
	not judged_by_interval(secret)
}

# Never rotated, with the first rotation planned after the evaluation time.
first_rotation_planned(secret) if {
	secret.rotation.last_rotated == null
	next := secret.rotation.next_rotation
	next != null
	time.parse_rfc3339_ns(next) > as_of_ns
}

next_rotation_overdue := kwtime.cutoff(floor(grace_days) + 1)

# The latest pre-filter cutoff of all the schedules: a start after it is on time whatever the
# schedule, which settles most secrets without a lookup in `schedules`.
any_candidates_before := max({s.overdue.candidates_before | some s in schedules})

judged_by_interval(secret) if {
	schedules[secret.rotation.rules]
	secret.history.rotated.at != null
}

# The overdue entry of one secret of input.snapshot, with its message text and evidence.
rotation_overdue(secret) := overdue_report(overdue_rotations[secret.arn])

# {"summary": <message text>, "evidence": <object>} for an entry of overdue_rotations.
overdue_report(overdue) := {
	"summary": sprintf("%s; schedule %s, plus %v days grace", [last.text, overdue.schedule.label, grace_days]),
	"evidence": {
		"last_rotated": overdue.secret.rotation.last_rotated,
		"created": overdue.secret.created,
		"days_since_rotation": last.days,
		"schedule": overdue.schedule.label,
		"interval_days": overdue.schedule.days,
		"grace_days": grace_days,
	},
} if {
	overdue.schedule
	last := overdue.secret.history.rotated
} else := {
	"summary": sprintf("no rotation interval known, and the next rotation was due %s, %v days ago (grace %v days)", [substring(overdue.next, 0, 10), days, grace_days]),
	"evidence": {
		"last_rotated": overdue.secret.rotation.last_rotated,
		"next_rotation": overdue.next,
		"days_past_next_rotation": days,
		"grace_days": grace_days,
	},
} if {
	days := kwtime.days_since(overdue.next)
}

# ---------------------------------------------------------------------------------------------
# Third-party API keys (KW-SM-006, KW-SM-009)

# The markers (input.evaluation.third_party_key_markers, lower case) found in a secret's name,
# description, tag keys or tag values, ignoring case, sorted; undefined when there are none.
# keyward searches them before the rules run (input.third_party_keys, by ARN, holds the secrets
# that have some): a lookup here instead of a text search per secret in the interpreter.
third_party_markers(secret) := input.third_party_keys[secret.arn]
