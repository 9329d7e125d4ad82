package keyward.lib.format_test

import data.keyward.lib.format

test_key_label_masks_the_middle_of_an_id if {
	format.key_label({"id": "AKIAQALICE7EXAMPLE02", "created": "2025-03-20T12:00:00Z"}) == "AKIA…LE02"
}

test_key_label_keeps_a_short_id if {
	format.key_label({"id": "AKIA1234", "created": "2025-03-20T12:00:00Z"}) == "AKIA1234"
}

test_key_label_names_a_key_without_id_by_date if {
	format.key_label({"id": null, "created": "2025-03-20T12:00:00Z"}) == "created 2025-03-20"
}

test_key_ref_prefers_the_id if {
	format.key_ref({"id": "AKIAQALICE7EXAMPLE02", "created": "2025-03-20T12:00:00Z"}) == "AKIAQALICE7EXAMPLE02"
	format.key_ref({"id": null, "created": "2025-03-20T12:00:00Z"}) == "2025-03-20T12:00:00Z"
}
