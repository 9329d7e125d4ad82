package keyward.iam.full_admin_policy_test

import data.keyward.iam.full_admin_policy as rule
import data.keyward.iam.read_all_secrets_test as r
import data.keyward.lib.test_input as t

deny_for(principals) := findings if {
	inp := object.union(t.input_for({}), {"access": {"principals": principals}})
	findings := rule.deny with input as inp
}

alice := "arn:aws:iam::123456789012:user/alice"

test_administrative_access_in_effect_fires if {
	grant := {"access": "allowed", "paths": [r.path("AdministratorAccess", "arn:aws:iam::123456789012:group/admins", "#1")]}
	findings := deny_for({alice: r.principal("user", "alice", {"admin": grant})})
	count(findings) == 1
	some f in findings
	f.resource == alice
	f.message == "user alice has administrative access in effect (every action on every resource, IAM included) through policy AdministratorAccess (attached to group/admins, statement #1)"
	f.evidence == grant
	f.controls == {"aws-securityhub": []} # an AWS-managed policy: IAM.1 does not check it
}

test_conditional_administrative_access_is_marked if {
	grant := {"access": "conditional", "paths": [r.path("maybe-admin", alice, "#1")]}
	findings := deny_for({alice: r.principal("user", "alice", {"admin": grant})})
	some f in findings
	endswith(f.message, "(only if a condition keyward cannot judge holds)")
}

test_no_administrative_access_does_not_fire if {
	# A power user reads every secret but is not an administrator.
	grant := {"access": "allowed", "paths": [r.path("PowerUserAccess", alice, "#1")]}
	count(deny_for({alice: r.principal("user", "alice", {"every_secret": grant})})) == 0
}

test_a_customer_managed_source_names_iam_1 if {
	managed := object.union(r.path("god-mode", alice, "#1"), {"policy_arn": "arn:aws:iam::123456789012:policy/god-mode"})
	aws := object.union(r.path("AdministratorAccess", alice, "#1"), {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
	inline := r.path("inline-admin", alice, "#1")
	some f in deny_for({alice: r.principal("user", "alice", {"admin": {"access": "allowed", "paths": [aws, managed]}})})
	f.controls == {"aws-securityhub": ["IAM.1"]}
	some g in deny_for({alice: r.principal("user", "alice", {"admin": {"access": "allowed", "paths": [aws, inline]}})})
	g.controls == {"aws-securityhub": []}
}
