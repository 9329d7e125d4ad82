package keyward.terraform.plan_creates_access_key_test

import data.keyward.lib.test_input as t
import data.keyward.terraform.plan_creates_access_key as rule

alice := "arn:aws:iam::123456789012:user/ci/alice"

deny_for(resources) := findings if {
	inp := t.input_for({"terraform": t.terraform(resources, false)})
	findings := rule.deny with input as inp
}

test_a_created_key_fires_and_says_where_its_secret_goes if {
	findings := deny_for([t.planned("aws_iam_access_key.ci[0]", "aws_iam_access_key", "create", alice, {"pgp_key_set": false, "status": "Active"})])
	count(findings) == 1
	some f in findings
	f.resource == alice
	f.key == "aws_iam_access_key.ci[0]"
	f.message == "the plan creates a long-lived access key aws_iam_access_key.ci[0] for user alice; its secret will be stored in the Terraform state in plain text"
	f.evidence == {"address": "aws_iam_access_key.ci[0]", "action": "create", "secret_in_state": "plain text"}
}

test_a_replaced_key_with_pgp_fires if {
	findings := deny_for([t.planned("aws_iam_access_key.ci", "aws_iam_access_key", "replace", alice, {"pgp_key_set": true})])
	count(findings) == 1
	some f in findings
	f.evidence.secret_in_state == "pgp-encrypted"
}

test_kept_or_deleted_keys_and_other_resources_do_not_fire if {
	count(deny_for([
		t.planned("aws_iam_access_key.old", "aws_iam_access_key", "no-op", alice, {}),
		t.planned("aws_iam_access_key.gone", "aws_iam_access_key", "delete", alice, {}),
		t.planned("aws_iam_access_key.unknown_user", "aws_iam_access_key", "create", null, {}),
		t.planned("aws_iam_user.alice", "aws_iam_user", "create", alice, {}),
	])) == 0
}
