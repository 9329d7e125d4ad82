//! `Condition` blocks (read by `document`) classified by what their keys say, and judged where
//! keyward knows the value.
//!
//! Every key falls in one class (see [`KeyKind`]):
//! - keys about **who** calls (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`,
//!   `aws:PrincipalOrgPaths`, `aws:PrincipalTag/…`, `aws:userid`, …): judged for the account's own
//!   users and roles, whose values the snapshot holds; for anyone else they are kept as a
//!   *constraint* on who the reader is;
//! - keys about **where** the call comes from (`aws:SourceIp`, `aws:SourceVpc`, `aws:SourceVpce`,
//!   `aws:VpcSourceIp`): always a constraint, for everyone;
//! - keys about a **service calling on someone's behalf** (`aws:SourceAccount`, `aws:SourceArn`,
//!   `aws:SourceOrgID`, …): absent when a principal calls directly, so judged as absent for
//!   principals and kept as a constraint for services;
//! - keys of **federation** (an identity provider's claims such as
//!   `token.actions.githubusercontent.com:sub`, `sts:ExternalId`, `saml:…`): constraints on who
//!   may assume a role;
//! - keys about the **resource** (`secretsmanager:ResourceTag/…`, `aws:ResourceTag/…`,
//!   `aws:RequestedRegion`, `aws:ResourceAccount`, `aws:ResourceOrgID`): judged against the
//!   secret;
//! - the **time** (`aws:CurrentTime`, `aws:EpochTime`): judged against the evaluation time;
//! - keys the **caller** controls (`aws:SecureTransport`, `aws:MultiFactorAuthPresent`, request
//!   tags, `aws:UserAgent`, `secretsmanager:VersionStage`, …): they narrow nothing, since the
//!   caller can satisfy them (an Allow holds) or avoid them (a Deny does not bite);
//! - any other key: keyward cannot judge it, and the answer becomes *conditional*, shown as such.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use super::document::{Clause, Effect, Operator, SetQualifier};
use super::pattern;

impl Clause {
    fn kind(&self) -> KeyKind {
        KeyKind::of(&self.key)
    }

    /// Whether the clause's answer differs between the account's principals: a key on the
    /// principal itself (its ARN, name, tags, type) or a policy variable. Keys on the account or
    /// its organization (`aws:PrincipalAccount`, `aws:PrincipalOrgID`, …) are the same for all.
    pub fn depends_on_principal(&self) -> bool {
        let individual = match self.kind() {
            KeyKind::Principal(key) => !ACCOUNT_WIDE_PRINCIPAL_KEYS.contains(&key.as_str()),
            _ => false,
        };
        individual || self.values.iter().any(|v| v.contains("${"))
    }

    /// Whether keyward keeps the clause as a constraint (who may call, from where) or cannot
    /// judge it: what a report shows beside a grant.
    pub fn is_notable(&self) -> bool {
        matches!(
            self.kind(),
            KeyKind::Network | KeyKind::Federation | KeyKind::ServiceSource | KeyKind::Unknown
        )
    }

    pub fn text(&self) -> String {
        format!("{} {} {}", self.key, self.written, self.values.join(", "))
    }

    /// Whether the clause's answer depends on the resource.
    pub fn depends_on_resource(&self) -> bool {
        matches!(self.kind(), KeyKind::Resource(_))
    }

    fn as_constraint(&self) -> Constraint {
        Constraint {
            key: self.key.clone(),
            operator: self.written.clone(),
            values: self.values.clone(),
            negated: false,
        }
    }

    /// Judges the clause for a known value (`None`: the key is absent from the request).
    fn judge(&self, value: Option<&str>) -> Option<bool> {
        let Some(value) = value else {
            return Some(match self.operator {
                Operator::Null => self.values.iter().any(|v| v.eq_ignore_ascii_case("true")),
                _ => {
                    self.if_exists
                        || self.operator.is_negated()
                        || self.qualifier == Some(SetQualifier::ForAllValues)
                }
            });
        };
        if self.operator == Operator::Null {
            return Some(self.values.iter().any(|v| v.eq_ignore_ascii_case("false")));
        }
        let mut matched = false;
        for expected in &self.values {
            matched |= compare(self.operator, value, expected)?;
        }
        Some(matched != self.operator.is_negated())
    }
}

/// Whether `actual` matches `expected` under a (positive form of an) operator; `None` when the
/// values cannot be compared (an unreadable date or number).
fn compare(operator: Operator, actual: &str, expected: &str) -> Option<bool> {
    use Operator::*;
    Some(match operator {
        StringEquals | StringNotEquals => actual == expected,
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => actual.eq_ignore_ascii_case(expected),
        StringLike | StringNotLike | ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => {
            pattern::matches(expected, actual)
        }
        Bool => actual.eq_ignore_ascii_case(expected),
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => {
            let (a, e): (f64, f64) = (actual.parse().ok()?, expected.parse().ok()?);
            ordered(operator, a.partial_cmp(&e)?)
        }
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => {
            ordered(operator, parse_date(actual)?.cmp(&parse_date(expected)?))
        }
        BinaryEquals | IpAddress | NotIpAddress | Null => return None,
    })
}

fn ordered(operator: Operator, order: std::cmp::Ordering) -> bool {
    use Operator::*;
    use std::cmp::Ordering::*;
    match operator {
        NumericLessThan | DateLessThan => order == Less,
        NumericLessThanEquals | DateLessThanEquals => order != Greater,
        NumericGreaterThan | DateGreaterThan => order == Greater,
        NumericGreaterThanEquals | DateGreaterThanEquals => order != Less,
        _ => order == Equal,
    }
}

/// A date as IAM reads one: ISO 8601 (a date or a time) or seconds since the epoch.
fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    text.parse::<i64>()
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
}

/// A condition keyward keeps rather than judges: who may call, or from where. `negated` when it
/// comes from a Deny (the reader is allowed when the condition does *not* hold).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Constraint {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
    pub negated: bool,
}

impl Constraint {
    /// The key in lower case, as IAM compares keys.
    pub fn key_lc(&self) -> String {
        self.key.to_ascii_lowercase()
    }

    /// Whether it admits only callers with the given values (rather than excluding some):
    /// a positive operator, or a negated one under a Deny.
    pub fn admits_only_listed(&self) -> bool {
        let operator = self.operator.trim_end_matches("IfExists");
        let operator = operator.rsplit(':').next().unwrap_or(operator);
        let negative = Operator::named(operator).is_some_and(Operator::is_negated);
        negative == self.negated
    }

    pub fn text(&self) -> String {
        let clause = format!("{} {} {}", self.key, self.operator, self.values.join(", "));
        if self.negated {
            format!("not ({clause})")
        } else {
            clause
        }
    }
}

/// What a `Condition` block comes to for one caller and one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    False,
    True,
    /// Holds for callers who meet these constraints (all of them).
    Constrained(Vec<Constraint>),
    /// keyward cannot judge it; the reasons name the keys.
    Unknown(Vec<String>),
}

/// Principal keys whose value is the same for every principal of the account.
const ACCOUNT_WIDE_PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principalservicenameslist",
];

/// The classes of condition keys (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyKind {
    Principal(String),
    Network,
    ServiceSource,
    Federation,
    Resource(String),
    Time,
    Caller,
    Unknown,
}

impl KeyKind {
    fn of(key: &str) -> KeyKind {
        let lc = key.to_ascii_lowercase();
        let principal_keys = [
            "aws:principalarn",
            "aws:principalaccount",
            "aws:principaltype",
            "aws:principalorgid",
            "aws:principalorgpaths",
            "aws:principalisawsservice",
            "aws:principalservicename",
            "aws:principalservicenameslist",
            "aws:username",
            "aws:userid",
        ];
        let network_keys = [
            "aws:sourceip",
            "aws:sourcevpc",
            "aws:sourcevpce",
            "aws:vpcsourceip",
        ];
        let service_keys = [
            "aws:sourceaccount",
            "aws:sourcearn",
            "aws:sourceorgid",
            "aws:sourceorgpaths",
            "aws:sourceowner",
        ];
        let resource_keys = [
            "aws:requestedregion",
            "aws:resourceaccount",
            "aws:resourceorgid",
            "aws:resourceorgpaths",
        ];
        let caller_keys = [
            "aws:securetransport",
            "aws:multifactorauthpresent",
            "aws:multifactorauthage",
            "aws:tagkeys",
            "aws:useragent",
            "aws:referer",
            "aws:tokenissuetime",
            "aws:viaawsservice",
            "aws:calledvia",
            "aws:calledviafirst",
            "aws:calledvialast",
            "aws:sourceidentity",
            "secretsmanager:versionstage",
            "secretsmanager:versionid",
            "secretsmanager:name",
            "secretsmanager:secretid",
            "secretsmanager:description",
            "secretsmanager:kmskeyid",
            "secretsmanager:blockpublicpolicy",
            "secretsmanager:forceoverwritereplicasecret",
            "secretsmanager:addreplicaregions",
            "secretsmanager:rotationlambdaarn",
            "secretsmanager:modifyrotationrules",
            "secretsmanager:recoverywindowindays",
            "secretsmanager:secretprimaryregion",
            "secretsmanager:rotateimmediately",
            "sts:rolesessionname",
            "sts:sourceidentity",
            "sts:transitivetagkeys",
            "sts:durationseconds",
            "iam:passedtoservice",
            "iam:associatedresourcearn",
        ];
        if principal_keys.contains(&lc.as_str()) || lc.starts_with("aws:principaltag/") {
            KeyKind::Principal(lc)
        } else if network_keys.contains(&lc.as_str()) {
            KeyKind::Network
        } else if service_keys.contains(&lc.as_str()) {
            KeyKind::ServiceSource
        } else if resource_keys.contains(&lc.as_str())
            || lc.starts_with("aws:resourcetag/")
            || lc.starts_with("secretsmanager:resourcetag/")
        {
            KeyKind::Resource(lc)
        } else if lc == "aws:currenttime" || lc == "aws:epochtime" {
            KeyKind::Time
        } else if caller_keys.contains(&lc.as_str()) || lc.starts_with("aws:requesttag/") {
            KeyKind::Caller
        } else if lc == "sts:externalid" || lc.starts_with("saml:") || is_provider_claim(&lc) {
            KeyKind::Federation
        } else {
            KeyKind::Unknown
        }
    }
}

/// An identity provider's claim: `<provider host>:<claim>`, e.g.
/// `token.actions.githubusercontent.com:sub` or `accounts.google.com:aud`.
fn is_provider_claim(key: &str) -> bool {
    key.split_once(':')
        .is_some_and(|(provider, claim)| provider.contains('.') && !claim.is_empty())
}

/// Who asks, as far as conditions need to know.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// One of the account's users or roles.
    Own(&'a OwnPrincipal),
    /// A principal of another account, or any principal: its attributes are not known.
    Outsider,
    /// A principal of a named other account whose place relative to the account's organization
    /// is known (the organization's accounts were listed): otherwise an `Outsider`.
    OtherAccount(Membership<'a>),
    /// An identity federated through an identity provider.
    Federated,
    /// An AWS service acting on someone's behalf.
    Service,
}

/// Whether another account belongs to the account's organization (of this id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership<'a> {
    In(&'a str),
    NotIn(&'a str),
}

/// What conditions can know about one of the account's principals. The account and its
/// organization are the same for every principal of a snapshot, and shared.
#[derive(Debug, Clone)]
pub struct OwnPrincipal {
    pub arn: String,
    pub name: String,
    pub is_user: bool,
    pub account: Arc<str>,
    /// Its tags (a list: a map per principal took ten times the memory).
    pub tags: Vec<(String, String)>,
    pub organization: Arc<Organization>,
}

/// The account's organization, as far as the snapshot says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Organization {
    Member { id: String, paths: Vec<String> },
    NotAMember,
    Unknown,
}

/// What conditions can know about the resource asked for; `None` for resources the model has
/// no facts about (a role, a policy).
#[derive(Debug, Clone, Copy)]
pub struct ResourceFacts<'a> {
    pub tags: &'a BTreeMap<String, String>,
    pub region: &'a str,
    pub account: &'a str,
    pub organization: &'a Organization,
}

/// Judges a `Condition` block (its clauses all hold) for one caller and resource at one time.
/// `effect` matters for keys the caller controls: they let an Allow hold and a Deny be avoided.
pub fn judge(
    clauses: &[Clause],
    effect: Effect,
    subject: Subject,
    resource: Option<ResourceFacts>,
    as_of: DateTime<Utc>,
) -> Outcome {
    let mut constraints = Vec::new();
    let mut unknown = Vec::new();
    for clause in clauses {
        match judge_clause(clause, effect, subject, resource, as_of) {
            Outcome::False => return Outcome::False,
            Outcome::True => {}
            Outcome::Constrained(more) => constraints.extend(more),
            Outcome::Unknown(more) => unknown.extend(more),
        }
    }
    if !unknown.is_empty() {
        Outcome::Unknown(unknown)
    } else if !constraints.is_empty() {
        Outcome::Constrained(constraints)
    } else {
        Outcome::True
    }
}

fn judge_clause(
    clause: &Clause,
    effect: Effect,
    subject: Subject,
    resource: Option<ResourceFacts>,
    as_of: DateTime<Utc>,
) -> Outcome {
    let known = |value: Option<String>| match clause.judge(value.as_deref()) {
        Some(true) => Outcome::True,
        Some(false) => Outcome::False,
        None => unknown(clause),
    };
    if clause.values.iter().any(|v| v.contains("${")) {
        return match resolve_variables(clause, subject) {
            Some(resolved) => judge_clause(&resolved, effect, subject, resource, as_of),
            None => unknown(clause),
        };
    }
    match clause.kind() {
        KeyKind::Caller => match effect {
            Effect::Allow => Outcome::True,
            Effect::Deny => Outcome::False,
        },
        KeyKind::Network => Outcome::Constrained(vec![clause.as_constraint()]),
        KeyKind::Time => match clause.key.to_ascii_lowercase().as_str() {
            "aws:epochtime" => known(Some(as_of.timestamp().to_string())),
            _ => known(Some(as_of.to_rfc3339())),
        },
        KeyKind::ServiceSource => match subject {
            Subject::Service => Outcome::Constrained(vec![clause.as_constraint()]),
            _ => known(None),
        },
        KeyKind::Federation => {
            let is_claim = !clause.key.eq_ignore_ascii_case("sts:externalid");
            match subject {
                Subject::Service => known(None),
                Subject::Own(_) | Subject::Outsider | Subject::OtherAccount(_) if is_claim => {
                    known(None)
                }
                _ => Outcome::Constrained(vec![clause.as_constraint()]),
            }
        }
        KeyKind::Resource(key) => match resource {
            Some(facts) => match resource_value(&key, facts) {
                Ok(value) => known(value),
                Err(()) => unknown(clause),
            },
            None => unknown(clause),
        },
        KeyKind::Principal(key) => match subject {
            Subject::Own(principal) => match principal_value(&key, principal) {
                Ok(value) => known(value),
                Err(()) => unknown(clause),
            },
            Subject::OtherAccount(membership) if key == "aws:principalorgid" => {
                match membership_org_id(clause, membership) {
                    Some(value) => known(value),
                    None => Outcome::Constrained(vec![clause.as_constraint()]),
                }
            }
            Subject::Outsider | Subject::Federated | Subject::OtherAccount(_) => match key.as_str()
            {
                "aws:principalisawsservice" => known(Some("false".to_owned())),
                "aws:principalservicename" | "aws:principalservicenameslist" => known(None),
                _ => Outcome::Constrained(vec![clause.as_constraint()]),
            },
            Subject::Service => match key.as_str() {
                "aws:principalisawsservice" => known(Some("true".to_owned())),
                _ => Outcome::Constrained(vec![clause.as_constraint()]),
            },
        },
        KeyKind::Unknown => unknown(clause),
    }
}

/// The `aws:PrincipalOrgID` of another account's principal, where it settles the clause: the
/// organization's id for a member; for an account outside the organization, absent, when the
/// clause names only the account's organization (then another organization's id and none
/// answer alike, except for `Null`). `None`: it does not settle the clause.
fn membership_org_id(clause: &Clause, membership: Membership) -> Option<Option<String>> {
    match membership {
        Membership::In(id) => Some(Some(id.to_owned())),
        Membership::NotIn(id) => (clause.operator != Operator::Null
            && clause
                .values
                .iter()
                .all(|v| pattern::is_literal(v) && v.as_str() == id))
        .then_some(None),
    }
}

fn unknown(clause: &Clause) -> Outcome {
    Outcome::Unknown(vec![clause.text()])
}

/// A principal key's value for one of the account's principals: `Ok(None)` when the request
/// would not carry it, `Err` when keyward does not know it.
fn principal_value(key: &str, principal: &OwnPrincipal) -> Result<Option<String>, ()> {
    Ok(match key {
        "aws:principalarn" => Some(principal.arn.clone()),
        "aws:principalaccount" => Some(principal.account.to_string()),
        "aws:principaltype" => Some(
            if principal.is_user {
                "User"
            } else {
                "AssumedRole"
            }
            .to_owned(),
        ),
        "aws:username" => principal.is_user.then(|| principal.name.clone()),
        "aws:principalisawsservice" => Some("false".to_owned()),
        "aws:principalservicename" | "aws:principalservicenameslist" => None,
        "aws:principalorgid" => match &*principal.organization {
            Organization::Member { id, .. } => Some(id.clone()),
            Organization::NotAMember => None,
            Organization::Unknown => return Err(()),
        },
        "aws:principalorgpaths" => match &*principal.organization {
            Organization::Member { paths, .. } if !paths.is_empty() => paths.first().cloned(),
            Organization::NotAMember => None,
            _ => return Err(()),
        },
        // The unique id (AIDA…/AROA…) is not in the snapshot.
        "aws:userid" => return Err(()),
        tag => {
            let name = tag.strip_prefix("aws:principaltag/").ok_or(())?;
            principal
                .tags
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        }
    })
}

/// A resource key's value for a secret.
fn resource_value(key: &str, facts: ResourceFacts) -> Result<Option<String>, ()> {
    Ok(match key {
        "aws:requestedregion" => Some(facts.region.to_owned()),
        "aws:resourceaccount" => Some(facts.account.to_owned()),
        "aws:resourceorgid" => match facts.organization {
            Organization::Member { id, .. } => Some(id.clone()),
            Organization::NotAMember => None,
            Organization::Unknown => return Err(()),
        },
        "aws:resourceorgpaths" => return Err(()),
        tag => {
            let name = tag
                .strip_prefix("aws:resourcetag/")
                .or_else(|| tag.strip_prefix("secretsmanager:resourcetag/"))
                .ok_or(())?;
            facts
                .tags
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        }
    })
}

/// The clause with policy variables in its values replaced for one of the account's
/// principals; `None` when a variable's value is not known.
fn resolve_variables(clause: &Clause, subject: Subject) -> Option<Clause> {
    let Subject::Own(principal) = subject else {
        return None;
    };
    let values = clause
        .values
        .iter()
        .map(|v| substitute(v, principal))
        .collect::<Option<Vec<_>>>()?;
    Some(Clause {
        values,
        ..clause.clone()
    })
}

/// A text with its `${…}` policy variables replaced by the principal's values; `None` when one
/// is unknown.
pub fn substitute(text: &str, principal: &OwnPrincipal) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        let name = &rest[start + 2..end];
        let value = match name {
            "*" | "?" | "$" => name.to_owned(),
            other => {
                let (key, default) = match other.split_once(',') {
                    Some((key, default)) => (
                        key.trim(),
                        Some(default.trim().trim_matches('\'').to_owned()),
                    ),
                    None => (other, None),
                };
                match principal_value(&key.to_ascii_lowercase(), principal) {
                    Ok(Some(value)) => value,
                    Ok(None) => default?,
                    Err(()) => return None,
                }
            }
        };
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn clauses(block: Value) -> Vec<Clause> {
        Clause::parse_block(&block).unwrap()
    }

    fn alice() -> OwnPrincipal {
        OwnPrincipal {
            arn: "arn:aws:iam::123456789012:user/alice".into(),
            name: "alice".into(),
            is_user: true,
            account: "123456789012".into(),
            tags: vec![("team".to_owned(), "ml".to_owned())],
            organization: Arc::new(Organization::Member {
                id: "o-abc".into(),
                paths: vec!["o-abc/r-1/ou-1/".into()],
            }),
        }
    }

    fn at() -> DateTime<Utc> {
        "2026-05-10T00:00:00Z".parse().unwrap()
    }

    fn allow(block: Value, subject: Subject) -> Outcome {
        judge(&clauses(block), Effect::Allow, subject, None, at())
    }

    #[test]
    fn caller_keys_narrow_nothing() {
        let secure = json!({"Bool": {"aws:SecureTransport": "true"}});
        assert_eq!(allow(secure.clone(), Subject::Outsider), Outcome::True);
        let avoidable = judge(
            &clauses(secure),
            Effect::Deny,
            Subject::Outsider,
            None,
            at(),
        );
        assert_eq!(
            avoidable,
            Outcome::False,
            "a caller avoids the Deny by using TLS"
        );
    }

    #[test]
    fn who_keys_are_judged_for_own_principals_and_kept_for_others() {
        let org = json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}});
        let alice = alice();
        assert_eq!(allow(org.clone(), Subject::Own(&alice)), Outcome::True);
        let Outcome::Constrained(kept) = allow(org, Subject::Outsider) else {
            panic!("kept as a constraint")
        };
        assert_eq!(kept[0].text(), "aws:PrincipalOrgID StringEquals o-abc");
        assert!(kept[0].admits_only_listed());
        let other = json!({"StringEquals": {"aws:PrincipalOrgID": "o-zzz"}});
        assert_eq!(allow(other, Subject::Own(&alice)), Outcome::False);
        let mut unknown_org = alice.clone();
        unknown_org.organization = Arc::new(Organization::Unknown);
        let org = json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}});
        assert!(matches!(
            allow(org, Subject::Own(&unknown_org)),
            Outcome::Unknown(_)
        ));
    }

    #[test]
    fn another_accounts_organization_is_judged_where_the_organizations_accounts_are_known() {
        let inside = json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}});
        let member = Subject::OtherAccount(Membership::In("o-abc"));
        let stranger = Subject::OtherAccount(Membership::NotIn("o-abc"));
        assert_eq!(allow(inside.clone(), member), Outcome::True);
        assert_eq!(allow(inside, stranger), Outcome::False);
        let perimeter =
            clauses(json!({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}));
        let deny = |subject| judge(&perimeter, Effect::Deny, subject, None, at());
        assert_eq!(
            deny(stranger),
            Outcome::True,
            "the perimeter Deny reaches it"
        );
        assert_eq!(deny(member), Outcome::False);
        // Another organization named, or a wildcard: the stranger's own organization decides.
        for open in [
            json!({"StringEquals": {"aws:PrincipalOrgID": ["o-abc", "o-partner"]}}),
            json!({"StringLike": {"aws:PrincipalOrgID": "o-*"}}),
        ] {
            assert!(matches!(allow(open, stranger), Outcome::Constrained(_)));
        }
    }

    #[test]
    fn absent_keys_fail_positive_operators_and_pass_negated_ones() {
        // A principal calling directly carries no aws:SourceAccount.
        let alice = alice();
        let positive = json!({"StringEquals": {"aws:SourceAccount": "123456789012"}});
        assert_eq!(allow(positive, Subject::Own(&alice)), Outcome::False);
        let negated = json!({"StringNotEquals": {"aws:SourceAccount": "123456789012"}});
        assert_eq!(allow(negated, Subject::Own(&alice)), Outcome::True);
        let if_exists = json!({"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}});
        assert_eq!(allow(if_exists, Subject::Own(&alice)), Outcome::True);
        let null = json!({"Null": {"aws:SourceAccount": "true"}});
        assert_eq!(allow(null, Subject::Own(&alice)), Outcome::True);
    }

    #[test]
    fn network_keys_are_constraints_and_unknown_keys_make_it_conditional() {
        let alice = alice();
        let vpce = json!({"StringEquals": {"aws:SourceVpce": "vpce-1"}});
        assert!(matches!(
            allow(vpce, Subject::Own(&alice)),
            Outcome::Constrained(_)
        ));
        let odd = json!({"StringEquals": {"ec2:InstanceType": "t3.micro"}, "Bool": {"aws:SecureTransport": "true"}});
        let Outcome::Unknown(why) = allow(odd, Subject::Outsider) else {
            panic!("conditional")
        };
        assert_eq!(why, ["ec2:InstanceType StringEquals t3.micro"]);
    }

    #[test]
    fn resource_tags_time_and_variables_are_judged() {
        let tags = BTreeMap::from([("team".to_owned(), "ml".to_owned())]);
        let org = Organization::NotAMember;
        let facts = ResourceFacts {
            tags: &tags,
            region: "eu-west-1",
            account: "123456789012",
            organization: &org,
        };
        let alice = alice();
        let same_team = clauses(
            json!({"StringEquals": {"secretsmanager:ResourceTag/team": "${aws:PrincipalTag/team}"}}),
        );
        assert_eq!(
            judge(
                &same_team,
                Effect::Allow,
                Subject::Own(&alice),
                Some(facts),
                at()
            ),
            Outcome::True
        );
        let region = clauses(json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}));
        assert_eq!(
            judge(
                &region,
                Effect::Allow,
                Subject::Own(&alice),
                Some(facts),
                at()
            ),
            Outcome::False
        );
        let expired = json!({"DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}});
        assert_eq!(allow(expired, Subject::Outsider), Outcome::False);
        let epoch = json!({"NumericGreaterThan": {"aws:EpochTime": "1700000000"}});
        assert_eq!(allow(epoch, Subject::Outsider), Outcome::True);
        assert_eq!(
            substitute("arn:aws:iam::*:user/${aws:username}", &alice).unwrap(),
            "arn:aws:iam::*:user/alice"
        );
        assert_eq!(substitute("${aws:userid}", &alice), None);
    }
}
