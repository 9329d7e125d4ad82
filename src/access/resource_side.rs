//! The resources' own policies as they apply to the account's principals: secrets' resource
//! policies (for `GetSecretValue` and `PutResourcePolicy`) and roles' trust policies (for
//! `sts:AssumeRole`).
//!
//! Most statements name everyone (`"*"`) or the account, with conditions that do not depend on
//! who asks: those are folded once into sets shared by every principal. Statements that name
//! principals, exclude some (`NotPrincipal`), or have conditions on who asks are kept and
//! judged principal by principal.

use std::collections::HashMap;

use super::bits::{Tri, TriBits};
use super::catalog::{Act, Target};
use super::condition::{self, Subject};
use super::document::{Effect, PrincipalRef, PrincipalSet};
use super::engine::{Engine, SideGrants, as_tri};
use super::store::{PolicyId, StmtId, Store};

/// Whom a statement names among the account's principals.
#[derive(Debug, Clone)]
enum Who {
    /// Every principal of the account (`"*"`; for a Deny, also the account itself).
    All,
    /// The account (an Allow to `arn:aws:iam::<account>:root`): identity policies decide.
    Delegated,
    Named(Vec<usize>),
    /// `NotPrincipal`: everyone but these.
    AllExcept(Vec<usize>),
}

struct Entry {
    member: usize,
    stmt: StmtId,
    who: Who,
}

pub struct ResourceSide {
    target: Target,
    shared_allow: TriBits,
    shared_deny: TriBits,
    shared_delegated: TriBits,
    /// Whether the policies can delegate to identity policies (trust policies): then identity
    /// policies grant only on resources whose policy delegates.
    delegates: bool,
    entries: Vec<Entry>,
    /// Entries naming a principal, by principal.
    named: HashMap<usize, Vec<usize>>,
    /// Entries judged for every principal: personal conditions, or `NotPrincipal`.
    everyone: Vec<usize>,
}

impl ResourceSide {
    /// Secrets' resource policies, for an action on secrets.
    pub fn secrets(engine: &Engine, act: Act) -> ResourceSide {
        let store = engine.store;
        let policies: Vec<Option<PolicyId>> = store.secrets.iter().map(|s| s.policy).collect();
        ResourceSide::build(engine, act, Target::Secret, &policies, false)
    }

    /// Roles' trust policies, for `sts:AssumeRole`.
    pub fn trust(engine: &Engine) -> ResourceSide {
        ResourceSide::build(
            engine,
            Act::AssumeRole,
            Target::Role,
            &engine.store.trust,
            true,
        )
    }

    fn build(
        engine: &Engine,
        act: Act,
        target: Target,
        policies: &[Option<PolicyId>],
        delegates: bool,
    ) -> ResourceSide {
        let store = engine.store;
        let len = store.universe(target).len();
        let mut side = ResourceSide {
            target,
            shared_allow: TriBits::empty(len),
            shared_deny: TriBits::empty(len),
            shared_delegated: TriBits::empty(len),
            delegates,
            entries: Vec::new(),
            named: HashMap::new(),
            everyone: Vec::new(),
        };
        let arns = OwnArns::of(store);
        // The answer of statements that do not depend on who asks: any principal serves.
        let representative = (!store.principals.is_empty()).then_some(0);
        for (member, policy) in policies.iter().enumerate() {
            let Some(policy) = policy else { continue };
            let member_arn = store.universe(target).arn(member);
            for &stmt in &store.policies[*policy].statements {
                let s = store.stmt(stmt);
                if !s.covers(act)
                    || !s
                        .statement
                        .resources
                        .as_ref()
                        .is_none_or(|r| r.matches(member_arn))
                {
                    continue;
                }
                let Some(principals) = &s.statement.principals else {
                    continue;
                };
                for who in arns.whom(principals, s.effect(), &store.account) {
                    let shared = !s.personal && matches!(who, Who::All | Who::Delegated);
                    if let (true, Some(rep)) = (shared, representative) {
                        let tri = side.judge(engine, member, stmt, rep);
                        let into = match (&who, s.effect()) {
                            (_, Effect::Deny) => &mut side.shared_deny,
                            (Who::Delegated, Effect::Allow) => &mut side.shared_delegated,
                            _ => &mut side.shared_allow,
                        };
                        into.set(member, into.get(member).or(tri));
                        continue;
                    }
                    let index = side.entries.len();
                    match &who {
                        Who::Named(list) if !s.personal => {
                            for &p in list {
                                side.named.entry(p).or_default().push(index);
                            }
                        }
                        _ => side.everyone.push(index),
                    }
                    side.entries.push(Entry { member, stmt, who });
                }
            }
        }
        side
    }

    /// A statement's answer on one member for principal `p`: its conditions, the member's facts.
    fn judge(&self, engine: &Engine, member: usize, stmt: StmtId, p: usize) -> Tri {
        let s = engine.store.stmt(stmt);
        let resource = if s.resource_clauses.is_empty() {
            Tri::Yes
        } else if self.target == Target::Secret {
            let subject = Subject::Own(&engine.store.principals[p].facts);
            let outcome = condition::judge(
                &s.resource_clauses,
                s.effect(),
                subject,
                Some(engine.secret_facts(member)),
                engine.store.as_of,
            );
            as_tri(&outcome, s.effect())
        } else {
            Tri::Maybe
        };
        engine.scalar(stmt, p).and(resource)
    }

    /// What the policies grant and deny principal `p`.
    pub fn for_principal(&self, p: usize, engine: &Engine) -> SideGrants {
        SideGrants {
            direct: self.direct_for(p, engine),
            delegated: self.delegates.then(|| self.delegated_for(p, engine)),
            denied: self.denied_for(p, engine),
        }
    }

    /// The entries that apply to principal `p` with an effect, `delegated` selecting the Allows
    /// to the account.
    fn collect(
        &self,
        engine: &Engine,
        p: usize,
        effect: Effect,
        delegated: bool,
        base: &TriBits,
    ) -> TriBits {
        let mut bits = base.clone();
        let named = self.named.get(&p).into_iter().flatten();
        for &index in named.chain(&self.everyone) {
            let entry = &self.entries[index];
            let s = engine.store.stmt(entry.stmt);
            if s.effect() != effect {
                continue;
            }
            let applies = match (&entry.who, effect) {
                (Who::All, _) => !delegated || effect == Effect::Deny,
                (Who::Delegated, Effect::Allow) => delegated,
                (Who::Delegated, Effect::Deny) => true,
                (Who::Named(list), _) => !delegated && list.contains(&p),
                (Who::AllExcept(list), _) => !delegated && !list.contains(&p),
            };
            if applies {
                let tri = self.judge(engine, entry.member, entry.stmt, p);
                bits.set(entry.member, bits.get(entry.member).or(tri));
            }
        }
        bits
    }

    /// What the policies grant principal `p` directly (naming it, or everyone).
    fn direct_for(&self, p: usize, engine: &Engine) -> TriBits {
        self.collect(engine, p, Effect::Allow, false, &self.shared_allow)
    }

    /// The members whose policy delegates to the account's identity policies, for `p`.
    fn delegated_for(&self, p: usize, engine: &Engine) -> TriBits {
        self.collect(engine, p, Effect::Allow, true, &self.shared_delegated)
    }

    /// What the policies deny principal `p`.
    pub fn denied_for(&self, p: usize, engine: &Engine) -> TriBits {
        self.collect(engine, p, Effect::Deny, false, &self.shared_deny)
    }
}

/// The account's principals by ARN, to resolve `Principal` entries.
struct OwnArns {
    by_arn: HashMap<String, usize>,
    /// Roles by name, for role session ARNs (`arn:aws:sts::<account>:assumed-role/<name>/…`).
    roles: HashMap<String, usize>,
}

impl OwnArns {
    fn of(store: &Store) -> OwnArns {
        let by_arn = store
            .principals
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn().to_owned(), i))
            .collect();
        let roles = store
            .principals
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_user())
            .map(|(i, p)| (p.facts.name.clone(), i))
            .collect();
        OwnArns { by_arn, roles }
    }

    fn find(&self, arn: &str, account: &str) -> Option<usize> {
        if let Some(&i) = self.by_arn.get(arn) {
            return Some(i);
        }
        let session = arn.split_once(":assumed-role/")?;
        if super::pattern::arn_account(arn) != Some(account) {
            return None;
        }
        let name = session.1.split('/').next()?;
        self.roles.get(name).copied()
    }

    /// Whom a `Principal` element names among the account's principals.
    fn whom(&self, principals: &PrincipalSet, effect: Effect, account: &str) -> Vec<Who> {
        let own_account = |r: &PrincipalRef| matches!(r, PrincipalRef::Account(a) if a == account);
        if principals.negated {
            if principals
                .entries
                .iter()
                .any(|r| *r == PrincipalRef::Anyone || own_account(r))
            {
                return Vec::new();
            }
            let listed = principals
                .entries
                .iter()
                .filter_map(|r| match r {
                    PrincipalRef::Arn(arn) => self.find(arn, account),
                    _ => None,
                })
                .collect();
            return vec![Who::AllExcept(listed)];
        }
        let mut whom = Vec::new();
        if principals.entries.contains(&PrincipalRef::Anyone) {
            whom.push(Who::All);
        }
        if principals.entries.iter().any(own_account) {
            whom.push(match effect {
                Effect::Allow => Who::Delegated,
                Effect::Deny => Who::All,
            });
        }
        let named: Vec<usize> = principals
            .entries
            .iter()
            .filter_map(|r| match r {
                PrincipalRef::Arn(arn) => self.find(arn, account),
                _ => None,
            })
            .collect();
        if !named.is_empty() {
            whom.push(Who::Named(named));
        }
        whom
    }
}
