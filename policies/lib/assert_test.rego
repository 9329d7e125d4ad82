# Assertions for Rego tests that say what went wrong (a `_test.rego` file: `keyward policy test`
# loads it, a scan never does). A plain comparison that fails only makes the test false; an
# assertion that fails also prints what it expected and what it got, and `keyward policy test`
# shows those lines under the failing test (`opa test` shows a failing test's prints too):
#
#     FAIL  data.keyward.iam.access_key_not_rotated_test.test_old_active_key_fires (...)
#           expected: "access key AKIA…MPLE of user alice is 412 days old (limit 90)"
#           actual:   "access key AKIA…MPLE of user alice is 411 days old (limit 90)"
#
# Each assertion is true when it holds, and otherwise prints and is false, so it fails the test
# like the comparison it replaces. Expected values come first. An undefined argument (a field
# the finding lacks) leaves the call undefined before it can print: the runner then says that
# no assertion reported anything.
package keyward.lib.assert

# actual == expected.
equal(expected, actual) if expected == actual

equal(expected, actual) := false if {
	expected != actual
	print("expected:", shown(expected))
	print("actual:  ", shown(actual))
}

# count(collection) == expected. On failure the collection is printed too: the findings a rule
# produced say more than their number.
size(expected, collection) if count(collection) == expected

size(expected, collection) := false if {
	count(collection) != expected
	print("expected: count", expected)
	print("actual:   count", count(collection), "of", shown(collection))
}

# Nothing in the collection: the rule does not fire.
empty(collection) := size(0, collection)

# `text` contains `part`.
includes(part, text) if contains(text, part)

includes(part, text) := false if {
	not contains(text, part)
	print("expected: a text including", shown(part))
	print("actual:  ", shown(text))
}

# Strings are printed quoted, so that "1" and 1, or a trailing space, can be told apart.
shown(value) := json.marshal(value) if is_string(value)

shown(value) := value if not is_string(value)

test_equal_holds_for_equal_values if equal({"a": [1, "x"]}, {"a": [1, "x"]})

test_equal_fails_for_different_values if not equal(1, "1")

test_size_counts_elements if size(2, {"a", "b"})

test_size_fails_for_another_count if not size(1, [])

test_empty_holds_for_nothing if empty(set())

test_empty_fails_for_something if not empty(["finding"])

test_includes_finds_a_part if includes("key", "access key")

test_includes_fails_without_it if not includes("secret", "access key")
