# METADATA
# title: Secret readable by an AWS service for any account (confused deputy)
# description: |
#   The secret's resource policy lets an AWS service principal (e.g. events.amazonaws.com)
#   call secretsmanager:GetSecretValue, and no condition ties the grant to your account or
#   resource with aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or aws:SourceOrgPaths. A
#   service principal acts for every AWS customer, so anyone who configures that service in
#   their own account and points it at your secret's ARN can have the service read the secret
#   for them: the confused-deputy problem AWS documents. Read access to stored API keys is what
#   turned the May 2026 breach of an AI platform's AWS account into stolen AI-provider keys.
#   Only Allow statements with a Service principal are read; Deny statements are not weighed,
#   and how narrow a source value is (an ARN pattern, an account id) is not judged, beyond a
#   value of wildcards only counting as no condition.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html
#   - ref: https://attack.mitre.org/techniques/T1555/006/
# custom:
#   id: KW-SM-008
#   name: secret-policy-confused-deputy
#   severity: high
#   requires: [secretsmanager.resource_policies]
#   evaluates: [secrets]
#   controls:
#     mitre-attack: [T1555.006]
#   remediation: |
#     1. Read the policy:
#          aws secretsmanager get-resource-policy --secret-id <secret-arn>
#     2. Add a condition to each statement the finding names, tying the service to your account
#        and, better, to the one resource that needs the secret:
#          "Condition": {
#            "StringEquals": {"aws:SourceAccount": "<account-id>"},
#            "ArnLike": {"aws:SourceArn": "<arn of the rule, function or resource using it>"}
#          }
#     3. Put it back with public policies blocked:
#          aws secretsmanager put-resource-policy --secret-id <secret-arn> \
#            --resource-policy file://policy.json --block-public-policy
#     4. If the service does not need the secret any more, remove the statement instead.
package keyward.secrets.secret_policy_confused_deputy

import data.keyward.lib.service_principals

deny contains finding if {
	some secret in input.snapshot.secrets
	secret.resource_policy != null
	grants := service_principals.unscoped_reads(secret.resource_policy)
	count(grants) > 0
	services := sort({s | some g in grants; some s in g.services})
	finding := {
		"resource": secret.arn,
		"region": secret.region,
		"message": sprintf("secret %s has a resource policy that lets %s read it without a source condition (statement %s): any account's use of the service can reach it", [
			secret.name,
			concat(", ", services),
			concat(", ", [g.statement | some g in grants]),
		]),
		"evidence": {"statements": grants},
	}
}
