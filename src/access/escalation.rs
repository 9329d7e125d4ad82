//! The well-known ways an IAM principal gives itself more than its policies grant:
//! - **self policy**: write or attach a policy to itself (`iam:PutUserPolicy`,
//!   `iam:AttachUserPolicy`, `iam:PutRolePolicy`, `iam:AttachRolePolicy`) or to one of its groups
//!   (`iam:PutGroupPolicy`, `iam:AttachGroupPolicy`), publish a new default version of a policy
//!   attached to it (`iam:CreatePolicyVersion`; `iam:SetDefaultPolicyVersion` only if an older
//!   version grants more, hence conditional): it can then grant itself anything its permissions
//!   boundary and the SCPs allow, and with `iam:Delete…PermissionsBoundary` or
//!   `iam:Put…PermissionsBoundary` on itself, anything the SCPs allow;
//! - **join a group** (`iam:AddUserToGroup`): it gains that group's grants;
//! - **become another user** (`iam:CreateAccessKey`, `iam:CreateLoginProfile`,
//!   `iam:UpdateLoginProfile`): it can act as that user;
//! - **rewrite a role's trust** (`iam:UpdateAssumeRolePolicy`): it can then assume the role;
//! - **pass a role to a compute service** (`iam:PassRole` plus, e.g., `lambda:CreateFunction` and
//!   `lambda:InvokeFunction`, `ec2:RunInstances`, `ecs:RunTask`, `glue:CreateDevEndpoint`,
//!   `cloudformation:CreateStack`, `codebuild:StartBuild`, `sagemaker:CreateNotebookInstance`) on
//!   a role that trusts that service: its code runs as the role;
//! - **write a secret's resource policy** (`secretsmanager:PutResourcePolicy`): it can name
//!   itself in it and read the secret.
//!
//! Each is judged with the same model (denies, boundary, SCPs). The model does not check
//! preconditions AWS adds (a user with two keys cannot get a third, a login profile must not
//! exist yet): it errs on the side of reporting the route.

use std::sync::Arc;

use super::bits::{Bits, Interner, Tri, TriBits};
use super::catalog::{Act, COMPUTE_SERVICES, Target};
use super::document::{Effect, PolicyKind, PrincipalRef};
use super::engine::Engine;
use super::resource_side::ResourceSide;
use super::store::{Boundary, PolicyId};
use super::universe::Universe;

/// One route, for reports: the same action on many targets is one route that counts them.
#[derive(Debug, Clone)]
pub struct Route {
    pub kind: &'static str,
    pub actions: Vec<Act>,
    /// The one target's ARN, or how many ("120 users").
    pub target: Option<String>,
    pub access: Tri,
}

/// What a principal can gain beyond its own grants. The sets are interned (shared by every
/// principal with the same answer), which is why the users and roles it can act as may
/// include itself: `analysis::edges` leaves that out.
pub struct PrincipalEscalation {
    pub routes: Vec<Route>,
    /// Secrets it can read by granting itself (self policy, joining a group, a secret's
    /// policy).
    pub own_reads: Arc<TriBits>,
    /// Users (user-universe order) and roles (role-universe order) it can act as.
    pub become_users: Arc<TriBits>,
    pub become_roles: Arc<TriBits>,
}

/// One route over a set of targets, leaving out `except` (the principal itself, where acting
/// as itself gains nothing); `None` when no target is left.
fn route_over(
    kind: &'static str,
    actions: Vec<Act>,
    targets: &TriBits,
    except: Option<usize>,
    universe: &Universe,
    noun: &str,
) -> Option<Route> {
    let others = |bits: &Bits| bits.count() - except.map_or(0, |i| usize::from(bits.contains(i)));
    let target = match others(&targets.any) {
        0 => return None,
        1 => universe
            .arn(targets.any.ones().find(|&i| Some(i) != except)?)
            .to_owned(),
        n => format!("{n} {noun}s"),
    };
    Some(Route {
        kind,
        actions,
        target: Some(target),
        access: if others(&targets.yes) == 0 {
            Tri::Maybe
        } else {
            Tri::Yes
        },
    })
}

/// Roles trusting each compute service, in role-universe order.
pub struct ServiceRoles {
    by_service: Vec<Bits>,
}

impl ServiceRoles {
    pub fn new(engine: &Engine) -> ServiceRoles {
        let store = engine.store;
        let by_service = COMPUTE_SERVICES
            .iter()
            .map(|(service, _)| {
                Bits::from_fn(store.role_universe.len(), |r| {
                    store.trust[r].is_some_and(|id| trusts_service(engine, id, service))
                })
            })
            .collect();
        ServiceRoles { by_service }
    }
}

/// Whether a trust policy lets a service assume the role.
fn trusts_service(engine: &Engine, policy: PolicyId, service: &str) -> bool {
    let store = engine.store;
    store.policies[policy].statements.iter().any(|&stmt| {
        let s = store.stmt(stmt);
        s.effect() == Effect::Allow
            && s.covers(Act::AssumeRole)
            && s.statement.principals.as_ref().is_some_and(|p| {
                !p.negated
                    && p.entries
                        .iter()
                        .any(|e| matches!(e, PrincipalRef::Service(x) if x == service))
            })
    })
}

/// The routes of principal `p`. `get` are the secrets' resource policies for reading (their
/// Denies still apply to what it grants itself), `put` for `PutResourcePolicy`; the sets are
/// kept in `interner`.
pub fn of(
    engine: &Engine,
    p: usize,
    get: &ResourceSide,
    put: &ResourceSide,
    services: &ServiceRoles,
    interner: &mut Interner,
) -> PrincipalEscalation {
    let store = engine.store;
    let principal = &store.principals[p];
    let mut routes = Vec::new();
    let mut self_grant = Tri::No;
    let mut unbounded = Tri::No;

    // Policies on itself, on its groups, new versions of policies attached to it.
    let self_index = if principal.is_user() {
        store.user_universe.find(principal.arn())
    } else {
        store.role_universe.find(principal.arn())
    };
    let (put_self, attach_self, delete_boundary, put_boundary) = if principal.is_user() {
        (
            Act::PutUserPolicy,
            Act::AttachUserPolicy,
            Act::DeleteUserPermissionsBoundary,
            Act::PutUserPermissionsBoundary,
        )
    } else {
        (
            Act::PutRolePolicy,
            Act::AttachRolePolicy,
            Act::DeleteRolePermissionsBoundary,
            Act::PutRolePermissionsBoundary,
        )
    };
    let on_self = |act: Act| self_index.map_or(Tri::No, |i| engine.effective(p, act, None).get(i));
    for act in [put_self, attach_self] {
        let tri = on_self(act);
        if tri != Tri::No {
            self_grant = self_grant.or(tri);
            routes.push(Route {
                kind: "self_policy",
                actions: vec![act],
                target: Some(principal.arn().to_owned()),
                access: tri,
            });
        }
    }
    if principal.boundary != Boundary::None {
        for act in [delete_boundary, put_boundary] {
            let tri = on_self(act);
            if tri != Tri::No {
                unbounded = unbounded.or(tri);
                routes.push(Route {
                    kind: "self_policy",
                    actions: vec![act],
                    target: Some(principal.arn().to_owned()),
                    access: tri,
                });
            }
        }
    }
    for &g in &principal.groups {
        for act in [Act::PutGroupPolicy, Act::AttachGroupPolicy] {
            let tri = engine.effective(p, act, None).get(g);
            if tri != Tri::No {
                self_grant = self_grant.or(tri);
                routes.push(Route {
                    kind: "self_policy",
                    actions: vec![act],
                    target: Some(store.group_universe.arn(g).to_owned()),
                    access: tri,
                });
            }
        }
    }
    let attached: Vec<usize> = attached_customer_policies(engine, p);
    for (act, sure) in [
        (Act::CreatePolicyVersion, Tri::Yes),
        (Act::SetDefaultPolicyVersion, Tri::Maybe),
    ] {
        let allowed = engine.effective(p, act, None);
        for &i in &attached {
            let tri = allowed.get(i).and(sure);
            if tri != Tri::No {
                self_grant = self_grant.or(tri);
                routes.push(Route {
                    kind: "self_policy",
                    actions: vec![act],
                    target: Some(store.policy_universe.arn(i).to_owned()),
                    access: tri,
                });
            }
        }
    }

    let mut own_reads = TriBits::empty(store.secret_universe.len());
    if self_grant != Tri::No {
        let with_boundary = ceiling(engine, p, get, unbounded != Tri::Yes);
        own_reads.union_limited(&with_boundary, self_grant);
        if unbounded != Tri::No {
            own_reads.union_limited(&ceiling(engine, p, get, false), self_grant.and(unbounded));
        }
    }

    // Joining a group gains its grants, within the principal's own ceiling. One route over
    // the groups it can join, like the other routes over many targets: a route per group made
    // the report grow with users times groups.
    if principal.is_user() {
        let joinable = engine.effective(p, Act::AddUserToGroup, None);
        routes.extend(route_over(
            "join_group",
            vec![Act::AddUserToGroup],
            &joinable,
            None,
            &store.group_universe,
            "group",
        ));
        if !joinable.is_empty() {
            let mut gained = TriBits::empty(store.secret_universe.len());
            for g in joinable.any.ones() {
                gained.union_limited(&group_grants(engine, p, g), joinable.get(g));
            }
            gained.intersect_with(&ceiling(engine, p, get, true));
            own_reads.union_with(&gained);
        }
    }

    // A secret's resource policy it can rewrite.
    let writable = engine.effective(
        p,
        Act::PutResourcePolicy,
        Some(&put.for_principal(p, engine)),
    );
    if !writable.is_empty() {
        let count = writable
            .any
            .ones()
            .filter(|&i| i < store.real_secrets)
            .count();
        if count > 0 {
            routes.push(Route {
                kind: "secret_policy",
                actions: vec![Act::PutResourcePolicy],
                target: Some(format!("{count} secrets")),
                access: if writable.yes.is_empty() {
                    Tri::Maybe
                } else {
                    Tri::Yes
                },
            });
        }
        let mut gained = writable;
        gained.intersect_with(&resource_ceiling(engine, p, get));
        own_reads.union_with(&gained);
    }

    // Other users and roles it can become.
    let mut become_users = TriBits::empty(store.user_universe.len());
    let me_as_user = self_index.filter(|_| principal.is_user());
    for act in [
        Act::CreateAccessKey,
        Act::CreateLoginProfile,
        Act::UpdateLoginProfile,
    ] {
        let users = engine.effective(p, act, None);
        routes.extend(route_over(
            "become_user",
            vec![act],
            &users,
            me_as_user,
            &store.user_universe,
            "user",
        ));
        become_users.union_with(&users);
    }
    let mut become_roles = engine.effective(p, Act::UpdateAssumeRolePolicy, None);
    routes.extend(route_over(
        "update_trust",
        vec![Act::UpdateAssumeRolePolicy],
        &become_roles,
        None,
        &store.role_universe,
        "role",
    ));
    let passable = engine.effective(p, Act::PassRole, None);
    if !passable.is_empty() {
        for ((_, alternatives), trusting) in COMPUTE_SERVICES.iter().zip(&services.by_service) {
            let (runs, actions) = best_alternative(engine, p, alternatives);
            if runs == Tri::No {
                continue;
            }
            let mut roles = passable.clone();
            roles.restrict(trusting);
            roles.limit(runs);
            let mut all = vec![Act::PassRole];
            all.extend(actions.iter().copied());
            routes.extend(route_over(
                "pass_role",
                all,
                &roles,
                None,
                &store.role_universe,
                "role",
            ));
            become_roles.union_with(&roles);
        }
    }
    own_reads.restrict(&store.readable);
    PrincipalEscalation {
        routes,
        own_reads: interner.intern(own_reads),
        become_users: interner.intern(become_users),
        become_roles: interner.intern(become_roles),
    }
}

/// The customer-managed policies attached to `p` or its groups, and its boundary, in
/// policy-universe order.
fn attached_customer_policies(engine: &Engine, p: usize) -> Vec<usize> {
    let store = engine.store;
    let principal = &store.principals[p];
    let boundary = match principal.boundary {
        Boundary::Policy(id) => Some(id),
        _ => None,
    };
    let mut indices: Vec<usize> = principal
        .identity
        .iter()
        .map(|&(id, _)| id)
        .chain(boundary)
        .filter_map(|id| store.policies[id].arn.as_deref())
        .filter_map(|arn| store.policy_universe.find(arn))
        .collect();
    indices.sort_unstable();
    indices.dedup();
    indices
}

/// What a principal could read if it granted itself everything: its permissions boundary (when
/// kept), the SCPs, and every explicit Deny still apply.
fn ceiling(engine: &Engine, p: usize, get: &ResourceSide, keep_boundary: bool) -> TriBits {
    let len = engine.store.secret_universe.len();
    let mut bits = TriBits::full(len);
    if keep_boundary && let Some(boundary) = engine.boundary_allow(p, Act::GetSecretValue) {
        bits.intersect_with(&boundary);
    }
    if let Some(scp) = engine.scp_allow(p, Act::GetSecretValue) {
        bits.intersect_with(&scp);
    }
    bits.deny(&engine.denies(p, Act::GetSecretValue));
    bits.deny(&get.denied_for(p, engine));
    bits
}

/// What a resource policy naming the principal could give it: for a role its boundary still
/// applies, for a user it does not; the SCPs and every Deny do.
fn resource_ceiling(engine: &Engine, p: usize, get: &ResourceSide) -> TriBits {
    ceiling(engine, p, get, !engine.store.principals[p].is_user())
}

/// What the policies of group `g` (`Store::groups` order) allow reading, for principal `p` as
/// a member.
fn group_grants(engine: &Engine, p: usize, g: usize) -> TriBits {
    let store = engine.store;
    let mut bits = TriBits::empty(store.secret_universe.len());
    let policies = store.holders[store.groups[g]]
        .policies
        .iter()
        .map(|&id| &store.policies[id])
        .filter(|policy| policy.kind != PolicyKind::Boundary);
    for policy in policies {
        for &stmt in &policy.statements {
            let s = store.stmt(stmt);
            if s.effect() == Effect::Allow && s.covers(Act::GetSecretValue) {
                bits.union_limited(
                    &engine.resource_bits(stmt, Target::Secret, p),
                    engine.scalar(stmt, p),
                );
            }
        }
    }
    bits
}

/// The surest set of actions that starts code in a compute service.
fn best_alternative(engine: &Engine, p: usize, alternatives: &[&[Act]]) -> (Tri, Vec<Act>) {
    let probe = format!("arn:{}:keyward-probe:::any", engine.store.partition);
    alternatives
        .iter()
        .map(|actions| {
            let tri = actions
                .iter()
                .map(|&act| engine.on_resource(p, act, &probe, true))
                .min()
                .unwrap_or(Tri::No);
            (tri, actions.to_vec())
        })
        .max_by_key(|(tri, _)| *tri)
        .unwrap_or((Tri::No, Vec::new()))
}
