# METADATA
# title: Root user used recently
# description: |
#   The root user is for the handful of tasks only it can do; everyday work belongs to roles and
#   users whose permissions can be limited and audited. A recent root sign-in or root key call is
#   either such a rare task, a habit that puts unrestricted credentials in daily circulation, or an
#   intruder: after the May 2026 breach of an AI platform's AWS account, opened with valid
#   credentials, every unexpected use of the account's most powerful identity deserves a look.
#   Reported when the root password, or a root access key (active or not), was last used fewer
#   than `root_recent_use_days` (30 by default) days before the evaluation time.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-004
#   name: root-recently-used
#   severity: high
#   requires: [iam.root]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "1.7"
#         partial: true
#         leaves_out: >-
#           uses older than root_recent_use_days (30 by default), and the judgement the manual
#           audit asks for: whether a use was one of the few tasks that need the root user
#     aws-securityhub:
#       - id: IAM.20
#         partial: true
#         leaves_out: >-
#           uses older than root_recent_use_days (30 by default), and whether a use was one of the
#           few tasks that need the root user
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Confirm who used the root user and why, from CloudTrail:
#          aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root \
#            --start-time <date in the finding>
#        If nobody can account for it, treat it as a compromise: change the root password, rotate
#        its MFA, delete root access keys (KW-IAM-001) and review what was changed.
#     2. Move recurring work to IAM roles or IAM Identity Center users; keep root for the tasks
#        that require it.
#     3. Alert on root use (an EventBridge rule or CloudWatch metric filter on
#        userIdentity.type = "Root"), so the next use is seen when it happens.
package keyward.iam.root_recently_used

import data.keyward.lib.iam
import data.keyward.lib.time as kwtime

deny contains {
	"resource": root.arn,
	"key": use.key,
	"message": sprintf("%s of the root user of account %s was used %s ago (%s), within the last %s", [
		use.credential,
		input.snapshot.account.id,
		iam.count_phrase(days, "day"),
		iam.day(use.at),
		iam.count_phrase(limit, "day"),
	]),
	"evidence": {"last_used": use.at, "days_since_use": days, "limit_days": limit},
} if {
	root := input.snapshot.root
	limit := input.evaluation.thresholds.root_recent_use_days
	some use in uses
	days := kwtime.days_since(use.at)
	days < limit
}

# Each credential of the root user that has ever been used, with its last use.
uses contains {"key": "password", "credential": "the password", "at": at} if {
	at := input.snapshot.root.password_last_used
	at != null
}

# Inactive keys count too: their last use is still a use of root.
uses contains {
	"key": id.ref,
	"credential": sprintf("access key %s", [id.label]),
	"at": key.last_used.date,
} if {
	some key in input.snapshot.root.access_keys
	key.last_used != null
	id := key.identity
}
