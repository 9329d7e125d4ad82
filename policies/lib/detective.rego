# Helpers shared by the detective-control rules: which trails record what, which metric
# filters match which CloudTrail events, and which alarms watch them.
#
# The alarm rules test a metric filter against sample CloudTrail events (`probes`), the way
# CloudWatch Logs would match a real one, instead of looking for familiar text in its pattern:
# keyward reads each pattern into `reading.any_of`, alternatives of conditions (see
# docs/detective-controls.md), and a filter matches an event when every condition of one
# alternative holds for it.
package keyward.lib.detective

detective := input.snapshot.detective

account_id := input.snapshot.account.id

partition := input.snapshot.account.partition

# ---------------------------------------------------------------------------------------------
# Names for findings about something missing (no real ARN exists for an absent trail, detector
# or analyzer). Waivers match them like any ARN.

account_scope(service, what) := sprintf("arn:%s:%s::%s:%s", [partition, service, account_id, what])

region_scope(service, region, what) := sprintf("arn:%s:%s:%s:%s:%s", [partition, service, region, account_id, what])

# The account an ARN belongs to.
arn_account(arn) := split(arn, ":")[4]

arn_region(arn) := split(arn, ":")[3]

# ---------------------------------------------------------------------------------------------
# Trails

# The trails this account owns (organization trails of another account are judged there).
owned_trails contains trail if {
	some trail in detective.trails
	arn_account(trail.arn) == account_id
}

# Multi-region trails that are recording now: what CIS 3.1 asks for, before event selectors.
logging_multi_region_trails contains trail if {
	some trail in detective.trails
	trail.multi_region
	trail.logging
}

# A management event as a trail's selectors see it.
management_event(source, name, read_only) := {
	"eventCategory": "Management",
	"eventSource": source,
	"eventName": name,
	"readOnly": read_only,
}

# Whether a trail records an event (from management_event): basic selectors by read/write
# type and excluded sources, advanced ones by their field selectors.
records(trail, event) if {
	some selector in trail.event_selectors
	selector.include_management_events
	read_write_allows(selector.read_write_type, event.readOnly)
	not event.eventSource in selector.exclude_management_event_sources
}

records(trail, event) if {
	some selector in trail.advanced_event_selectors
	count(selector.field_selectors) > 0
	every field in selector.field_selectors {
		field_selector_holds(field, event)
	}
}

read_write_allows("All", _) := true

read_write_allows("ReadOnly", true) := true

read_write_allows("WriteOnly", false) := true

# An advanced field selector on one of the event's fields. A field the event lacks (data-event
# fields such as resources.type) holds only for negative tests.
field_selector_holds(f, event) if {
	value := field_value(event, f.field)
	positive_ok(f, value)
	not negative_fails(f, value)
}

field_value(event, "readOnly") := sprintf("%v", [event.readOnly])

field_value(event, field) := event[field] if field != "readOnly"

field_value(event, field) := "" if {
	field != "readOnly"
	not event[field]
}

positive_ok(f, value) if {
	count(f.equals) + count(f.starts_with) + count(f.ends_with) == 0
}

positive_ok(f, value) if value in f.equals

positive_ok(f, value) if {
	some prefix in f.starts_with
	startswith(value, prefix)
}

positive_ok(f, value) if {
	some suffix in f.ends_with
	endswith(value, suffix)
}

negative_fails(f, value) if value in f.not_equals

negative_fails(f, value) if {
	some prefix in f.not_starts_with
	startswith(value, prefix)
}

negative_fails(f, value) if {
	some suffix in f.not_ends_with
	endswith(value, suffix)
}

# What a trail misses of read and write management events, e.g. {"read"}.
missing_management_events(trail) := {kind |
	some kind, read_only in {"read": true, "write": false}
	not records(trail, management_event("iam.amazonaws.com", "Any", read_only))
}

# The log group a trail delivers to, without the trailing ":*" of CloudTrail's ARN.
log_group(trail) := trim_suffix(trail.cloudwatch_logs_log_group_arn, ":*") if {
	is_string(trail.cloudwatch_logs_log_group_arn)
}

# ---------------------------------------------------------------------------------------------
# Metric filters and alarms

# The absent marker object.get returns for a field an event lacks.
absent := {"keyward": "absent"}

# Whether a metric filter's pattern matches a CloudTrail event.
filter_matches(filter, event) if {
	filter.reading.kind == "conditions"
	text := json.marshal(event)
	some alternative in filter.reading.any_of
	every condition in alternative {
		holds(condition, event, text)
	}
}

holds(c, event, text) if {
	c.test == "contains_text"
	contains(text, c.text)
}

holds(c, event, text) if {
	c.test == "lacks_text"
	not contains(text, c.text)
}

holds(c, event, _) if {
	c.test == "not_exists"
	object.get(event, c.path, absent) == absent
}

holds(c, event, _) if {
	c.test == "is_null"
	object.get(event, c.path, absent) == null
}

holds(c, event, _) if {
	c.test == "is_true"
	object.get(event, c.path, absent) == true
}

holds(c, event, _) if {
	c.test == "is_false"
	object.get(event, c.path, absent) == false
}

holds(c, event, _) if {
	is_string(c.regex)
	value := object.get(event, c.path, absent)
	value != absent
	value != null
	not is_object(value)
	not is_array(value)
	matched := regex.match(c.regex, sprintf("%v", [value]))
	string_test[c.test] == matched
}

holds(c, event, _) if {
	is_number(c.number)
	value := object.get(event, c.path, absent)
	is_number(value)
	compare(c.test, value, c.number)
}

string_test := {"eq": true, "ne": false}

compare("eq", a, b) if a == b

compare("ne", a, b) if a != b

compare("lt", a, b) if a < b

compare("le", a, b) if a <= b

compare("gt", a, b) if a > b

compare("ge", a, b) if a >= b

# Alarms that would fire on a filter's metric and tell someone: same account and region as the
# log group, watching one of the filter's metrics, with actions enabled.
alarms_on(filter) := [alarm.name |
	some alarm in detective.alarms
	alarm.actions_enabled
	count(alarm.alarm_actions) > 0
	arn_region(alarm.arn) == arn_region(filter.log_group_arn)
	arn_account(alarm.arn) == arn_account(filter.log_group_arn)
	some metric in alarm.metrics
	metric in filter.metrics
]

# ---------------------------------------------------------------------------------------------
# Alarm coverage. A probe is {"label": <how a message names it>, "event": <a CloudTrail event>}.
# An activity is watched when, on the log group of a trail that records its events, every probe
# is matched by some metric filter with an alarm (one filter for all, or one each).

# The trails an alarm on `probes` can rest on: multi-region, logging, delivering to CloudWatch
# Logs, and recording every probe's event.
alarm_trails(probes) := {trail |
	some trail in logging_multi_region_trails
	log_group(trail)
	every probe in probes {
		records(trail, management_event(probe.event.eventSource, probe.event.eventName, probe.event.readOnly))
	}
}

# Whether a filter with an alarm on a log group matches a probe's event.
alarmed_match(group, probe) if {
	some filter in detective.metric_filters
	filter.log_group_arn == group
	filter_matches(filter, probe.event)
	count(alarms_on(filter)) > 0
}

# The labels of the probes that nothing on a log group alarms on.
unwatched(group, probes) := sort({probe.label | some probe in probes; not alarmed_match(group, probe)})

# Findings of an alarm rule: none when some trail's log group watches every probe; else one per
# candidate log group, or one for the account when no trail can carry the alarm at all. `what`
# names the activity, e.g. "root user activity".
alarm_gaps(probes, what) := gaps if {
	trails := alarm_trails(probes)
	count(trails) > 0
	every trail in trails {
		count(unwatched(log_group(trail), probes)) > 0
	}
	gaps := {gap |
		some trail in trails
		group := log_group(trail)
		missing := unwatched(group, probes)
		gap := {
			"resource": group,
			"region": arn_region(group),
			"message": sprintf("log group %s (trail %s) has no metric filter with an alarm for %s: nothing alarms on %s", [group, trail.name, what, concat(", ", missing)]),
			"evidence": {"trail": trail.arn, "log_group": group, "unwatched": missing, "metric_filters": filters_evidence(group)},
		}
	}
} else := {{
	"resource": account_scope("cloudwatch", "alarm:*"),
	"message": sprintf("no multi-region trail that is logging and records the events of %s delivers to CloudWatch Logs, so no alarm can watch for it", [what]),
	"evidence": {"trails": sort([t.arn | some t in detective.trails])},
}} if {
	count(alarm_trails(probes)) == 0
}

# The filters on a log group, as evidence: how keyward read each and the alarms on it.
filters_evidence(group) := [{"name": f.name, "pattern": f.pattern, "readable": f.reading.kind == "conditions", "alarms": alarms_on(f)} |
	some f in detective.metric_filters
	f.log_group_arn == group
]

# A CloudTrail event as the probes need it: who (an identity of `identity_type`), what, and
# what came back; `extra` adds or overrides fields.
cloudtrail_event(identity_type, source, name, read_only, extra) := object.union(
	{
		"eventVersion": "1.09",
		"userIdentity": identity(identity_type),
		"eventTime": "2026-05-01T22:14:00Z",
		"eventSource": source,
		"eventName": name,
		"awsRegion": "us-east-1",
		"sourceIPAddress": "203.0.113.7",
		"userAgent": "aws-cli/2.15.0",
		"requestParameters": null,
		"responseElements": null,
		"readOnly": read_only,
		"eventType": "AwsApiCall",
		"managementEvent": true,
		"recipientAccountId": account_id,
		"eventCategory": "Management",
	},
	extra,
)

identity("Root") := {
	"type": "Root",
	"principalId": account_id,
	"arn": sprintf("arn:%s:iam::%s:root", [partition, account_id]),
	"accountId": account_id,
	"accessKeyId": "ASIAEXAMPLEROOT00001",
}

identity("IAMUser") := {
	"type": "IAMUser",
	"principalId": "AIDAEXAMPLEUSER00001",
	"arn": sprintf("arn:%s:iam::%s:user/intruder", [partition, account_id]),
	"accountId": account_id,
	"accessKeyId": "AKIAEXAMPLEUSER00001",
	"userName": "intruder",
}

identity("AssumedRole") := {
	"type": "AssumedRole",
	"principalId": "AROAEXAMPLEROLE00001:session",
	"arn": sprintf("arn:%s:sts::%s:assumed-role/worker/session", [partition, account_id]),
	"accountId": account_id,
	"accessKeyId": "ASIAEXAMPLEROLE00001",
	"sessionContext": {"sessionIssuer": {
		"type": "Role",
		"arn": sprintf("arn:%s:iam::%s:role/worker", [partition, account_id]),
		"accountId": account_id,
		"userName": "worker",
	}},
}
