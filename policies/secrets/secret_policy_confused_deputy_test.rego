package keyward.secrets.secret_policy_confused_deputy_test

import data.keyward.lib.secrets_input as t
import data.keyward.secrets.secret_policy_confused_deputy.deny

# deny for an input. The input is built before `with`, never inside it: regorus 0.14.1 drops the
# rules evaluated inside a `with` value (see keyward.lib.secrets_input).
deny_for(inp) := found if {
	found := deny with input as inp
}

with_policy(statements) := deny_for(t.input_for([t.secret("webhook", {"resource_policy": {"Version": "2012-10-17", "Statement": statements}})]))

events_read := {"Sid": "EventsRead", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}

test_a_service_without_a_source_condition_fires if {
	found := with_policy([events_read])
	count(found) == 1
	some f in found
	f.resource == t.arn("webhook")
	f.region == "us-east-1"
	f.message == "secret webhook has a resource policy that lets events.amazonaws.com read it without a source condition (statement EventsRead): any account's use of the service can reach it"
	f.evidence == {"statements": [{"statement": "EventsRead", "services": ["events.amazonaws.com"], "document": events_read}]}
}

test_a_source_account_condition_does_not_fire if {
	scoped := object.union(events_read, {"Condition": {"StringEquals": {"aws:SourceAccount": t.account_id}}})
	count(with_policy([scoped])) == 0
}

test_no_policy_does_not_fire if {
	count(deny_for(t.input_for([t.secret("plain", {})]))) == 0
}
