# Helpers for IAM rules: policy documents as written, and dates and counts in messages. (What
# principals can do in effect is worked out by keyward's access model before the rules run:
# rules read `input.access`, see keyward.lib.access and docs/access.md.)
package keyward.lib.iam

# --- Policy documents --------------------------------------------------------------------------
# (Who can do what in effect is the access model's answer, `input.access`; these read documents
# as written, for the rules that judge a document's shape: KW-SM-008, KW-TF-003.)

# A single value or a list, as a list. Undefined when the value is (an absent field).
as_array(value) := value if is_array(value) else := [value]

# The statements of a policy document. Undefined for a document that has none.
statements(document) := as_array(document.Statement)

# Managed policies by ARN, built once per evaluation.
policies_by_arn := {p.arn: p | some p in input.snapshot.policies}

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
