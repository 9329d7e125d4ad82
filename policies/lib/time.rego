# Time helpers. Rules never read the clock: "now" is input.evaluation.as_of_ns, the scan's
# --as-of time, so a scan is reproducible and can look ahead ("what is out of policy in 30 days").
package keyward.lib.time

ns_per_day := 86400000000000

ns_per_hour := 3600000000000

# Whole days from an RFC 3339 timestamp to the evaluation time (negative for a future time).
days_since(timestamp) := floor((input.evaluation.as_of_ns - time.parse_rfc3339_ns(timestamp)) / ns_per_day)

# Whole hours between two RFC 3339 timestamps (absolute).
hours_between(a, b) := floor(abs(time.parse_rfc3339_ns(a) - time.parse_rfc3339_ns(b)) / ns_per_hour)
