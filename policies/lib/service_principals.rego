# Grants to AWS service principals in a secret's resource policy that are not tied to the
# account or resource the service acts for: the confused-deputy problem. A service principal
# (e.g. "Service": "events.amazonaws.com") acts for every AWS customer; unless a condition on
# aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or aws:SourceOrgPaths names yours, another
# account can configure that service to read your secret on its behalf.
#
# Kept apart from the rules that judge principals of accounts (KW-SM-005): this reads only Allow
# statements with a Service principal; Deny statements are not weighed.
package keyward.lib.service_principals

import data.keyward.lib.iam

get_secret_value := "secretsmanager:GetSecretValue"

# Condition keys are case-insensitive: compared lower-cased.
source_keys := {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"}

# Operators under which a source key narrows the grant to the values given. Negated operators
# narrow nothing, and the ...IfExists forms hold when the service sends no such key.
narrowing_operators := {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}

# The Allow statements of a resource policy that let a service principal call GetSecretValue
# without a source condition, each as {"statement": its Sid or "#<position>", "services": the
# service principals, "document": the statement as written}.
unscoped_reads(policy) := [grant |
	some i, statement in iam.as_array(policy.Statement)
	statement.Effect == "Allow"
	services := sort([s | some s in iam.as_array(statement.Principal.Service)])
	count(services) > 0
	allows_action(statement, get_secret_value)
	not source_scoped(statement)
	grant := {"statement": label(statement, i), "services": services, "document": statement}
]

# A condition that ties the request to given source accounts, organizations or resources (a
# value of wildcards only ties it to nothing). How narrow the values are is not judged.
source_scoped(statement) if {
	some operator, keys in statement.Condition
	lower(operator) in narrowing_operators
	some key, values in keys
	lower(key) in source_keys
	some value in iam.as_array(values)
	trim(value, "*?") != ""
}

# A statement is named by its Sid, else by its position: "#2".
label(statement, i) := statement.Sid if {
	is_string(statement.Sid)
	statement.Sid != ""
} else := sprintf("#%d", [i + 1])

# --- Action matching, as IAM does it -----------------------------------------------------------

# A single value or a list, as a list. Undefined when the value is (an absent field).
# Whether an Allow statement grants `action` ("service:Operation"): one of its Action patterns
# matches it, or its NotAction list leaves it out (Allow + NotAction grants everything else).
allows_action(statement, action) if {
	statement.Effect == "Allow"
	some pattern in iam.as_array(statement.Action)
	action_matches(pattern, action)
} else := true if {
	statement.Effect == "Allow"
	excluded := statement.NotAction # read first: most statements have none
	not any_action_matches(iam.as_array(excluded), action)
}

any_action_matches(patterns, action) if {
	some pattern in patterns
	action_matches(pattern, action)
}

# Whether an IAM action pattern ("s3:Get*", "*") matches an action, ignoring case as IAM does.
action_matches(pattern, action) if {
	lower(pattern) == lower(action)
} else := true if {
	p := lower(pattern)
	a := lower(action)
	prefix := split(split(p, "*")[0], "?")[0] # the part before the first wildcard
	startswith(a, prefix) # most patterns name another service: ruled out by a string test
	wildcard_matches(p, prefix, a)
}

# Whether a wildcard pattern matches, given that its literal prefix does. The common form, the
# prefix and one trailing "*" ("s3:Get*", "*"), needs nothing more; other wildcard patterns
# ("s3:*Object", "s3:Get?bject") go to glob.match, which compiles a matcher on every call.
wildcard_matches(pattern, prefix, value) if {
	pattern == concat("", [prefix, "*"])
} else := true if {
	pattern != prefix # it has a wildcard
	glob_safe(pattern)
	glob.match(pattern, [], value) # actions contain no ".", the default delimiter
}

# glob.match reads `[…]`, `{…}` and `\` as syntax (and fails on an unbalanced one); IAM has no
# such syntax. Patterns that contain them are not globbed: they match only themselves.
glob_safe(pattern) if {
	every c in ["[", "]", "{", "}", "\\"] {
		not contains(pattern, c)
	}
}
