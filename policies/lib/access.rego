# Helpers for rules that read the effective access (`input.access`), which keyward works out
# with its model of AWS's policy evaluation before the rules run (see docs/access.md).
package keyward.lib.access

# The statements a grant comes from, for messages:
# "policy admins-all (attached to group/admins, statement #1); policy read (…)".
paths_text(paths) := concat("; ", [path_text(p) | some p in paths])

path_text(p) := sprintf("policy %s (attached to %s, statement %s)%s", [
	p.policy,
	short_arn(p.attached_to),
	p.statement,
	conditions_text(object.get(p, "conditions", [])),
])

conditions_text(conditions) := sprintf(" when %s", [concat(" and ", conditions)]) if {
	count(conditions) > 0
} else := ""

# The resource part of an ARN ("group/admins", "secret:prod/key-AbCdEf"), or the text itself.
short_arn(arn) := concat(":", array.slice(parts, 5, count(parts))) if {
	parts := split(arn, ":")
	count(parts) > 5
} else := arn

conditional_note("conditional") := " (only if a condition keyward cannot judge holds)"

conditional_note(access) := "" if access != "conditional"
