//! Principals outside the account that a resource policy or a trust policy lets in: anyone,
//! other accounts, an organization, an identity provider, a service. Each grant comes with what
//! narrows it (the conditions kept as constraints, a Deny that admits only an organization) and
//! is classified by how far it reaches (its *scope*).

use super::bits::Tri;
use super::condition::{
    self, Constraint, Membership, Organization, Outcome, ResourceFacts, Subject,
};
use super::document::{Effect, PrincipalRef};
use super::pattern;
use super::store::{StmtId, Store};

/// How far a grant reaches outside the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Anyone with AWS credentials.
    Public,
    /// Named other accounts (`accounts`).
    OtherAccount,
    /// The principals of an organization.
    Organization,
    /// Callers from given networks (source IPs, VPCs, VPC endpoints).
    Network,
    /// Identities of an identity provider.
    Federated,
    /// A specific principal of unknown account, or a shared secret (`sts:ExternalId`).
    Restricted,
    /// An AWS service acting on someone's behalf.
    Service,
    /// Narrowed to the account itself: not outside.
    SameAccount,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Public => "public",
            Scope::OtherAccount => "other_account",
            Scope::Organization => "organization",
            Scope::Network => "network",
            Scope::Federated => "federated",
            Scope::Restricted => "restricted",
            Scope::Service => "service",
            Scope::SameAccount => "account",
        }
    }

    /// Outside the account: every scope but the account itself and services (which act for
    /// whoever configured them).
    pub fn is_outside(self) -> bool {
        !matches!(self, Scope::SameAccount | Scope::Service)
    }
}

/// One outside principal let in by one statement.
#[derive(Debug, Clone)]
pub struct OutsideGrant {
    /// `*`, an account id, an ARN, an identity provider, a service.
    pub principal: String,
    pub scope: Scope,
    pub accounts: Vec<String>,
    pub access: Tri,
    pub stmt: StmtId,
    /// The constraints it rests on, and what keyward could not judge.
    pub conditions: Vec<String>,
}

/// The outside principals a policy lets perform an action on a resource, after its own Denies
/// and `extra_denies` (the RCPs). `action_for` gives the action each kind of principal needs
/// (trust policies: `sts:AssumeRoleWithWebIdentity` for an identity provider).
pub fn grants(
    store: &Store,
    statements: &[StmtId],
    extra_denies: &[StmtId],
    resource_arn: &str,
    facts: Option<ResourceFacts>,
    action_for: &dyn Fn(&PrincipalRef) -> String,
) -> Vec<OutsideGrant> {
    let mut found = Vec::new();
    for &stmt in statements {
        let s = store.stmt(stmt);
        if s.effect() != Effect::Allow || !on(store, stmt, resource_arn) {
            continue;
        }
        let Some(principals) = &s.statement.principals else {
            continue;
        };
        let entries: Vec<(PrincipalRef, Option<String>)> = if principals.negated {
            let except: Vec<String> = principals.entries.iter().map(describe).collect();
            vec![(
                PrincipalRef::Anyone,
                Some(format!("everyone except {}", except.join(", "))),
            )]
        } else {
            principals
                .entries
                .iter()
                .map(|r| (r.clone(), None))
                .collect()
        };
        for (principal, note) in entries {
            let action = action_for(&principal).to_ascii_lowercase();
            if !s.statement.actions.matches(&action) {
                continue;
            }
            let Some((subject, scope, accounts)) = classify(store, &principal) else {
                continue;
            };
            let clauses: Vec<_> = s
                .resource_clauses
                .iter()
                .chain(&s.other_clauses)
                .cloned()
                .collect();
            let outcome = condition::judge(&clauses, Effect::Allow, subject, facts, store.as_of);
            let mut grant = OutsideGrant {
                principal: describe(&principal),
                scope,
                accounts,
                access: Tri::Yes,
                stmt,
                conditions: note.into_iter().collect(),
            };
            let mut constraints = Vec::new();
            match outcome {
                Outcome::False => continue,
                Outcome::True => {}
                Outcome::Constrained(kept) => constraints = kept,
                Outcome::Unknown(why) => {
                    grant.access = Tri::Maybe;
                    grant
                        .conditions
                        .extend(why.into_iter().map(|w| format!("cannot judge: {w}")));
                }
            }
            let denied = apply_denies(
                store,
                statements.iter().chain(extra_denies),
                &principal,
                resource_arn,
                facts,
                subject,
                &action,
                &mut grant,
                &mut constraints,
            );
            if denied {
                continue;
            }
            narrow(store, &mut grant, &constraints);
            grant
                .conditions
                .extend(constraints.iter().map(Constraint::text));
            if grant.scope != Scope::SameAccount {
                found.push(grant);
            }
        }
    }
    found
}

/// Whether a statement's `Resource` covers the resource (trust policies have none).
fn on(store: &Store, stmt: StmtId, arn: &str) -> bool {
    store
        .stmt(stmt)
        .statement
        .resources
        .as_ref()
        .is_none_or(|r| r.matches(arn))
}

/// Applies the Denies that reach this outside principal. Returns whether one denies it
/// outright; otherwise a Deny that admits only some callers adds its negated condition, and one
/// keyward cannot judge makes the grant conditional.
#[allow(clippy::too_many_arguments)]
fn apply_denies<'a>(
    store: &Store,
    statements: impl Iterator<Item = &'a StmtId>,
    principal: &PrincipalRef,
    resource_arn: &str,
    facts: Option<ResourceFacts>,
    subject: Subject,
    action: &str,
    grant: &mut OutsideGrant,
    constraints: &mut Vec<Constraint>,
) -> bool {
    for &stmt in statements {
        let s = store.stmt(stmt);
        if s.effect() != Effect::Deny
            || !s.statement.actions.matches(action)
            || !on(store, stmt, resource_arn)
        {
            continue;
        }
        let reaches = s
            .statement
            .principals
            .as_ref()
            .is_none_or(|p| deny_reaches(&p.entries, p.negated, principal));
        if !reaches {
            continue;
        }
        let clauses: Vec<_> = s
            .resource_clauses
            .iter()
            .chain(&s.other_clauses)
            .cloned()
            .collect();
        match condition::judge(&clauses, Effect::Deny, subject, facts, store.as_of) {
            Outcome::True => return true,
            Outcome::False => {}
            Outcome::Constrained(kept) if kept.len() == 1 => {
                let mut admitted = kept[0].clone();
                admitted.negated = true;
                constraints.push(admitted);
            }
            Outcome::Constrained(kept) => {
                grant.access = grant.access.and(Tri::Maybe);
                let texts: Vec<String> = kept.iter().map(Constraint::text).collect();
                grant.conditions.push(format!(
                    "denied by {} when {}",
                    s.statement.label,
                    texts.join(" and ")
                ));
            }
            Outcome::Unknown(why) => {
                grant.access = grant.access.and(Tri::Maybe);
                grant
                    .conditions
                    .extend(why.into_iter().map(|w| format!("cannot judge deny: {w}")));
            }
        }
    }
    false
}

/// Whether a Deny's principals include this outside principal entirely.
fn deny_reaches(entries: &[PrincipalRef], negated: bool, principal: &PrincipalRef) -> bool {
    let named = entries
        .iter()
        .any(|e| e == &PrincipalRef::Anyone || e == principal || same_account(e, principal));
    if negated {
        // Everyone except the listed: it reaches a principal that is not listed (and "anyone"
        // only in part, which does not deny it outright).
        !named && *principal != PrincipalRef::Anyone
    } else {
        named
    }
}

/// A Deny to an account reaches every principal of it.
fn same_account(deny: &PrincipalRef, principal: &PrincipalRef) -> bool {
    let account_of = |r: &PrincipalRef| match r {
        PrincipalRef::Account(a) => Some(a.clone()),
        PrincipalRef::Arn(arn) => pattern::arn_account(arn).map(str::to_owned),
        _ => None,
    };
    matches!(deny, PrincipalRef::Account(_))
        && account_of(deny).is_some()
        && account_of(deny) == account_of(principal)
}

/// The subject, scope and accounts of an outside principal; `None` for the account's own.
fn classify<'s>(
    store: &'s Store,
    principal: &PrincipalRef,
) -> Option<(Subject<'s>, Scope, Vec<String>)> {
    Some(match principal {
        PrincipalRef::Anyone => (Subject::Outsider, Scope::Public, Vec::new()),
        PrincipalRef::Account(a) if **a == *store.account => return None,
        PrincipalRef::Account(a) => (
            other_account(store, a),
            Scope::OtherAccount,
            vec![a.clone()],
        ),
        PrincipalRef::Arn(arn) => match pattern::arn_account(arn) {
            Some(a) if a == &*store.account => return None,
            Some(a) if pattern::is_literal(a) && !a.is_empty() => (
                other_account(store, a),
                Scope::OtherAccount,
                vec![a.to_owned()],
            ),
            Some(a) if !a.is_empty() => {
                (Subject::Outsider, Scope::OtherAccount, vec![a.to_owned()])
            }
            _ => (Subject::Outsider, Scope::Restricted, Vec::new()),
        },
        PrincipalRef::Federated(_) => (Subject::Federated, Scope::Federated, Vec::new()),
        PrincipalRef::Service(_) => (Subject::Service, Scope::Service, Vec::new()),
        PrincipalRef::CanonicalUser(_) => return None,
    })
}

/// A principal of another account: placed inside or outside the account's organization where
/// the organization's accounts are known, an unknown outsider otherwise.
fn other_account<'s>(store: &'s Store, account: &str) -> Subject<'s> {
    match (&*store.organization, &store.organization_members) {
        (Organization::Member { id, .. }, Some(members)) => {
            Subject::OtherAccount(if members.contains(account) {
                Membership::In(id.as_str())
            } else {
                Membership::NotIn(id.as_str())
            })
        }
        _ => Subject::Outsider,
    }
}

pub fn describe(principal: &PrincipalRef) -> String {
    match principal {
        PrincipalRef::Anyone => "*".to_owned(),
        PrincipalRef::Account(a) => a.clone(),
        PrincipalRef::Arn(s)
        | PrincipalRef::Service(s)
        | PrincipalRef::Federated(s)
        | PrincipalRef::CanonicalUser(s) => s.clone(),
    }
}

/// Narrows a grant's scope by the constraints that admit only listed callers: accounts, an
/// organization, networks, a principal. Values that admit anything (`*`, `0.0.0.0/0`) narrow
/// nothing, and neither do attributes a caller sets itself (principal tags, names, types).
fn narrow(store: &Store, grant: &mut OutsideGrant, constraints: &[Constraint]) {
    for c in constraints.iter().filter(|c| c.admits_only_listed()) {
        let values: Vec<&String> = c
            .values
            .iter()
            .filter(|v| {
                !pattern::matches_everything(v) && v.as_str() != "0.0.0.0/0" && v.as_str() != "::/0"
            })
            .collect();
        if values.len() < c.values.len() || values.is_empty() {
            continue;
        }
        let narrowed = match c.key_lc().as_str() {
            "aws:principalaccount" | "aws:sourceaccount" | "aws:resourceaccount" => Some(
                accounts_scope(store, values.iter().map(|v| Some(v.to_string())).collect()),
            ),
            "aws:principalarn" | "aws:sourcearn" => Some(accounts_scope(
                store,
                values
                    .iter()
                    .map(|v| {
                        pattern::arn_account(v)
                            .filter(|a| pattern::is_literal(a) && !a.is_empty())
                            .map(str::to_owned)
                    })
                    .collect(),
            )),
            "aws:principalorgid"
            | "aws:principalorgpaths"
            | "aws:sourceorgid"
            | "aws:sourceorgpaths" => Some((Scope::Organization, Vec::new())),
            "aws:userid" | "sts:externalid" => Some((Scope::Restricted, Vec::new())),
            "aws:sourceip" | "aws:sourcevpc" | "aws:sourcevpce" | "aws:vpcsourceip" => {
                Some((Scope::Network, Vec::new()))
            }
            _ => None,
        };
        if let Some((scope, accounts)) = narrowed
            && narrower(scope, grant.scope)
        {
            grant.scope = scope;
            if !accounts.is_empty() {
                grant.accounts = accounts;
            }
        }
    }
}

/// The scope of a grant limited to some accounts: the account itself when that is the only
/// one, other accounts otherwise; nothing when an account is not known (a wildcard).
fn accounts_scope(store: &Store, accounts: Vec<Option<String>>) -> (Scope, Vec<String>) {
    if accounts.iter().any(Option::is_none) {
        return (Scope::Public, Vec::new());
    }
    let accounts: Vec<String> = accounts.into_iter().flatten().collect();
    if accounts.iter().all(|a| **a == *store.account) {
        (Scope::SameAccount, Vec::new())
    } else {
        (
            Scope::OtherAccount,
            accounts
                .into_iter()
                .filter(|a| **a != *store.account)
                .collect(),
        )
    }
}

/// Whether `scope` reaches fewer principals than `current`.
fn narrower(scope: Scope, current: Scope) -> bool {
    let rank = |s: Scope| match s {
        Scope::Public => 0,
        Scope::Network | Scope::Federated | Scope::Service => 1,
        Scope::Organization => 2,
        Scope::Restricted => 3,
        Scope::OtherAccount => 4,
        Scope::SameAccount => 5,
    };
    rank(scope) > rank(current)
}
