# Time helpers. Rules never read the clock: "now" is input.evaluation.as_of_ns, the scan's
# --as-of time, so a scan is reproducible and can look ahead ("what is out of policy in 30 days").
package keyward.lib.time

ns_per_day := 86400000000000

ns_per_hour := 3600000000000

# Whole days from an RFC 3339 timestamp to the evaluation time (negative for a future time).
days_since(timestamp) := floor((input.evaluation.as_of_ns - time.parse_rfc3339_ns(timestamp)) / ns_per_day)

# Whole hours between two RFC 3339 timestamps (absolute).
hours_between(a, b) := floor(abs(time.parse_rfc3339_ns(a) - time.parse_rfc3339_ns(b)) / ns_per_hour)

# A cutoff `days` days before as_of: a timestamp at or before it is `days` or more whole days old
# (as days_since counts). Test a timestamp `ts` against it with
#     ts <= c.candidates_before        (cheap: a string comparison)
#     time.parse_rfc3339_ns(ts) <= c.ns  (exact, run only for the few that pass the first test)
# The string test is a conservative pre-filter: RFC 3339 strings sort by their local date and
# time, which is less than a day from UTC, so anything after `candidates_before` (two days past
# the cutoff) is surely after the cutoff. Rules run it first, on every user, key or secret, as
# the one test that settles most of them; a nullable timestamp is tested for null after it.
# `days` is held to at most max_cutoff_days: a rotation schedule read from the snapshot may be
# any number, and nanoseconds of 64 bits reach only from 1677 to 2262. As keyward's times lie
# between 1800 and 2200, nothing is older than that anyway.
cutoff(days) := {"ns": ns, "candidates_before": time.format(ns + (2 * ns_per_day))} if {
	ns := input.evaluation.as_of_ns - (min([days, max_cutoff_days]) * ns_per_day)
}

# 100 years, keyward's longest threshold.
max_cutoff_days := 36500
