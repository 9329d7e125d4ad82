# METADATA
# title: Third-party API key readable outside the account or by too many principals
# description: |
#   The secret looks like a third-party API key (its name, description, tag keys or tag values
#   contain one of third_party_key_markers, e.g. "openai" or "api-key"), and it can be read
#   publicly, from outside the account (another account, the organization, an identity provider
#   such as GitHub Actions, a network), or by more of the account's own users and roles than
#   max_secret_readers. This is the May 2026 incident's central lesson: an intruder inside an AI
#   platform's AWS account read the AI-provider keys customers had stored there, and every
#   principal that can read such a key is one more set of credentials whose theft exposes it.
#
#   The readers come from keyward's model of AWS's policy evaluation (`input.access`), every
#   route counted: identity policies (the principal's and its groups'), the secret's resource
#   policy, roles a principal can assume (followed through chains, and the role's trust policy for
#   readers outside the account), and principals that can give themselves the read (write a policy
#   on themselves, a new default version of a policy attached to them, keys for a user that reads
#   it, a role passed to a compute service, the secret's own resource policy). Explicit denies,
#   permissions boundaries, SCPs and RCPs are honoured. Readers that depend on a condition keyward
#   cannot judge count as conditional and are reported as such; a principal whose policy AWS would
#   reject counts as a conditional reader of every secret. The finding gives the reader counts as
#   evidence, with the first 20 readers outside the account and the first 20 grants that reach
#   the secret (`outside_total` and `grants_total` count them all; the message names five
#   outside readers and counts the rest; `keyward access <secret>` lists every principal with its
#   route).
# related_resources:
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access.html
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
#   - ref: https://aws.amazon.com/identity/data-perimeters-on-aws/
#   - ref: https://attack.mitre.org/techniques/T1555/006/
#   - ref: https://attack.mitre.org/techniques/T1528/
#   - ref: https://attack.mitre.org/techniques/T1496/004/
# custom:
#   id: KW-SM-009
#   name: third-party-key-widely-readable
#   severity: high
#   requires: [secretsmanager.secrets, secretsmanager.resource_policies, iam.authorization, organizations.policies]
#   evaluates: [secrets]
#   controls:
#     mitre-attack: [T1555.006, T1528, T1496.004]
#   remediation: |
#     1. See who can read it and how: keyward access <secret-arn> (or --format json).
#     2. Scope identity policies to the applications that need the key: name the secret's ARN (or
#        a name prefix) in Resource instead of "*", and remove it from broad groups.
#     3. Remove outside access: delete or narrow the resource policy, and the trust of roles that
#        read it (name exact principals, add aws:PrincipalOrgID or an OIDC `sub` condition):
#          aws secretsmanager get-resource-policy --secret-id <secret-arn>
#          aws secretsmanager delete-resource-policy --secret-id <secret-arn>
#     4. Add a Deny for everyone but the application's role to the secret's resource policy
#        (an ArnNotEquals condition on aws:PrincipalArn), put back with --block-public-policy.
#     5. If it was readable by anyone or another account, treat the key as leaked: rotate it at the
#        provider and check the provider's usage logs.
package keyward.secrets.third_party_key_widely_readable

limit := input.evaluation.thresholds.max_secret_readers

# The grants and outside readers a finding lists, and the outside readers its message names:
# enough to show where the access comes from. In an account where thousands of principals, or
# hundreds of other accounts through roles, read every secret, every finding would otherwise
# copy them all (`keyward access <secret>` lists them).
max_listed := 20

max_named := 5

# What reaches every secret, resolved once: input.access lists grants and outside readers once
# and refers to them by index.
every_secret := {
	"outside": array.slice(outside, 0, max_listed),
	"outside_total": count(outside),
	"outside_texts": sort({reader_texts[i] | some i in input.access.every_secret.outside; input.access.outside[i].scope != "public"}),
	"grants": [grant_summaries[i] | some i in array.slice(indices, 0, max_listed)],
	"grants_total": count(indices),
} if {
	outside := [input.access.outside[i] | some i in input.access.every_secret.outside]
	indices := input.access.every_secret.grants
}

deny contains {
	"resource": secret.arn,
	"region": secret.region,
	"message": sprintf("secret %s looks like a third-party API key (%s) and %s", [
		secret.name,
		concat(", ", markers),
		concat("; ", problems),
	]),
	# `arn` first (keys are ordered): findings differ in their first field, so the set of
	# findings orders them without walking their long lists of readers.
	"evidence": {
		"arn": secret.arn,
		"markers": markers,
		"readers": reach.readers,
		"conditional_readers": reach.conditional_readers,
		"max_secret_readers": limit,
		"public": reach.public,
		"outside": array.slice(array.concat(everywhere.outside, own_outside), 0, max_listed),
		"outside_total": everywhere.outside_total + count(own_ids),
		"grants": array.slice(array.concat(everywhere.grants, own_grants), 0, max_listed),
		"grants_total": everywhere.grants_total + count(own_indices),
	},
} if {
	# Read once, not once per secret.
	everywhere := every_secret
	summaries := grant_summaries
	texts := reader_texts
	keys := input.third_party_keys # a lookup: most secrets are not keys
	some secret in input.snapshot.secrets
	markers := keys[secret.arn]
	reach := input.access.secrets[secret.arn]
	too_many := reach.readers + reach.conditional_readers > limit
	true in {reach.outside_account, too_many} # public is outside too (deleted secrets are neither)
	own_ids := object.get(reach, "outside", [])
	own_outside := [input.access.outside[i] | some i in array.slice(own_ids, 0, max_listed)]
	own_indices := object.get(reach, "grants", [])
	own_grants := [summaries[i] | some i in array.slice(own_indices, 0, max_listed)]
	named := named_outside(everywhere, private_ids(own_ids, reach.public), texts)
	problems := [text |
		some text in [
			public_text(reach.public),
			outside_text(named),
			count_text(too_many, reach),
		]
		text != ""
	]
}

public_text(true) := "anyone with AWS credentials can read it"

public_text(false) := ""

# The readers outside the account other than the public (which public_text names), as texts
# ("account 999988887777", "identities of <provider> through role …"): the first few (every
# secret's, sorted, then the secret's own in the model's order) and how many there are. Only the
# named ones are looked up and written out: a key that hundreds of accounts read through roles
# would otherwise cost hundreds of lookups and texts per finding.
named_outside(everywhere, own_private, texts) := {
	"named": array.slice(array.concat(everywhere.outside_texts, [texts[i] | some i in array.slice(own_private, 0, max_named)]), 0, max_named),
	"total": count(everywhere.outside_texts) + count(own_private),
}

# A secret's own outside readers (indices into input.access.outside) other than the public.
# Without a public reader (nearly every secret) that is all of them, taken as they are; only a
# public secret's list is walked.
private_ids(ids, false) := ids

private_ids(ids, true) := [i | some i in ids; not public_ids[i]]

public_ids contains i if {
	some i, reader in input.access.outside
	reader.scope == "public"
}

# The first few in the message, and how many more there are.
outside_text(named) := sprintf("it can be read from outside the account by %s", [concat(", ", named.named)]) if {
	named.total > 0
	named.total <= max_named
} else := sprintf("it can be read from outside the account by %s and %d more", [
	concat(", ", named.named),
	named.total - max_named,
]) if {
	named.total > max_named
} else := ""

# Each grant as findings list it, and each outside reader as messages name it, by their index in
# input.access: worked out once rather than for every finding that shows them (up to 20 grants
# and 5 readers a finding, and in regorus a function call per item cost more than the rest of
# the finding).
grant_summaries := [summary(g) | some g in input.access.grants]

reader_texts := [reader_text(r) | some r in input.access.outside]

reader_text(r) := sprintf("%s %s%s%s", [scope_names[r.scope], r.principal, via_text(r), conditional_text(r.access)])

scope_names := {
	"public": "anyone",
	"other_account": "account",
	"organization": "the organization of",
	"network": "callers from a network, as",
	"federated": "identities of",
	"restricted": "the principal",
}

via_text(r) := sprintf(" through role %s", [r.role]) if r.via == "role" else := ""

conditional_text("conditional") := " (conditional)"

conditional_text(access) := "" if access != "conditional"

count_text(true, reach) := sprintf("%d of the account's principals can read it (%d of them only under a condition keyward cannot judge), more than the limit of %d", [
	reach.readers + reach.conditional_readers,
	reach.conditional_readers,
	limit,
])

count_text(false, _) := ""

# A grant, as evidence: who holds it, how many members, through what.
summary(g) := {
	"holder": g.holder,
	"holder_kind": g.holder_kind,
	"members": object.get(g, "members", null),
	"via": g.via,
	"access": g.access,
	"except": object.get(g, "except", []),
}
