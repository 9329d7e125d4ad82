package keyward.iam.user_attached_policies_test

import data.keyward.iam.user_attached_policies as rule
import data.keyward.lib.assert
import data.keyward.lib.test_input as t

deny_for(users) := findings if {
	inp := t.input_for({"users": users})
	findings := rule.deny with input as inp
}

doc := t.allow("s3:GetObject", "*")

test_attached_and_inline_fire_once if {
	findings := deny_for([t.user("alice", {
		"attached_policies": [t.attachment("ReadOnlyAccess")],
		"inline_policies": [t.inline_policy("s3-reports", doc), t.inline_policy("notes", doc)],
	})])
	assert.size(1, findings)
	some f in findings
	assert.equal("arn:aws:iam::123456789012:user/alice", f.resource)
	assert.equal("user alice has policies of its own instead of through a group or role (managed: ReadOnlyAccess; inline: s3-reports, notes)", f.message)
	assert.equal({"attached_policies": ["ReadOnlyAccess"], "inline_policies": ["s3-reports", "notes"]}, f.evidence)
}

test_only_inline_fires if {
	findings := deny_for([t.user("alice", {"inline_policies": [t.inline_policy("s3-reports", doc)]})])
	assert.size(1, findings)
	some f in findings
	assert.equal("user alice has policies of its own instead of through a group or role (managed: none; inline: s3-reports)", f.message)
	assert.equal({"attached_policies": [], "inline_policies": ["s3-reports"]}, f.evidence)
}

test_only_attached_fires if {
	findings := deny_for([t.user("alice", {"attached_policies": [t.attachment("ReadOnlyAccess")]})])
	assert.size(1, findings)
	some f in findings
	endswith(f.message, "(managed: ReadOnlyAccess; inline: none)")
}

# Users who get their permissions through groups only are fine; groups and roles are not users.
test_group_only_user_no_finding if {
	inp := t.input_for({
		"users": [t.user("bob", {"groups": ["admins"]})],
		"groups": [t.group("admins", {"attached_policies": [t.attachment("ReadOnlyAccess")]})],
		"roles": [t.role("app", {"inline_policies": [t.inline_policy("x", doc)]})],
	})
	assert.empty(rule.deny) with input as inp
}
