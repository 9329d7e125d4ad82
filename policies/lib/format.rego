# Formatting helpers for finding messages.
package keyward.lib.format

# An access key id is an identifier, not a secret, but reports show only its ends:
# "AKIA…WXYZ". Keys without an id (from the credential report) are named by creation date.
# (An `else` chain with concat: rules call this for every key they report, and in regorus a
# function with several definitions runs all of them on each call.)
key_label(key) := concat(" ", ["created", substring(key.created, 0, 10)]) if {
	key.id == null
} else := concat("…", [substring(key.id, 0, 4), substring(key.id, count(key.id) - 4, 4)]) if {
	count(key.id) > 8
} else := key.id

