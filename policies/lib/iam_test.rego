package keyward.lib.iam_test

import data.keyward.lib.assert
import data.keyward.lib.iam
import data.keyward.lib.test_input as t

# --- as_array and statements -------------------------------------------------------------------

test_as_array_wraps_a_single_value if {
	assert.equal(["s3:GetObject"], iam.as_array("s3:GetObject"))
	assert.equal(["a", "b"], iam.as_array(["a", "b"]))
}

test_statements_single_object_and_list if {
	assert.equal([{"Effect": "Allow"}], iam.statements({"Statement": {"Effect": "Allow"}}))
	assert.equal([{"Effect": "Allow"}, {"Effect": "Deny"}], iam.statements({"Statement": [{"Effect": "Allow"}, {"Effect": "Deny"}]}))
}

test_statements_undefined_without_statement if {
	not iam.statements({"Version": "2012-10-17"})
	not iam.statements(null)
}

# --- principal_policies ------------------------------------------------------------------------

test_principal_policies_inline_then_managed if {
	doc := t.allow("s3:GetObject", "*")
	snapshot := {"policies": [t.managed_policy("Shared", doc, 1)]}
	principal := t.user("alice", {
		"inline_policies": [t.inline_policy("Own", doc)],
		"attached_policies": [t.attachment("Shared"), t.attachment("Missing")],
	})
	inp := t.input_for(snapshot)
	policies := iam.principal_policies(principal) with input as inp
	expected := [
		{"name": "Own", "arn": null, "document": doc},
		{"name": "Shared", "arn": "arn:aws:iam::123456789012:policy/Shared", "document": doc},
	]
	assert.equal(expected, policies)
}

test_principal_policies_empty if {
	inp := t.input_for({})
	assert.equal([], iam.principal_policies(t.role("r", {}))) with input as inp
}

# --- credentials -------------------------------------------------------------------------------

test_use_phrase if {
	assert.equal("last used 2026-05-01", iam.use_phrase("2026-05-01T10:00:00Z"))
	assert.equal("never used", iam.use_phrase(null))
}

test_first_set if {
	assert.equal("a", iam.first_set("a", "b"))
	assert.equal("b", iam.first_set(null, "b"))
}

test_count_phrase if {
	assert.equal("1 day", iam.count_phrase(1, "day"))
	assert.equal("0 days", iam.count_phrase(0, "day"))
	assert.equal("412 days", iam.count_phrase(412, "day"))
}
