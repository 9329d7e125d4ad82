package keyward.lib.keys_test

import data.keyward.lib.keys

at := "2026-01-02T03:04:05Z"

key(id, created) := {"id": id, "status": "active", "created": created, "last_used": null}

# One key, or keys created at different times: the creation time, as fingerprints always had.
test_a_key_of_its_own_second_is_named_by_its_creation if {
	ks := [key(null, at), key(null, "2026-03-01T00:00:00Z")]
	keys.identity(ks, 0) == {"ref": at, "label": "created 2026-01-02"}
	keys.identity(ks, 1).ref == "2026-03-01T00:00:00Z"
	keys.identity([key("AKIAIOSFODNN7EXAMPLE", at)], 0) == {"ref": at, "label": "AKIA…MPLE"}
}

# Two keys created in the same second: told apart by id, else by slot.
test_keys_of_the_same_second_are_told_apart if {
	by_slot := [key(null, at), key(null, at)]
	keys.identity(by_slot, 0) == {"ref": "2026-01-02T03:04:05Z#slot1", "label": "created 2026-01-02 (slot 1)"}
	keys.identity(by_slot, 1) == {"ref": "2026-01-02T03:04:05Z#slot2", "label": "created 2026-01-02 (slot 2)"}
	by_id := [key("AKIAAAAAAAAAAAAA1111", at), key("AKIAAAAAAAAAAAAA2222", at)]
	keys.identity(by_id, 0) == {"ref": "2026-01-02T03:04:05Z#AKIAAAAAAAAAAAAA1111", "label": "AKIA…1111"}
	keys.identity(by_id, 1).ref == "2026-01-02T03:04:05Z#AKIAAAAAAAAAAAAA2222"
}
