//! What the access model weighs beyond identity policies: a permissions boundary that some
//! users have, and the organization the account belongs to, with its SCPs and RCPs.

use serde_json::{Value, json};

use super::documents::{document, statement};
use super::generator::Generator;
use crate::snapshot::{
    ManagedPolicy, Organization, OrganizationPolicies, OrganizationPolicy, OrganizationTarget,
};

/// The permissions boundary some users have: their own work and no signing keys.
const BOUNDARY: &str = "developer-boundary";

/// The organization's id and its management account.
const ORGANIZATION_ID: &str = "o-synthetic";
const MANAGEMENT_ACCOUNT: &str = "999999999999";

impl Generator {
    pub(super) fn boundary_arn(&self) -> String {
        self.arn("policy", BOUNDARY)
    }

    /// The boundary policy, used by `users` users.
    pub(super) fn boundary_policy(&self, users: usize) -> ManagedPolicy {
        let account = &self.account;
        ManagedPolicy {
            name: BOUNDARY.to_owned(),
            arn: self.boundary_arn(),
            aws_managed: false,
            attachment_count: 0,
            permissions_boundary_count: u32::try_from(users).unwrap_or(u32::MAX),
            document: document(vec![
                statement(
                    "Allow",
                    json!([
                        "s3:*",
                        "logs:*",
                        "sts:AssumeRole",
                        "secretsmanager:Describe*",
                        "secretsmanager:GetSecretValue"
                    ]),
                    json!("*"),
                ),
                statement(
                    "Deny",
                    json!("secretsmanager:GetSecretValue"),
                    json!(format!(
                        "arn:aws:secretsmanager:*:{account}:secret:*/signing-key-*"
                    )),
                ),
            ]),
        }
    }

    /// The account is a member of an organization whose SCPs keep everyone but a break-glass
    /// role away from the break-glass secrets, and whose RCPs keep secrets within the
    /// organization.
    pub(super) fn organization(&self) -> Organization {
        let account = &self.account;
        let full = || {
            policy(
                "p-FullAWSAccess",
                "FullAWSAccess",
                document(vec![statement("Allow", json!("*"), json!("*"))]),
            )
        };
        let break_glass = policy(
            "p-break-glass",
            "break-glass-secrets-for-break-glass-only",
            document(vec![json!({
                "Effect": "Deny",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "arn:aws:secretsmanager:*:*:secret:break-glass/*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": format!("arn:aws:iam::{account}:role/break-glass")}},
            })]),
        );
        let perimeter = policy(
            "p-perimeter",
            "secrets-within-the-organization",
            document(vec![json!({
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:*",
                "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORGANIZATION_ID},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
            })]),
        );
        Organization {
            id: ORGANIZATION_ID.to_owned(),
            management_account_id: Some(MANAGEMENT_ACCOUNT.to_owned()),
            policies: Some(OrganizationPolicies {
                service_control_policies_enabled: true,
                resource_control_policies_enabled: true,
                path: vec![
                    target("r-synthetic", "root", vec![full()], vec![perimeter]),
                    target(
                        "ou-synthetic-prod",
                        "organizational_unit",
                        vec![full(), break_glass],
                        Vec::new(),
                    ),
                    target(account, "account", vec![full()], Vec::new()),
                ],
            }),
        }
    }
}

fn policy(id: &str, name: &str, document: Value) -> OrganizationPolicy {
    OrganizationPolicy {
        id: id.to_owned(),
        name: name.to_owned(),
        aws_managed: id == "p-FullAWSAccess",
        document,
    }
}

fn target(
    id: &str,
    kind: &str,
    scps: Vec<OrganizationPolicy>,
    rcps: Vec<OrganizationPolicy>,
) -> OrganizationTarget {
    OrganizationTarget {
        id: id.to_owned(),
        kind: kind.to_owned(),
        service_control_policies: scps,
        resource_control_policies: rcps,
    }
}
