//! Effective access: who can really read each secret of an account, as keyward's model of AWS's
//! policy evaluation works it out (`src/access`, described in `docs/access.md`). Rules read it as
//! `input.access`; the JSON report keeps it per account (`accounts[].access`).
//!
//! The data is compact by design, for accounts of tens of thousands of principals and secrets:
//! - a grant held by a group is listed once with its member count, not once per member;
//! - every grant and every reader outside the account is listed once, in `grants` and
//!   `outside`, and secrets refer to them by index;
//! - those that reach *every* secret are referred to once, under `every_secret`, not under each
//!   secret. The readers of a secret are therefore `every_secret` plus the secret's own entries;
//!   its counts include both;
//! - who among the account's principals can assume a role is likewise a grant listed once, in
//!   `assumers`, and roles refer to them by index (`assumed_by`): a group that may assume every
//!   role is one entry, not one per member and role.
//!
//! Empty lists, absent grants and `false` flags are left out of the JSON (read them with a
//! default in Rego: `object.get(secret, "outside", [])`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

// Read (`Deserialize`) in `access_version6`, which reads version 6 reports' too.
/// The effective access of one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct AccessSummary {
    /// What the model weighed and what it could not.
    pub basis: AccessBasis,
    /// Users and roles with something to report, by ARN: administrative access or every secret
    /// in effect, ways to give themselves more, who can assume them, how many secrets they read.
    #[serde(default)]
    pub principals: BTreeMap<String, PrincipalAccess>,
    /// Every secret, by ARN.
    #[serde(default)]
    pub secrets: BTreeMap<String, SecretAccess>,
    /// Every grant of `secretsmanager:GetSecretValue` in the account, each once: secrets and
    /// `every_secret` refer to them by index.
    #[serde(default)]
    pub grants: Vec<HolderGrant>,
    /// Every reader outside the account, each once, referred to by index.
    #[serde(default)]
    pub outside: Vec<OutsideReader>,
    /// Every grant that lets the account's own users and roles assume a role, each once: roles'
    /// `assumed_by` refer to them by index. `via` is `identity_policy` (the holder's identity
    /// statements allow `sts:AssumeRole` on the role and its trust policy names the account:
    /// `paths` are those identity statements, the role's `trust` the trust statements) or
    /// `trust_policy` (the trust policy names the principal itself: `paths` is that statement).
    #[serde(default)]
    pub assumers: Vec<HolderGrant>,
    /// The grants and outside readers (indices) that reach every secret of the account.
    #[serde(default)]
    pub every_secret: EverySecret,
    /// Policy documents AWS would reject: what they grant is unknown, and the checks that read
    /// them are reported as not evaluated.
    #[serde(default)]
    pub unreadable_policies: Vec<UnreadablePolicy>,
}

/// What the answers rest on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccessBasis {
    /// `weighed`; `not_collected` (the snapshot has none: scan with `--org` from the management
    /// account to collect them); `not_in_organization`; `not_applicable` (the management account,
    /// which SCPs and RCPs do not restrict).
    pub service_control_policies: String,
    /// Likewise for resource control policies.
    pub resource_control_policies: String,
    /// The organization's id, when the account is a member and it is known.
    #[serde(default)]
    pub organization_id: Option<String>,
}

/// `allowed`, or `conditional`: only if a condition keyward cannot judge holds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Allowed,
    Conditional,
}

/// A capability and the statements it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Grant {
    pub access: Access,
    pub paths: Vec<PolicyPath>,
}

/// Where a grant comes from: a statement of a policy and what the policy is attached to.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub struct PolicyPath {
    /// The policy's name (for a resource or trust policy: `resource policy`, `trust policy`).
    pub policy: String,
    /// The managed policy's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
    /// The ARN of the user, group, role or secret the policy is attached to.
    pub attached_to: String,
    /// The statement's `Sid`, or `#n`.
    pub statement: String,
    /// Conditions the grant rests on that keyward keeps rather than judges (who may call, from
    /// where), or cannot judge (then the access is conditional).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// One of the account's users or roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PrincipalAccess {
    /// `user` or `role`.
    pub kind: String,
    pub name: String,
    /// It can read every secret of the account, existing or future, through its own policies and
    /// its groups', after explicit denies, its permissions boundary and the SCPs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_secret: Option<Grant>,
    /// It has administrative access in effect (see KW-IAM-011).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<Grant>,
    /// Secrets it can read by any route (its policies, resource policies, roles it can assume,
    /// escalation), surely.
    pub readable_secrets: u32,
    /// Secrets it can read only under a condition keyward cannot judge.
    pub conditionally_readable_secrets: u32,
    /// Ways it can give itself more access.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalations: Vec<Escalation>,
    /// Roles: the account's own users and roles that can assume it, as indices into `assumers`
    /// (a group's grant counts its members, less its `except`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed_by: Vec<usize>,
    /// Roles: the statements of its trust policy that let the account's principals assume it
    /// when their identity policies allow it (those of `assumed_by` with `via: identity_policy`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust: Vec<PolicyPath>,
    /// Roles: who else its trust policy lets assume it: other accounts, the organization,
    /// anyone, identity providers, services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed_by_outside: Vec<Assumer>,
}

/// A way to gain access beyond one's own policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Escalation {
    /// `self_policy` (write or attach a policy to itself or its group, a new version of an attached
    /// policy, remove its boundary: it can grant itself anything its boundary and the SCPs allow),
    /// `become_user` (create keys or a password for another user), `update_trust` (rewrite a role's
    /// trust policy), `pass_role` (run code as a role through a compute service), or
    /// `secret_policy` (write a secret's resource policy).
    pub kind: String,
    pub actions: Vec<String>,
    /// The user, role, policy or group it acts on; for `secret_policy`, how many secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub access: Access,
}

/// Who outside the account's own principals can assume a role, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assumer {
    /// An account id, an ARN of another account, `*`, an identity provider or a service.
    pub principal: String,
    /// `other_account`, `organization`, `public`, `network`, `federated`, `service` (report
    /// version 6 also listed the account's own principals here, as `account`).
    pub scope: String,
    pub access: Access,
    /// The trust policy statement.
    pub paths: Vec<PolicyPath>,
}

/// The readers of one secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SecretAccess {
    pub name: String,
    /// The account's users and roles that can read it by any route, surely.
    pub readers: u32,
    /// Those that can read it only under a condition keyward cannot judge.
    pub conditional_readers: u32,
    /// Anyone with AWS credentials can read it (no condition narrows who).
    pub public: bool,
    /// Someone outside the account can read it (publicly, another account, the organization,
    /// an identity provider, a network).
    pub outside_account: bool,
    /// It is scheduled for deletion: nobody can read it until it is restored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub scheduled_for_deletion: bool,
    /// The account's grants that name this secret, as indices into `grants` (those reaching
    /// every secret are under `every_secret`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<usize>,
    /// Its readers outside the account, as indices into `outside` (those reaching every secret
    /// are under `every_secret`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outside: Vec<usize>,
    /// What its resource policy grants to principals outside the account, any action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_policy: Vec<ResourcePolicyGrant>,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// A grant held by a user, group or role: of reading secrets (`grants`) or of assuming roles
/// (`assumers`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct HolderGrant {
    /// The ARN of the user, group or role that holds it.
    pub holder: String,
    /// `user`, `group` or `role`.
    pub holder_kind: String,
    /// A group's members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<u32>,
    /// `identity_policy`, `resource_policy` (the secret's policy names the holder), or
    /// `secret_policy` (the holder may rewrite the secret's resource policy); for `assumers`,
    /// `identity_policy` or `trust_policy`.
    pub via: String,
    pub access: Access,
    pub paths: Vec<PolicyPath>,
    /// Members or the holder itself for whom it does not hold in effect (a Deny, a permissions
    /// boundary, an SCP).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
}

/// A reader outside the account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct OutsideReader {
    /// `*`, an account id, an ARN, or an identity provider.
    pub principal: String,
    /// `public`, `other_account`, `organization`, `network`, `federated`, `restricted`.
    pub scope: String,
    /// The accounts it is limited to, when known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    pub access: Access,
    /// `resource_policy`, or `role` (it can assume `role`, which reads the secret).
    pub via: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub paths: Vec<PolicyPath>,
}

/// A resource policy's grant to principals outside the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResourcePolicyGrant {
    pub principal: String,
    /// As for [`OutsideReader::scope`].
    pub scope: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    pub access: Access,
    pub statement: String,
    /// The Secrets Manager actions it allows, after the policy's and the RCPs' denies.
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// What reaches every secret of the account: indices into `grants` and `outside`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EverySecret {
    pub grants: Vec<usize>,
    pub outside: Vec<usize>,
}

/// A policy document AWS would reject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UnreadablePolicy {
    /// The policy's name (or ARN for a managed policy).
    pub policy: String,
    /// `identity`, `boundary`, `trust`, `resource`, `service_control` or `resource_control`.
    pub kind: String,
    /// What holds it: users, roles, groups, a secret; empty for an organization policy.
    pub attached_to: Vec<String>,
    /// What AWS would reject.
    pub problem: String,
}

impl AccessSummary {
    /// The grants that let the account's own principals assume a role.
    pub fn assumers_of<'a>(
        &'a self,
        role: &'a PrincipalAccess,
    ) -> impl Iterator<Item = &'a HolderGrant> {
        role.assumed_by.iter().filter_map(|&i| self.assumers.get(i))
    }

    /// The grants that reach a secret: every secret's and its own.
    pub fn grants_of<'a>(
        &'a self,
        secret: &'a SecretAccess,
    ) -> impl Iterator<Item = &'a HolderGrant> {
        let reaching = if secret.scheduled_for_deletion {
            &[][..]
        } else {
            &self.every_secret.grants[..]
        };
        reaching
            .iter()
            .chain(&secret.grants)
            .filter_map(|&i| self.grants.get(i))
    }

    /// The readers outside the account of a secret: every secret's and its own.
    pub fn outside_of<'a>(
        &'a self,
        secret: &'a SecretAccess,
    ) -> impl Iterator<Item = &'a OutsideReader> {
        let reaching = if secret.scheduled_for_deletion {
            &[][..]
        } else {
            &self.every_secret.outside[..]
        };
        reaching
            .iter()
            .chain(&secret.outside)
            .filter_map(|&i| self.outside.get(i))
    }
}

/// Every reader of one secret, principal by principal, each with its route: what
/// `keyward access` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SecretReaders {
    pub secret: String,
    pub name: String,
    pub region: String,
    pub scheduled_for_deletion: bool,
    pub public: bool,
    pub outside_account: bool,
    /// The account's users and roles that can read it, surely first.
    pub readers: Vec<Reader>,
    /// Readers outside the account.
    pub outside: Vec<OutsideReader>,
}

/// One of the account's principals that can read a secret, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Reader {
    pub principal: String,
    /// `user` or `role`.
    pub kind: String,
    pub access: Access,
    /// `identity_policy`, `resource_policy`, `role` (it can assume a role that reads it, `chain`),
    /// or `escalation` (it can give itself the read, or become someone who has it).
    pub via: String,
    /// From this principal to the one that reads the secret: the roles it assumes, the users it
    /// becomes. Empty when it reads the secret itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
    /// The statements that grant the read (to the last principal of the chain).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PolicyPath>,
    /// How it gives itself the read, for `escalation`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalations: Vec<Escalation>,
}

/// The JSON Schema of `input.access` (and of `accounts[].access` in the JSON report), generated
/// from the doc comments above: `keyward schema access`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(AccessSummary)).expect("a schema always serializes")
}
