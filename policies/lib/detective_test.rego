package keyward.lib.detective_test

import data.keyward.lib.detective

event := {"a": {"b": [10, {"c": "x"}]}, "flag": true, "off": false, "nothing": null, "name": "GetSecretValue", "size": 5}

condition(test, path, fields) := object.union({"test": test, "path": path, "regex": null, "number": null, "text": null}, fields)

matches(conditions) if {
	filter := {"reading": {"kind": "conditions", "any_of": [conditions]}}
	detective.filter_matches(filter, event)
}

test_string_tests_by_regex if {
	matches([condition("eq", ["name"], {"regex": "^Get.*$"})])
	matches([condition("ne", ["name"], {"regex": "^Put.*$"})])
	matches([condition("eq", ["a", "b", 1, "c"], {"regex": "^x$"})])
	matches([condition("eq", ["size"], {"regex": "^5$"})])
	not matches([condition("ne", ["missing"], {"regex": "^x$"})])
	not matches([condition("eq", ["a"], {"regex": ".*"})])
}

test_numeric_tests if {
	matches([condition("eq", ["size"], {"number": 5})])
	matches([condition("ne", ["size"], {"number": 6})])
	matches([condition("lt", ["size"], {"number": 6})])
	matches([condition("le", ["size"], {"number": 5})])
	matches([condition("gt", ["a", "b", 0], {"number": 9})])
	matches([condition("ge", ["size"], {"number": 5})])
	not matches([condition("gt", ["name"], {"number": 1})])
}

test_presence_and_boolean_tests if {
	matches([condition("is_true", ["flag"], {})])
	matches([condition("is_false", ["off"], {})])
	matches([condition("is_null", ["nothing"], {})])
	matches([condition("not_exists", ["a", "z"], {})])
	not matches([condition("not_exists", ["nothing"], {})])
	not matches([condition("is_true", ["off"], {})])
}

test_text_tests_and_alternatives if {
	matches([condition("contains_text", [], {"text": "GetSecret"}), condition("lacks_text", [], {"text": "PutSecret"})])
	not matches([condition("lacks_text", [], {"text": "GetSecret"})])
	filter := {"reading": {"kind": "conditions", "any_of": [[condition("is_true", ["off"], {})], []]}}
	detective.filter_matches(filter, event)
	not detective.filter_matches({"reading": {"kind": "unreadable", "reason": "x"}}, event)
}
