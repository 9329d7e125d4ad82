package keyward.detective.no_cost_anomaly_alerts_test

import data.keyward.detective.no_cost_anomaly_alerts as rule
import data.keyward.lib.detective_test_input as d

deny_with(cost) := findings if {
	inp := d.input_with({"cost_anomaly": cost})
	findings := rule.deny with input as inp
}

test_a_followed_monitor_passes if {
	count(deny_with(d.watched.cost_anomaly)) == 0
}

test_no_monitor_fires if {
	findings := deny_with({"monitors": [], "subscriptions": []})
	count(findings) == 1
	some f in findings
	f.resource == "arn:aws:ce::123456789012:anomalymonitor/*"
	f.message == "no Cost Anomaly Detection monitor of account 123456789012 sends alerts: there is no monitor"
}

test_a_monitor_nobody_hears_fires if {
	silent := object.union(d.subscription([d.monitor_arn("services")]), {"subscribers": []})
	some f in deny_with({"monitors": [d.monitor("services", "SERVICE", null)], "subscriptions": [silent]})
	f.message == "no Cost Anomaly Detection monitor of account 123456789012 sends alerts: no subscription with a recipient follows its monitors"
}

followed(monitor) := {"monitors": [monitor], "subscriptions": [d.subscription([monitor.arn])]}

test_management_monitors_count_when_they_watch_the_account if {
	count(deny_with(followed(d.monitor("members", "LINKED_ACCOUNT", "111111111111")))) == 0
	named := object.union(d.monitor("named", null, "111111111111"), {"type": "CUSTOM", "linked_accounts": ["123456789012"]})
	count(deny_with(followed(named))) == 0
	count(deny_with(followed(d.monitor("payer-services", "SERVICE", "111111111111")))) == 1
}
