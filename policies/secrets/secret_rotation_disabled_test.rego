package keyward.secrets.secret_rotation_disabled_test

import data.keyward.lib.secrets_input as t
import data.keyward.secrets.secret_rotation_disabled.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

findings(secrets) := deny_for(t.input_for(secrets))

test_disabled_never_rotated_fires if {
	s := t.secret("prod/openai-api-key", {"created": t.days_ago(340)})
	found := findings([s])
	count(found) == 1
	some f in found
	f.resource == t.arn("prod/openai-api-key")
	f.region == "us-east-1"
	f.message == sprintf("secret prod/openai-api-key has automatic rotation disabled; never rotated since its creation on %s, 340 days ago", [t.day_ago(340)])
	f.evidence.rotation_enabled == false
	f.evidence.last_rotated == null
	f.evidence.created == t.days_ago(340)
	f.evidence.days_since_rotation == 340
}

test_disabled_after_earlier_rotation_fires if {
	# Rotation was on once and was switched off: the last rotation is the evidence.
	s := t.secret("legacy/reporting-token", {"rotation": {"last_rotated": t.days_ago(120)}})
	found := findings([s])
	count(found) == 1
	some f in found
	f.message == sprintf("secret legacy/reporting-token has automatic rotation disabled; last rotated %s, 120 days ago", [t.day_ago(120)])
	f.evidence.last_rotated == t.days_ago(120)
	f.evidence.days_since_rotation == 120
}

test_disabled_without_timestamps_fires if {
	found := findings([t.secret("imported", {"created": null, "last_changed": null})])
	count(found) == 1
	some f in found
	f.message == "secret imported has automatic rotation disabled; never rotated, creation date unknown"
	f.evidence.days_since_rotation == null
}

test_disabled_service_owned_secret_fires if {
	found := findings([t.secret("rds!db-1234", {"owning_service": "rds"})])
	count(found) == 1
	some f in found
	f.evidence.owning_service == "rds"
}

test_enabled_does_not_fire if {
	count(findings([t.secret("prod/db", t.rotating_every(30, t.days_ago(2)))])) == 0
	# Enabled but long overdue is KW-SM-003's business, not this rule's.
	count(findings([t.secret("prod/db", t.rotating_every(30, t.days_ago(300)))])) == 0
}

test_one_finding_per_disabled_secret if {
	found := findings([
		t.secret("a", {}),
		t.secret("b", t.rotating_on("rate(7 days)", t.days_ago(1))),
		t.secret("c", {}),
	])
	{f.resource | some f in found} == {t.arn("a"), t.arn("c")}
}

test_no_secrets_no_findings if {
	count(findings([])) == 0
}

test_a_secret_scheduled_for_deletion_is_not_judged if {
	deleted := t.secret("old", {"deleted_date": t.days_ago(2)})
	count(deny_for(t.input_for([deleted]))) == 0
}
