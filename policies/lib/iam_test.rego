package keyward.lib.iam_test

import data.keyward.lib.assert
import data.keyward.lib.iam

# --- credentials -------------------------------------------------------------------------------

test_use_phrase if {
	assert.equal("last used 2026-05-01", iam.use_phrase("2026-05-01T10:00:00Z"))
	assert.equal("never used", iam.use_phrase(null))
}

test_first_set if {
	assert.equal("a", iam.first_set("a", "b"))
	assert.equal("b", iam.first_set(null, "b"))
}

test_count_phrase if {
	assert.equal("1 day", iam.count_phrase(1, "day"))
	assert.equal("0 days", iam.count_phrase(0, "day"))
	assert.equal("412 days", iam.count_phrase(412, "day"))
}
