//! Everything the model reads from a snapshot, read once: every policy document parsed into
//! statements (each with its action mask and its conditions split by what they depend on), the
//! principals with the policies that apply to them, and the resources by kind.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::bits::Bits;
use super::catalog::{self, Target};
use super::condition::{Organization, OwnPrincipal};
use super::document::{self, Clause, Effect, PolicyKind, Statement};
use super::universe::Universe;
use crate::snapshot::Snapshot;

pub type PolicyId = usize;
pub type StmtId = usize;

/// A parsed policy document and where it comes from.
pub struct Policy {
    /// The name reports use (the ARN's last part for a managed policy).
    pub name: String,
    pub arn: Option<String>,
    pub kind: PolicyKind,
    /// What it is attached to: users, groups, roles, a secret (for an SCP or RCP: nothing).
    pub attached_to: Vec<String>,
    pub statements: Vec<StmtId>,
    /// Why AWS would reject it; its statements are then empty.
    pub problem: Option<String>,
}

/// A statement, ready to be asked about.
pub struct Stmt {
    pub policy: PolicyId,
    pub statement: Statement,
    /// The catalog's actions it covers.
    pub mask: u64,
    /// Conditions on the resource (judged per secret), and the rest.
    pub resource_clauses: Vec<Clause>,
    pub other_clauses: Vec<Clause>,
    /// Its answer depends on which principal asks: a condition on who, or a policy variable.
    pub personal: bool,
}

impl Stmt {
    pub fn effect(&self) -> Effect {
        self.statement.effect
    }

    pub fn covers(&self, action: catalog::Act) -> bool {
        self.mask & action.bit() != 0
    }
}

/// A user or role of the account.
pub struct Principal {
    pub facts: OwnPrincipal,
    /// Identity policies and what holds each (the principal itself or one of its groups), as
    /// an index into `Store::holders`.
    pub identity: Vec<(PolicyId, usize)>,
    pub boundary: Boundary,
    /// Indices into `Store::groups` (users only).
    pub groups: Vec<usize>,
    /// Service-linked roles (path `/aws-service-role/`): SCPs do not restrict them.
    pub service_linked: bool,
    /// The holder index of the principal itself.
    pub holder: usize,
    /// The catalog's actions some identity Allow statement of the principal covers (every one
    /// when a policy cannot be read): an action outside it is granted by identity policies
    /// nowhere, which settles most questions before any set is built.
    pub allow_mask: u64,
}

impl Principal {
    pub fn is_user(&self) -> bool {
        self.facts.is_user
    }

    pub fn arn(&self) -> &str {
        &self.facts.arn
    }
}

/// A principal's permissions boundary.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Boundary {
    None,
    Policy(PolicyId),
    /// Set, but its document is not in the snapshot: everything it allows is unknown.
    Missing,
}

/// Something policies are attached to: a user, group or role.
pub struct Holder {
    pub arn: String,
    pub kind: &'static str,
    /// Principals the holder's policies apply to: itself, or a group's members.
    pub members: Vec<usize>,
    /// The identity policies it holds: its inline ones, then the managed ones it attaches (not
    /// its permissions boundary).
    pub policies: Vec<PolicyId>,
}

/// A secret, as the model sees it.
pub struct SecretInfo {
    pub tags: std::collections::BTreeMap<String, String>,
    pub region: String,
    pub deleted: bool,
    /// Resource policy (a `PolicyId`), if it has one.
    pub policy: Option<PolicyId>,
}

/// One level of the organization path (the root, an OU, the account), with its SCPs and RCPs.
pub struct OrgLevel {
    pub scps: Vec<PolicyId>,
    pub rcps: Vec<PolicyId>,
}

/// Whether and how organization policies apply to the account.
pub enum OrgPolicies {
    /// Weighed: each level must allow (SCPs), none may deny.
    Weighed {
        scp: bool,
        rcp: bool,
        levels: Vec<OrgLevel>,
    },
    /// Not in the snapshot.
    NotCollected,
    /// The account is in no organization.
    NotInOrganization,
    /// The management account: SCPs and RCPs do not restrict it.
    ManagementAccount,
}

pub struct Store {
    pub as_of: DateTime<Utc>,
    pub account: Arc<str>,
    pub partition: String,
    pub organization: Arc<Organization>,
    /// Every account of the organization, where a scan with `--org` listed them.
    pub organization_members: Option<HashSet<String>>,
    pub policies: Vec<Policy>,
    pub stmts: Vec<Stmt>,
    pub principals: Vec<Principal>,
    pub holders: Vec<Holder>,
    /// Group holder indices, in `snapshot.groups` order.
    pub groups: Vec<usize>,
    pub secrets: Vec<SecretInfo>,
    /// Real secrets come first; after them the probes: a secret that does not exist yet in each
    /// region, to tell "every secret" from "every secret there is today".
    pub real_secrets: usize,
    /// The secrets that can be read at all: every one but those scheduled for deletion (probes
    /// included).
    pub readable: Bits,
    /// The resource ARNs of each kind (secrets and probes; roles; users; groups; managed
    /// policies), in the order of the vectors above.
    pub secret_universe: Universe,
    pub role_universe: Universe,
    pub user_universe: Universe,
    pub group_universe: Universe,
    pub policy_universe: Universe,
    /// Principal indices of the roles, in role-universe order, and of the users.
    pub role_principals: Vec<usize>,
    pub user_principals: Vec<usize>,
    /// Trust policy per role (role-universe order).
    pub trust: Vec<Option<PolicyId>>,
    pub org: OrgPolicies,
    /// Managed policies by ARN.
    pub managed: HashMap<String, PolicyId>,
}

impl Store {
    pub fn new(snapshot: &Snapshot, as_of: DateTime<Utc>) -> Store {
        let organization = organization_of(snapshot);
        let mut store = Store {
            as_of,
            account: Arc::from(snapshot.account.id.as_str()),
            partition: snapshot.account.partition.clone(),
            organization: Arc::new(organization),
            organization_members: snapshot
                .organization
                .as_ref()
                .and_then(|o| o.member_accounts.as_ref())
                .map(|accounts| accounts.iter().cloned().collect()),
            policies: Vec::new(),
            stmts: Vec::new(),
            principals: Vec::new(),
            holders: Vec::new(),
            groups: Vec::new(),
            secrets: Vec::new(),
            real_secrets: 0,
            readable: Bits::empty(0),
            secret_universe: Universe::new(Vec::new()),
            role_universe: Universe::new(Vec::new()),
            user_universe: Universe::new(Vec::new()),
            group_universe: Universe::new(Vec::new()),
            policy_universe: Universe::new(Vec::new()),
            role_principals: Vec::new(),
            user_principals: Vec::new(),
            trust: Vec::new(),
            org: OrgPolicies::NotCollected,
            managed: HashMap::new(),
        };
        store.read_managed(snapshot);
        store.read_principals(snapshot);
        store.compute_allow_masks();
        store.read_secrets(snapshot);
        store.read_organization(snapshot);
        store
    }

    pub fn universe(&self, target: Target) -> &Universe {
        match target {
            Target::Secret => &self.secret_universe,
            Target::Role => &self.role_universe,
            Target::User => &self.user_universe,
            Target::Group => &self.group_universe,
            Target::Policy | Target::Any => &self.policy_universe,
        }
    }

    pub fn stmt(&self, id: StmtId) -> &Stmt {
        &self.stmts[id]
    }

    pub fn policy_of(&self, stmt: StmtId) -> &Policy {
        &self.policies[self.stmts[stmt].policy]
    }

    /// Parses a document and records it; a document AWS would reject is kept with its problem
    /// and no statements.
    fn add_policy(
        &mut self,
        name: String,
        arn: Option<String>,
        kind: PolicyKind,
        attached_to: Vec<String>,
        document: &Value,
    ) -> PolicyId {
        let id = self.policies.len();
        let (statements, problem) = match document::parse(document, kind) {
            Ok(statements) => (statements, None),
            Err(problem) => (Vec::new(), Some(problem)),
        };
        let mut ids = Vec::with_capacity(statements.len());
        for statement in statements {
            ids.push(self.stmts.len());
            self.stmts.push(compile(id, statement));
        }
        self.policies.push(Policy {
            name,
            arn,
            kind,
            attached_to,
            statements: ids,
            problem,
        });
        id
    }

    fn read_managed(&mut self, snapshot: &Snapshot) {
        let mut arns = Vec::new();
        for policy in &snapshot.policies {
            let kind = if policy.attachment_count == 0 && policy.permissions_boundary_count > 0 {
                PolicyKind::Boundary
            } else {
                PolicyKind::Identity
            };
            let id = self.add_policy(
                policy.name.clone(),
                Some(policy.arn.clone()),
                kind,
                Vec::new(),
                &policy.document,
            );
            self.managed.insert(policy.arn.clone(), id);
            if !policy.aws_managed {
                arns.push(policy.arn.clone());
            }
        }
        self.policy_universe = Universe::new(arns);
    }

    /// A managed policy by ARN, noting what it is attached to.
    fn attach(&mut self, arn: &str, holder: &str) -> Option<PolicyId> {
        let id = *self.managed.get(arn)?;
        self.policies[id].attached_to.push(holder.to_owned());
        Some(id)
    }

    fn read_principals(&mut self, snapshot: &Snapshot) {
        // Exact sizes: growing by doubling left up to half of the largest lists unused.
        let principals = snapshot.users.len() + snapshot.roles.len();
        self.principals.reserve_exact(principals);
        self.holders
            .reserve_exact(snapshot.groups.len() + principals);
        // Groups first: users refer to them by name.
        for group in &snapshot.groups {
            let policies = self.held(&group.inline_policies, &group.attached_policies, &group.arn);
            let holder = self.new_holder(&group.arn, "group", Vec::new(), policies);
            self.groups.push(holder);
        }
        self.group_universe =
            Universe::new(snapshot.groups.iter().map(|g| g.arn.clone()).collect());
        let group_index: HashMap<&str, usize> = snapshot
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.as_str(), i))
            .collect();
        for user in &snapshot.users {
            let index = self.principals.len();
            let policies = self.held(&user.inline_policies, &user.attached_policies, &user.arn);
            let holder = self.new_holder(&user.arn, "user", vec![index], policies);
            let mut identity = self.identity_of(holder);
            let mut groups = Vec::new();
            for name in &user.groups {
                if let Some(&g) = group_index.get(name.as_str()) {
                    let group_holder = self.groups[g];
                    identity.extend(self.identity_of(group_holder));
                    self.holders[group_holder].members.push(index);
                    groups.push(g);
                }
            }
            let boundary = self.boundary(user.permissions_boundary.as_deref(), &user.arn);
            self.principals.push(Principal {
                facts: self.own(&user.arn, &user.name, true, &user.tags),
                identity,
                boundary,
                groups,
                service_linked: false,
                holder,
                allow_mask: 0,
            });
            self.user_principals.push(index);
        }
        self.user_universe = Universe::new(snapshot.users.iter().map(|u| u.arn.clone()).collect());
        for role in &snapshot.roles {
            let index = self.principals.len();
            let policies = self.held(&role.inline_policies, &role.attached_policies, &role.arn);
            let holder = self.new_holder(&role.arn, "role", vec![index], policies);
            let identity = self.identity_of(holder);
            let boundary = self.boundary(role.permissions_boundary.as_deref(), &role.arn);
            let trust = role.assume_role_policy.as_ref().map(|document| {
                self.add_policy(
                    "trust policy".to_owned(),
                    None,
                    PolicyKind::Trust,
                    vec![role.arn.clone()],
                    document,
                )
            });
            self.trust.push(trust);
            self.principals.push(Principal {
                facts: self.own(&role.arn, &role.name, false, &role.tags),
                identity,
                boundary,
                groups: Vec::new(),
                service_linked: role.arn.contains(":role/aws-service-role/"),
                holder,
                allow_mask: 0,
            });
            self.role_principals.push(index);
        }
        self.role_universe = Universe::new(snapshot.roles.iter().map(|r| r.arn.clone()).collect());
    }

    fn compute_allow_masks(&mut self) {
        for i in 0..self.principals.len() {
            let mask = self.principals[i]
                .identity
                .iter()
                .map(|&(id, _)| &self.policies[id])
                .fold(0u64, |mask, policy| {
                    if policy.problem.is_some() {
                        return u64::MAX;
                    }
                    policy
                        .statements
                        .iter()
                        .map(|&s| &self.stmts[s])
                        .filter(|s| s.effect() == Effect::Allow)
                        .fold(mask, |mask, s| mask | s.mask)
                });
            self.principals[i].allow_mask = mask;
        }
    }

    fn new_holder(
        &mut self,
        arn: &str,
        kind: &'static str,
        members: Vec<usize>,
        policies: Vec<PolicyId>,
    ) -> usize {
        self.holders.push(Holder {
            arn: arn.to_owned(),
            kind,
            members,
            policies,
        });
        self.holders.len() - 1
    }

    /// The identity policies a user, group or role holds: its inline ones, then the managed
    /// ones it attaches (noting the attachment).
    fn held(
        &mut self,
        inline: &[crate::snapshot::InlinePolicy],
        attached: &[crate::snapshot::AttachedPolicy],
        arn: &str,
    ) -> Vec<PolicyId> {
        let mut ids = self.inline(inline, arn);
        ids.extend(attached.iter().filter_map(|a| self.attach(&a.arn, arn)));
        ids
    }

    /// A holder's policies as identity entries of the principals it applies to.
    fn identity_of(&self, holder: usize) -> Vec<(PolicyId, usize)> {
        self.holders[holder]
            .policies
            .iter()
            .map(|&id| (id, holder))
            .collect()
    }

    fn inline(
        &mut self,
        policies: &[crate::snapshot::InlinePolicy],
        holder: &str,
    ) -> Vec<PolicyId> {
        policies
            .iter()
            .map(|p| {
                self.add_policy(
                    p.name.clone(),
                    None,
                    PolicyKind::Identity,
                    vec![holder.to_owned()],
                    &p.document,
                )
            })
            .collect()
    }

    fn boundary(&mut self, arn: Option<&str>, holder: &str) -> Boundary {
        let Some(arn) = arn else {
            return Boundary::None;
        };
        match self.managed.get(arn).copied() {
            Some(id) => {
                self.policies[id].attached_to.push(holder.to_owned());
                Boundary::Policy(id)
            }
            None => Boundary::Missing,
        }
    }

    fn own(
        &self,
        arn: &str,
        name: &str,
        is_user: bool,
        tags: &std::collections::BTreeMap<String, String>,
    ) -> OwnPrincipal {
        OwnPrincipal {
            arn: arn.to_owned(),
            name: name.to_owned(),
            is_user,
            account: Arc::clone(&self.account),
            tags: tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            organization: Arc::clone(&self.organization),
        }
    }

    fn read_secrets(&mut self, snapshot: &Snapshot) {
        let mut arns = Vec::new();
        for secret in &snapshot.secrets {
            let policy = secret.resource_policy.as_ref().map(|document| {
                self.add_policy(
                    "resource policy".to_owned(),
                    None,
                    PolicyKind::Resource,
                    vec![secret.arn.clone()],
                    document,
                )
            });
            arns.push(secret.arn.clone());
            self.secrets.push(SecretInfo {
                tags: secret.tags.clone(),
                region: secret.region.clone(),
                deleted: secret.deleted_date.is_some(),
                policy,
            });
        }
        self.real_secrets = arns.len();
        for region in probe_regions(snapshot) {
            arns.push(format!(
                "arn:{}:secretsmanager:{region}:{}:secret:keyward-probe/not-yet-created-AbCdEf",
                self.partition, self.account
            ));
            self.secrets.push(SecretInfo {
                tags: Default::default(),
                region,
                deleted: false,
                policy: None,
            });
        }
        self.secret_universe = Universe::new(arns);
        self.readable = Bits::from_fn(self.secrets.len(), |i| !self.secrets[i].deleted);
    }

    fn read_organization(&mut self, snapshot: &Snapshot) {
        let Some(organization) = &snapshot.organization else {
            self.org = OrgPolicies::NotInOrganization;
            return;
        };
        if organization.management_account_id.as_deref() == Some(snapshot.account.id.as_str()) {
            self.org = OrgPolicies::ManagementAccount;
            return;
        }
        let Some(policies) = &organization.policies else {
            self.org = OrgPolicies::NotCollected;
            return;
        };
        let mut levels = Vec::new();
        for target in &policies.path {
            let mut read = |list: &[crate::snapshot::OrganizationPolicy], kind| -> Vec<PolicyId> {
                list.iter()
                    .map(|p| {
                        self.add_policy(
                            p.name.clone(),
                            Some(p.id.clone()),
                            kind,
                            Vec::new(),
                            &p.document,
                        )
                    })
                    .collect()
            };
            let scps = read(&target.service_control_policies, PolicyKind::ServiceControl);
            let rcps = read(
                &target.resource_control_policies,
                PolicyKind::ResourceControl,
            );
            levels.push(OrgLevel { scps, rcps });
        }
        self.org = OrgPolicies::Weighed {
            scp: policies.service_control_policies_enabled,
            rcp: policies.resource_control_policies_enabled,
            levels,
        };
    }
}

/// The organization facts conditions need.
fn organization_of(snapshot: &Snapshot) -> Organization {
    match &snapshot.organization {
        Some(org) => Organization::Member {
            id: org.id.clone(),
            paths: org
                .policies
                .as_ref()
                .map(|p| {
                    let ids: Vec<&str> = p
                        .path
                        .iter()
                        .filter(|t| t.kind != "account")
                        .map(|t| t.id.as_str())
                        .collect();
                    vec![format!("{}/{}/", org.id, ids.join("/"))]
                })
                .unwrap_or_default(),
        },
        None if snapshot
            .collection_errors
            .iter()
            .any(|e| e.operation == "DescribeOrganization") =>
        {
            Organization::Unknown
        }
        // Asked, and no error: the account is in no organization. (A snapshot of format 1 never
        // asked: its migration records that as a DescribeOrganization error.)
        None => Organization::NotAMember,
    }
}

/// The regions a secret created tomorrow could be in: the regions scanned and those with
/// secrets.
fn probe_regions(snapshot: &Snapshot) -> Vec<String> {
    let mut regions: Vec<String> = snapshot
        .collector
        .regions
        .iter()
        .chain(snapshot.secrets.iter().map(|s| &s.region))
        .cloned()
        .collect();
    regions.sort();
    regions.dedup();
    if regions.is_empty() {
        regions.push("us-east-1".to_owned());
    }
    regions
}

/// A statement with its action mask and its conditions split.
fn compile(policy: PolicyId, statement: Statement) -> Stmt {
    let mask = catalog::mask_of(&statement.actions);
    let (resource_clauses, other_clauses): (Vec<Clause>, Vec<Clause>) = statement
        .conditions
        .iter()
        .cloned()
        .partition(Clause::depends_on_resource);
    let personal = statement
        .conditions
        .iter()
        .any(Clause::depends_on_principal)
        || statement
            .resources
            .as_ref()
            .is_some_and(|r| r.uses_variables());
    Stmt {
        policy,
        statement,
        mask,
        resource_clauses,
        other_clauses,
        personal,
    }
}
