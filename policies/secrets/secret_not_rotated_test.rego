package keyward.secrets.secret_not_rotated_test

import data.keyward.lib.secrets_input as t
import data.keyward.secrets.secret_not_rotated.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

findings(secrets) := deny_for(t.input_for(secrets))

# Security Hub's SecretsManager.4 case: rotation disabled, last rotated 99 days ago.
test_rotation_disabled_and_last_rotated_99_days_ago_fires if {
	s := t.secret("legacy/reporting-token", {"rotation": {"last_rotated": t.days_ago(99)}})
	found := findings([s])
	count(found) == 1
	some f in found
	f.resource == t.arn("legacy/reporting-token")
	f.region == "us-east-1"
	f.message == sprintf("secret legacy/reporting-token has not rotated within 90 days: last rotated %s, 99 days ago", [t.day_ago(99)])
	f.evidence.rotation_enabled == false
	f.evidence.last_rotated == t.days_ago(99)
	f.evidence.days_since_rotation == 99
	f.evidence.max_days_since_rotation == 90
}

# Whatever the schedule: rotation enabled on a 365-day schedule, which KW-SM-003 finds on time.
test_enabled_with_a_long_schedule_fires if {
	s := t.secret("db/password", t.rotating_every(365, t.days_ago(120)))
	found := findings([s])
	count(found) == 1
	some f in found
	f.evidence.rotation_enabled == true
	f.evidence.days_since_rotation == 120
}

# 90 days is within the limit; 91 is not.
test_boundary if {
	count(findings([t.secret("a", {"rotation": {"last_rotated": t.days_ago(90)}})])) == 0
	count(findings([t.secret("a", {"rotation": {"last_rotated": t.days_ago(91)}})])) == 1
}

# Never rotated: counted from the creation, so a new secret is not reported.
test_never_rotated_counts_from_creation if {
	old := findings([t.secret("prod/openai-api-key", {"created": t.days_ago(336)})])
	count(old) == 1
	some f in old
	f.message == sprintf("secret prod/openai-api-key has not rotated within 90 days: never rotated since its creation on %s, 336 days ago", [t.day_ago(336)])
	f.evidence.last_rotated == null
	f.evidence.created == t.days_ago(336)
	count(findings([t.secret("new", {"created": t.days_ago(2)})])) == 0
	count(findings([t.secret("ninety", {"created": t.days_ago(90)})])) == 0
}

# A secret scheduled for deletion is reported as such (table and markdown), not judged for
# rotation, whether it rotated once or never.
test_a_secret_scheduled_for_deletion_is_not_judged if {
	count(findings([t.secret("a", {"rotation": {"last_rotated": t.days_ago(200)}, "deleted_date": t.days_ago(1)})])) == 0
	count(findings([t.secret("b", {"created": t.days_ago(336), "deleted_date": t.days_ago(1)})])) == 0
}

# A recent rotation wins over an old creation.
test_recently_rotated_does_not_fire if {
	count(findings([t.secret("a", t.rotating_every(30, t.days_ago(10)))])) == 0
}

test_without_dates_does_not_fire if {
	count(findings([t.secret("imported", {"created": null, "last_changed": null})])) == 0
}

test_limit_from_input if {
	s := t.secret("a", {"rotation": {"last_rotated": t.days_ago(120)}})
	count(deny_for(t.input_with_thresholds([s], {"max_days_since_rotation": 180}))) == 0
	found := deny_for(t.input_with_thresholds([s], {"max_days_since_rotation": 30}))
	some f in found
	f.message == sprintf("secret a has not rotated within 30 days: last rotated %s, 120 days ago", [t.day_ago(120)])
}
