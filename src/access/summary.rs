//! The analysis as the report and the rules see it (`model::AccessSummary`): per principal,
//! per secret, and what reaches every secret, each grant with the statements it comes from.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::analysis::{Analysis, covers_all, probe_arn};
use super::bits::{Bits, FastMap, Tri, TriBits};
use super::catalog::{Act, Target};
use super::document::{Effect, PolicyKind, PrincipalRef};
use super::outside::{OutsideGrant, Scope};
use super::store::{OrgPolicies, PolicyId, StmtId, Store};
use crate::model::access::{
    Access, AccessBasis, AccessSummary, Assumer, Escalation, EverySecret, Grant, HolderGrant,
    OutsideReader, PolicyPath, PrincipalAccess, ResourcePolicyGrant, SecretAccess,
    UnreadablePolicy,
};

/// The effective access of one account, as of a time (conditions on dates are judged against
/// it).
pub fn summarize(
    snapshot: &crate::snapshot::Snapshot,
    as_of: chrono::DateTime<chrono::Utc>,
) -> AccessSummary {
    of_store(&Store::new(snapshot, as_of))
}

/// The effective access of the account a store was read from: the store holds what the model
/// needs, so the caller may let the snapshot go first.
pub fn of_store(store: &Store) -> AccessSummary {
    let engine = super::engine::Engine::new(store);
    let analysis = Analysis::run(&engine);
    of_analysis(&analysis)
}

pub fn of_analysis(analysis: &Analysis) -> AccessSummary {
    let store = analysis.store();
    let real = real_mask(store);
    let mut grants = Table::default();
    let mut outside = Table::default();
    let (every_grants, secret_grants) = holder_grants(analysis, &real, &mut grants);
    let (every_outside, secret_outside) = outside_readers(analysis, &real, &mut outside);
    let (readers, conditional) = reader_counts(analysis, &real);
    let mut assumers = Table::default();
    let assumed_by = account_assumers(analysis, &mut assumers);
    let mut secrets = BTreeMap::new();
    for (i, (grant_ids, outside_ids)) in secret_grants.into_iter().zip(secret_outside).enumerate() {
        let info = &store.secrets[i];
        let reaching: Vec<&OutsideReader> = if info.deleted {
            Vec::new()
        } else {
            every_outside
                .iter()
                .chain(&outside_ids)
                .map(|&o| &outside.items[o])
                .collect()
        };
        secrets.insert(
            store.secret_universe.arn(i).to_owned(),
            SecretAccess {
                name: secret_name(store.secret_universe.arn(i)),
                readers: readers[i],
                conditional_readers: conditional[i],
                public: reaching.iter().any(|r| r.scope == Scope::Public.name()),
                outside_account: !reaching.is_empty(),
                scheduled_for_deletion: info.deleted,
                grants: grant_ids,
                outside: outside_ids,
                resource_policy: resource_policy_grants(analysis, i),
            },
        );
    }
    AccessSummary {
        basis: basis(store),
        principals: principals(analysis, &real, assumed_by),
        secrets,
        grants: grants.items,
        outside: outside.items,
        assumers: assumers.items,
        every_secret: EverySecret {
            grants: every_grants,
            outside: every_outside,
        },
        unreadable_policies: unreadable(store),
    }
}

/// Items listed once and referred to by index, each made the first time its key is seen.
struct Table<K, T> {
    items: Vec<T>,
    index: FastMap<K, usize>,
}

impl<K, T> Default for Table<K, T> {
    fn default() -> Self {
        Table {
            items: Vec::new(),
            index: FastMap::default(),
        }
    }
}

impl<K: std::hash::Hash + Eq, T> Table<K, T> {
    fn add(&mut self, key: K, make: impl FnOnce(&K) -> T) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.items.push(make(&key));
        self.index.insert(key, self.items.len() - 1);
        self.items.len() - 1
    }
}

/// What makes a grant the same grant: its holder, statements, exceptions (principal indices),
/// answer and route.
type GrantKey = (usize, Vec<StmtId>, Vec<usize>, Access, &'static str);

/// What makes an outside reader the same: the statement, the principal, the role it goes
/// through, the answer and the conditions.
type OutsideKey = (StmtId, String, Option<usize>, Access, Vec<String>);

/// The real secrets that can be read (probes and secrets scheduled for deletion left out).
fn real_mask(store: &Store) -> Bits {
    let mut mask = store.readable.clone();
    for i in store.real_secrets..store.secrets.len() {
        mask.remove(i);
    }
    mask
}

fn secret_name(arn: &str) -> String {
    // arn:…:secret:<name>-<6 random characters>
    let name = arn.split_once(":secret:").map_or(arn, |(_, rest)| rest);
    match name.rsplit_once('-') {
        Some((base, suffix)) if suffix.len() == 6 => base.to_owned(),
        _ => name.to_owned(),
    }
}

pub fn access(tri: Tri) -> Option<Access> {
    match tri {
        Tri::Yes => Some(Access::Allowed),
        Tri::Maybe => Some(Access::Conditional),
        Tri::No => None,
    }
}

fn basis(store: &Store) -> AccessBasis {
    let (scp, rcp) = match &store.org {
        OrgPolicies::Weighed { scp, rcp, .. } => (
            if *scp { "weighed" } else { "not_enabled" },
            if *rcp { "weighed" } else { "not_enabled" },
        ),
        OrgPolicies::NotCollected => ("not_collected", "not_collected"),
        OrgPolicies::NotInOrganization => ("not_in_organization", "not_in_organization"),
        OrgPolicies::ManagementAccount => ("not_applicable", "not_applicable"),
    };
    AccessBasis {
        service_control_policies: scp.to_owned(),
        resource_control_policies: rcp.to_owned(),
        organization_id: match &*store.organization {
            super::condition::Organization::Member { id, .. } => Some(id.clone()),
            _ => None,
        },
    }
}

/// Where a statement comes from, with the conditions it keeps or cannot judge.
pub fn path(store: &Store, stmt: StmtId, attached_to: &str) -> PolicyPath {
    let s = store.stmt(stmt);
    let policy = store.policy_of(stmt);
    PolicyPath {
        policy: policy.name.clone(),
        policy_arn: policy.arn.clone().filter(|_| {
            policy.kind != PolicyKind::ServiceControl && policy.kind != PolicyKind::ResourceControl
        }),
        attached_to: attached_to.to_owned(),
        statement: s.statement.label.clone(),
        conditions: s
            .statement
            .conditions
            .iter()
            .filter(|c| c.is_notable())
            .map(|c| c.text())
            .collect(),
    }
}

/// The identity statements of principal `p` with an effect covering an action, each with what
/// holds its policy.
fn identity_statements(store: &Store, p: usize, act: Act) -> Vec<(StmtId, usize)> {
    store.principals[p]
        .identity
        .iter()
        .flat_map(|&(id, holder)| {
            store.policies[id]
                .statements
                .iter()
                .map(move |&s| (s, holder))
        })
        .filter(|&(s, _)| store.stmt(s).effect() == Effect::Allow && store.stmt(s).covers(act))
        .collect()
}

/// Each user and role with something to report; `assumed_by`: per role (role-universe index),
/// the account's assumer grants (indices).
fn principals(
    analysis: &Analysis,
    real: &Bits,
    mut assumed_by: Vec<Vec<usize>>,
) -> BTreeMap<String, PrincipalAccess> {
    let store = analysis.store();
    let mut outside = outside_assumers(analysis);
    let mut map = BTreeMap::new();
    for (p, principal) in store.principals.iter().enumerate() {
        let every_secret = access(analysis.every_secret[p]).map(|access| Grant {
            access,
            paths: wide_paths(analysis, p),
        });
        let admin = access(analysis.admin[p]).map(|access| Grant {
            access,
            paths: admin_paths(analysis, p),
        });
        let mut reads = (*analysis.reads[p]).clone();
        reads.restrict(real);
        let readable = reads.yes.count() as u32;
        let conditional = reads.any.count() as u32 - readable;
        let escalations: Vec<Escalation> = analysis.escalations[p]
            .routes
            .iter()
            .filter_map(|r| {
                Some(Escalation {
                    kind: r.kind.to_owned(),
                    actions: r.actions.iter().map(|a| a.display()).collect(),
                    target: r.target.clone(),
                    access: access(r.access)?,
                })
            })
            .collect();
        let role = (!principal.is_user())
            .then(|| store.role_universe.find(principal.arn()))
            .flatten();
        let assumed = role
            .map(|r| std::mem::take(&mut assumed_by[r]))
            .unwrap_or_default();
        let assumed_outside = role.and_then(|r| outside.remove(&r)).unwrap_or_default();
        let trust = match role {
            Some(r) if !assumed.is_empty() => trust_paths(store, r),
            _ => Vec::new(),
        };
        let notable = every_secret.is_some()
            || admin.is_some()
            || !escalations.is_empty()
            || !assumed.is_empty()
            || !assumed_outside.is_empty()
            || readable + conditional > 0;
        if notable {
            map.insert(
                principal.arn().to_owned(),
                PrincipalAccess {
                    kind: if principal.is_user() { "user" } else { "role" }.to_owned(),
                    name: principal.facts.name.clone(),
                    every_secret,
                    admin,
                    readable_secrets: readable,
                    conditionally_readable_secrets: conditional,
                    escalations,
                    assumed_by: assumed,
                    trust,
                    assumed_by_outside: assumed_outside,
                },
            );
        }
    }
    map
}

/// The statements through which a principal reads every secret: those that cover a secret of
/// tomorrow (a probe) on their own.
fn wide_paths(analysis: &Analysis, p: usize) -> Vec<PolicyPath> {
    let store = analysis.store();
    let engine = analysis.engine;
    let probes: Vec<usize> = (store.real_secrets..store.secrets.len()).collect();
    let mut paths: Vec<PolicyPath> = identity_statements(store, p, Act::GetSecretValue)
        .into_iter()
        .filter(|&(s, _)| {
            let bits = engine.resource_bits(s, Target::Secret, p);
            engine.scalar(s, p) != Tri::No && probes.iter().any(|&i| bits.get(i) != Tri::No)
        })
        .map(|(s, holder)| path(store, s, &store.holders[holder].arn))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// The statements that grant every action (the wildcard or NotAction ones).
fn admin_paths(analysis: &Analysis, p: usize) -> Vec<PolicyPath> {
    let store = analysis.store();
    let probe = probe_arn(store, Target::Any);
    let mut paths: Vec<PolicyPath> = identity_statements(store, p, Act::AnyAction)
        .into_iter()
        .filter(|&(s, _)| {
            store
                .stmt(s)
                .statement
                .resources
                .as_ref()
                .is_none_or(|r| r.matches(&probe))
                && analysis.engine.scalar(s, p) != Tri::No
        })
        .map(|(s, holder)| path(store, s, &store.holders[holder].arn))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// The account's identity grants of `GetSecretValue`, by holder: those that reach every secret,
/// and per secret the others (indices into the grant table). A grant that holds for none of the
/// holder's principals in effect is left out; members for whom it does not hold are listed as
/// exceptions.
fn holder_grants(
    analysis: &Analysis,
    real: &Bits,
    table: &mut Table<GrantKey, HolderGrant>,
) -> (Vec<usize>, Vec<Vec<usize>>) {
    let store = analysis.store();
    let engine = analysis.engine;
    let mut every = Vec::new();
    let mut per_secret: Vec<Vec<usize>> = vec![Vec::new(); store.real_secrets];
    for (h, holder) in store.holders.iter().enumerate() {
        let Some(&rep) = holder.members.first() else {
            continue;
        };
        let mut wide = Vec::new();
        let mut by_secret: BTreeMap<usize, Vec<StmtId>> = BTreeMap::new();
        for &id in &holder.policies {
            for &stmt in &store.policies[id].statements {
                let s = store.stmt(stmt);
                if s.effect() != Effect::Allow || !s.covers(Act::GetSecretValue) {
                    continue;
                }
                let scalar = engine.scalar(stmt, rep);
                if scalar == Tri::No {
                    continue;
                }
                let mut bits = (*engine.resource_bits(stmt, Target::Secret, rep)).clone();
                bits.limit(scalar);
                bits.restrict(&store.readable);
                if covers_all(&bits, &store.readable) != Tri::No {
                    wide.push(stmt);
                } else {
                    for i in bits.any.ones().filter(|&i| real.contains(i)) {
                        by_secret.entry(i).or_default().push(stmt);
                    }
                }
            }
        }
        if !wide.is_empty() {
            let answers = holder
                .members
                .iter()
                .map(|&m| (m, covers_all(&analysis.direct[m], &store.readable)));
            every.extend(add_grant(table, store, h, wide, answers, "identity_policy"));
        }
        for (i, stmts) in by_secret {
            let answers = holder
                .members
                .iter()
                .map(|&m| (m, analysis.direct[m].get(i)));
            per_secret[i].extend(add_grant(
                table,
                store,
                h,
                stmts,
                answers,
                "identity_policy",
            ));
        }
    }
    for (i, grants) in per_secret.iter_mut().enumerate() {
        grants.extend(resource_policy_holders(analysis, i, table));
    }
    (every, per_secret)
}

/// A holder's grant through `stmts`, given each member's answer in effect: the members it does
/// not reach are exceptions; `None` when it reaches none.
fn add_grant(
    table: &mut Table<GrantKey, HolderGrant>,
    store: &Store,
    holder: usize,
    stmts: Vec<StmtId>,
    answers: impl Iterator<Item = (usize, Tri)>,
    via: &'static str,
) -> Option<usize> {
    let mut except = Vec::new();
    let mut best = Tri::No;
    for (member, answer) in answers {
        match answer {
            Tri::No => except.push(member),
            tri => best = best.or(tri),
        }
    }
    let access = access(best)?;
    Some(table.add(
        (holder, stmts, except, access, via),
        |(_, stmts, except, _, _)| {
            let h = &store.holders[holder];
            let paths = stmts
                .iter()
                .map(|&s| path(store, s, resource_of(store, s, &h.arn)))
                .collect();
            let except = except
                .iter()
                .map(|&m| store.principals[m].arn().to_owned())
                .collect();
            let mut grant = grant(h, access, paths, except);
            grant.via = via.to_owned();
            grant
        },
    ))
}

/// What a statement's policy is attached to, for its path: the secret for a resource policy, the
/// holder otherwise.
fn resource_of<'a>(store: &'a Store, stmt: StmtId, holder: &'a str) -> &'a str {
    let policy = store.policy_of(stmt);
    match policy.kind {
        PolicyKind::Resource | PolicyKind::Trust => {
            policy.attached_to.first().map_or(holder, String::as_str)
        }
        _ => holder,
    }
}

fn grant(
    holder: &super::store::Holder,
    access: Access,
    mut paths: Vec<PolicyPath>,
    except: Vec<String>,
) -> HolderGrant {
    paths.sort();
    paths.dedup();
    HolderGrant {
        holder: holder.arn.clone(),
        holder_kind: holder.kind.to_owned(),
        members: (holder.kind == "group").then_some(holder.members.len() as u32),
        via: "identity_policy".to_owned(),
        access,
        paths,
        except,
    }
}

/// The account's principals a secret's resource policy names, with the answer in effect.
fn resource_policy_holders(
    analysis: &Analysis,
    i: usize,
    table: &mut Table<GrantKey, HolderGrant>,
) -> Vec<usize> {
    let store = analysis.store();
    let Some(policy) = store.secrets[i].policy else {
        return Vec::new();
    };
    let mut grants = Vec::new();
    for &stmt in &store.policies[policy].statements {
        let s = store.stmt(stmt);
        if s.effect() != Effect::Allow || !s.covers(Act::GetSecretValue) {
            continue;
        }
        let Some(principals) = s.statement.principals.as_ref().filter(|p| !p.negated) else {
            continue;
        };
        for entry in &principals.entries {
            let PrincipalRef::Arn(arn) = entry else {
                continue;
            };
            let Some(p) = store.principals.iter().position(|x| x.arn() == arn) else {
                continue;
            };
            let holder = store.principals[p].holder;
            let answer = std::iter::once((p, analysis.direct[p].get(i)));
            grants.extend(add_grant(
                table,
                store,
                holder,
                vec![stmt],
                answer,
                "resource_policy",
            ));
        }
    }
    grants
}

/// How many of the account's principals read each secret by any route, surely and only
/// conditionally. Principals with the same reads are counted together.
fn reader_counts(analysis: &Analysis, real: &Bits) -> (Vec<u32>, Vec<u32>) {
    let store = analysis.store();
    let mut classes: FastMap<*const TriBits, (Arc<TriBits>, u32)> = FastMap::default();
    for reads in &analysis.reads {
        classes
            .entry(Arc::as_ptr(reads))
            .or_insert((reads.clone(), 0))
            .1 += 1;
    }
    let mut sure = vec![0u32; store.real_secrets];
    let mut maybe = vec![0u32; store.real_secrets];
    for (reads, count) in classes.values() {
        for i in reads.any.ones().filter(|&i| real.contains(i)) {
            if reads.yes.contains(i) {
                sure[i] += count;
            } else {
                maybe[i] += count;
            }
        }
    }
    (sure, maybe)
}

/// Readers outside the account: through a secret's resource policy, or by assuming a role
/// that reads it. Those reaching every secret are listed once.
fn outside_readers(
    analysis: &Analysis,
    real: &Bits,
    table: &mut Table<OutsideKey, OutsideReader>,
) -> (Vec<usize>, Vec<Vec<usize>>) {
    let store = analysis.store();
    let mut every = Vec::new();
    let mut per_secret: Vec<Vec<usize>> = Vec::with_capacity(store.real_secrets);
    for (i, grants) in analysis.outside_readers.iter().enumerate() {
        let secret = store.secret_universe.arn(i);
        let readers = grants
            .iter()
            .filter_map(|g| add_outside(table, store, g, Tri::Yes, None, secret))
            .collect();
        per_secret.push(readers);
    }
    for (r, grants) in analysis.role_outsiders.iter().enumerate() {
        let outsiders: Vec<&OutsideGrant> =
            grants.iter().filter(|g| g.scope.is_outside()).collect();
        if outsiders.is_empty() {
            continue;
        }
        let role = store.role_universe.arn(r);
        let reads = &analysis.reads[store.role_principals[r]];
        let everywhere = covers_all(reads, &store.readable);
        if everywhere != Tri::No {
            every.extend(
                outsiders
                    .iter()
                    .filter_map(|g| add_outside(table, store, g, everywhere, Some(r), role)),
            );
            continue;
        }
        for i in reads.any.ones().filter(|&i| real.contains(i)) {
            per_secret[i].extend(
                outsiders
                    .iter()
                    .filter_map(|g| add_outside(table, store, g, reads.get(i), Some(r), role)),
            );
        }
    }
    (every, per_secret)
}

/// An outside reader, through a resource policy or a role (`role`, role-universe index), its
/// answer limited to `limit`; `None` when it does not reach outside the account.
fn add_outside(
    table: &mut Table<OutsideKey, OutsideReader>,
    store: &Store,
    grant: &OutsideGrant,
    limit: Tri,
    role: Option<usize>,
    attached_to: &str,
) -> Option<usize> {
    if !grant.scope.is_outside() {
        return None;
    }
    let access = access(grant.access.and(limit))?;
    let key = (
        grant.stmt,
        grant.principal.clone(),
        role,
        access,
        grant.conditions.clone(),
    );
    Some(table.add(key, |_| {
        let mut p = path(store, grant.stmt, attached_to);
        p.conditions = grant.conditions.clone();
        OutsideReader {
            principal: grant.principal.clone(),
            scope: grant.scope.name().to_owned(),
            accounts: grant.accounts.clone(),
            access,
            via: if role.is_some() {
                "role"
            } else {
                "resource_policy"
            }
            .to_owned(),
            role: role.map(|r| store.role_universe.arn(r).to_owned()),
            paths: vec![p],
        }
    }))
}

fn resource_policy_grants(analysis: &Analysis, i: usize) -> Vec<ResourcePolicyGrant> {
    let store = analysis.store();
    analysis.outside_grants[i]
        .iter()
        .filter(|(g, _)| g.scope.is_outside())
        .filter_map(|(g, actions)| {
            Some(ResourcePolicyGrant {
                principal: g.principal.clone(),
                scope: g.scope.name().to_owned(),
                accounts: g.accounts.clone(),
                access: access(g.access)?,
                statement: store.stmt(g.stmt).statement.label.clone(),
                actions: actions.iter().map(|a| (*a).to_owned()).collect(),
                conditions: g.conditions.clone(),
            })
        })
        .collect()
}

/// Who among the account's own principals can assume each role (role-universe index), as
/// indices into the assumer table: a holder (user, group, role) whose identity statements allow
/// `sts:AssumeRole` on the role, once, with its members who cannot assume it in effect as
/// exceptions; and a principal that only the trust policy names, on its own. A grant is shared
/// by every role it reaches alike, so the table grows with distinct grants, not users × roles.
fn account_assumers(
    analysis: &Analysis,
    table: &mut Table<GrantKey, HolderGrant>,
) -> Vec<Vec<usize>> {
    let store = analysis.store();
    let mut per_role: Vec<Vec<usize>> = vec![Vec::new(); store.role_universe.len()];
    // Per holder, the roles its own statements reach; none for most holders (a set for every
    // holder took 1.5 GB at 334,000 users and 33,000 roles).
    let mut holder_roles: Vec<Option<Bits>> = Vec::with_capacity(store.holders.len());
    for h in 0..store.holders.len() {
        let by_role = assume_statements(analysis, h);
        holder_roles.push((!by_role.is_empty()).then(|| {
            let mut roles = Bits::empty(store.role_universe.len());
            by_role.keys().for_each(|&r| roles.insert(r));
            roles
        }));
        for (r, stmts) in by_role {
            let answers = store.holders[h]
                .members
                .iter()
                .filter(|&&m| store.role_principals[r] != m)
                .map(|&m| (m, analysis.assume[m].get(r)));
            per_role[r].extend(add_grant(
                table,
                store,
                h,
                stmts,
                answers,
                "identity_policy",
            ));
        }
    }
    for (p, principal) in store.principals.iter().enumerate() {
        let mut holders: Vec<usize> = principal.identity.iter().map(|&(_, h)| h).collect();
        holders.sort_unstable();
        holders.dedup();
        for r in analysis.assume[p].any.ones() {
            if store.role_principals[r] == p
                || holders.iter().any(|&h| {
                    holder_roles[h]
                        .as_ref()
                        .is_some_and(|roles| roles.contains(r))
                })
            {
                continue;
            }
            let answer = std::iter::once((p, analysis.assume[p].get(r)));
            let stmts = trust_statements(store, r);
            per_role[r].extend(add_grant(
                table,
                store,
                principal.holder,
                stmts,
                answer,
                "trust_policy",
            ));
        }
    }
    for grants in &mut per_role {
        grants.sort_unstable();
        grants.dedup();
    }
    per_role
}

/// A holder's identity statements that allow `sts:AssumeRole`, by the role they reach (for the
/// holder's first member, as for its secret grants).
fn assume_statements(analysis: &Analysis, h: usize) -> BTreeMap<usize, Vec<StmtId>> {
    let store = analysis.store();
    let engine = analysis.engine;
    let mut by_role: BTreeMap<usize, Vec<StmtId>> = BTreeMap::new();
    let Some(&rep) = store.holders[h].members.first() else {
        return by_role;
    };
    for &id in &store.holders[h].policies {
        for &stmt in &store.policies[id].statements {
            let s = store.stmt(stmt);
            if s.effect() != Effect::Allow || !s.covers(Act::AssumeRole) {
                continue;
            }
            let scalar = engine.scalar(stmt, rep);
            if scalar == Tri::No {
                continue;
            }
            for r in engine.resource_bits(stmt, Target::Role, rep).any.ones() {
                by_role.entry(r).or_default().push(stmt);
            }
        }
    }
    by_role
}

/// The statements of a role's trust policy that allow `sts:AssumeRole`.
fn trust_statements(store: &Store, r: usize) -> Vec<StmtId> {
    store.trust[r].map_or_else(Vec::new, |trust| {
        store.policies[trust]
            .statements
            .iter()
            .copied()
            .filter(|&stmt| {
                let s = store.stmt(stmt);
                s.effect() == Effect::Allow && s.covers(Act::AssumeRole)
            })
            .collect()
    })
}

/// A role's trust statements, as paths.
fn trust_paths(store: &Store, r: usize) -> Vec<PolicyPath> {
    let role = store.role_universe.arn(r);
    trust_statements(store, r)
        .into_iter()
        .map(|stmt| path(store, stmt, role))
        .collect()
}

/// Who outside the account's own principals can assume each role (role-universe index):
/// other accounts, identity providers, services.
fn outside_assumers(analysis: &Analysis) -> HashMap<usize, Vec<Assumer>> {
    let store = analysis.store();
    let mut by_role: HashMap<usize, Vec<Assumer>> = HashMap::new();
    for (r, grants) in analysis.role_outsiders.iter().enumerate() {
        let role = store.role_universe.arn(r);
        for g in grants.iter().filter(|g| g.scope != Scope::SameAccount) {
            let Some(access) = access(g.access) else {
                continue;
            };
            let mut p = path(store, g.stmt, role);
            p.conditions = g.conditions.clone();
            by_role.entry(r).or_default().push(Assumer {
                principal: g.principal.clone(),
                scope: g.scope.name().to_owned(),
                access,
                paths: vec![p],
            });
        }
    }
    by_role
}

/// Documents AWS would reject, with every principal they apply to (a group's members too).
fn unreadable(store: &Store) -> Vec<UnreadablePolicy> {
    let mut holders: HashMap<PolicyId, Vec<String>> = HashMap::new();
    for principal in &store.principals {
        for &(id, _) in &principal.identity {
            holders
                .entry(id)
                .or_default()
                .push(principal.arn().to_owned());
        }
        if let super::store::Boundary::Policy(id) = principal.boundary {
            holders
                .entry(id)
                .or_default()
                .push(principal.arn().to_owned());
        }
    }
    store
        .policies
        .iter()
        .enumerate()
        .filter_map(|(id, policy)| {
            let problem = policy.problem.clone()?;
            let mut attached: Vec<String> = policy.attached_to.clone();
            attached.extend(holders.remove(&id).unwrap_or_default());
            attached.sort();
            attached.dedup();
            Some(UnreadablePolicy {
                policy: policy.arn.clone().unwrap_or_else(|| policy.name.clone()),
                kind: kind_name(policy.kind).to_owned(),
                attached_to: attached,
                problem,
            })
        })
        .collect()
}

fn kind_name(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "identity",
        PolicyKind::Boundary => "boundary",
        PolicyKind::ServiceControl => "service_control",
        PolicyKind::ResourceControl => "resource_control",
        PolicyKind::Resource => "resource",
        PolicyKind::Trust => "trust",
    }
}
