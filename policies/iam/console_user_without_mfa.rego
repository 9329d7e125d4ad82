# METADATA
# title: Console user without MFA
# description: |
#   A user who signs in to the console with a password and no MFA device is one phished, guessed or
#   reused password away from an intruder acting with all of that user's permissions. Stolen valid
#   credentials are the likely way into an AI platform's AWS account breached in May 2026; MFA
#   turns a stolen password alone into a failed sign-in.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-5
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-19
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-005
#   name: console-user-without-mfa
#   severity: high
#   requires: [iam.credentials]
#   evaluates: [users]
#   controls:
#     cis-aws-foundations-v3.0: ["1.10"]
#     aws-securityhub:
#       - IAM.5
#       - id: IAM.19
#         partial: true
#         leaves_out: users without a console password (access keys only) that have no MFA device
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Have the user register an MFA device (a FIDO security key or an authenticator app):
#        IAM console > Users > <user> > Security credentials > Assign MFA device, or by CLI:
#          aws iam create-virtual-mfa-device --virtual-mfa-device-name <user> \
#            --outfile <user>-qr.png --bootstrap-method QRCodePNG
#          aws iam enable-mfa-device --user-name <user> \
#            --serial-number arn:aws:iam::<account-id>:mfa/<user> \
#            --authentication-code1 <code> --authentication-code2 <next code>
#     2. If the user does not need the console, remove the password instead:
#          aws iam delete-login-profile --user-name <user>
#     3. Enforce it: attach a policy that denies everything except MFA setup while
#        aws:MultiFactorAuthPresent is false, or move people to IAM Identity Center with MFA
#        required.
package keyward.iam.console_user_without_mfa

import data.keyward.lib.iam

deny contains {
	"resource": user.arn,
	"message": sprintf("user %s can sign in to the console with a password but has no MFA device (password %s)", [
		user.name,
		iam.use_phrase(user.password.last_used),
	]),
	"evidence": {"password_last_used": user.password.last_used, "password_last_changed": user.password.last_changed},
} if {
	some user in input.snapshot.users
	user.password.enabled == true
	user.mfa_active == false
}
