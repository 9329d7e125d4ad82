# METADATA
# title: Root user MFA is not a hardware device
# description: |
#   A virtual MFA device is an app on a phone or laptop: its seed can be copied, backed up to the
#   cloud or phished along with the password by a real-time proxy. A FIDO security key is bound to
#   the sign-in page and cannot be phished; a hardware TOTP token cannot be cloned. For the one
#   identity that can do anything in the account, the incident's lesson is to keep it locked with
#   hardware MFA, so stolen passwords (the likely way into an AI platform's AWS account breached in
#   May 2026) are not enough. A root user without a password (AccountPasswordPresent is 0) cannot
#   sign in with one and is not reported.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_fido.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_physical.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-6
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-003
#   name: root-mfa-not-hardware
#   severity: high
#   requires: [iam.root]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0:
#       - id: "1.6"
#         partial: true
#         leaves_out: a root user with no MFA device at all (KW-IAM-002 reports it)
#         completed_by: [KW-IAM-002]
#     aws-securityhub:
#       - id: IAM.6
#         partial: true
#         leaves_out: a root user with no MFA device at all (KW-IAM-002 reports it)
#         completed_by: [KW-IAM-002]
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Sign in as the root user, open Security credentials > Multi-factor authentication (MFA) >
#        Assign MFA device, and register a FIDO security key (or a hardware TOTP token); register a
#        second one as a backup.
#     2. Remove the virtual device from the same page once the hardware ones work.
#     3. Check that no virtual device is left for root (its serial ends in "root-account-mfa-device"):
#          aws iam list-virtual-mfa-devices --assignment-status Assigned
package keyward.iam.root_mfa_not_hardware

deny contains {
	"resource": root.arn,
	"message": sprintf("root user of account %s is protected by %s, not a hardware device", [
		input.snapshot.account.id,
		device_phrase(root.mfa_kind),
	]),
	"evidence": {"mfa_kind": root.mfa_kind},
} if {
	root := input.snapshot.root
	root.mfa_enabled == true
	root.mfa_kind != "hardware"
	object.get(root, "password_present", null) != false
}

device_phrase("virtual") := "a virtual MFA device"

# The collector could not tell the kind: reported, as only a known hardware device passes.
device_phrase(kind) := "an MFA device of unknown kind" if kind != "virtual"
