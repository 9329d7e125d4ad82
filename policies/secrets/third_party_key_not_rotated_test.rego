package keyward.secrets.third_party_key_not_rotated_test

import data.keyward.lib.secrets_input as t
import data.keyward.secrets.third_party_key_not_rotated.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

markers := ["openai", "anthropic", "api-key"]

findings(secrets) := deny_for(t.input_with_markers(secrets, markers))

# A secret with rotation disabled, created 340 days ago, named or described by `fields`.
stale(name, fields) := t.secret(name, object.union({"created": t.days_ago(340)}, fields))

test_marker_in_name_rotation_disabled_fires if {
	found := findings([stale("prod/OpenAI-key", {})])
	count(found) == 1
	some f in found
	f.resource == t.arn("prod/OpenAI-key")
	f.region == "us-east-1"
	f.message == sprintf("secret prod/OpenAI-key looks like a third-party API key (openai) and has automatic rotation disabled; never rotated since its creation on %s, 340 days ago", [t.day_ago(340)])
	f.evidence.problem == "rotation_disabled"
	f.controls == {"aws-securityhub": ["SecretsManager.1"]}
	f.evidence.markers == ["openai"]
	f.evidence.rotation_enabled == false
	f.evidence.days_since_rotation == 340
	f.evidence.created == t.days_ago(340)
}

test_marker_in_tag_value_fires if {
	found := findings([stale("prod/llm", {"tags": {"provider": "Anthropic", "team": "ml"}})])
	count(found) == 1
	some f in found
	f.evidence.markers == ["anthropic"]
}

test_marker_in_tag_key_fires if {
	found := findings([stale("prod/llm", {"tags": {"openai-project": "evals"}})])
	count(found) == 1
}

test_marker_in_description_fires if {
	found := findings([stale("prod/llm", {"description": "Org-level API-Key for the eval runner"})])
	count(found) == 1
	some f in found
	f.evidence.markers == ["api-key"]
}

test_several_markers_are_listed_sorted if {
	found := findings([stale("shared/openai-api-key", {"tags": {"backup": "anthropic"}})])
	some f in found
	f.evidence.markers == ["anthropic", "api-key", "openai"]
	contains(f.message, "(anthropic, api-key, openai)")
}

test_no_marker_does_not_fire if {
	count(findings([stale("prod/db-password", {"description": "Postgres", "tags": {"team": "data"}})])) == 0
}

test_markers_come_from_evaluation if {
	s := stale("prod/mistral-token", {})
	count(findings([s])) == 0
	found := deny_for(t.input_with_markers([s], ["mistral"]))
	count(found) == 1
}

test_overdue_rotation_fires if {
	found := findings([t.secret("prod/anthropic", t.rotating_every(30, t.days_ago(110)))])
	count(found) == 1
	some f in found
	f.message == sprintf("secret prod/anthropic looks like a third-party API key (anthropic) and its rotation is overdue: last rotated %s, 110 days ago; schedule every 30 days, plus 3 days grace", [t.day_ago(110)])
	f.evidence.problem == "rotation_overdue"
	f.controls == {"aws-securityhub": ["SecretsManager.2"]}
	f.evidence.days_since_rotation == 110
	f.evidence.interval_days == 30
	f.evidence.grace_days == 3
}

test_overdue_boundary_matches_kw_sm_003 if {
	count(findings([t.secret("prod/openai", t.rotating_every(30, t.days_ago(33)))])) == 0
	count(findings([t.secret("prod/openai", t.rotating_every(30, t.days_ago(34)))])) == 1
}

test_overdue_by_next_rotation_fires if {
	stalled := t.secret("prod/openai", object.union(t.rotating_on("cron(bad)", t.days_ago(200)), {"rotation": {"next_rotation": t.days_ago(20)}}))
	found := findings([stalled])
	some f in found
	f.evidence.days_past_next_rotation == 20
	contains(f.message, "its rotation is overdue: no rotation interval known")
}

test_rotating_on_time_does_not_fire if {
	count(findings([t.secret("prod/openai", t.rotating_every(30, t.days_ago(2)))])) == 0
	count(findings([t.secret("prod/openai", t.rotating_on("rate(12 hours)", t.days_ago(1)))])) == 0
}

test_one_finding_per_secret if {
	found := findings([
		stale("prod/openai", {}),
		t.secret("prod/anthropic", t.rotating_every(30, t.days_ago(2))),
		stale("prod/db-password", {}),
		t.secret("dev/api-key", t.rotating_on("rate(7 days)", t.days_ago(30))),
	])
	{f.resource | some f in found} == {t.arn("prod/openai"), t.arn("dev/api-key")}
}

test_a_secret_scheduled_for_deletion_is_not_judged if {
	count(findings([stale("prod/openai", {"deleted_date": t.days_ago(2)})])) == 0
}
