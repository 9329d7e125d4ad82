# METADATA
# title: Secret defined in Terraform without a rotation resource
# description: |
#   The configuration creates or manages a Secrets Manager secret but no
#   `aws_secretsmanager_secret_rotation` for it, so nothing in code makes it rotate: it keeps one
#   value until someone changes it by hand, and rotation set up by hand is lost when the secret
#   is replaced. The AI-provider keys exposed in the May 2026 breach of an AI platform's AWS
#   account had to be rotated by hand by every customer; a key that rotates on a schedule stops
#   working for whoever copied it. Secrets rotated by the service that owns them (for example
#   RDS-managed master passwords) are not `aws_secretsmanager_secret` resources and are not
#   reported.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/secretsmanager_secret_rotation
#   - ref: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-1
#   - ref: https://attack.mitre.org/techniques/T1528/
# custom:
#   id: KW-TF-002
#   name: secret-without-rotation
#   severity: medium
#   requires: [terraform, secretsmanager.secrets]
#   evaluates: [secrets]
#   controls:
#     aws-securityhub:
#       - id: SecretsManager.1
#         partial: true
#         leaves_out: secrets that the plan does not define, and rotation set up outside Terraform (KW-SM-001 checks the account)
#     mitre-attack: [T1528]
#   remediation: |
#     1. Add a rotation resource beside the secret, with a rotation function and a schedule no
#        longer than your policy allows:
#          resource "aws_secretsmanager_secret_rotation" "this" {
#            secret_id           = aws_secretsmanager_secret.this.id
#            rotation_lambda_arn = aws_lambda_function.rotate.arn
#            rotation_rules { automatically_after_days = 30 }
#          }
#     2. For a third-party API key, the function creates a new key at the provider, stores it
#        with PutSecretValue, tests it and revokes the previous one.
#     3. If the secret truly cannot rotate, waive the finding with an owner, a reason and an
#        expiry in keyward.yaml.
package keyward.terraform.secret_without_rotation

deny contains {
	"resource": secret.subject,
	"region": region(secret.subject),
	"key": secret.address,
	"message": sprintf("secret %s (%s) has no aws_secretsmanager_secret_rotation in the configuration, so nothing rotates it", [name(secret.subject), secret.address]),
	"evidence": {"address": secret.address, "action": secret.action},
} if {
	rotated := rotated_secrets
	some secret in input.snapshot.terraform.resources
	secret.type == "aws_secretsmanager_secret"
	secret.action != "delete"
	not secret.subject in rotated
}

# The secrets a rotation resource (one the plan keeps) rotates.
rotated_secrets contains rotation.subject if {
	some rotation in input.snapshot.terraform.resources
	rotation.type == "aws_secretsmanager_secret_rotation"
	rotation.action != "delete"
}

secrets_by_arn := {secret.arn: secret | some secret in input.snapshot.secrets}

# The secret's region and name, from its snapshot entry.
region(arn) := secrets_by_arn[arn].region if {
	secrets_by_arn[arn]
} else := split(arn, ":")[3]

name(arn) := secrets_by_arn[arn].name if {
	secrets_by_arn[arn]
} else := arn
