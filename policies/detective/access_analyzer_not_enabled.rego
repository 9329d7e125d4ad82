# METADATA
# title: No IAM Access Analyzer for external access in a region
# description: |
#   An external-access analyzer reports every resource a principal outside the account (or
#   outside the organization) can reach: a secret whose resource policy lets another account
#   read it, a role others can assume, a public bucket or key. Sharing a secret with the wrong
#   account is how stored third-party API keys leave without anyone breaking in. Analyzers are
#   regional: each enabled region needs an active analyzer of type ACCOUNT, or an ORGANIZATION
#   analyzer of the management or delegated administrator account (counted for members under
#   `--org`). Resource: arn:<partition>:access-analyzer:<region>:<account>:analyzer/*.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-28
#   - ref: https://attack.mitre.org/techniques/T1555/006/
# custom:
#   id: KW-AA-001
#   name: access-analyzer-not-enabled
#   severity: medium
#   requires: [accessanalyzer.analyzers]
#   evaluates: [regions]
#   controls:
#     cis-aws-foundations-v3.0: ["1.20"]
#     aws-securityhub: [IAM.28]
#     mitre-attack: [T1555.006]
#   remediation: |
#     Create an analyzer in the region (type ORGANIZATION from the management or delegated
#     administrator account covers every member):
#       aws accessanalyzer create-analyzer --analyzer-name external-access --type ACCOUNT --region <region>
#     Then review its findings:
#       aws accessanalyzer list-findings-v2 --analyzer-arn <analyzer-arn> --region <region>
package keyward.detective.access_analyzer_not_enabled

import data.keyward.lib.detective

external_access_types := {"ACCOUNT", "ORGANIZATION"}

deny contains {
	"resource": detective.region_scope("access-analyzer", region, "analyzer/*"),
	"region": region,
	"message": sprintf("no active IAM Access Analyzer for external access in %s%s", [region, others(in_region)]),
	"evidence": {"region": region, "analyzers": sort([sprintf("%s (%s, %s)", [a.name, a.type, a.status]) | some a in in_region])},
} if {
	some region in input.snapshot.collector.regions
	in_region := [a | some a in input.snapshot.detective.access_analyzers; a.region == region]
	count([a | some a in in_region; a.type in external_access_types; a.status == "ACTIVE"]) == 0
}

others(analyzers) := "" if count(analyzers) == 0
else := sprintf(" (its analyzers do not count: %s)", [concat(", ", sort([sprintf("%s is %s %s", [a.name, a.type, a.status]) | some a in analyzers]))])
