//! The IAM side of the synthetic account: managed policies, groups, users and their
//! credentials, roles.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::documents::document;
use super::generator::{Generator, REGIONS, TEAMS};
use super::rng::{ago, days_before};
use crate::snapshot::{
    AccessKey, AttachedPolicy, ConsolePassword, Group, InlinePolicy, KeyLastUse, KeyStatus,
    ManagedPolicy, MfaDevice, MfaKind, Role, User,
};

impl Generator {
    pub(super) fn customer_managed_policy(&mut self, i: usize) -> ManagedPolicy {
        let name = format!("{}-policy-{i:04}", TEAMS[i % TEAMS.len()]);
        ManagedPolicy {
            arn: self.arn("policy", &name),
            name,
            aws_managed: false,
            attachment_count: 0,
            permissions_boundary_count: 0,
            document: self.permission_document(i),
        }
    }

    /// A team's group: one to three managed policies, an inline policy for one in five.
    pub(super) fn group(&mut self, i: usize, policies: &[ManagedPolicy]) -> Group {
        let name = format!("{}-group-{i:03}", TEAMS[i % TEAMS.len()]);
        let n = 1 + self.rng.below(3);
        Group {
            arn: self.arn("group", &name),
            created: Some(ago(self.as_of, 400 + self.rng.below(1000), 0)),
            attached_policies: self.attach(policies, n),
            inline_policies: self.inline_policy(20, "inline".to_owned(), i),
            name,
        }
    }

    /// A user: console access for 60% (with MFA for 70% of those), none to two access keys,
    /// one or two groups, now and then a policy of their own.
    pub(super) fn user(&mut self, i: usize, groups: &[Group], policies: &[ManagedPolicy]) -> User {
        let name = format!("user-{i:05}");
        let created = ago(self.as_of, 1 + self.rng.below(1500), self.rng.below(86_400));
        let age = days_before(self.as_of, created);
        let console = self.rng.chance(60);
        let password = console.then(|| ConsolePassword {
            enabled: true,
            last_used: self.rng.last_use(self.as_of, age, 10),
            last_changed: Some(ago(self.as_of, self.rng.below(age + 1), 0)),
        });
        let mfa_active = self.rng.chance(if console { 70 } else { 5 });
        let mfa_devices = if mfa_active {
            vec![MfaDevice {
                serial: self.arn("mfa", &name),
                kind: if self.rng.chance(15) {
                    MfaKind::Hardware
                } else {
                    MfaKind::Virtual
                },
                enabled_at: Some(created + chrono::Duration::hours(1)),
            }]
        } else {
            Vec::new()
        };
        let keys = match self.rng.below(100) {
            0..=24 => 0,
            25..=74 => 1,
            _ => 2,
        };
        let access_keys = (0..keys).map(|_| self.access_key(created)).collect();
        let groups = self.groups_of_user(groups);
        let attached_policies = if self.rng.chance(8) {
            self.attach(policies, 1)
        } else {
            Vec::new()
        };
        User {
            arn: self.arn("user", &name),
            created,
            password,
            mfa_active,
            mfa_devices,
            access_keys,
            groups,
            attached_policies,
            inline_policies: self.inline_policy(4, format!("{name}-inline"), i),
            // A permissions boundary on one user in twenty.
            permissions_boundary: i.is_multiple_of(20).then(|| self.boundary_arn()),
            tags: self.tags(i),
            name,
        }
    }

    /// One or two groups (the same one drawn twice counts once).
    fn groups_of_user(&mut self, groups: &[Group]) -> Vec<String> {
        let n = 1 + self.rng.below(2);
        let mut names: Vec<String> = Vec::new();
        for _ in 0..n {
            let name = &self.rng.pick(groups).name;
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    fn access_key(&mut self, user_created: DateTime<Utc>) -> AccessKey {
        // One key in ten was created with its user (CIS 1.11); the rest at any age up to ~2.5
        // years, never before the user.
        let user_age = days_before(self.as_of, user_created);
        let created = if self.rng.chance(10) {
            user_created + chrono::Duration::minutes(self.rng.below(180) as i64)
        } else {
            ago(
                self.as_of,
                self.rng.below(user_age + 1),
                self.rng.below(86_400),
            )
        };
        let key_age = days_before(self.as_of, created);
        let last_used = self
            .rng
            .last_use(self.as_of, key_age, 15)
            .map(|date| KeyLastUse {
                date,
                service: Some(
                    (*self
                        .rng
                        .pick(&["s3", "sts", "secretsmanager", "ec2", "dynamodb"]))
                    .to_owned(),
                ),
                region: Some((*self.rng.pick(&REGIONS)).to_owned()),
            });
        AccessKey {
            // Without an id, as live collection writes keys: the credential report has none.
            id: None,
            status: if self.rng.chance(90) {
                KeyStatus::Active
            } else {
                KeyStatus::Inactive
            },
            created,
            last_used,
        }
    }

    /// A workload's role: trusted by an AWS service for most, by another account for the rest, by
    /// the account itself for one in ten;
    /// one to three managed policies, an inline one for three in ten.
    pub(super) fn role(&mut self, i: usize, policies: &[ManagedPolicy]) -> Role {
        let name = format!("{}-role-{i:05}", TEAMS[i % TEAMS.len()]);
        let trust = if self.rng.chance(70) {
            let service = *self.rng.pick(&[
                "lambda.amazonaws.com",
                "ecs-tasks.amazonaws.com",
                "ec2.amazonaws.com",
            ]);
            json!({"Service": service})
        } else {
            let account = 100_000_000_000u64 + self.rng.below(900_000_000_000);
            json!({"AWS": format!("arn:aws:iam::{account}:root")})
        };
        // One role in ten is for people of the account to assume (after the random draws, so
        // that the rest of the account stays as it was).
        let trust = if i.is_multiple_of(10) {
            json!({"AWS": format!("arn:aws:iam::{}:root", self.account)})
        } else {
            trust
        };
        let n = 1 + self.rng.below(3);
        Role {
            arn: self.arn("role", &name),
            created: Some(ago(self.as_of, self.rng.below(1200), 0)),
            assume_role_policy: Some(document(vec![
                json!({"Effect": "Allow", "Principal": trust, "Action": "sts:AssumeRole"}),
            ])),
            last_used: (!self.rng.chance(20)).then(|| ago(self.as_of, self.rng.below(300), 0)),
            attached_policies: self.attach(policies, n),
            inline_policies: self.inline_policy(30, "task".to_owned(), i),
            permissions_boundary: None,
            tags: self.tags(i),
            name,
        }
    }

    /// `n` draws from `policies` (a policy drawn twice is attached once).
    fn attach(&mut self, policies: &[ManagedPolicy], n: u64) -> Vec<AttachedPolicy> {
        let mut attached: Vec<AttachedPolicy> = Vec::new();
        for _ in 0..n {
            let p = self.rng.pick(policies);
            if !attached.iter().any(|a| a.arn == p.arn) {
                attached.push(AttachedPolicy {
                    name: p.name.clone(),
                    arn: p.arn.clone(),
                });
            }
        }
        attached
    }

    /// An inline policy named `name`, with the given probability in percent.
    fn inline_policy(&mut self, percent: u64, name: String, i: usize) -> Vec<InlinePolicy> {
        if self.rng.chance(percent) {
            vec![InlinePolicy {
                name,
                document: self.permission_document(i),
            }]
        } else {
            Vec::new()
        }
    }

    /// None to three of the tags `team`, `env` and `owner`, always in that order.
    pub(super) fn tags(&mut self, i: usize) -> BTreeMap<String, String> {
        let mut tags = BTreeMap::new();
        let n = self.rng.below(4);
        if n >= 1 {
            tags.insert("team".to_owned(), TEAMS[i % TEAMS.len()].to_owned());
        }
        if n >= 2 {
            let env = *self.rng.pick(&["prod", "staging", "dev"]);
            tags.insert("env".to_owned(), env.to_owned());
        }
        if n >= 3 {
            tags.insert(
                "owner".to_owned(),
                format!("owner-{}@example.com", self.rng.below(300)),
            );
        }
        tags
    }
}
