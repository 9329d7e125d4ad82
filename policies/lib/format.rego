# Formatting helpers for finding messages.
package keyward.lib.format

# An access key id is an identifier, not a secret, but reports show only its ends:
# "AKIA…WXYZ". Keys without an id (from the credential report) are named by creation date.
key_label(key) := sprintf("%s…%s", [substring(key.id, 0, 4), substring(key.id, count(key.id) - 4, 4)]) if {
	key.id != null
	count(key.id) > 8
}

key_label(key) := key.id if {
	key.id != null
	count(key.id) <= 8
}

key_label(key) := sprintf("created %s", [substring(key.created, 0, 10)]) if key.id == null

# A stable discriminator for findings about one key: its id, or its creation time.
key_ref(key) := key.id if key.id != null

key_ref(key) := key.created if key.id == null
