package keyward.iam.full_admin_policy_test

import data.keyward.iam.full_admin_policy as rule
import data.keyward.lib.test_input as t

deny_for(snapshot) := findings if {
	inp := t.input_for(snapshot)
	findings := rule.deny with input as inp
}

admin := t.allow("*", "*")

managed(document, attachments) := {"policies": [t.managed_policy("PowerUser", document, attachments)]}

test_attached_customer_managed_policy_fires if {
	findings := deny_for(managed(admin, 3))
	count(findings) == 1
	some f in findings
	f.resource == "arn:aws:iam::123456789012:policy/PowerUser"
	object.get(f, "key", null) == null # no key: one finding per resource
	f.message == "customer-managed policy PowerUser allows every action (\"*\") on every resource and is attached to 3 principals"
	f.evidence == {"policy": "PowerUser", "attachment_count": 3}
	not f.controls # a customer-managed policy fails every control the rule maps
}

test_unattached_or_aws_managed_no_finding if {
	count(deny_for(managed(admin, 0))) == 0
	aws := object.union(t.managed_policy("AdministratorAccess", admin, 5), {"aws_managed": true, "arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
	count(deny_for({"policies": [aws]})) == 0
}

test_statement_list_and_action_lists if {
	doc := {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
		{"Effect": "Allow", "Action": ["ec2:Describe*", "*:*"], "Resource": ["arn:aws:s3:::b", "*"]},
	]}
	count(deny_for(managed(doc, 1))) == 1
}

test_conditional_full_grant_still_fires if {
	doc := {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}
	count(deny_for(managed(doc, 1))) == 1
}

test_narrower_grants_no_finding if {
	every doc in [
		t.allow("s3:*", "*"),
		t.allow("*", "arn:aws:s3:::bucket/*"),
		{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}},
		{"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}},
		{"Version": "2012-10-17"},
	] {
		count(deny_for(managed(doc, 1))) == 0
	}
}

test_inline_policies_of_users_groups_and_roles if {
	findings := deny_for({
		"users": [t.user("alice", {"inline_policies": [t.inline_policy("god-mode", admin), t.inline_policy("s3", t.allow("s3:*", "*"))]})],
		"groups": [t.group("ops", {"inline_policies": [t.inline_policy("ops-all", admin)]})],
		"roles": [t.role("deployer", {"inline_policies": [t.inline_policy("deploy", admin)]})],
	})
	count(findings) == 3
	some f in findings
	f.resource == "arn:aws:iam::123456789012:user/alice"
	f.key == "god-mode"
	f.message == "inline policy god-mode of user alice allows every action (\"*\") on every resource"
	f.evidence == {"policy": "god-mode", "principal_type": "user"}
	f.controls == {"aws-securityhub": []} # IAM.1 does not check inline policies
	{[g.resource, g.key] | some g in findings} == {
		["arn:aws:iam::123456789012:user/alice", "god-mode"],
		["arn:aws:iam::123456789012:group/ops", "ops-all"],
		["arn:aws:iam::123456789012:role/deployer", "deploy"],
	}
}

# A managed policy attached to a user is reported once, on the policy, not on the user.
test_attachment_reported_on_the_policy_only if {
	findings := deny_for({
		"policies": [t.managed_policy("PowerUser", admin, 1)],
		"users": [t.user("alice", {"attached_policies": [t.attachment("PowerUser")]})],
	})
	count(findings) == 1
	some f in findings
	f.resource == "arn:aws:iam::123456789012:policy/PowerUser"
}
