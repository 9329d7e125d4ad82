package acme.iam.old_keys_test

import data.acme.iam.old_keys

test_an_old_key_is_found if {
	count(old_keys.deny) == 1 with input as {"evaluation": {"as_of_ns": 1800000000000000000}, "snapshot": {"account": {"id": "1"}, "secrets": [], "users": [{"name": "a", "arn": "arn:aws:iam::1:user/people/a", "access_keys": [{"status": "active", "created": "2020-01-01T00:00:00Z"}]}]}}
}
