//! Users, groups, roles and managed policies from GetAccountAuthorizationDetails: one paged
//! account-wide call instead of several calls per principal.

use std::collections::BTreeMap;

use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::types::{
    AttachedPermissionsBoundary, AttachedPolicy as AwsAttachedPolicy, EntityType, GroupDetail,
    ManagedPolicyDetail, PolicyDetail, RoleDetail, Tag, UserDetail,
};

use super::aws::{CallError, classify};
use crate::snapshot::{AttachedPolicy, Group, InlinePolicy, ManagedPolicy, Role, Timestamp};

/// The largest page IAM serves; fewer pages, fewer requests.
const PAGE_SIZE: i32 = 1000;

/// Everything the call returns, before the credential report is merged in.
#[derive(Debug, Default)]
pub struct Authorization {
    pub users: Vec<UserEntry>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    pub policies: Vec<ManagedPolicy>,
}

/// A user as the authorization details describe it (credentials come from elsewhere).
#[derive(Debug, Clone)]
pub struct UserEntry {
    pub name: String,
    pub arn: String,
    pub created: Option<Timestamp>,
    pub groups: Vec<String>,
    pub attached_policies: Vec<AttachedPolicy>,
    pub inline_policies: Vec<InlinePolicy>,
    pub permissions_boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
}

pub async fn fetch(iam: &aws_sdk_iam::Client) -> Result<Authorization, CallError> {
    let mut pages = iam
        .get_account_authorization_details()
        .set_filter(Some(vec![
            EntityType::User,
            EntityType::Group,
            EntityType::Role,
            EntityType::LocalManagedPolicy,
            EntityType::AwsManagedPolicy,
        ]))
        .max_items(PAGE_SIZE)
        .into_paginator()
        .send();
    let mut authorization = Authorization::default();
    while let Some(page) = pages.next().await {
        authorization.absorb(&page.map_err(|e| classify(&e))?);
    }
    Ok(authorization)
}

impl Authorization {
    /// Adds one page. AWS-managed policies that nothing uses are dropped: an account sees all
    /// of them (over a thousand), and only those attached or set as a permissions boundary
    /// matter.
    pub fn absorb(&mut self, page: &GetAccountAuthorizationDetailsOutput) {
        self.users.extend(page.user_detail_list().iter().map(user));
        self.groups
            .extend(page.group_detail_list().iter().map(group));
        self.roles.extend(page.role_detail_list().iter().map(role));
        self.policies.extend(
            page.policies()
                .iter()
                .filter_map(managed_policy)
                .filter(|p| {
                    !p.aws_managed || p.attachment_count > 0 || p.permissions_boundary_count > 0
                }),
        );
    }
}

fn user(detail: &UserDetail) -> UserEntry {
    UserEntry {
        name: text(detail.user_name()),
        arn: text(detail.arn()),
        created: detail.create_date().and_then(super::aws::to_timestamp),
        groups: detail.group_list().to_vec(),
        attached_policies: attached(detail.attached_managed_policies()),
        inline_policies: inline(detail.user_policy_list()),
        permissions_boundary: boundary(detail.permissions_boundary()),
        tags: tags(detail.tags()),
    }
}

fn group(detail: &GroupDetail) -> Group {
    Group {
        name: text(detail.group_name()),
        arn: text(detail.arn()),
        created: detail.create_date().and_then(super::aws::to_timestamp),
        attached_policies: attached(detail.attached_managed_policies()),
        inline_policies: inline(detail.group_policy_list()),
    }
}

fn role(detail: &RoleDetail) -> Role {
    Role {
        name: text(detail.role_name()),
        arn: text(detail.arn()),
        created: detail.create_date().and_then(super::aws::to_timestamp),
        assume_role_policy: detail.assume_role_policy_document().map(policy_document),
        last_used: detail
            .role_last_used()
            .and_then(|used| used.last_used_date())
            .and_then(super::aws::to_timestamp),
        attached_policies: attached(detail.attached_managed_policies()),
        inline_policies: inline(detail.role_policy_list()),
        permissions_boundary: boundary(detail.permissions_boundary()),
        tags: tags(detail.tags()),
    }
}

/// A managed policy with its default version's document; `None` when AWS sent no default
/// version (which it always should).
fn managed_policy(detail: &ManagedPolicyDetail) -> Option<ManagedPolicy> {
    let arn = text(detail.arn());
    let default = detail
        .policy_version_list()
        .iter()
        .find(|v| v.is_default_version())?;
    // The name is the ARN's last segment; moto leaves PolicyName out.
    let name = detail
        .policy_name()
        .map(str::to_owned)
        .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_owned());
    Some(ManagedPolicy {
        name,
        aws_managed: arn.contains(":iam::aws:policy/"),
        arn,
        attachment_count: detail.attachment_count().unwrap_or(0).max(0) as u32,
        permissions_boundary_count: detail
            .permissions_boundary_usage_count()
            .unwrap_or(0)
            .max(0) as u32,
        document: default
            .document()
            .map(policy_document)
            .unwrap_or(serde_json::Value::Null),
    })
}

/// The boundary's policy ARN. moto answers an unset boundary with an empty element.
fn boundary(boundary: Option<&AttachedPermissionsBoundary>) -> Option<String> {
    boundary
        .and_then(|b| b.permissions_boundary_arn())
        .filter(|arn| !arn.is_empty())
        .map(str::to_owned)
}

fn attached(policies: &[AwsAttachedPolicy]) -> Vec<AttachedPolicy> {
    policies
        .iter()
        .map(|p| AttachedPolicy {
            name: text(p.policy_name()),
            arn: text(p.policy_arn()),
        })
        .collect()
}

fn inline(policies: &[PolicyDetail]) -> Vec<InlinePolicy> {
    policies
        .iter()
        .map(|p| InlinePolicy {
            name: text(p.policy_name()),
            document: p
                .policy_document()
                .map(policy_document)
                .unwrap_or(serde_json::Value::Null),
        })
        .collect()
}

fn tags(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

/// IAM returns policy documents URL-encoded (RFC 3986); policies read them as JSON. A document
/// that does not decode is kept as a string, so nothing is silently lost.
pub fn policy_document(encoded: &str) -> serde_json::Value {
    let decoded = percent_encoding::percent_decode_str(encoded).decode_utf8_lossy();
    serde_json::from_str(&decoded)
        .or_else(|_| serde_json::from_str(encoded))
        .unwrap_or_else(|_| serde_json::Value::String(decoded.into_owned()))
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use aws_sdk_iam::types::PolicyVersion;

    use super::*;

    fn page(
        users: &[&str],
        policies: Vec<ManagedPolicyDetail>,
        marker: Option<&str>,
    ) -> GetAccountAuthorizationDetailsOutput {
        let mut builder = GetAccountAuthorizationDetailsOutput::builder()
            .set_user_detail_list(Some(
                users
                    .iter()
                    .map(|name| {
                        UserDetail::builder()
                            .user_name(*name)
                            .arn(format!("arn:aws:iam::123456789012:user/{name}"))
                            .group_list("devs")
                            .permissions_boundary(
                                AttachedPermissionsBoundary::builder()
                                    .permissions_boundary_arn(
                                        "arn:aws:iam::aws:policy/PowerUserAccess",
                                    )
                                    .build(),
                            )
                            .build()
                    })
                    .collect(),
            ))
            .set_policies(Some(policies))
            .is_truncated(marker.is_some());
        if let Some(marker) = marker {
            builder = builder.marker(marker);
        }
        builder.build()
    }

    fn policy(arn: &str, attachments: i32) -> ManagedPolicyDetail {
        ManagedPolicyDetail::builder()
            .arn(arn)
            .policy_name(arn.rsplit('/').next().unwrap())
            .attachment_count(attachments)
            .policy_version_list(PolicyVersion::builder().version_id("v1").is_default_version(false).document("%7B%7D").build())
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v2")
                    .is_default_version(true)
                    .document("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D")
                    .build(),
            )
            .build()
    }

    /// A policy attached to nobody but used as a permissions boundary.
    fn boundary_policy(arn: &str, boundaries: i32) -> ManagedPolicyDetail {
        let mut detail = policy(arn, 0);
        detail.permissions_boundary_usage_count = Some(boundaries);
        detail
    }

    #[test]
    fn pages_accumulate_and_unused_aws_policies_are_dropped() {
        // moto serves one page; AWS pages at 1000 items. Each page must add, never replace.
        let mut authorization = Authorization::default();
        authorization.absorb(&page(
            &["alice", "bob"],
            vec![
                policy("arn:aws:iam::123456789012:policy/Admin", 1),
                policy("arn:aws:iam::aws:policy/Unused", 0),
                boundary_policy("arn:aws:iam::aws:policy/PowerUserAccess", 3),
            ],
            Some("next"),
        ));
        authorization.absorb(&page(
            &["carol"],
            vec![policy("arn:aws:iam::aws:policy/ReadOnlyAccess", 2)],
            None,
        ));
        let names: Vec<&str> = authorization
            .users
            .iter()
            .map(|u| u.name.as_str())
            .collect();
        assert_eq!(names, ["alice", "bob", "carol"]);
        assert_eq!(authorization.users[0].groups, ["devs"]);
        assert_eq!(
            authorization.users[0].permissions_boundary.as_deref(),
            Some("arn:aws:iam::aws:policy/PowerUserAccess")
        );
        let policies: Vec<&str> = authorization
            .policies
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(policies, ["Admin", "PowerUserAccess", "ReadOnlyAccess"]);
        assert_eq!(authorization.policies[1].permissions_boundary_count, 3);
        assert!(authorization.policies[2].aws_managed);
        assert_eq!(
            authorization.policies[0].document["Statement"][0]["Action"], "*",
            "the default version is kept"
        );
    }

    #[test]
    fn policy_documents_are_decoded() {
        assert_eq!(policy_document("%7B%22a%22%3A1%7D")["a"], 1);
        assert_eq!(policy_document("{\"a\":2}")["a"], 2);
        assert_eq!(
            policy_document("not json"),
            serde_json::Value::String("not json".into())
        );
    }
}
