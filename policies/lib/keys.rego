# Which access key a finding is about. A finding's `key` goes into its fingerprint, so it must
# tell apart every key of a user (or of the root user) and stay the same from scan to scan.
#
# The creation time did that until two keys were created in the same second, which automation
# does: they then shared one finding, one fingerprint and one baseline entry. The identity is
# still the creation time whenever no other key of the same principal shares it, so that the
# fingerprints of existing findings do not change; only keys created in the same second get
# "<created>#<key id>", or, when the source has no key ids (the IAM credential report, which
# keyward collects), "<created>#slot<n>": the key's place in the principal's access_keys, which
# is the report's slot (access_key_1 or access_key_2) because two keys created in the same second
# fill both slots, in their order.
package keyward.lib.keys

import data.keyward.lib.format

# {"ref": <the finding's key>, "label": <how a message names the key>} for key `i` of `keys`.
# Only reported keys are passed here, so the comparison with the other keys costs little.
identity(keys, i) := {"ref": keys[i].created, "label": format.key_label(keys[i])} if {
	count([k | some k in keys; k.created == keys[i].created]) == 1
} else := {"ref": concat("#", [keys[i].created, keys[i].id]), "label": format.key_label(keys[i])} if {
	is_string(keys[i].id)
} else := {
	"ref": sprintf("%s#slot%d", [keys[i].created, i + 1]),
	"label": sprintf("%s (slot %d)", [format.key_label(keys[i]), i + 1]),
}
