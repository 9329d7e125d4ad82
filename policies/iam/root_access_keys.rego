# METADATA
# title: Root user has access keys
# description: |
#   An access key of the root user is a long-lived credential with unrestricted power over the
#   account: IAM policies cannot limit it, and whoever holds it can create users, read every secret
#   and lock the owners out. The May 2026 breach of an AI platform, where attackers used valid
#   credentials to take over an AWS account and reach the AI-provider keys stored in it, is what a
#   leaked root key makes possible. No root access key should exist, active or not: an inactive key
#   is one API call away from working again.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#   - ref: https://attack.mitre.org/techniques/T1078/004/
# custom:
#   id: KW-IAM-001
#   name: root-access-keys
#   severity: critical
#   requires: [iam.root]
#   evaluates: [account]
#   controls:
#     cis-aws-foundations-v3.0: ["1.4"]
#     aws-securityhub: [IAM.4]
#     mitre-attack: [T1078.004]
#   remediation: |
#     1. Find what still uses the key: its last use (service, region) is in the finding; search
#        CloudTrail for the key id and move those callers to an IAM role.
#     2. Deactivate the key first, watch for breakage, then delete it. Signed in as the root user:
#        Security credentials > Access keys > Deactivate, then Delete. From the Organizations
#        management account (centralized root access):
#          aws sts assume-root --target-principal <account-id> \
#            --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials
#          aws iam delete-access-key --access-key-id <key-id>   # with the credentials returned
#     3. If the key may have leaked, review CloudTrail for its use before deleting it.
package keyward.iam.root_access_keys

import data.keyward.lib.iam

deny contains {
	"resource": root.arn,
	"key": id.ref,
	"message": sprintf("root user of account %s has an %s access key %s (created %s, %s)", [
		input.snapshot.account.id,
		key.status,
		id.label,
		iam.day(key.created),
		iam.use_phrase(last_used),
	]),
	"evidence": {"status": key.status, "created": key.created, "last_used": last_used},
} if {
	root := input.snapshot.root
	some key in root.access_keys
	last_used := object.get(key, ["last_used", "date"], null)
	id := key.identity
}
