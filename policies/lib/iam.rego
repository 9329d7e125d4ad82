# Helpers for IAM credential rules: dates and counts in messages. (What principals can do is
# worked out by keyward's access model before the rules run: rules read `input.access`, see
# keyward.lib.access and docs/access.md.)
package keyward.lib.iam

# --- Credentials -------------------------------------------------------------------------------

# The date part of an RFC 3339 timestamp, for messages.
day(timestamp) := substring(timestamp, 0, 10)

# "last used 2026-05-01" or "never used", for messages.
use_phrase(timestamp) := "never used" if timestamp == null else := sprintf("last used %s", [day(timestamp)])

# The first of two values that is not null.
first_set(a, b) := a if a != null else := b

# "1 day", "3 days": a count and its unit, for messages.
count_phrase(n, unit) := sprintf("1 %s", [unit]) if n == 1 else := sprintf("%d %ss", [n, unit])
