package keyward.lib.iam_test

import data.keyward.lib.iam

# --- credentials -------------------------------------------------------------------------------

test_use_phrase if {
	iam.use_phrase("2026-05-01T10:00:00Z") == "last used 2026-05-01"
	iam.use_phrase(null) == "never used"
}

test_first_set if {
	iam.first_set("a", "b") == "a"
	iam.first_set(null, "b") == "b"
}

test_count_phrase if {
	iam.count_phrase(1, "day") == "1 day"
	iam.count_phrase(0, "day") == "0 days"
	iam.count_phrase(412, "day") == "412 days"
}
