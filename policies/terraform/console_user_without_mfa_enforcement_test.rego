package keyward.terraform.console_user_without_mfa_enforcement_test

import data.keyward.lib.test_input as t
import data.keyward.terraform.console_user_without_mfa_enforcement as rule

bob := t.user("bob", {"password": t.password(null)})

bob_arn := "arn:aws:iam::123456789012:user/bob"

profile := t.planned(`aws_iam_user_login_profile.people["bob"]`, "aws_iam_user_login_profile", "create", bob_arn, {})

require_mfa(operator, value) := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Deny",
	"NotAction": ["iam:EnableMFADevice", "sts:GetSessionToken"],
	"Resource": "*",
	"Condition": {operator: {"aws:MultiFactorAuthPresent": value}},
}]}

deny_for(users, groups, resources) := findings if {
	inp := t.input_for({"users": users, "groups": groups, "terraform": t.terraform(resources, false)})
	findings := rule.deny with input as inp
}

test_a_console_user_without_enforcement_fires if {
	user := object.union(bob, {"inline_policies": [t.inline_policy("s3", t.allow("s3:GetObject", "*"))]})
	findings := deny_for([user], [], [profile])
	count(findings) == 1
	some f in findings
	f.resource == bob_arn
	f.message == `user bob gets a console password from aws_iam_user_login_profile.people["bob"], and none of its policies denies access without MFA (checked: s3)`
	f.evidence.policies_checked == ["s3"]
}

test_a_user_with_no_policies_fires if {
	findings := deny_for([bob], [], [profile])
	some f in findings
	f.evidence.policies_checked == []
	endswith(f.message, "(checked: no policies)")
}

test_enforcement_through_a_group_passes if {
	user := object.union(bob, {"groups": ["developers"]})
	group := t.group("developers", {"inline_policies": [t.inline_policy("require-mfa", require_mfa("BoolIfExists", ["false"]))]})
	count(deny_for([user], [group], [profile])) == 0
}

test_enforcement_in_the_users_own_policy_passes if {
	user := object.union(bob, {"inline_policies": [t.inline_policy("require-mfa", require_mfa("Bool", "false"))]})
	count(deny_for([user], [], [profile])) == 0
	null_age := {"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Null": {"aws:MultiFactorAuthAge": "true"}}}}
	with_null := object.union(bob, {"inline_policies": [t.inline_policy("mfa-age", null_age)]})
	count(deny_for([with_null], [], [profile])) == 0
}

test_an_allow_with_an_mfa_condition_is_not_enforcement if {
	allow := {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}
	user := object.union(bob, {"inline_policies": [t.inline_policy("admin-with-mfa", allow)]})
	count(deny_for([user], [], [profile])) == 1
}

test_a_deleted_profile_or_a_user_of_no_profile_does_not_fire if {
	gone := object.union(profile, {"action": "delete"})
	count(deny_for([bob], [], [gone])) == 0
	count(deny_for([bob], [], [t.planned("aws_iam_user.bob", "aws_iam_user", "create", bob_arn, {})])) == 0
}
