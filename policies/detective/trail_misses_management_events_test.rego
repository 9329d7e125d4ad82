package keyward.detective.trail_misses_management_events_test

import data.keyward.detective.trail_misses_management_events as rule
import data.keyward.lib.detective_test_input as d

deny_with(trails) := findings if {
	inp := d.input_with({"trails": trails})
	findings := rule.deny with input as inp
}

basic(read_write) := [{"read_write_type": read_write, "include_management_events": true, "exclude_management_event_sources": []}]

advanced(field_selectors) := [{"name": "management", "field_selectors": field_selectors}]

selector(field, fields) := object.union({"field": field, "equals": [], "starts_with": [], "ends_with": [], "not_equals": [], "not_starts_with": [], "not_ends_with": []}, fields)

test_all_management_events_pass if {
	count(deny_with([d.trail("main", {})])) == 0
	count(deny_with([d.trail("main", {"event_selectors": [], "advanced_event_selectors": advanced([selector("eventCategory", {"equals": ["Management"]})])})])) == 0
}

test_a_write_only_trail_misses_secret_reads if {
	findings := deny_with([d.trail("main", {"event_selectors": basic("WriteOnly")})])
	count(findings) == 1
	some f in findings
	f.message == "multi-region trail main does not record read management events: reads of secrets (GetSecretValue) go unrecorded"
	f.evidence.missing == ["read"]
}

test_a_read_only_trail_misses_writes if {
	findings := deny_with([d.trail("main", {"event_selectors": basic("ReadOnly")})])
	some f in findings
	f.message == "multi-region trail main does not record write management events"
}

test_advanced_selectors_limited_to_writes_or_excluding_everything if {
	writes := advanced([selector("eventCategory", {"equals": ["Management"]}), selector("readOnly", {"equals": ["false"]})])
	some f in deny_with([d.trail("main", {"event_selectors": [], "advanced_event_selectors": writes})])
	f.evidence.missing == ["read"]
	prefixes := advanced([
		selector("eventCategory", {"starts_with": ["Manage"], "ends_with": ["ment"]}),
		selector("eventSource", {"not_equals": ["kms.amazonaws.com"], "not_starts_with": ["rds"], "not_ends_with": ["x"]}),
		selector("resources.type", {"not_equals": ["AWS::S3::Object"]}),
	])
	count(deny_with([d.trail("main", {"event_selectors": [], "advanced_event_selectors": prefixes})])) == 0
	excluded := advanced([selector("eventSource", {"not_starts_with": ["iam"]})])
	some g in deny_with([d.trail("main", {"event_selectors": [], "advanced_event_selectors": excluded})])
	g.evidence.missing == ["read", "write"]
	suffix := advanced([selector("eventSource", {"not_ends_with": ["amazonaws.com"]})])
	count(deny_with([d.trail("main", {"event_selectors": [], "advanced_event_selectors": suffix})])) == 1
}

test_one_good_trail_is_enough_and_stopped_trails_do_not_count if {
	count(deny_with([d.trail("main", {}), d.trail("writes", {"event_selectors": basic("WriteOnly")})])) == 0
	count(deny_with([d.trail("main", {"logging": false}), d.trail("writes", {"event_selectors": basic("WriteOnly")})])) == 1
	count(deny_with([d.trail("main", {"logging": false})])) == 0
}
