//! AWS's policy evaluation for the account's own principals, one principal and one action at a
//! time over a whole set of resources (every secret, every role, …) at once:
//!
//! 1. an explicit Deny in any policy that applies (identity policies, the permissions boundary,
//!    the SCPs and RCPs, the resource's own policy) wins;
//! 2. the SCPs must allow the action at every level of the account's path (root, each OU, the
//!    account), unless the account is the organization's management account or the role is
//!    service-linked;
//! 3. then it is allowed when an identity policy allows it and the permissions boundary (if
//!    any) allows it too, or when the resource's policy names the principal (for a role, the
//!    boundary still applies; for a user it does not); a role's trust policy that names the
//!    account delegates to identity policies, which must then allow `sts:AssumeRole`.
//!
//! A statement's set of resources is computed once per distinct pattern (and once per secret
//! for conditions on the secret's tags or region), and the union of a list of statements is
//! cached by that list: principals that share groups and policies share the work.

use std::cell::RefCell;
use std::sync::Arc;

use super::bits::{Bits, FastMap, Tri, TriBits};
use super::catalog::{Act, Target};
use super::condition::{self, Outcome, ResourceFacts, Subject};
use super::document::{Effect, ResourceSet};
use super::store::{Boundary, OrgPolicies, PolicyId, StmtId, Store};

/// A statement as it applies to one principal: its answer for the principal's attributes
/// (`scalar`) and, for statements with policy variables, the text they resolve to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Part {
    stmt: StmtId,
    scalar: Tri,
    resolution: Option<Arc<str>>,
}

/// What the resources' own policies (secrets' resource policies, roles' trust policies) grant and
/// deny one principal, over a whole universe.
pub struct SideGrants {
    /// Granted to the principal by name, or to everyone.
    pub direct: TriBits,
    /// Resources whose policy delegates to the account's identity policies (trust policies
    /// naming the account); `None` where identity policies need no delegation (secrets).
    pub delegated: Option<TriBits>,
    pub denied: TriBits,
}

/// A list of parts and the universe they are taken over: the key of a cached union.
type UnionKey = (Target, Vec<Part>);

/// A statement, the universe it is taken over, and what its policy variables resolved to.
type ResourceKey = (StmtId, Target, Option<Arc<str>>);

pub struct Engine<'s> {
    pub store: &'s Store,
    /// The resources a statement covers, by statement, target and resolution.
    resources: RefCell<FastMap<ResourceKey, Arc<TriBits>>>,
    unions: RefCell<FastMap<UnionKey, Arc<TriBits>>>,
    /// The answer of statements whose conditions do not depend on the principal.
    shared_scalars: RefCell<FastMap<StmtId, Tri>>,
}

/// How a Condition outcome counts for one of the account's principals: a constraint on where
/// it calls from lets an Allow hold (it can call from there) and a Deny be avoided.
pub fn as_tri(outcome: &Outcome, effect: Effect) -> Tri {
    match (outcome, effect) {
        (Outcome::True, _) => Tri::Yes,
        (Outcome::False, _) => Tri::No,
        (Outcome::Unknown(_), _) => Tri::Maybe,
        (Outcome::Constrained(_), Effect::Allow) => Tri::Yes,
        (Outcome::Constrained(_), Effect::Deny) => Tri::No,
    }
}

impl<'s> Engine<'s> {
    pub fn new(store: &'s Store) -> Engine<'s> {
        Engine {
            store,
            resources: RefCell::default(),
            unions: RefCell::default(),
            shared_scalars: RefCell::default(),
        }
    }

    fn len(&self, target: Target) -> usize {
        self.store.universe(target).len()
    }

    /// The facts conditions may ask about secret `i`.
    pub fn secret_facts(&self, i: usize) -> ResourceFacts<'_> {
        let secret = &self.store.secrets[i];
        ResourceFacts {
            tags: &secret.tags,
            region: &secret.region,
            account: &self.store.account,
            organization: &self.store.organization,
        }
    }

    /// A statement's answer for principal `p`, its resources aside.
    pub fn scalar(&self, stmt: StmtId, p: usize) -> Tri {
        let s = self.store.stmt(stmt);
        if !s.personal
            && let Some(&tri) = self.shared_scalars.borrow().get(&stmt)
        {
            return tri;
        }
        let subject = Subject::Own(&self.store.principals[p].facts);
        let outcome = condition::judge(
            &s.other_clauses,
            s.effect(),
            subject,
            None,
            self.store.as_of,
        );
        let tri = as_tri(&outcome, s.effect());
        if !s.personal {
            self.shared_scalars.borrow_mut().insert(stmt, tri);
        }
        tri
    }

    /// The text a statement's policy variables resolve to for principal `p` (`None` without
    /// variables); an unresolvable variable resolves to itself, and the statement then covers
    /// its resources only conditionally.
    fn resolution(&self, stmt: StmtId, p: usize) -> Option<Arc<str>> {
        let s = self.store.stmt(stmt);
        let resources = s.statement.resources.as_ref()?;
        let uses_variables = resources.uses_variables()
            || s.resource_clauses
                .iter()
                .any(|c| c.values.iter().any(|v| v.contains("${")));
        if !uses_variables {
            return None;
        }
        let facts = &self.store.principals[p].facts;
        let resolve =
            |text: &String| condition::substitute(text, facts).unwrap_or_else(|| "${?}".to_owned());
        let mut text: Vec<String> = resources.patterns.iter().map(resolve).collect();
        // Resolved condition values make the key too (they are judged per secret), after a
        // separator no pattern contains.
        let values: Vec<String> = s
            .resource_clauses
            .iter()
            .flat_map(|c| c.values.iter().map(resolve))
            .collect();
        if !values.is_empty() {
            text.push(format!("\u{0}{}", values.join("\u{0}")));
        }
        Some(Arc::from(text.join("\n")))
    }

    fn part(&self, stmt: StmtId, p: usize) -> Part {
        Part {
            stmt,
            scalar: self.scalar(stmt, p),
            resolution: self.resolution(stmt, p),
        }
    }

    /// The members of `target` a statement covers (before its scalar), for principal `p`.
    pub fn resource_bits(&self, stmt: StmtId, target: Target, p: usize) -> Arc<TriBits> {
        let resolution = self.resolution(stmt, p);
        let key = (stmt, target, resolution.clone());
        if let Some(bits) = self.resources.borrow().get(&key) {
            return bits.clone();
        }
        let bits = Arc::new(self.compute_resource_bits(stmt, target, p, resolution.as_deref()));
        self.resources.borrow_mut().insert(key, bits.clone());
        bits
    }

    fn compute_resource_bits(
        &self,
        stmt: StmtId,
        target: Target,
        p: usize,
        resolution: Option<&str>,
    ) -> TriBits {
        let s = self.store.stmt(stmt);
        let universe = self.store.universe(target);
        let (covered, sure) = match (&s.statement.resources, resolution) {
            (None, _) => (Bits::full(universe.len()), true),
            (Some(resources), None) => (universe.covered(resources), true),
            (Some(resources), Some(text)) => {
                let unresolved = text.contains("${?}");
                let patterns = text
                    .split('\n')
                    .filter(|p| !p.starts_with('\u{0}'))
                    .map(|p| {
                        if p.contains("${?}") {
                            "*".to_owned()
                        } else {
                            p.to_owned()
                        }
                    })
                    .collect();
                let resolved = ResourceSet {
                    negated: resources.negated,
                    patterns,
                };
                (universe.covered(&resolved), !unresolved)
            }
        };
        let mut bits = TriBits::uniform(&covered, if sure { Tri::Yes } else { Tri::Maybe });
        if s.resource_clauses.is_empty() {
            return bits;
        }
        if target != Target::Secret {
            bits.limit(Tri::Maybe);
            return bits;
        }
        let subject = Subject::Own(&self.store.principals[p].facts);
        for i in covered.ones() {
            let outcome = condition::judge(
                &s.resource_clauses,
                s.effect(),
                subject,
                Some(self.secret_facts(i)),
                self.store.as_of,
            );
            bits.set(i, bits.get(i).and(as_tri(&outcome, s.effect())));
        }
        bits
    }

    /// The union of statements over a universe, each weakened to its scalar.
    fn union(&self, target: Target, mut parts: Vec<Part>, p: usize) -> Arc<TriBits> {
        parts.retain(|part| part.scalar != Tri::No);
        parts.sort_by_key(|part| part.stmt);
        parts.dedup();
        let key = (target, parts);
        if let Some(bits) = self.unions.borrow().get(&key) {
            return bits.clone();
        }
        let mut bits = TriBits::empty(self.len(target));
        for part in &key.1 {
            bits.union_limited(&self.resource_bits(part.stmt, target, p), part.scalar);
        }
        let bits = Arc::new(bits);
        self.unions.borrow_mut().insert(key, bits.clone());
        bits
    }

    /// The statements of some policies that cover an action with an effect.
    fn parts_of(
        &self,
        policies: impl IntoIterator<Item = PolicyId>,
        act: Act,
        effect: Effect,
        p: usize,
    ) -> Vec<Part> {
        policies
            .into_iter()
            .flat_map(|id| &self.store.policies[id].statements)
            .filter(|&&stmt| {
                let s = self.store.stmt(stmt);
                s.effect() == effect && s.covers(act)
            })
            .map(|&stmt| self.part(stmt, p))
            .collect()
    }

    /// Whether a principal has a policy AWS would reject (its grants are then unknown).
    fn has_unreadable_identity(&self, p: usize) -> bool {
        self.store.principals[p]
            .identity
            .iter()
            .any(|&(id, _)| self.store.policies[id].problem.is_some())
    }

    /// What identity policies allow, before the boundary and SCPs.
    pub fn identity_allow(&self, p: usize, act: Act) -> Arc<TriBits> {
        let target = act.def().target;
        let ids = self.store.principals[p].identity.iter().map(|&(id, _)| id);
        let allowed = self.union(target, self.parts_of(ids, act, Effect::Allow, p), p);
        if self.has_unreadable_identity(p) {
            let mut unknown = (*allowed).clone();
            unknown.union_limited(&TriBits::full(self.len(target)), Tri::Maybe);
            return Arc::new(unknown);
        }
        allowed
    }

    /// What the permissions boundary allows; `None` without one.
    pub fn boundary_allow(&self, p: usize, act: Act) -> Option<Arc<TriBits>> {
        let target = act.def().target;
        match self.store.principals[p].boundary {
            Boundary::None => None,
            Boundary::Missing => Some(Arc::new(maybe_full(self.len(target)))),
            Boundary::Policy(id) if self.store.policies[id].problem.is_some() => {
                Some(Arc::new(maybe_full(self.len(target))))
            }
            Boundary::Policy(id) => {
                Some(self.union(target, self.parts_of([id], act, Effect::Allow, p), p))
            }
        }
    }

    /// Whether SCPs and RCPs restrict principal `p`.
    fn org_applies(&self, p: usize) -> bool {
        matches!(self.store.org, OrgPolicies::Weighed { .. })
            && !self.store.principals[p].service_linked
    }

    /// What the SCPs allow: the intersection over the levels of the path; `None` when SCPs do not
    /// apply.
    pub fn scp_allow(&self, p: usize, act: Act) -> Option<Arc<TriBits>> {
        let OrgPolicies::Weighed {
            scp: true, levels, ..
        } = &self.store.org
        else {
            return None;
        };
        if !self.org_applies(p) {
            return None;
        }
        let target = act.def().target;
        let mut allowed = TriBits::full(self.len(target));
        for level in levels {
            let unreadable = level
                .scps
                .iter()
                .any(|&id| self.store.policies[id].problem.is_some());
            let mut level_allow = (*self.union(
                target,
                self.parts_of(level.scps.iter().copied(), act, Effect::Allow, p),
                p,
            ))
            .clone();
            if unreadable {
                level_allow.union_limited(&TriBits::full(self.len(target)), Tri::Maybe);
            }
            allowed.intersect_with(&level_allow);
        }
        Some(Arc::new(allowed))
    }

    /// Explicit denies of identity policies, the boundary, the SCPs and (for secrets) the RCPs.
    pub fn denies(&self, p: usize, act: Act) -> Arc<TriBits> {
        let target = act.def().target;
        let principal = &self.store.principals[p];
        let mut ids: Vec<PolicyId> = principal.identity.iter().map(|&(id, _)| id).collect();
        if let Boundary::Policy(id) = principal.boundary {
            ids.push(id);
        }
        if let OrgPolicies::Weighed { scp, rcp, levels } = &self.store.org
            && self.org_applies(p)
        {
            for level in levels {
                if *scp {
                    ids.extend(&level.scps);
                }
                if *rcp && target == Target::Secret {
                    ids.extend(&level.rcps);
                }
            }
        }
        self.union(target, self.parts_of(ids, act, Effect::Deny, p), p)
    }

    /// The effective answer of `act` for principal `p` over its target's universe. `side` adds
    /// the resources' own policies (secrets' resource policies, roles' trust policies).
    pub fn effective(&self, p: usize, act: Act, side: Option<&SideGrants>) -> TriBits {
        let principal = &self.store.principals[p];
        if principal.allow_mask & act.bit() == 0 && side.is_none_or(|s| s.direct.is_empty()) {
            return TriBits::empty(self.len(act.def().target));
        }
        let boundary = self.boundary_allow(p, act);
        let mut result = (*self.identity_allow(p, act)).clone();
        if let Some(delegated) = side.and_then(|s| s.delegated.as_ref()) {
            result.intersect_with(delegated);
        }
        if let Some(b) = &boundary {
            result.intersect_with(b);
        }
        if let Some(side) = side {
            let mut direct = side.direct.clone();
            // The boundary limits what a resource policy grants to a role, not to a user.
            if !principal.is_user()
                && let Some(b) = &boundary
            {
                direct.intersect_with(b);
            }
            result.union_with(&direct);
        }
        if result.is_empty() {
            return result;
        }
        if let Some(scp) = self.scp_allow(p, act) {
            result.intersect_with(&scp);
        }
        result.deny(&self.denies(p, act));
        if let Some(side) = side {
            result.deny(&side.denied);
        }
        result
    }

    /// The answer of `act` for principal `p` on one resource ARN the model has no list of (or
    /// a probe): identity policies, boundary and SCPs, denies. With `any_resource`, an Allow
    /// counts when it names any resource at all and a Deny only when it covers `arn`: "can it
    /// do this to something?" rather than "to everything?".
    pub fn on_resource(&self, p: usize, act: Act, arn: &str, any_resource: bool) -> Tri {
        let principal = &self.store.principals[p];
        if principal.allow_mask & act.bit() == 0 {
            return Tri::No;
        }
        let covers = |stmt: StmtId, effect: Effect| -> Tri {
            let s = self.store.stmt(stmt);
            if s.effect() != effect || !s.covers(act) {
                return Tri::No;
            }
            let on = match &s.statement.resources {
                None => true,
                Some(r) if any_resource && effect == Effect::Allow => !r.is_nothing(),
                Some(r) => r.matches(arn),
            };
            if !on {
                return Tri::No;
            }
            let resource_tri = if s.resource_clauses.is_empty() {
                Tri::Yes
            } else {
                Tri::Maybe
            };
            self.scalar(stmt, p).and(resource_tri)
        };
        let any_of = |ids: &mut dyn Iterator<Item = PolicyId>, effect: Effect| -> Tri {
            ids.flat_map(|id| self.store.policies[id].statements.iter().copied())
                .map(|stmt| covers(stmt, effect))
                .max()
                .unwrap_or(Tri::No)
        };
        let mut allow = any_of(
            &mut principal.identity.iter().map(|&(id, _)| id),
            Effect::Allow,
        );
        if self.has_unreadable_identity(p) {
            allow = allow.or(Tri::Maybe);
        }
        match principal.boundary {
            Boundary::None => {}
            Boundary::Missing => allow = allow.and(Tri::Maybe),
            Boundary::Policy(id) if self.store.policies[id].problem.is_some() => {
                allow = allow.and(Tri::Maybe)
            }
            Boundary::Policy(id) => {
                allow = allow.and(any_of(&mut std::iter::once(id), Effect::Allow))
            }
        }
        let mut deny_ids: Vec<PolicyId> = principal.identity.iter().map(|&(id, _)| id).collect();
        if let Boundary::Policy(id) = principal.boundary {
            deny_ids.push(id);
        }
        if let OrgPolicies::Weighed {
            scp: true, levels, ..
        } = &self.store.org
            && self.org_applies(p)
        {
            for level in levels {
                let mut level_allow = any_of(&mut level.scps.iter().copied(), Effect::Allow);
                if level
                    .scps
                    .iter()
                    .any(|&id| self.store.policies[id].problem.is_some())
                {
                    level_allow = level_allow.or(Tri::Maybe);
                }
                allow = allow.and(level_allow);
                deny_ids.extend(&level.scps);
            }
        }
        let denied = any_of(&mut deny_ids.into_iter(), Effect::Deny);
        allow.and(denied.not())
    }
}

fn maybe_full(len: usize) -> TriBits {
    TriBits::uniform(&Bits::full(len), Tri::Maybe)
}
