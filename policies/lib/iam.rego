# Helpers for IAM policy documents, kept exactly as AWS returns them: `Statement`, `Action`,
# `NotAction`, `Resource` and `NotResource` may each be a single value or a list; action names are
# case-insensitive; `*` and `?` are wildcards that match across `:` and `/`.
#
# Performance: rules call these once per statement of every principal's policies. A function with
# several definitions runs all of them on every call, so alternatives are written as `else`
# chains, which stop at the first that holds.
package keyward.lib.iam

# A single value or a list, as a list. Undefined when the value is (an absent field).
as_array(value) := value if is_array(value) else := [value]

# The statements of a policy document. Undefined for a document that has none.
statements(document) := as_array(document.Statement)

# Whether a statement has a non-empty Condition block (it grants only when the condition holds).
is_conditional(statement) if count(statement.Condition) > 0

# Whether an Allow statement grants `action` ("service:Operation"): one of its Action patterns
# matches it, or its NotAction list leaves it out (Allow + NotAction grants everything else).
allows_action(statement, action) if {
	statement.Effect == "Allow"
	some pattern in as_array(statement.Action)
	action_matches(pattern, action)
} else := true if {
	statement.Effect == "Allow"
	excluded := statement.NotAction # read first: most statements have none
	not any_action_matches(as_array(excluded), action)
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

# Whether a statement's resources include every Secrets Manager secret. Allow + NotResource
# applies to everything but the listed resources: every secret stays covered when none of them
# can name a secret.
on_every_secret(statement) if {
	some resource in as_array(statement.Resource)
	covers_every_secret(resource)
} else := true if {
	excluded := statement.NotResource # read first: most statements have none
	every resource in as_array(excluded) {
		not may_name_secrets(resource)
	}
}

# Whether a Resource pattern covers every secret: "*", or an ARN pattern whose secret-name part is
# all wildcard, whatever its partition, region and account ("arn:aws:secretsmanager:*",
# "arn:aws:secretsmanager:us-east-1:123456789012:secret:*").
#
# How: a pattern that ends in `*` and matches the ARN of a secret with an empty name matches every
# name after it too. The probe ARN takes partition, region and account from the pattern itself, so
# a pattern limited to one region or account still counts; `*` spanning colons
# ("arn:*:secret:*") is handled by glob.match without delimiters, as IAM does. A full ARN whose
# name part has any literal text ("…:secret:app/*") is ruled out before the (costly) glob.
covers_every_secret(resource) if {
	resource == "*"
} else := true if {
	endswith(resource, "*")
	parts := split(resource, ":")
	trim(concat(":", array.slice(parts, 6, count(parts))), "*") == ""
	glob_safe(resource)
	glob.match(resource, null, empty_secret_arn(parts))
}

empty_secret_arn(parts) := sprintf("arn:%s:secretsmanager:%s:%s:secret:", [
	arn_part(parts, 1, "aws"),
	arn_part(parts, 3, "us-east-1"),
	arn_part(parts, 4, "123456789012"),
])

# Part i of a split ARN pattern, or the fallback when the pattern is shorter (its last `*` then
# spans the missing parts, so any value does).
arn_part(parts, i, fallback) := parts[i] if count(parts) > i else := fallback

# Whether a resource pattern might name a Secrets Manager secret: a bare wildcard ("*", "arn:*"),
# a pattern too odd to tell, or a service part matching "secretsmanager".
may_name_secrets(resource) if {
	count(split(resource, ":")) < 3
} else := true if {
	not glob_safe(resource)
} else := true if {
	glob.match(split(resource, ":")[2], null, "secretsmanager")
}

# Managed policies by ARN, built once per evaluation.
policies_by_arn := {p.arn: p | some p in input.snapshot.policies}

# The principals that hold policies, by kind.
principals_by_kind := {
	"user": object.get(input.snapshot, "users", []),
	"group": object.get(input.snapshot, "groups", []),
	"role": object.get(input.snapshot, "roles", []),
}

# Every policy of a user, group or role: its inline policies, then the managed policies attached
# to it (documents looked up in input.snapshot.policies; one missing there is skipped). Each is
# {"name", "arn" (null for an inline policy), "document"}. For a check over every principal,
# evaluating each managed policy once by ARN is cheaper (see iam/read_all_secrets.rego).
principal_policies(principal) := array.concat(
	[{"name": p.name, "arn": null, "document": p.document} | some p in principal.inline_policies],
	[{"name": a.name, "arn": a.arn, "document": policies_by_arn[a.arn].document} |
		some a in principal.attached_policies
	],
)

# --- Credentials -------------------------------------------------------------------------------

# The date part of an RFC 3339 timestamp, for messages.
day(timestamp) := substring(timestamp, 0, 10)

# "last used 2026-05-01" or "never used", for messages.
use_phrase(timestamp) := "never used" if timestamp == null else := sprintf("last used %s", [day(timestamp)])

# The first of two values that is not null.
first_set(a, b) := a if a != null else := b

# "1 day", "3 days": a count and its unit, for messages.
count_phrase(n, unit) := sprintf("1 %s", [unit]) if n == 1 else := sprintf("%d %ss", [n, unit])
