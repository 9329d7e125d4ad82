package keyward.lib.format_test

import data.keyward.lib.assert
import data.keyward.lib.format

test_key_label_shows_the_ends_of_an_id if {
	assert.equal("AKIA…MPLE", format.key_label({"id": "AKIAIOSFODNN7EXAMPLE", "created": "2024-01-02T03:04:05Z"}))
}

test_key_label_short_id_is_shown_whole if {
	assert.equal("AKIA1234", format.key_label({"id": "AKIA1234", "created": "2024-01-02T03:04:05Z"}))
}

test_key_label_without_id_names_the_creation_date if {
	assert.equal("created 2024-01-02", format.key_label({"id": null, "created": "2024-01-02T03:04:05Z"}))
}
