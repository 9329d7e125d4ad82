//! Terraform and OpenTofu: a plan (`terraform show -json`) becomes the snapshot of the account
//! after it, alone or applied to the live account, and the findings on what Terraform manages
//! are put on the lines of the `.tf` files that define it. See docs/terraform.md.

mod build;
mod catalogue;
mod document;
mod facts;
mod instances;
mod locations;
mod names;
mod resolve;

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::snapshot::{
    Account, CollectionError, Collector, DataSection, ErrorKind, PlanAction, PlannedResource,
    SCHEMA_VERSION, Snapshot, TerraformPlan,
};

pub use document::TerraformError;
pub use locations::SourceMap;

use document::{Kind, Purpose, ShowJson};
use instances::Instance;
use resolve::Context;

/// A Terraform or OpenTofu plan, as `terraform show -json` writes it.
pub struct Plan {
    show: ShowJson,
}

/// The account before a plan and after it.
pub struct PlannedAccount {
    pub before: Snapshot,
    pub after: Snapshot,
}

/// Reads a plan; a state, HCL, a binary plan or other JSON is an error saying what it is.
pub fn read_plan(path: &Path) -> Result<Plan, TerraformError> {
    plan_of(path, document::read(path, Purpose::Plan)?)
}

/// Parses the text of a plan file like `read_plan`; `path` only names it in errors.
pub fn parse_plan(path: &Path, text: &str) -> Result<Plan, TerraformError> {
    plan_of(path, document::parse(path, text.into(), Purpose::Plan)?)
}

fn plan_of(path: &Path, kind: Kind) -> Result<Plan, TerraformError> {
    match kind {
        Kind::Plan(show) => Ok(Plan { show: *show }),
        Kind::State(_) => Err(TerraformError::WrongKind {
            path: path.to_owned(),
            expected: "a Terraform plan",
            found: "the Terraform state (`terraform show -json` without a plan file), not a plan"
                .to_owned(),
            hint: "give it to --terraform-state to put live findings on the .tf lines, or make a plan: terraform plan -out=tfplan && terraform show -json tfplan > plan.json",
        }),
    }
}

/// The resources Terraform manages according to a state (`terraform show -json`) or a plan's
/// prior state, with the ARNs they define.
pub fn read_state(path: &Path) -> Result<Vec<PlannedResource>, TerraformError> {
    let show = match document::read(path, Purpose::State)? {
        Kind::Plan(show) | Kind::State(show) => show,
    };
    let prior = if show.is_plan() {
        instances::prior(&show)
    } else {
        instances::state(&show)
    };
    let identity = Identity::of(&show, &prior, None);
    let context = Context::new(
        &show,
        prior,
        &identity.account,
        &identity.partition,
        &identity.region,
    );
    Ok(facts::facts(&context).1)
}

impl Plan {
    /// `terraform` or `opentofu`, told by the provider registry the plan names.
    fn tool(&self) -> &'static str {
        let opentofu = self.show.resource_changes.iter().any(|c| {
            c.provider_name
                .as_deref()
                .is_some_and(|p| p.contains("registry.opentofu.org"))
        });
        if opentofu { "opentofu" } else { "terraform" }
    }

    /// When the plan was made (apply follows it); the file's own time is all older versions
    /// give, and without either, now.
    fn time(&self) -> DateTime<Utc> {
        self.show
            .timestamp
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(Utc::now)
    }

    /// The account the plan names (its `aws_caller_identity`, or a known ARN), if any.
    pub fn account_id(&self) -> Option<String> {
        let planned = instances::planned(&self.show);
        let identity = Identity::of(&self.show, &planned, None);
        (identity.account != UNKNOWN_ACCOUNT).then_some(identity.account)
    }

    /// The account before the plan and after it: with `live`, the live account and the live
    /// account with the plan applied; without it, the plan's prior state and its planned
    /// values, alone.
    pub fn accounts(&self, live: Option<&Snapshot>) -> PlannedAccount {
        let show = &self.show;
        let prior = instances::prior(show);
        let planned = instances::planned(show);
        let identity = Identity::of(show, &planned, live);
        let before_context = Context::new(
            show,
            prior,
            &identity.account,
            &identity.partition,
            &identity.region,
        );
        let after_context = Context::new(
            show,
            planned,
            &identity.account,
            &identity.partition,
            &identity.region,
        );
        let (before_facts, before_resources) = facts::facts(&before_context);
        let (after_facts, mut after_resources) = facts::facts(&after_context);
        for deleted in instances::deleted(show) {
            let prior = before_context
                .instances
                .iter()
                .find(|i| i.address == deleted.address)
                .unwrap_or(&deleted);
            let prior = Instance {
                action: PlanAction::Delete,
                ..prior.clone()
            };
            after_resources.extend(facts::deleted_resource(&before_context, &prior));
        }
        let time = self.time();
        let plan_section = |resources: Vec<PlannedResource>| TerraformPlan {
            tool: self.tool().to_owned(),
            version: show.terraform_version.clone().unwrap_or_default(),
            live_account: live.is_some(),
            resources,
        };
        let (mut before, mut after) = match live {
            Some(live) => {
                let mut after = live.clone();
                build::apply(&mut after, &before_facts, &after_facts, time);
                (live.clone(), after)
            }
            None => {
                let empty = empty_snapshot(&identity, time);
                let mut before = empty.clone();
                build::apply(&mut before, &[], &before_facts, time);
                let mut after = empty;
                build::apply(&mut after, &[], &after_facts, time);
                (before, after)
            }
        };
        before.terraform = Some(plan_section(before_resources));
        after.terraform = Some(plan_section(after_resources));
        if identity.account == UNKNOWN_ACCOUNT {
            for snapshot in [&mut before, &mut after] {
                note_unknown_account(snapshot);
            }
        }
        PlannedAccount { before, after }
    }
}

/// The account id a plan without `aws_caller_identity` and without a known ARN gets.
const UNKNOWN_ACCOUNT: &str = "unknown";

/// Whom a plan is for: the live account's id, else the plan's `aws_caller_identity`, else the
/// account of any ARN the plan knows.
struct Identity {
    account: String,
    partition: String,
    region: String,
}

impl Identity {
    fn of(show: &ShowJson, instances: &[Instance], live: Option<&Snapshot>) -> Identity {
        let all: Vec<Instance> = instances
            .iter()
            .cloned()
            .chain(instances::prior(show))
            .collect();
        let caller = all
            .iter()
            .find(|i| i.resource_type == "aws_caller_identity");
        let known_arn = caller
            .and_then(|i| i.known_str("arn"))
            .or_else(|| {
                all.iter()
                    .filter_map(|i| i.known_str("arn"))
                    .find(|arn| arn.split(':').nth(4).is_some_and(|a| a.len() == 12))
            })
            .map(str::to_owned);
        let region = resolve::Context::new(show, Vec::new(), "", "", "")
            .root_provider_region()
            .unwrap_or_else(|| "unknown".to_owned());
        if let Some(live) = live {
            return Identity {
                account: live.account.id.clone(),
                partition: live.account.partition.clone(),
                region,
            };
        }
        let account = caller
            .and_then(|i| i.known_str("account_id"))
            .map(str::to_owned)
            .or_else(|| {
                known_arn
                    .as_deref()
                    .and_then(|a| a.split(':').nth(4))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| UNKNOWN_ACCOUNT.to_owned());
        let partition = known_arn
            .as_deref()
            .and_then(|a| a.split(':').nth(1))
            .unwrap_or("aws")
            .to_owned();
        Identity {
            account,
            partition,
            region,
        }
    }
}

fn empty_snapshot(identity: &Identity, time: DateTime<Utc>) -> Snapshot {
    Snapshot {
        schema_version: SCHEMA_VERSION,
        collected_at: time,
        collector: Collector {
            tool: "keyward".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            regions: Vec::new(),
            credential_report_generated_at: None,
            api_requests: None,
        },
        account: Account {
            id: identity.account.clone(),
            alias: None,
            name: None,
            partition: identity.partition.clone(),
        },
        root: None,
        password_policy: None,
        users: Vec::new(),
        groups: Vec::new(),
        roles: Vec::new(),
        policies: Vec::new(),
        secrets: Vec::new(),
        // A plan says nothing of the account's organization (docs/access.md).
        organization: None,
        // A plan says nothing of who watches the account: the detective rules are not
        // applicable to a plan alone (`Snapshot::absent_sections`).
        detective: None,
        collection_errors: Vec::new(),
        terraform: None,
    }
}

/// Whether a principal in a secret policy is another account cannot be told without knowing
/// this one.
fn note_unknown_account(snapshot: &mut Snapshot) {
    if snapshot.secrets.iter().any(|s| s.resource_policy.is_some()) {
        snapshot.collection_errors.push(CollectionError {
            sections: vec![DataSection::SecretResourcePolicies],
            service: "terraform".to_owned(),
            operation: "plan".to_owned(),
            region: None,
            resource: None,
            kind: ErrorKind::NotAvailable,
            message: "the plan names no AWS account, so other accounts in secret policies cannot be told from this one: add `data \"aws_caller_identity\" \"current\" {}` to the configuration, or judge the plan with the live account".to_owned(),
        });
    }
}
