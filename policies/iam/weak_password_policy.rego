# METADATA
# title: Weak account password policy
# description: |
#   The account password policy decides how easy IAM users' console passwords are to guess, spray or
#   reuse from another breach. Without one, AWS accepts 8-character passwords and lets users go back
#   to old ones. Stolen or guessed valid credentials are the likely way into an AI platform's AWS
#   account breached in May 2026; CIS asks for at least 14 characters, the four character classes,
#   and no reuse of the last 24 passwords. (MFA, KW-IAM-005, matters more; a strong password policy
#   is the layer under it.)
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-7
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-15
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-16
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-11
#   - ref: https://attack.mitre.org/techniques/T1110/
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-012
#   name: weak-password-policy
#   severity: medium
#   requires: [iam.password_policy]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0: ["1.8", "1.9"]
#     aws-securityhub: [IAM.7, IAM.11, IAM.12, IAM.13, IAM.14, IAM.15, IAM.16]
#     mitre-attack: [T1110, T1078.004]
#   remediation: |
#     Set a policy that meets CIS (it applies at each user's next password change):
#       aws iam update-account-password-policy --minimum-password-length 14 \
#         --require-symbols --require-numbers --require-uppercase-characters \
#         --require-lowercase-characters --password-reuse-prevention 24 \
#         --allow-users-to-change-password
#     Check it with:
#       aws iam get-account-password-policy
package keyward.iam.weak_password_policy

# The CIS AWS Foundations v3.0 values (1.8, 1.9). They are benchmark constants, not tunable
# thresholds: a different value would no longer be the CIS control.
cis_minimum_length := 14

cis_reuse_prevention := 24

# Security Hub's IAM.7 asks, with its default parameters, for the four character classes and a
# minimum length of 8 (not 14): a shorter policy fails it, one of 8 to 13 fails CIS 1.8 only.
iam7_minimum_length := 8

policy := input.snapshot.password_policy

deny contains {
	"resource": sprintf("arn:%s:iam::%s:root", [input.snapshot.account.partition, input.snapshot.account.id]),
	"message": sprintf("password policy of account %s is weak: %s", [input.snapshot.account.id, concat("; ", [weaknesses[name] | some name in names])]),
	"evidence": {"weaknesses": names, "password_policy": policy},
	"controls": {framework: sort({id | some name in names; some id in object.get(failed_controls[name], framework, [])}) |
		some framework in ["cis-aws-foundations-v3.0", "aws-securityhub"]
	},
} if {
	names := sort(object.keys(weaknesses))
	count(names) > 0
}

# The CIS and Security Hub controls each weakness fails (a finding names those of its weaknesses,
# so a compliance report fails CIS 1.9 and not 1.8 for a policy that only allows reuse).
failed_controls["no_policy"] := {
	"cis-aws-foundations-v3.0": ["1.8", "1.9"],
	"aws-securityhub": ["IAM.7", "IAM.11", "IAM.12", "IAM.13", "IAM.14", "IAM.15", "IAM.16"],
} if weaknesses.no_policy

failed_controls["minimum_length"] := {"cis-aws-foundations-v3.0": ["1.8"], "aws-securityhub": ids} if {
	weaknesses.minimum_length
	ids := array.concat(["IAM.15"], [id | some id in ["IAM.7"]; policy.minimum_length < iam7_minimum_length])
}

failed_controls["reuse_prevention"] := {"cis-aws-foundations-v3.0": ["1.9"], "aws-securityhub": ["IAM.16"]} if {
	weaknesses.reuse_prevention
}

failed_controls[field] := {"aws-securityhub": ["IAM.7", id]} if {
	some field, id in {
		"require_lowercase": "IAM.12",
		"require_numbers": "IAM.14",
		"require_symbols": "IAM.13",
		"require_uppercase": "IAM.11",
	}
	weaknesses[field]
}

# Each weakness by a short name (sorted, they give the order of the message).
weaknesses["no_policy"] := "no password policy is set, so AWS accepts 8-character passwords and their reuse" if {
	policy == null
}

weaknesses["minimum_length"] := sprintf("minimum length is %d (CIS: %d or more)", [policy.minimum_length, cis_minimum_length]) if {
	policy.minimum_length < cis_minimum_length
}

weaknesses["reuse_prevention"] := sprintf("password reuse is not prevented (CIS: remember %d)", [cis_reuse_prevention]) if {
	policy != null
	policy.reuse_prevention == null
}

weaknesses["reuse_prevention"] := sprintf("only %d previous passwords are remembered (CIS: %d)", [policy.reuse_prevention, cis_reuse_prevention]) if {
	policy.reuse_prevention != null # null sorts below every number in Rego
	policy.reuse_prevention < cis_reuse_prevention
}

weaknesses[field] := sprintf("%s are not required", [class]) if {
	some field, class in {
		"require_lowercase": "lower-case letters",
		"require_numbers": "numbers",
		"require_symbols": "symbols",
		"require_uppercase": "upper-case letters",
	}
	policy[field] == false
}
