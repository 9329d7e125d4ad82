//! One account worked out: for every principal the secrets it reads through its own policies and
//! the secrets' policies, the roles it can assume, its escalation routes, and then, following
//! roles and escalations to a fixed point, every secret it can read by any route; for every
//! secret and role, who outside the account gets in.
//!
//! Nothing here walks principal × secret pairs: each principal's answer is a set over all
//! secrets, computed from cached per-statement sets, and identical sets are stored once.

use std::sync::Arc;

use super::bits::{FastMap, Interner, Tri, TriBits};
use super::catalog::{ADMIN_ACTIONS, Act, Target};
use super::document::PrincipalRef;
use super::engine::Engine;
use super::escalation::{self, PrincipalEscalation, ServiceRoles};
use super::outside::{self, OutsideGrant};
use super::resource_side::ResourceSide;
use super::store::Store;

/// Secrets Manager actions on a secret, for what a resource policy lets outsiders do.
pub const SECRET_ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:DeleteSecret",
    "secretsmanager:RestoreSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:RemoveRegionsFromReplication",
    "secretsmanager:StopReplicationToReplica",
];

/// A way for one principal to act as another: assume a role, or become a user or role by
/// escalation.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    pub to: usize,
    pub access: Tri,
    /// `sts:AssumeRole` (rather than an escalation route).
    pub assume: bool,
}

pub struct Analysis<'e, 's> {
    pub engine: &'e Engine<'s>,
    /// Per principal: the secrets it reads through its own policies and the secrets' policies.
    pub direct: Vec<Arc<TriBits>>,
    /// Per principal: whether it reads every secret, existing and future, through its own
    /// policies (identity policies, its groups', boundary, SCPs, denies).
    pub every_secret: Vec<Tri>,
    /// Per principal: whether it has administrative access in effect.
    pub admin: Vec<Tri>,
    /// Per principal: the roles it can assume.
    pub assume: Vec<Arc<TriBits>>,
    pub escalations: Vec<PrincipalEscalation>,
    /// Per principal: every secret it reads by any route.
    pub reads: Vec<Arc<TriBits>>,
    /// Per secret: outsiders its resource policy lets read it.
    pub outside_readers: Vec<Vec<OutsideGrant>>,
    /// Per secret: outsiders its resource policy lets do anything, with the actions.
    pub outside_grants: Vec<Vec<(OutsideGrant, Vec<&'static str>)>>,
    /// Per role (role-universe order): outsiders its trust policy lets assume it.
    pub role_outsiders: Vec<Vec<OutsideGrant>>,
}

impl<'e, 's> Analysis<'e, 's> {
    pub fn run(engine: &'e Engine<'s>) -> Analysis<'e, 's> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let principals = engine.store.principals.len();
        Analysis::run_on(engine, cores.min(principals / PRINCIPALS_PER_WORKER).max(1))
    }

    /// The analysis with the principals' own grants worked out on up to `workers` threads.
    pub(super) fn run_on(engine: &'e Engine<'s>, workers: usize) -> Analysis<'e, 's> {
        let store = engine.store;
        let sides = Sides::new(engine);
        let mut interner = Interner::default();
        let mut direct = Vec::with_capacity(store.principals.len());
        let mut every_secret = Vec::with_capacity(store.principals.len());
        let mut admin = Vec::with_capacity(store.principals.len());
        let mut assume = Vec::with_capacity(store.principals.len());
        let mut escalations = Vec::with_capacity(store.principals.len());
        for own in own_grants(engine, &sides, &mut interner, workers) {
            direct.push(own.direct);
            every_secret.push(own.every_secret);
            admin.push(own.admin);
            assume.push(own.assume);
            escalations.push(own.escalation);
        }
        let reads = reach(store, &direct, &assume, &escalations, &mut interner);
        let (outside_readers, outside_grants) = secret_outsiders(store);
        let role_outsiders = role_outsiders(store);
        Analysis {
            engine,
            direct,
            every_secret,
            admin,
            assume,
            escalations,
            reads,
            outside_readers,
            outside_grants,
            role_outsiders,
        }
    }

    pub fn store(&self) -> &'s Store {
        self.engine.store
    }

    /// The principals principal `p` can act as.
    pub fn edges(&self, p: usize) -> impl Iterator<Item = Edge> + '_ {
        edges(self.store(), &self.assume, &self.escalations, p)
    }
}

/// The resource policies' side of the actions the analysis follows, worked out once for every
/// principal.
struct Sides {
    get: ResourceSide,
    put: ResourceSide,
    trust: ResourceSide,
    services: ServiceRoles,
}

impl Sides {
    fn new(engine: &Engine) -> Sides {
        Sides {
            get: ResourceSide::secrets(engine, Act::GetSecretValue),
            put: ResourceSide::secrets(engine, Act::PutResourcePolicy),
            trust: ResourceSide::trust(engine),
            services: ServiceRoles::new(engine),
        }
    }
}

/// What one principal can do by its own grants, before roles and escalations are followed.
struct OwnGrants {
    direct: Arc<TriBits>,
    every_secret: Tri,
    admin: Tri,
    assume: Arc<TriBits>,
    escalation: PrincipalEscalation,
}

/// Principals per thread below which a thread costs more than it saves.
const PRINCIPALS_PER_WORKER: usize = 1_000;

/// The own grants of every principal, in principal order. The principals are shared out in
/// runs over up to `workers` threads, each with an engine of its own (an engine caches the
/// sets of the statements it has met, and is not shared between threads); the sets the other
/// threads made are then interned in `interner`, so that equal sets are still one allocation
/// and `reach` merges the edges into them. The first run goes on this thread, with `engine`.
fn own_grants(
    engine: &Engine,
    sides: &Sides,
    interner: &mut Interner,
    workers: usize,
) -> Vec<OwnGrants> {
    let store = engine.store;
    let count = store.principals.len();
    let run = count.div_ceil(workers.max(1)).max(1);
    let runs: Vec<std::ops::Range<usize>> = (0..count)
        .step_by(run)
        .map(|start| start..(start + run).min(count))
        .collect();
    let Some((first, others)) = runs.split_first() else {
        return Vec::new();
    };
    std::thread::scope(|scope| {
        let others: Vec<_> = others
            .iter()
            .map(|principals| {
                scope.spawn(move || {
                    let engine = Engine::new(store);
                    let mut own = Interner::default();
                    principals
                        .clone()
                        .map(|p| own_grants_of(&engine, sides, p, &mut own))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<OwnGrants> = first
            .clone()
            .map(|p| own_grants_of(engine, sides, p, interner))
            .collect();
        for other in others {
            let grants = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            all.extend(grants.into_iter().map(|g| g.shared_in(interner)));
        }
        all
    })
}

fn own_grants_of(engine: &Engine, sides: &Sides, p: usize, interner: &mut Interner) -> OwnGrants {
    let store = engine.store;
    let mut read = engine.effective(
        p,
        Act::GetSecretValue,
        Some(&sides.get.for_principal(p, engine)),
    );
    read.restrict(&store.readable);
    OwnGrants {
        // The probes (secrets of tomorrow) have no resource policy: only identity policies
        // cover them, so this is "every secret through its own policies".
        every_secret: covers_all(&read, &store.readable),
        direct: interner.intern(read),
        admin: admin_in_effect(engine, p),
        assume: interner.intern(engine.effective(
            p,
            Act::AssumeRole,
            Some(&sides.trust.for_principal(p, engine)),
        )),
        escalation: escalation::of(engine, p, &sides.get, &sides.put, &sides.services, interner),
    }
}

impl OwnGrants {
    /// The same grants with their sets interned in `interner`.
    fn shared_in(self, interner: &mut Interner) -> OwnGrants {
        let escalation = PrincipalEscalation {
            own_reads: interner.share(self.escalation.own_reads),
            become_users: interner.share(self.escalation.become_users),
            become_roles: interner.share(self.escalation.become_roles),
            ..self.escalation
        };
        OwnGrants {
            direct: interner.share(self.direct),
            assume: interner.share(self.assume),
            escalation,
            ..self
        }
    }
}

/// Whether a set covers every member of a mask, surely or conditionally.
pub fn covers_all(bits: &TriBits, mask: &super::bits::Bits) -> Tri {
    if mask.is_subset(&bits.yes) {
        Tri::Yes
    } else if mask.is_subset(&bits.any) {
        Tri::Maybe
    } else {
        Tri::No
    }
}

/// Administrative access: every action of every service on any resource, and IAM's
/// privilege-management actions on any resource (see KW-IAM-011).
fn admin_in_effect(engine: &Engine, p: usize) -> Tri {
    let store = engine.store;
    ADMIN_ACTIONS
        .iter()
        .map(|&act| {
            let arn = probe_arn(store, act.def().target);
            engine.on_resource(p, act, &arn, false)
        })
        .min()
        .unwrap_or(Tri::No)
}

/// A resource of a kind that no policy names by itself.
pub fn probe_arn(store: &Store, target: Target) -> String {
    let (partition, account) = (&store.partition, &store.account);
    match target {
        Target::Role => format!("arn:{partition}:iam::{account}:role/keyward-probe/not-a-role"),
        Target::User => format!("arn:{partition}:iam::{account}:user/keyward-probe/not-a-user"),
        Target::Group => format!("arn:{partition}:iam::{account}:group/keyward-probe/not-a-group"),
        Target::Policy => {
            format!("arn:{partition}:iam::{account}:policy/keyward-probe/not-a-policy")
        }
        Target::Secret => format!(
            "arn:{partition}:secretsmanager:us-east-1:{account}:secret:keyward-probe/not-a-secret-AbCdEf"
        ),
        Target::Any => format!(
            "arn:{partition}:keyward-probe:us-east-1:{account}:not-a-resource/keyward-probe"
        ),
    }
}

/// Every secret each principal reads by any route: its own reads and escalations, and whatever
/// the users and roles it can become read, followed to a fixed point (chains of roles). Edges
/// into the same set of reads are merged, so a principal that can assume many roles costs one
/// union per distinct set those roles read.
/// The principals principal `p` can act as: the roles it can assume, the users and roles its
/// escalation routes make it.
fn edges<'a>(
    store: &'a Store,
    assume: &'a [Arc<TriBits>],
    escalations: &'a [PrincipalEscalation],
    p: usize,
) -> impl Iterator<Item = Edge> + 'a {
    let of = |bits: &'a TriBits, principals: &'a [usize], assume: bool| {
        bits.any.ones().map(move |i| Edge {
            to: principals[i],
            access: bits.get(i),
            assume,
        })
    };
    let escalation = &escalations[p];
    of(&assume[p], &store.role_principals, true)
        .chain(of(&escalation.become_users, &store.user_principals, false))
        .chain(of(&escalation.become_roles, &store.role_principals, false))
        .filter(move |e| e.to != p)
}

fn reach(
    store: &Store,
    direct: &[Arc<TriBits>],
    assume: &[Arc<TriBits>],
    escalations: &[PrincipalEscalation],
    interner: &mut Interner,
) -> Vec<Arc<TriBits>> {
    let mut reads: Vec<Arc<TriBits>> = direct
        .iter()
        .zip(escalations)
        .map(|(own, escalation)| {
            let mut all = (**own).clone();
            all.union_with(&escalation.own_reads);
            interner.intern(all)
        })
        .collect();
    let full = TriBits::full(store.secret_universe.len());
    // Each round lengthens the chains followed by one; chains are short, and a round that
    // changes nothing ends it.
    for _ in 0..store.principals.len() {
        let mut changed = false;
        for p in 0..store.principals.len() {
            if reads[p].yes == full.yes {
                continue;
            }
            let mut targets: FastMap<*const TriBits, (Arc<TriBits>, Tri)> = FastMap::default();
            for edge in edges(store, assume, escalations, p) {
                let entry = targets
                    .entry(Arc::as_ptr(&reads[edge.to]))
                    .or_insert((reads[edge.to].clone(), Tri::No));
                entry.1 = entry.1.or(edge.access);
            }
            let mut all = (*reads[p]).clone();
            for (set, tri) in targets.values() {
                all.union_limited(set, *tri);
            }
            if all != *reads[p] {
                reads[p] = interner.intern(all);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    reads
}

/// For each secret, the outsiders its resource policy lets read it, and those it lets do
/// anything (with the actions), after its Denies and the RCPs.
#[allow(clippy::type_complexity)]
fn secret_outsiders(
    store: &Store,
) -> (
    Vec<Vec<OutsideGrant>>,
    Vec<Vec<(OutsideGrant, Vec<&'static str>)>>,
) {
    let rcp_denies = rcp_statements(store);
    let mut readers = Vec::with_capacity(store.real_secrets);
    let mut grants = Vec::with_capacity(store.real_secrets);
    let engine_facts = |i: usize| super::condition::ResourceFacts {
        tags: &store.secrets[i].tags,
        region: &store.secrets[i].region,
        account: &store.account,
        organization: &store.organization,
    };
    for i in 0..store.real_secrets {
        let secret = &store.secrets[i];
        let Some(policy) = secret.policy else {
            readers.push(Vec::new());
            grants.push(Vec::new());
            continue;
        };
        let statements = &store.policies[policy].statements;
        let arn = store.secret_universe.arn(i);
        let mut by_grant: Vec<(OutsideGrant, Vec<&'static str>)> = Vec::new();
        for &action in SECRET_ACTIONS {
            for grant in outside::grants(
                store,
                statements,
                &rcp_denies,
                arn,
                Some(engine_facts(i)),
                &|_| action.to_owned(),
            ) {
                match by_grant
                    .iter_mut()
                    .find(|(g, _)| g.stmt == grant.stmt && g.principal == grant.principal)
                {
                    Some((_, actions)) => actions.push(action),
                    None => by_grant.push((grant, vec![action])),
                }
            }
        }
        let get = &SECRET_ACTIONS[0];
        let reading = if secret.deleted {
            Vec::new()
        } else {
            by_grant
                .iter()
                .filter(|(_, actions)| actions.contains(get))
                .map(|(g, _)| g.clone())
                .collect()
        };
        readers.push(reading);
        grants.push(by_grant);
    }
    (readers, grants)
}

/// The RCP statements that apply to the account's resources.
fn rcp_statements(store: &Store) -> Vec<usize> {
    match &store.org {
        super::store::OrgPolicies::Weighed {
            rcp: true, levels, ..
        } => levels
            .iter()
            .flat_map(|l| &l.rcps)
            .flat_map(|&id| store.policies[id].statements.iter().copied())
            .collect(),
        _ => Vec::new(),
    }
}

/// For each role, the outsiders its trust policy lets assume it.
fn role_outsiders(store: &Store) -> Vec<Vec<OutsideGrant>> {
    let action_for = |principal: &PrincipalRef| {
        match principal {
            PrincipalRef::Federated(provider) if provider.contains(":saml-provider/") => {
                "sts:AssumeRoleWithSAML"
            }
            PrincipalRef::Federated(_) => "sts:AssumeRoleWithWebIdentity",
            _ => "sts:AssumeRole",
        }
        .to_owned()
    };
    (0..store.role_universe.len())
        .map(|r| match store.trust[r] {
            Some(policy) => outside::grants(
                store,
                &store.policies[policy].statements,
                &[],
                store.role_universe.arn(r),
                None,
                &action_for,
            ),
            None => Vec::new(),
        })
        .collect()
}
