package keyward.secrets.third_party_key_not_rotated_test

import data.keyward.lib.assert
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
	assert.size(1, found)
	some f in found
	assert.equal(t.arn("prod/OpenAI-key"), f.resource)
	assert.equal("us-east-1", f.region)
	assert.equal(sprintf("secret prod/OpenAI-key looks like a third-party API key (openai) and has automatic rotation disabled; never rotated since its creation on %s, 340 days ago", [t.day_ago(340)]), f.message)
	assert.equal("rotation_disabled", f.evidence.problem)
	assert.equal(["openai"], f.evidence.markers)
	assert.equal(false, f.evidence.rotation_enabled)
	assert.equal(340, f.evidence.days_since_rotation)
	assert.equal(t.days_ago(340), f.evidence.created)
}

test_marker_in_tag_value_fires if {
	found := findings([stale("prod/llm", {"tags": {"provider": "Anthropic", "team": "ml"}})])
	assert.size(1, found)
	some f in found
	assert.equal(["anthropic"], f.evidence.markers)
}

test_marker_in_tag_key_fires if {
	found := findings([stale("prod/llm", {"tags": {"openai-project": "evals"}})])
	assert.size(1, found)
}

test_marker_in_description_fires if {
	found := findings([stale("prod/llm", {"description": "Org-level API-Key for the eval runner"})])
	assert.size(1, found)
	some f in found
	assert.equal(["api-key"], f.evidence.markers)
}

test_several_markers_are_listed_sorted if {
	found := findings([stale("shared/openai-api-key", {"tags": {"backup": "anthropic"}})])
	some f in found
	assert.equal(["anthropic", "api-key", "openai"], f.evidence.markers)
	assert.includes("(anthropic, api-key, openai)", f.message)
}

test_no_marker_does_not_fire if {
	assert.empty(findings([stale("prod/db-password", {"description": "Postgres", "tags": {"team": "data"}})]))
}

test_markers_come_from_evaluation if {
	s := stale("prod/mistral-token", {})
	assert.empty(findings([s]))
	found := deny_for(t.input_with_markers([s], ["mistral"]))
	assert.size(1, found)
}

test_overdue_rotation_fires if {
	found := findings([t.secret("prod/anthropic", t.rotating_every(30, t.days_ago(110)))])
	assert.size(1, found)
	some f in found
	assert.equal(sprintf("secret prod/anthropic looks like a third-party API key (anthropic) and its rotation is overdue: last rotated %s, 110 days ago; schedule every 30 days, plus 3 days grace", [t.day_ago(110)]), f.message)
	assert.equal("rotation_overdue", f.evidence.problem)
	assert.equal(110, f.evidence.days_since_rotation)
	assert.equal(30, f.evidence.interval_days)
	assert.equal(3, f.evidence.grace_days)
}

test_overdue_boundary_matches_kw_sm_003 if {
	assert.empty(findings([t.secret("prod/openai", t.rotating_every(30, t.days_ago(33)))]))
	assert.size(1, findings([t.secret("prod/openai", t.rotating_every(30, t.days_ago(34)))]))
}

test_overdue_by_next_rotation_fires if {
	stalled := t.secret("prod/openai", object.union(t.rotating_on("cron(bad)", t.days_ago(200)), {"rotation": {"next_rotation": t.days_ago(20)}}))
	found := findings([stalled])
	some f in found
	assert.equal(20, f.evidence.days_past_next_rotation)
	assert.includes("its rotation is overdue: no rotation interval known", f.message)
}

test_rotating_on_time_does_not_fire if {
	assert.empty(findings([t.secret("prod/openai", t.rotating_every(30, t.days_ago(2)))]))
	assert.empty(findings([t.secret("prod/openai", t.rotating_on("rate(12 hours)", t.days_ago(1)))]))
}

test_one_finding_per_secret if {
	found := findings([
		stale("prod/openai", {}),
		t.secret("prod/anthropic", t.rotating_every(30, t.days_ago(2))),
		stale("prod/db-password", {}),
		t.secret("dev/api-key", t.rotating_on("rate(7 days)", t.days_ago(30))),
	])
	assert.equal({t.arn("prod/openai"), t.arn("dev/api-key")}, {f.resource | some f in found})
}
