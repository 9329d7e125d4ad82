//! Facts into a snapshot: applied to an empty account (a plan alone) or to a live one (the
//! account after the plan). Applying keeps what the account already knows of an entity (when a
//! user was created, when a key was last used) and adds only what the plan states.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::snapshot::{
    AccessKey, AttachedPolicy, CollectionError, ConsolePassword, ErrorKind, Group, InlinePolicy,
    ManagedPolicy, Role, Rotation, Secret, Snapshot, User,
};

use super::catalogue;
use super::facts::Fact;
use super::names::{PrincipalKind, SecretId};

/// Applies a plan's facts to a snapshot: the facts before the plan that are gone after it are
/// taken out, the facts after it that are new or changed are put in; facts the same on both
/// sides are left as the snapshot has them. `created` stands for the creation time of what the
/// plan creates (the plan's time: apply follows it).
pub fn apply(snapshot: &mut Snapshot, before: &[Fact], after: &[Fact], created: DateTime<Utc>) {
    let before_by_key: BTreeMap<String, &Fact> = before.iter().map(|f| (f.key(), f)).collect();
    let after_by_key: BTreeMap<String, &Fact> = after.iter().map(|f| (f.key(), f)).collect();
    let mut builder = Builder {
        snapshot,
        created,
        unknown_documents: BTreeSet::new(),
    };
    for (key, fact) in &before_by_key {
        if !after_by_key.contains_key(key) {
            builder.remove(fact);
        }
    }
    let mut changed: Vec<&Fact> = after_by_key
        .iter()
        .filter(|(key, fact)| {
            before_by_key.get(*key) != Some(*fact) || matches!(fact, Fact::Unknown { .. })
        })
        .map(|(_, fact)| *fact)
        .collect();
    changed.sort_by_key(|f| f.rank());
    for fact in changed {
        builder.put(fact);
    }
    builder.finish();
}

struct Builder<'s> {
    snapshot: &'s mut Snapshot,
    created: DateTime<Utc>,
    /// Customer-managed policies whose document is unknown until apply.
    unknown_documents: BTreeSet<String>,
}

impl Builder<'_> {
    fn put(&mut self, fact: &Fact) {
        match fact {
            Fact::PasswordPolicy(policy) => self.snapshot.password_policy = Some(policy.clone()),
            Fact::User { name, arn, tags } => {
                let user = self.user(name, arn);
                user.tags = tags.clone();
            }
            Fact::LoginProfile { user } => {
                let created = self.created;
                let user = self.user(user, "");
                if user.password.is_none() {
                    user.password = Some(ConsolePassword {
                        enabled: true,
                        last_used: None,
                        last_changed: Some(created),
                    });
                }
            }
            Fact::AccessKey {
                user,
                id,
                created,
                status,
                ..
            } => {
                let created = created.unwrap_or(self.created);
                let user = self.user(user, "");
                match user
                    .access_keys
                    .iter_mut()
                    .find(|k| same_key(k, id.as_deref(), created))
                {
                    Some(key) => key.status = *status,
                    None => user.access_keys.push(AccessKey {
                        id: id.clone(),
                        status: *status,
                        created,
                        last_used: None,
                    }),
                }
            }
            Fact::Membership { user, group } => {
                let user = self.user(user, "");
                if !user.groups.contains(group) {
                    user.groups.push(group.clone());
                }
            }
            Fact::Group { name, arn } => {
                self.group(name, arn);
            }
            Fact::Role {
                name,
                arn,
                trust,
                tags,
            } => {
                let role = self.role(name, arn);
                role.assume_role_policy = trust.clone();
                role.tags = tags.clone();
            }
            Fact::Policy {
                arn,
                name,
                document,
            } => {
                if document.is_none() {
                    self.unknown_documents.insert(arn.clone());
                }
                let document = document.clone().unwrap_or_else(empty_document);
                match self.snapshot.policies.iter_mut().find(|p| p.arn == *arn) {
                    Some(policy) => {
                        policy.name = name.clone();
                        policy.document = document;
                    }
                    None => self.snapshot.policies.push(ManagedPolicy {
                        name: name.clone(),
                        arn: arn.clone(),
                        aws_managed: false,
                        attachment_count: 0,
                        permissions_boundary_count: 0,
                        document,
                    }),
                }
            }
            Fact::Attachment {
                kind,
                principal,
                policy_arn,
            } => self.attach(*kind, principal, policy_arn),
            Fact::Inline {
                kind,
                principal,
                name,
                document,
            } => {
                let inline = self.inline_policies(*kind, principal);
                inline.retain(|p| p.name != *name);
                inline.push(InlinePolicy {
                    name: name.clone(),
                    document: document.clone(),
                });
            }
            Fact::Secret {
                id,
                arn,
                description,
                kms_key_id,
                tags,
            } => {
                let secret = self.secret(id, arn);
                secret.description = description.clone();
                secret.kms_key_id = kms_key_id.clone();
                secret.tags = tags.clone();
            }
            Fact::Rotation {
                secret,
                lambda_arn,
                rules,
            } => {
                let secret = self.secret(secret, "");
                secret.rotation.enabled = true;
                secret.rotation.lambda_arn = lambda_arn.clone();
                secret.rotation.rules = Some(rules.clone());
            }
            Fact::SecretPolicy { secret, document } => {
                self.secret(secret, "").resource_policy = Some(document.clone());
            }
            Fact::Unknown {
                sections,
                resource,
                message,
            } => {
                self.snapshot.collection_errors.push(CollectionError {
                    sections: sections.clone(),
                    service: "terraform".to_owned(),
                    operation: "plan".to_owned(),
                    region: None,
                    resource: resource.clone(),
                    kind: ErrorKind::KnownAfterApply,
                    message: message.clone(),
                });
            }
        }
    }

    fn remove(&mut self, fact: &Fact) {
        let s = &mut *self.snapshot;
        match fact {
            Fact::PasswordPolicy(_) => s.password_policy = None,
            Fact::User { name, .. } => s.users.retain(|u| u.name != *name),
            Fact::Group { name, .. } => s.groups.retain(|g| g.name != *name),
            Fact::Role { name, .. } => s.roles.retain(|r| r.name != *name),
            Fact::Policy { arn, .. } => s.policies.retain(|p| p.arn != *arn),
            Fact::LoginProfile { user } => {
                if let Some(user) = s.users.iter_mut().find(|u| u.name == *user) {
                    user.password = None;
                }
            }
            Fact::AccessKey {
                user, id, created, ..
            } => {
                if let Some(user) = s.users.iter_mut().find(|u| u.name == *user) {
                    user.access_keys.retain(|k| match created {
                        Some(created) => !same_key(k, id.as_deref(), *created),
                        None => id.is_none() || k.id != *id,
                    });
                }
            }
            Fact::Membership { user, group } => {
                if let Some(user) = s.users.iter_mut().find(|u| u.name == *user) {
                    user.groups.retain(|g| g != group);
                }
            }
            Fact::Attachment {
                kind,
                principal,
                policy_arn,
            } => {
                if let Some((attached, _)) = self.policies_if_present(*kind, principal) {
                    attached.retain(|a| a.arn != *policy_arn);
                }
            }
            Fact::Inline {
                kind,
                principal,
                name,
                ..
            } => {
                if let Some((_, inline)) = self.policies_if_present(*kind, principal) {
                    inline.retain(|p| p.name != *name);
                }
            }
            Fact::Secret { id, .. } => s.secrets.retain(|x| !is_secret(x, id)),
            Fact::Rotation { secret, .. } => {
                if let Some(secret) = s.secrets.iter_mut().find(|x| is_secret(x, secret)) {
                    secret.rotation.enabled = false;
                    secret.rotation.lambda_arn = None;
                    secret.rotation.rules = None;
                    secret.rotation.next_rotation = None;
                }
            }
            Fact::SecretPolicy { secret, .. } => {
                if let Some(secret) = s.secrets.iter_mut().find(|x| is_secret(x, secret)) {
                    secret.resource_policy = None;
                }
            }
            Fact::Unknown { .. } => {}
        }
    }

    /// A user by name, created (with the plan's time, no MFA, no password yet) if the snapshot
    /// has none: a user the plan creates has never signed in or enrolled a device.
    fn user(&mut self, name: &str, arn: &str) -> &mut User {
        let account = self.snapshot.account.clone();
        let created = self.created;
        let index = match self.snapshot.users.iter().position(|u| u.name == name) {
            Some(index) => index,
            None => {
                self.snapshot.users.push(User {
                    name: name.to_owned(),
                    arn: or_arn(arn, &account, "user", name),
                    created,
                    password: None,
                    mfa_active: false,
                    mfa_devices: Vec::new(),
                    access_keys: Vec::new(),
                    groups: Vec::new(),
                    attached_policies: Vec::new(),
                    inline_policies: Vec::new(),
                    // Not read from plans yet (docs/access.md, what the model does not weigh).
                    permissions_boundary: None,
                    tags: BTreeMap::new(),
                });
                self.snapshot.users.len() - 1
            }
        };
        &mut self.snapshot.users[index]
    }

    fn group(&mut self, name: &str, arn: &str) -> &mut Group {
        let account = self.snapshot.account.clone();
        let created = self.created;
        let index = match self.snapshot.groups.iter().position(|g| g.name == name) {
            Some(index) => index,
            None => {
                self.snapshot.groups.push(Group {
                    name: name.to_owned(),
                    arn: or_arn(arn, &account, "group", name),
                    created: Some(created),
                    attached_policies: Vec::new(),
                    inline_policies: Vec::new(),
                });
                self.snapshot.groups.len() - 1
            }
        };
        &mut self.snapshot.groups[index]
    }

    fn role(&mut self, name: &str, arn: &str) -> &mut Role {
        let account = self.snapshot.account.clone();
        let created = self.created;
        let index = match self.snapshot.roles.iter().position(|r| r.name == name) {
            Some(index) => index,
            None => {
                self.snapshot.roles.push(Role {
                    name: name.to_owned(),
                    arn: or_arn(arn, &account, "role", name),
                    created: Some(created),
                    assume_role_policy: None,
                    last_used: None,
                    attached_policies: Vec::new(),
                    inline_policies: Vec::new(),
                    // Not read from plans yet (docs/access.md, what the model does not weigh).
                    permissions_boundary: None,
                    tags: BTreeMap::new(),
                });
                self.snapshot.roles.len() - 1
            }
        };
        &mut self.snapshot.roles[index]
    }

    fn secret(&mut self, id: &SecretId, arn: &str) -> &mut Secret {
        let created = self.created;
        let account = self.snapshot.account.clone();
        let index = match self.snapshot.secrets.iter().position(|s| is_secret(s, id)) {
            Some(index) => index,
            None => {
                let arn = if arn.is_empty() {
                    format!(
                        "arn:{}:secretsmanager:{}:{}:secret:{}-??????",
                        account.partition, id.region, account.id, id.name
                    )
                } else {
                    arn.to_owned()
                };
                self.snapshot.secrets.push(Secret {
                    arn,
                    name: id.name.clone(),
                    region: id.region.clone(),
                    description: None,
                    created: Some(created),
                    last_changed: Some(created),
                    last_accessed: None,
                    rotation: Rotation::default(),
                    kms_key_id: None,
                    owning_service: None,
                    tags: BTreeMap::new(),
                    resource_policy: None,
                    deleted_date: None,
                });
                if !self.snapshot.collector.regions.contains(&id.region) {
                    self.snapshot.collector.regions.push(id.region.clone());
                }
                self.snapshot.secrets.len() - 1
            }
        };
        &mut self.snapshot.secrets[index]
    }

    fn attach(&mut self, kind: PrincipalKind, principal: &str, policy_arn: &str) {
        let name = policy_arn
            .rsplit('/')
            .next()
            .unwrap_or(policy_arn)
            .to_owned();
        let attached = self.attached_policies(kind, principal);
        if !attached.iter().any(|a| a.arn == policy_arn) {
            attached.push(AttachedPolicy {
                name,
                arn: policy_arn.to_owned(),
            });
        }
        self.ensure_aws_managed(policy_arn);
    }

    /// An AWS-managed policy's document, from the snapshot or else the catalogue.
    fn ensure_aws_managed(&mut self, arn: &str) {
        if !catalogue::is_aws_managed(arn) || self.snapshot.policies.iter().any(|p| p.arn == arn) {
            return;
        }
        if let Some((name, document)) = catalogue::aws_managed(arn) {
            self.snapshot.policies.push(ManagedPolicy {
                name,
                arn: arn.to_owned(),
                aws_managed: true,
                attachment_count: 0,
                permissions_boundary_count: 0,
                document,
            });
        }
    }

    fn attached_policies(
        &mut self,
        kind: PrincipalKind,
        principal: &str,
    ) -> &mut Vec<AttachedPolicy> {
        match kind {
            PrincipalKind::User => &mut self.user(principal, "").attached_policies,
            PrincipalKind::Group => &mut self.group(principal, "").attached_policies,
            PrincipalKind::Role => &mut self.role(principal, "").attached_policies,
        }
    }

    fn inline_policies(&mut self, kind: PrincipalKind, principal: &str) -> &mut Vec<InlinePolicy> {
        match kind {
            PrincipalKind::User => &mut self.user(principal, "").inline_policies,
            PrincipalKind::Group => &mut self.group(principal, "").inline_policies,
            PrincipalKind::Role => &mut self.role(principal, "").inline_policies,
        }
    }

    /// The attached and inline policy lists of a principal the snapshot already holds.
    fn policies_if_present(
        &mut self,
        kind: PrincipalKind,
        name: &str,
    ) -> Option<(&mut Vec<AttachedPolicy>, &mut Vec<InlinePolicy>)> {
        let s = &mut *self.snapshot;
        match kind {
            PrincipalKind::User => s
                .users
                .iter_mut()
                .find(|u| u.name == name)
                .map(|u| (&mut u.attached_policies, &mut u.inline_policies)),
            PrincipalKind::Group => s
                .groups
                .iter_mut()
                .find(|g| g.name == name)
                .map(|g| (&mut g.attached_policies, &mut g.inline_policies)),
            PrincipalKind::Role => s
                .roles
                .iter_mut()
                .find(|r| r.name == name)
                .map(|r| (&mut r.attached_policies, &mut r.inline_policies)),
        }
    }

    /// Attachment counts recounted; principals holding a policy whose document is unknown, or
    /// an AWS-managed policy keyward has no document for, get a gap of their own; so do users
    /// in a group the snapshot does not have.
    fn finish(&mut self) {
        let s = &mut *self.snapshot;
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        let mut holders: Vec<(String, String)> = Vec::new(); // (policy ARN, principal ARN)
        let principals = s
            .users
            .iter()
            .map(|u| (&u.arn, &u.attached_policies))
            .chain(s.groups.iter().map(|g| (&g.arn, &g.attached_policies)))
            .chain(s.roles.iter().map(|r| (&r.arn, &r.attached_policies)));
        for (arn, attached) in principals {
            for policy in attached {
                *counts.entry(policy.arn.clone()).or_default() += 1;
                holders.push((policy.arn.clone(), arn.clone()));
            }
        }
        for policy in &mut s.policies {
            policy.attachment_count = counts.get(&policy.arn).copied().unwrap_or(0);
        }
        let known: BTreeSet<&str> = s.policies.iter().map(|p| p.arn.as_str()).collect();
        let mut gaps = Vec::new();
        for (policy, principal) in &holders {
            let reason = if self.unknown_documents.contains(policy) {
                format!("the document of policy {policy} is known only after apply")
            } else if !known.contains(policy.as_str()) {
                if catalogue::is_aws_managed(policy) {
                    format!(
                        "AWS-managed policy {policy} is not in keyward's catalogue of AWS-managed policies (judge the plan with the live account, which has its document)"
                    )
                } else {
                    format!("policy {policy} is neither in the plan nor in the account")
                }
            } else {
                continue;
            };
            gaps.push(gap(principal, reason));
        }
        let groups: BTreeSet<&str> = s.groups.iter().map(|g| g.name.as_str()).collect();
        for user in &s.users {
            for group in user.groups.iter().filter(|g| !groups.contains(g.as_str())) {
                gaps.push(gap(
                    &user.arn,
                    format!("group {group} is neither in the plan nor in the account"),
                ));
            }
        }
        s.collection_errors.extend(gaps);
    }
}

fn gap(resource: &str, message: String) -> CollectionError {
    CollectionError {
        sections: vec![crate::snapshot::DataSection::IamAuthorization],
        service: "terraform".to_owned(),
        operation: "plan".to_owned(),
        region: None,
        resource: Some(resource.to_owned()),
        kind: ErrorKind::KnownAfterApply,
        message,
    }
}

fn or_arn(arn: &str, account: &crate::snapshot::Account, kind: &str, name: &str) -> String {
    if arn.is_empty() {
        format!(
            "arn:{}:iam::{}:{kind}/{name}",
            account.partition, account.id
        )
    } else {
        arn.to_owned()
    }
}

fn is_secret(secret: &Secret, id: &SecretId) -> bool {
    secret.name == id.name && secret.region == id.region
}

/// Whether a key is the one the plan means: by id when both have one, else by creation time
/// (the credential report, a live source, has no key ids).
fn same_key(key: &AccessKey, id: Option<&str>, created: DateTime<Utc>) -> bool {
    match (key.id.as_deref(), id) {
        (Some(a), Some(b)) => a == b,
        _ => key.created == created,
    }
}

fn empty_document() -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": []})
}
