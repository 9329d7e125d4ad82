package keyward.iam.full_admin_policy_test

import data.keyward.iam.full_admin_policy as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

deny_for(snapshot) := findings if {
	inp := t.input_for(snapshot)
	findings := rule.deny with input as inp
}

admin := t.allow("*", "*")

managed(document, attachments) := {"policies": [t.managed_policy("PowerUser", document, attachments)]}

test_attached_customer_managed_policy_fires if {
	findings := deny_for(managed(admin, 3))
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:policy/PowerUser", f.resource)
	assert.equal(null, object.get(f, "key", null)) # no key: one finding per resource
	assert.equal("customer-managed policy PowerUser allows every action (\"*\") on every resource and is attached to 3 principals", f.message)
	assert.equal({"policy": "PowerUser", "attachment_count": 3}, f.evidence)
}

test_unattached_or_aws_managed_no_finding if {
	assert.empty(deny_for(managed(admin, 0)))
	aws := object.union(t.managed_policy("AdministratorAccess", admin, 5), {"aws_managed": true, "arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
	assert.empty(deny_for({"policies": [aws]}))
}

test_statement_list_and_action_lists if {
	doc := {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
		{"Effect": "Allow", "Action": ["ec2:Describe*", "*:*"], "Resource": ["arn:aws:s3:::b", "*"]},
	]}
	assert.size(1, deny_for(managed(doc, 1)))
}

test_conditional_full_grant_still_fires if {
	doc := {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}
	assert.size(1, deny_for(managed(doc, 1)))
}

test_narrower_grants_no_finding if {
	every doc in [
		t.allow("s3:*", "*"),
		t.allow("*", "arn:aws:s3:::bucket/*"),
		{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}},
		{"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}},
		{"Version": "2012-10-17"},
	] {
		assert.empty(deny_for(managed(doc, 1)))
	}
}

test_inline_policies_of_users_groups_and_roles if {
	findings := deny_for({
		"users": [t.user("alice", {"inline_policies": [t.inline_policy("god-mode", admin), t.inline_policy("s3", t.allow("s3:*", "*"))]})],
		"groups": [t.group("ops", {"inline_policies": [t.inline_policy("ops-all", admin)]})],
		"roles": [t.role("deployer", {"inline_policies": [t.inline_policy("deploy", admin)]})],
	})
	assert.size(3, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:user/alice", f.resource)
	assert.equal("god-mode", f.key)
	assert.equal("inline policy god-mode of user alice allows every action (\"*\") on every resource", f.message)
	assert.equal({"policy": "god-mode", "principal_type": "user"}, f.evidence)
	expected := {
		["arn:aws:iam::123456789012:user/alice", "god-mode"],
		["arn:aws:iam::123456789012:group/ops", "ops-all"],
		["arn:aws:iam::123456789012:role/deployer", "deploy"],
	}
	assert.equal(expected, {[g.resource, g.key] | some g in findings})
}

# A managed policy attached to a user is reported once, on the policy, not on the user.
test_attachment_reported_on_the_policy_only if {
	findings := deny_for({
		"policies": [t.managed_policy("PowerUser", admin, 1)],
		"users": [t.user("alice", {"attached_policies": [t.attachment("PowerUser")]})],
	})
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:policy/PowerUser", f.resource)
}
