//! What each rule judged in an account: the resources of the kinds it evaluates
//! (`custom.evaluates`) split into passed, failed and waived, and the scopes it could not be
//! evaluated in. A compliance report is counted from these.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::model::{Finding, NotEvaluated, ResourceKind, RuleResult};
use crate::policy::Rule;
use crate::snapshot::{Chunk, Snapshot};

/// One resource a rule may judge: its ARN, and its region when it is regional.
struct Resource<'a> {
    arn: &'a str,
    region: Option<&'a str>,
}

/// The resources of one account that rules judge, by kind: gathered from the snapshot's header
/// and then from each chunk of users, roles and secrets as it is evaluated (the snapshot itself
/// is never whole in memory, only these names).
pub(super) struct Resources {
    root: String,
    users: Vec<Box<str>>,
    groups: Vec<Box<str>>,
    roles: Vec<Box<str>>,
    /// Customer-managed policies (AWS-managed ones are AWS's to fix).
    policies: Vec<Box<str>>,
    /// ARN and region.
    secrets: Vec<(Box<str>, Box<str>)>,
    /// The trails the account owns (not those another account's snapshot supplied): ARN and
    /// home region.
    trails: Vec<(Box<str>, Box<str>)>,
    /// The regions scanned.
    regions: Vec<Box<str>>,
}

impl Resources {
    /// The account, its groups and its policies; users, roles and secrets come with `add`.
    pub(super) fn of_header(header: &Snapshot) -> Resources {
        Resources {
            root: format!(
                "arn:{}:iam::{}:root",
                header.account.partition, header.account.id
            ),
            users: Vec::new(),
            groups: header
                .groups
                .iter()
                .map(|g| g.arn.as_str().into())
                .collect(),
            roles: Vec::new(),
            policies: header
                .policies
                .iter()
                .filter(|p| !p.aws_managed)
                .map(|p| p.arn.as_str().into())
                .collect(),
            secrets: Vec::new(),
            trails: header
                .detective
                .iter()
                .flat_map(|d| &d.trails)
                .filter(|t| t.inherited_from.is_none() && owner(&t.arn) == header.account.id)
                .map(|t| (t.arn.as_str().into(), t.home_region.as_str().into()))
                .collect(),
            regions: header
                .collector
                .regions
                .iter()
                .map(|r| r.as_str().into())
                .collect(),
        }
    }

    /// The users, roles and secrets of one chunk.
    pub(super) fn add(&mut self, chunk: Chunk<'_>) {
        self.users
            .extend(chunk.users.iter().map(|u| u.arn.as_str().into()));
        self.roles
            .extend(chunk.roles.iter().map(|r| r.arn.as_str().into()));
        self.secrets.extend(
            chunk
                .secrets
                .iter()
                .map(|s| (s.arn.as_str().into(), s.region.as_str().into())),
        );
    }

    /// The resources of one kind.
    fn of_kind(&self, kind: ResourceKind) -> Vec<Resource<'_>> {
        fn global(arn: &str) -> Resource<'_> {
            Resource { arn, region: None }
        }
        fn regional((arn, region): &(Box<str>, Box<str>)) -> Resource<'_> {
            Resource {
                arn,
                region: Some(region),
            }
        }
        match kind {
            ResourceKind::Account => vec![Resource {
                arn: &self.root,
                region: None,
            }],
            ResourceKind::Users => self.users.iter().map(|a| global(a)).collect(),
            ResourceKind::Principals => self
                .users
                .iter()
                .chain(&self.groups)
                .chain(&self.roles)
                .map(|a| global(a))
                .collect(),
            ResourceKind::Policies => self.policies.iter().map(|a| global(a)).collect(),
            ResourceKind::Secrets => self.secrets.iter().map(regional).collect(),
            ResourceKind::Trails => self.trails.iter().map(regional).collect(),
            // A region is named by itself: only its findings' regions are compared with it.
            ResourceKind::Regions => self
                .regions
                .iter()
                .map(|region| Resource {
                    arn: region,
                    region: Some(region),
                })
                .collect(),
        }
    }
}

/// What each enabled rule judged: `failed` counts every resource with a finding, as waivers
/// are applied later, by `count_waived`.
pub(super) fn rule_results(
    enabled: &[&Rule],
    resources: &Resources,
    findings: &[Finding],
    gaps: &[NotEvaluated],
) -> Vec<RuleResult> {
    enabled
        .iter()
        .map(|rule| {
            let id = &rule.metadata.id;
            let rule_gaps: Vec<&NotEvaluated> = gaps.iter().filter(|g| &g.rule_id == id).collect();
            let reported = Reported::of(findings.iter().filter(|f| &f.rule_id == id));
            let passed: BTreeSet<&str> = rule
                .metadata
                .evaluates
                .iter()
                .flat_map(|kind| {
                    resources
                        .of_kind(*kind)
                        .into_iter()
                        .map(move |resource| (*kind, resource))
                })
                .filter(|(kind, r)| !rule_gaps.iter().any(|gap| inside(gap, *kind, r)))
                .filter(|(kind, r)| !reported.on(*kind, r))
                .map(|(_, r)| r.arn)
                .collect();
            RuleResult {
                rule_id: id.clone(),
                passed: passed.len(),
                failed: reported.resources.len(),
                waived: 0,
                not_evaluated: rule_gaps.len(),
            }
        })
        .collect()
}

/// Splits each rule's resources with findings into failed and waived (every finding on the
/// resource waived), once waivers are applied.
pub(super) fn count_waived(results: &mut [RuleResult], findings: &[Finding]) {
    for result in results {
        // Per resource: whether every finding on it is waived.
        let mut reported: BTreeMap<&str, bool> = BTreeMap::new();
        for finding in findings.iter().filter(|f| f.rule_id == result.rule_id) {
            let all_waived = reported.entry(&finding.resource).or_insert(true);
            *all_waived &= finding.is_waived();
        }
        result.waived = reported.values().filter(|&&all_waived| all_waived).count();
        result.failed = reported.len() - result.waived;
    }
}

/// What one rule's findings are about: looked up once per resource, so counting stays linear
/// in resources plus findings (a scan through the findings per resource took minutes at
/// 334,000 users).
struct Reported<'a> {
    resources: HashSet<&'a str>,
    regions: HashSet<Option<&'a str>>,
}

impl<'a> Reported<'a> {
    fn of(findings: impl Iterator<Item = &'a Finding>) -> Reported<'a> {
        let mut reported = Reported {
            resources: HashSet::new(),
            regions: HashSet::new(),
        };
        for finding in findings {
            reported.resources.insert(&finding.resource);
            reported.regions.insert(finding.region.as_deref());
        }
        reported
    }

    /// Whether the rule reported on a resource of `kind`: a finding about it; for the account,
    /// any finding (an account rule's verdict may name the trail or log group it rests on); for
    /// a region, any finding in it.
    fn on(&self, kind: ResourceKind, resource: &Resource) -> bool {
        match kind {
            ResourceKind::Account => !self.resources.is_empty(),
            ResourceKind::Regions => self.regions.contains(&resource.region),
            _ => self.resources.contains(resource.arn),
        }
    }
}

/// The account of an ARN (its fifth field).
fn owner(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

/// Whether a resource lies in a scope the rule could not be evaluated in. The account's verdict
/// rests on everything in it, a region's on everything in the region (as
/// `NotEvaluated::covers` has it for findings).
fn inside(gap: &NotEvaluated, kind: ResourceKind, resource: &Resource) -> bool {
    match (kind, &gap.resource, &gap.region) {
        (ResourceKind::Account, _, _) => true,
        (ResourceKind::Regions, _, Some(region)) => resource.region == Some(region.as_str()),
        (ResourceKind::Regions, Some(_), None) => true,
        (_, Some(arn), _) => arn == resource.arn,
        (_, None, Some(region)) => resource.region == Some(region.as_str()),
        (_, None, None) => true,
    }
}
