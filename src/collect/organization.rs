//! AWS Organizations: which organization the account belongs to (DescribeOrganization, which
//! any member account may call), and, for a scan with `--org`, the service and resource control
//! policies on each account's path from the root (ListRoots, ListParents, ListPoliciesForTarget,
//! DescribePolicy, which only the management account or a delegated administrator may call).
//!
//! Roots, organizational units and policies are shared by many accounts: each is read once per
//! scan, however many accounts sit below it, so the calls grow with the organization's shape,
//! not with its accounts times their depth.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_sdk_organizations::types::{ParentType, PolicyType, PolicyTypeStatus};
use tokio::sync::OnceCell;

use super::aws::{CallError, classify};
use crate::snapshot::{OrganizationPolicies, OrganizationPolicy, OrganizationTarget};

/// The answer of an account that belongs to no organization.
const NOT_IN_USE: &str = "AWSOrganizationsNotInUseException";

/// The organization of the calling account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationIdentity {
    pub id: String,
    pub management_account_id: Option<String>,
}

/// The caller's organization; `None` when the account belongs to none (data, not an error).
pub async fn describe(
    client: &aws_sdk_organizations::Client,
) -> Result<Option<OrganizationIdentity>, CallError> {
    match client.describe_organization().send().await {
        Ok(output) => Ok(output.organization().and_then(|o| {
            Some(OrganizationIdentity {
                id: o.id()?.to_owned(),
                management_account_id: o.master_account_id().map(str::to_owned),
            })
        })),
        Err(e) => {
            let error = classify(&e);
            if error.code.as_deref() == Some(NOT_IN_USE) {
                Ok(None)
            } else {
                Err(error)
            }
        }
    }
}

/// The organization's delegated administrator accounts, of any service.
pub async fn delegated_administrators(
    client: &aws_sdk_organizations::Client,
) -> Result<Vec<String>, CallError> {
    let mut ids = Vec::new();
    let mut pages = client
        .list_delegated_administrators()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify(&e))?;
        ids.extend(
            page.delegated_administrators()
                .iter()
                .filter_map(|a| a.id().map(str::to_owned)),
        );
    }
    Ok(ids)
}

/// A read-through cache of one answer per key, so that concurrent account tasks asking for the
/// same root, parent or policy make one call between them.
type Cells<K, V> = Mutex<HashMap<K, Arc<OnceCell<V>>>>;

/// Reads the policy paths of the organization's accounts, sharing what accounts have in common.
pub struct PolicyReader {
    client: aws_sdk_organizations::Client,
    root: OnceCell<Root>,
    parents: Cells<String, (String, String)>,
    attached: Cells<(String, PolicyType), Vec<String>>,
    documents: Cells<String, OrganizationPolicy>,
}

/// The organization root and the policy types enabled on it.
#[derive(Debug, Clone)]
struct Root {
    id: String,
    service_control: bool,
    resource_control: bool,
}

impl PolicyReader {
    pub fn new(client: aws_sdk_organizations::Client) -> PolicyReader {
        PolicyReader {
            client,
            root: OnceCell::new(),
            parents: Mutex::default(),
            attached: Mutex::default(),
            documents: Mutex::default(),
        }
    }

    /// The policies on one account's path: the root, its organizational units, the account.
    pub async fn for_account(&self, account_id: &str) -> Result<OrganizationPolicies, CallError> {
        let root = self
            .root
            .get_or_try_init(|| self.read_root())
            .await?
            .clone();
        let mut path = vec![(account_id.to_owned(), "account".to_owned())];
        while path.last().is_some_and(|(id, _)| *id != root.id) {
            let (child, _) = path.last().expect("a path starts with the account");
            let parent = self.parent(child).await?;
            // An organization is a tree of a few levels; a longer chain would be a loop.
            if path.len() > 8 {
                return Err(not_available(format!(
                    "the path of account {account_id} from the root is longer than AWS allows"
                )));
            }
            path.push(parent);
        }
        path.reverse();
        let mut targets = Vec::new();
        for (id, kind) in path {
            let service_control_policies = if root.service_control {
                self.policies(&id, PolicyType::ServiceControlPolicy).await?
            } else {
                Vec::new()
            };
            let resource_control_policies = if root.resource_control {
                self.policies(&id, PolicyType::ResourceControlPolicy)
                    .await?
            } else {
                Vec::new()
            };
            targets.push(OrganizationTarget {
                id,
                kind,
                service_control_policies,
                resource_control_policies,
            });
        }
        Ok(OrganizationPolicies {
            service_control_policies_enabled: root.service_control,
            resource_control_policies_enabled: root.resource_control,
            path: targets,
        })
    }

    async fn read_root(&self) -> Result<Root, CallError> {
        let output = self
            .client
            .list_roots()
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let root = output
            .roots()
            .first()
            .ok_or_else(|| not_available("ListRoots returned no root".to_owned()))?;
        let enabled = |wanted: PolicyType| {
            root.policy_types().iter().any(|t| {
                t.r#type() == Some(&wanted) && t.status() == Some(&PolicyTypeStatus::Enabled)
            })
        };
        Ok(Root {
            id: root.id().unwrap_or_default().to_owned(),
            service_control: enabled(PolicyType::ServiceControlPolicy),
            resource_control: enabled(PolicyType::ResourceControlPolicy),
        })
    }

    /// The parent of an account or organizational unit: its id and kind.
    async fn parent(&self, child: &str) -> Result<(String, String), CallError> {
        let cell = cell(&self.parents, child.to_owned());
        cell.get_or_try_init(|| async {
            let output = self
                .client
                .list_parents()
                .child_id(child)
                .send()
                .await
                .map_err(|e| classify(&e))?;
            let parent = output.parents().first().ok_or_else(|| {
                not_available(format!("ListParents returned no parent of {child}"))
            })?;
            let kind = match parent.r#type() {
                Some(ParentType::Root) => "root",
                _ => "organizational_unit",
            };
            Ok((parent.id().unwrap_or_default().to_owned(), kind.to_owned()))
        })
        .await
        .cloned()
    }

    /// The policies of one type attached directly to a root, unit or account, with documents.
    async fn policies(
        &self,
        target: &str,
        kind: PolicyType,
    ) -> Result<Vec<OrganizationPolicy>, CallError> {
        let key = (target.to_owned(), kind.clone());
        let ids = cell(&self.attached, key)
            .get_or_try_init(|| async {
                let mut pages = self
                    .client
                    .list_policies_for_target()
                    .target_id(target)
                    .filter(kind.clone())
                    .into_paginator()
                    .send();
                let mut ids = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| classify(&e))?;
                    ids.extend(
                        page.policies()
                            .iter()
                            .filter_map(|p| p.id().map(str::to_owned)),
                    );
                }
                Ok::<_, CallError>(ids)
            })
            .await?
            .clone();
        let mut policies = Vec::new();
        for id in ids {
            policies.push(self.document(&id).await?);
        }
        Ok(policies)
    }

    async fn document(&self, id: &str) -> Result<OrganizationPolicy, CallError> {
        cell(&self.documents, id.to_owned())
            .get_or_try_init(|| async {
                let output = self
                    .client
                    .describe_policy()
                    .policy_id(id)
                    .send()
                    .await
                    .map_err(|e| classify(&e))?;
                let policy = output.policy().ok_or_else(|| {
                    not_available(format!("DescribePolicy returned nothing for {id}"))
                })?;
                let summary = policy.policy_summary();
                Ok(OrganizationPolicy {
                    id: id.to_owned(),
                    name: summary.and_then(|s| s.name()).unwrap_or(id).to_owned(),
                    aws_managed: summary.is_some_and(|s| s.aws_managed()),
                    document: policy
                        .content()
                        .map(super::authorization::policy_document)
                        .unwrap_or(serde_json::Value::Null),
                })
            })
            .await
            .cloned()
    }
}

fn cell<K: std::hash::Hash + Eq, V>(cells: &Cells<K, V>, key: K) -> Arc<OnceCell<V>> {
    cells
        .lock()
        .expect("cache lock")
        .entry(key)
        .or_insert_with(|| Arc::new(OnceCell::new()))
        .clone()
}

fn not_available(message: String) -> CallError {
    CallError {
        kind: crate::snapshot::ErrorKind::NotAvailable,
        message,
        code: None,
    }
}
