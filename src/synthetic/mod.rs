//! Synthetic AWS accounts for benchmarks and tests: a [`Snapshot`] of any number of users and
//! secrets, with groups, roles and managed policies in proportion, shaped like real accounts
//! (console users with and without MFA, keys of every age, admin and wildcard grants, secrets
//! whose rotation is off, stalled or on time, resource policies open to other accounts), and
//! what the access model weighs: Deny statements, NotAction, conditions, roles trusted by the
//! account, a permissions boundary on one user in twenty, the organization's SCPs and RCPs.
//!
//! keyward itself never uses it: the policy evaluation benchmark (`benches/policy_eval.rs`)
//! evaluates these snapshots, the live benchmark seeds moto from one
//! (`examples/synthetic_account.rs`, run by `scripts/bench_moto.py`), and the large-account
//! tests scan one. The generator has a fixed seed: the same [`Shape`] always gives the same
//! snapshot, so that figures measured at different times stay comparable.

mod compliant;
mod documents;
mod generator;
mod iam;
mod organization;
mod rng;
mod secrets;

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::snapshot::{
    Account, Collector, Detective, Group, ManagedPolicy, MfaKind, PasswordPolicy, Role, RootUser,
    SCHEMA_VERSION, Snapshot, User,
};
use compliant::fix_nine_in_ten;
use generator::{Generator, REGIONS};
use rng::{Rng, ago};

/// The account id of a synthetic account unless its [`Shape`] says otherwise.
pub const ACCOUNT_ID: &str = "123456789012";

/// What the synthetic account's users and secrets look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Most of them have something wrong: more than one finding per user and secret, the
    /// worst case for the rules, which spend most of their time building findings.
    FindingHeavy,
    /// The same account with nine users and secrets in ten fixed: what an account that uses
    /// keyward looks like.
    MostlyCompliant,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::FindingHeavy, Profile::MostlyCompliant];

    pub fn name(self) -> &'static str {
        match self {
            Profile::FindingHeavy => "finding-heavy",
            Profile::MostlyCompliant => "mostly-compliant",
        }
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(name: &str) -> Result<Profile, String> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| format!("unknown profile {name:?}: finding-heavy or mostly-compliant"))
    }
}

/// The size and kind of a synthetic account.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The 12-digit account id every ARN names.
    pub account_id: String,
    pub users: usize,
    /// Secrets, spread over us-east-1, eu-west-1 and ap-southeast-2.
    pub secrets: usize,
    pub profile: Profile,
    /// The moment of the snapshot: every age (of a key, a password, a rotation) counts back
    /// from it.
    pub as_of: DateTime<Utc>,
}

impl Shape {
    /// `users` users and `secrets` secrets in account [`ACCOUNT_ID`].
    pub fn new(users: usize, secrets: usize, profile: Profile, as_of: DateTime<Utc>) -> Shape {
        Shape {
            account_id: ACCOUNT_ID.to_owned(),
            users,
            secrets,
            profile,
            as_of,
        }
    }
}

/// The snapshot of a synthetic account: one managed policy per 50 users, one group per 200
/// and one role per 10 (at least 20, 10 and 10), and the AWS-managed policies attached to any
/// of them.
pub fn generate(shape: &Shape) -> Snapshot {
    let mut generator = Generator {
        rng: Rng::seeded(),
        account: shape.account_id.clone(),
        as_of: shape.as_of,
    };
    generator.snapshot(shape)
}

impl Generator {
    /// Everything is drawn from one random sequence, in a fixed order (policies, groups, users,
    /// roles, secrets): changing the order changes every account after it.
    fn snapshot(&mut self, shape: &Shape) -> Snapshot {
        let n_policies = (shape.users / 50).max(20);
        let n_groups = (shape.users / 200).max(10);
        let n_roles = (shape.users / 10).max(10);

        let mut policies: Vec<ManagedPolicy> = (0..n_policies)
            .map(|i| self.customer_managed_policy(i))
            .collect();
        policies.extend(documents::aws_managed_policies());
        let groups: Vec<Group> = (0..n_groups).map(|i| self.group(i, &policies)).collect();
        let mut users: Vec<User> = (0..shape.users)
            .map(|i| self.user(i, &groups, &policies))
            .collect();
        let roles: Vec<Role> = (0..n_roles).map(|i| self.role(i, &policies)).collect();
        let mut secrets: Vec<_> = (0..shape.secrets).map(|i| self.secret(i)).collect();
        if shape.profile == Profile::MostlyCompliant {
            fix_nine_in_ten(&mut users, |user| self.fix_user(user));
            fix_nine_in_ten(&mut secrets, |secret| self.fix_secret(secret));
        }
        count_attachments(&mut policies, &users, &groups, &roles);
        // Like the collector: AWS-managed policies nothing uses are left out.
        policies.retain(|p| !p.aws_managed || p.attachment_count > 0);
        let bounded = users
            .iter()
            .filter(|u| u.permissions_boundary.is_some())
            .count();
        policies.push(self.boundary_policy(bounded));

        Snapshot {
            schema_version: SCHEMA_VERSION,
            collected_at: self.as_of,
            collector: self.collector(),
            account: Account {
                id: self.account.clone(),
                alias: Some("synthetic".to_owned()),
                name: None,
                partition: "aws".to_owned(),
            },
            root: Some(RootUser {
                arn: format!("arn:aws:iam::{}:root", self.account),
                mfa_enabled: true,
                mfa_kind: Some(MfaKind::Virtual),
                access_keys: Vec::new(),
                password_last_used: Some(ago(self.as_of, 200, 0)),
                password_present: Some(true),
            }),
            password_policy: Some(PasswordPolicy {
                minimum_length: 8,
                require_symbols: false,
                require_numbers: true,
                require_uppercase: true,
                require_lowercase: true,
                allow_users_to_change: true,
                max_age_days: None,
                reuse_prevention: None,
                hard_expiry: false,
            }),
            users,
            groups,
            roles,
            policies,
            secrets,
            organization: Some(self.organization()),
            // No detective controls: the account-wide detective rules have findings to build.
            detective: Some(Detective::default()),
            collection_errors: Vec::new(),
            terraform: None,
        }
    }

    fn collector(&self) -> Collector {
        Collector {
            tool: "keyward-synthetic".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            regions: REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            credential_report_generated_at: Some(ago(self.as_of, 0, 3600)),
            api_requests: None,
        }
    }
}

/// Sets each managed policy's attachment count as IAM reports it: the users, groups and roles
/// it is attached to.
fn count_attachments(
    policies: &mut [ManagedPolicy],
    users: &[User],
    groups: &[Group],
    roles: &[Role],
) {
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    let attached = users
        .iter()
        .flat_map(|u| &u.attached_policies)
        .chain(groups.iter().flat_map(|g| &g.attached_policies))
        .chain(roles.iter().flat_map(|r| &r.attached_policies));
    for a in attached {
        *counts.entry(&a.arn).or_default() += 1;
    }
    for p in policies {
        p.attachment_count = counts.get(p.arn.as_str()).copied().unwrap_or(0);
    }
}
