# METADATA
# title: Old access keys of people
# description: An access key of a user in the people path that is older than a year.
# custom:
#   id: ACME-IAM-001
#   name: old-people-keys
#   severity: medium
#   remediation: Rotate the key.
#   requires: [iam.credentials]
package acme.iam.old_keys

import data.acme.lib.people

deny contains finding if {
	some user in input.snapshot.users
	people.is_person(user)
	some key in user.access_keys
	key.status == "active"
	age := floor((input.evaluation.as_of_ns - time.parse_rfc3339_ns(key.created)) / 86400000000000)
	age > 365
	finding := {
		"resource": user.arn,
		"message": sprintf("key of %s is %d days old", [user.name, age]),
		"key": key.created,
		"evidence": {"age_days": age, "tags": object.get(user, "tags", {})},
	}
}

deny contains {"resource": s.arn, "message": concat(" ", ["secret", s.name, "has no tags"]), "region": s.region} if {
	some s in input.snapshot.secrets
	count(object.keys(s.tags)) == 0
	every marker in ["prod", "live"] {
		not contains(lower(s.name), marker)
	}
}
