package keyward.iam.unused_credentials_test

import data.keyward.iam.unused_credentials as rule
import data.keyward.lib.test_input as t

deny_for(users) := findings if {
	inp := t.input_for({"users": users})
	findings := rule.deny with input as inp
}

with_key(status, created, last_used) := t.user("alice", {"access_keys": [t.access_key("AKIAIOSFODNN7EXAMPLE", status, created, last_used)]})

with_password(password) := t.user("alice", {"password": password})

test_key_unused_for_45_days_fires if {
	findings := deny_for([with_key("active", t.days_ago(400), t.days_ago(45))])
	count(findings) == 1
	some f in findings
	f.resource == "arn:aws:iam::123456789012:user/alice"
	f.key == t.days_ago(400)
	f.message == "access key AKIA…MPLE of user alice was last used 45 days ago, on 2026-03-26 (limit 45 days)"
	f.evidence == {"last_used": "2026-03-26T00:00:00Z", "created": "2025-04-05T00:00:00Z", "days_unused": 45, "limit_days": 45}
	# 45 days fails IAM.22 (45), not IAM.8 (90).
	f.controls == {"aws-securityhub": ["IAM.22"]}
}

test_key_used_44_days_ago_no_finding if {
	count(deny_for([with_key("active", t.days_ago(400), t.days_ago(44))])) == 0
}

# A key never used counts from its creation.
test_never_used_key_counts_from_creation if {
	findings := deny_for([with_key("active", t.days_ago(60), null)])
	count(findings) == 1
	some f in findings
	f.message == "access key AKIA…MPLE of user alice has never been used since it was created 60 days ago, on 2026-03-11 (limit 45 days)"
	f.evidence.last_used == null
	count(deny_for([with_key("active", t.days_ago(44), null)])) == 0
}

test_inactive_key_no_finding if {
	count(deny_for([with_key("inactive", t.days_ago(400), t.days_ago(300))])) == 0
}

test_password_last_used_long_ago_fires if {
	findings := deny_for([with_password(t.password(t.days_ago(100)))])
	count(findings) == 1
	some f in findings
	f.key == "password"
	f.message == "console password of user alice was last used 100 days ago, on 2026-01-30 (limit 45 days)"
	f.evidence.days_unused == 100
}

# Never used: counts from when it was set (200 days ago in t.password), else from the user's creation.
test_never_used_password if {
	findings := deny_for([with_password(t.password(null))])
	count(findings) == 1
	some f in findings
	f.evidence == {"last_used": null, "created": "2025-10-22T00:00:00Z", "days_unused": 200, "limit_days": 45}
	{id | some id in f.controls["aws-securityhub"]} == {"IAM.22", "IAM.8"}
	unknown := deny_for([with_password({"enabled": true, "last_used": null, "last_changed": null})])
	some g in unknown
	g.evidence.created == "2025-04-05T00:00:00Z"
	g.evidence.days_unused == 400
}

test_disabled_or_recent_password_no_finding if {
	count(deny_for([with_password({"enabled": false, "last_used": t.days_ago(300), "last_changed": t.days_ago(300)})])) == 0
	count(deny_for([with_password(t.password(t.days_ago(1)))])) == 0
}

test_one_finding_per_credential if {
	user := t.user("bob", {
		"password": t.password(t.days_ago(90)),
		"access_keys": [
			t.access_key("AKIAAAAAAAAAAAAA1111", "active", t.days_ago(400), t.days_ago(50)),
			t.access_key("AKIAAAAAAAAAAAAA2222", "active", t.days_ago(400), t.days_ago(2)),
		],
	})
	findings := deny_for([user])
	# The keys were created in the same second: the one reported is told apart by its id.
	{f.key | some f in findings} == {"password", sprintf("%s#AKIAAAAAAAAAAAAA1111", [t.days_ago(400)])}
}

# Keys without ids (the credential report) created in the same second: one finding each.
test_keys_of_the_same_second_without_ids_get_a_finding_each if {
	user := t.user("bob", {"access_keys": [
		t.access_key(null, "active", t.days_ago(400), null),
		t.access_key(null, "active", t.days_ago(400), null),
	]})
	findings := deny_for([user])
	{f.key | some f in findings} == {sprintf("%s#slot1", [t.days_ago(400)]), sprintf("%s#slot2", [t.days_ago(400)])}
	some f in findings
	contains(f.message, "access key created 2025-04-05 (slot ")
}

test_threshold_from_input if {
	inp := t.input_with_thresholds({"users": [with_key("active", t.days_ago(400), t.days_ago(20))]}, {"unused_credential_days": 14})
	findings := rule.deny with input as inp
	count(findings) == 1
	some f in findings
	f.evidence.limit_days == 14
}
