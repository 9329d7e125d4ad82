//! The policy documents of the synthetic account: permissions, AWS-managed policies and secrets'
//! resource policies.

use serde_json::{Value, json};

use super::generator::{Generator, TEAMS};
use crate::snapshot::ManagedPolicy;

pub(super) fn document(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

pub(super) fn statement(effect: &str, action: Value, resource: Value) -> Value {
    json!({"Effect": effect, "Action": action, "Resource": resource})
}

impl Generator {
    /// A permissions document drawn from the shapes real accounts have: mostly scoped grants,
    /// some wildcards, a few that read every secret, full admin, NotAction and conditions.
    pub(super) fn permission_document(&mut self, i: usize) -> Value {
        let account = &self.account;
        let team = TEAMS[i % TEAMS.len()];
        let scoped_secrets =
            format!("arn:aws:secretsmanager:us-east-1:{account}:secret:{team}/app-{i}/*");
        let bucket = format!("arn:aws:s3:::{team}-artifacts-{i}/*");
        match self.rng.below(100) {
            0 => document(vec![statement("Allow", json!("*"), json!("*"))]),
            1 => document(vec![statement(
                "Allow",
                json!("secretsmanager:Get*"),
                json!("*"),
            )]),
            2 => document(vec![json!({
                "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"
            })]),
            3 => document(vec![json!({
                "Effect": "Allow",
                "Action": "secretsmanager:*",
                "Resource": format!("arn:aws:secretsmanager:*:{account}:secret:*"),
                "Condition": {"StringEquals": {"aws:ResourceTag/team": team}},
            })]),
            4..=9 => document(vec![
                statement(
                    "Allow",
                    json!(["s3:*Object", "s3:ListBucket"]),
                    json!([bucket, format!("arn:aws:s3:::{team}-artifacts-{i}")]),
                ),
                statement("Deny", json!("s3:DeleteBucket"), json!("*")),
            ]),
            10..=39 => document(vec![
                statement(
                    "Allow",
                    json!([
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:DescribeSecret"
                    ]),
                    json!(scoped_secrets),
                ),
                statement(
                    "Allow",
                    json!("kms:Decrypt"),
                    json!(format!("arn:aws:kms:us-east-1:{account}:key/{i:08}")),
                ),
            ]),
            40..=69 => document(vec![
                statement(
                    "Allow",
                    json!(["s3:GetObject", "s3:PutObject"]),
                    json!(bucket),
                ),
                statement(
                    "Allow",
                    json!(["logs:CreateLogStream", "logs:PutLogEvents"]),
                    json!(format!("arn:aws:logs:*:{account}:log-group:/{team}/*")),
                ),
            ]),
            _ => document(vec![
                statement(
                    "Allow",
                    json!(["ec2:Describe*", "cloudwatch:Get*", "cloudwatch:List*"]),
                    json!("*"),
                ),
                statement(
                    "Allow",
                    json!("dynamodb:Query"),
                    json!(format!(
                        "arn:aws:dynamodb:us-east-1:{account}:table/{team}-{i}"
                    )),
                ),
            ]),
        }
    }

    /// A secret's resource policy: read by a role of the account for most, by another account
    /// too for some, by anyone for a few; some limited to the organization; never deletable.
    pub(super) fn resource_policy(&mut self, secret_arn: &str) -> Value {
        let reader = format!("arn:aws:iam::{}:role/reader", self.account);
        let principal = match self.rng.below(100) {
            0..=59 => json!({"AWS": reader}),
            60..=89 => {
                let other = format!(
                    "arn:aws:iam::{}:root",
                    200_000_000_000u64 + self.rng.below(1000)
                );
                json!({"AWS": [other, reader]})
            }
            _ => json!("*"),
        };
        let mut allow = json!({
            "Sid": "Read",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "secretsmanager:GetSecretValue",
            "Resource": secret_arn,
        });
        if self.rng.chance(30) {
            allow["Condition"] = json!({"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}});
        }
        document(vec![
            allow,
            json!({
                "Sid": "DenyDelete",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "secretsmanager:DeleteSecret",
                "Resource": "*",
            }),
        ])
    }
}

/// Four AWS-managed policies as AWS defines them (abridged); those nothing is attached to are
/// dropped later, as the collector drops them.
pub(super) fn aws_managed_policies() -> Vec<ManagedPolicy> {
    let managed = |name: &str, document: Value| ManagedPolicy {
        name: name.to_owned(),
        arn: format!("arn:aws:iam::aws:policy/{name}"),
        aws_managed: true,
        attachment_count: 0,
        permissions_boundary_count: 0,
        document,
    };
    vec![
        managed(
            "AdministratorAccess",
            document(vec![statement("Allow", json!("*"), json!("*"))]),
        ),
        managed(
            "ReadOnlyAccess",
            document(vec![statement(
                "Allow",
                json!([
                    "s3:Get*",
                    "s3:List*",
                    "ec2:Describe*",
                    "iam:Get*",
                    "iam:List*",
                    "secretsmanager:ListSecrets",
                    "secretsmanager:DescribeSecret",
                    "logs:Get*",
                    "cloudwatch:Get*",
                    "dynamodb:Describe*",
                    "lambda:Get*",
                    "lambda:List*"
                ]),
                json!("*"),
            )]),
        ),
        managed(
            "SecretsManagerReadWrite",
            document(vec![
                statement(
                    "Allow",
                    json!([
                        "secretsmanager:*",
                        "cloudformation:CreateChangeSet",
                        "kms:DescribeKey",
                        "kms:ListAliases",
                        "lambda:ListFunctions",
                        "rds:DescribeDBInstances",
                        "tag:GetResources"
                    ]),
                    json!("*"),
                ),
                statement(
                    "Allow",
                    json!([
                        "lambda:AddPermission",
                        "lambda:CreateFunction",
                        "lambda:GetFunction",
                        "lambda:InvokeFunction",
                        "lambda:UpdateFunctionConfiguration"
                    ]),
                    json!("arn:aws:lambda:*:*:function:SecretsManager*"),
                ),
            ]),
        ),
        managed(
            "AmazonS3ReadOnlyAccess",
            document(vec![statement(
                "Allow",
                json!([
                    "s3:Get*",
                    "s3:List*",
                    "s3-object-lambda:Get*",
                    "s3-object-lambda:List*"
                ]),
                json!("*"),
            )]),
        ),
    ]
}
