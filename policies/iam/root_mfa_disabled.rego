# METADATA
# title: Root user without MFA
# description: |
#   Without MFA, the root user's email address and password are all it takes to own the account: a
#   phished or reused password signs in with unrestricted power, and IAM policies cannot limit it.
#   The May 2026 breach of an AI platform's AWS account, reported as stolen valid credentials used
#   to take it over, is the scenario MFA on the root user is there to stop. A root user without a
#   password (a member account whose root credentials were removed: GetAccountSummary's
#   AccountPasswordPresent is 0) cannot sign in with one, so it is not reported; when keyward does
#   not know, it is.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-9
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-6
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-002
#   name: root-mfa-disabled
#   severity: critical
#   requires: [iam.root]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0:
#       - "1.5"
#       - id: "1.6"
#         partial: true
#         leaves_out: a root user whose MFA device is virtual (KW-IAM-003 reports it)
#         completed_by: [KW-IAM-003]
#     aws-securityhub:
#       - IAM.9
#       - id: IAM.6
#         partial: true
#         leaves_out: a root user whose MFA device is virtual (KW-IAM-003 reports it)
#         completed_by: [KW-IAM-003]
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Sign in as the root user, open Security credentials > Multi-factor authentication (MFA) >
#        Assign MFA device, and register a FIDO security key or hardware TOTP token (a virtual
#        device only as a stopgap; see KW-IAM-003). AWS offers no CLI for the root user's own MFA.
#     2. Register a second device and store both apart, so losing one does not lock you out.
#     3. Check (1 when enabled):
#          aws iam get-account-summary --query SummaryMap.AccountMFAEnabled
#     4. In an organization, consider centralized root access, which removes member accounts'
#        root passwords altogether.
package keyward.iam.root_mfa_disabled

import data.keyward.lib.iam

deny contains {
	"resource": root.arn,
	"message": sprintf("root user of account %s has no MFA device: its password alone signs in (password %s)", [
		input.snapshot.account.id,
		iam.use_phrase(root.password_last_used),
	]),
	"evidence": {"mfa_enabled": false, "password_last_used": root.password_last_used},
} if {
	root := input.snapshot.root
	root.mfa_enabled == false
	object.get(root, "password_present", null) != false
}
