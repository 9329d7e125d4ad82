//! Many accounts: the active accounts of an AWS Organization (or a list given by hand), each
//! reached by assuming a named role, collected concurrently with a bound. An account that
//! cannot be reached gets a snapshot of its own that says so, and the others finish.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_organizations::types::{AccountState, AccountStatus};
use aws_sdk_sts::config::Credentials;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::aws::{AwsContext, CallError, classify};
use super::org_detective;
use super::organization::{OrganizationIdentity, PolicyReader, delegated_administrators, describe};
use super::pipeline::{CollectOptions, collect_account};
use crate::snapshot::{
    Account, CollectionError, Collector, DataSection, ErrorKind, Organization, SCHEMA_VERSION,
    Snapshot,
};

/// How to reach the member accounts.
#[derive(Debug, Clone)]
pub struct OrgOptions {
    /// List the organization's active accounts (needs organizations:ListAccounts).
    pub from_organization: bool,
    /// Only these accounts (with `from_organization`: a filter; without: the list itself).
    pub accounts: Vec<String>,
    pub exclude_accounts: Vec<String>,
    /// The role assumed in each account.
    pub role_name: String,
    pub external_id: Option<String>,
    pub session_name: String,
    /// Accounts collected at once.
    pub concurrency: usize,
}

/// An account to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    pub name: Option<String>,
}

/// The accounts to scan, and with `from_organization` the ids of every account of the
/// organization (what conditions on `aws:PrincipalOrgID` need to place another account).
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub accounts: Vec<Target>,
    pub organization_members: Option<Vec<String>>,
}

/// The accounts to scan: the organization's active ones, or the given list, narrowed by the
/// include and exclude lists.
pub async fn targets(aws: &AwsContext, options: &OrgOptions) -> Result<Targets, CallError> {
    let mut members = None;
    let mut targets = if options.from_organization {
        let listed = organization_accounts(&aws.organizations()).await?;
        members = Some(listed.iter().map(|(t, _)| t.id.clone()).collect());
        listed
            .into_iter()
            .filter_map(|(target, active)| active.then_some(target))
            .collect()
    } else {
        options
            .accounts
            .iter()
            .map(|id| Target {
                id: id.clone(),
                name: None,
            })
            .collect::<Vec<_>>()
    };
    if options.from_organization && !options.accounts.is_empty() {
        targets.retain(|t| options.accounts.contains(&t.id));
    }
    targets.retain(|t| !options.exclude_accounts.contains(&t.id));
    targets.sort_by(|a, b| a.id.cmp(&b.id));
    targets.dedup_by(|a, b| a.id == b.id);
    Ok(Targets {
        accounts: targets,
        organization_members: members,
    })
}

/// Every account of the organization, and whether it is active (only active accounts are
/// scanned; suspended ones still belong to the organization).
async fn organization_accounts(
    client: &aws_sdk_organizations::Client,
) -> Result<Vec<(Target, bool)>, CallError> {
    let mut pages = client.list_accounts().into_paginator().send();
    let mut accounts = Vec::new();
    while let Some(page) = pages.next().await {
        for account in page.map_err(|e| classify(&e))?.accounts() {
            // `State` replaces the deprecated `Status`; older answers carry only `Status`.
            #[allow(deprecated)]
            let active = match account.state() {
                Some(state) => *state == AccountState::Active,
                None => account.status() == Some(&AccountStatus::Active),
            };
            if let Some(id) = account.id() {
                listed_account_id(id)?;
                let target = Target {
                    id: id.to_owned(),
                    name: account.name().map(str::to_owned),
                };
                accounts.push((target, active));
            }
        }
    }
    Ok(accounts)
}

/// An id from ListAccounts names files and SARIF runs like any other: an answer that is not an
/// account id (a hostile or broken endpoint) stops the scan instead.
fn listed_account_id(id: &str) -> Result<(), CallError> {
    crate::snapshot::check_account_id(id).map_err(|message| CallError {
        kind: ErrorKind::Other,
        message: format!("ListAccounts answered with {message}"),
        code: None,
    })
}

/// Collects every target, `options.concurrency` at a time, and sends each snapshot to
/// `snapshots` as soon as its collection ends (in no particular order). The channel's bound
/// holds the collection back while the receiver is busy: an account's task keeps its slot until
/// its snapshot is taken, so at most `concurrency` snapshots (and those in the channel) are held
/// at once, however many accounts the organization has. Once the receiver is gone, no further
/// account is started.
///
/// With `from_organization`, each account's snapshot also gets the organization's service and
/// resource control policies on its path, read with the caller's credentials, and the
/// organization-wide detective controls that another account runs for it (see
/// `org_detective`), before it is sent: its evaluation weighs them. Only the management account
/// and the delegated administrators can run those for the organization, so they are collected
/// first and held until all of them are in; every other account then gets their controls as
/// its collection ends. When the delegated administrators cannot be listed, every account is
/// held until all are collected, as any of them might be one.
pub async fn collect_all(
    aws: &AwsContext,
    caller_account: &str,
    partition: &str,
    targets: Targets,
    options: &OrgOptions,
    collect: &CollectOptions,
    snapshots: mpsc::Sender<Snapshot>,
) {
    let Targets {
        accounts: targets,
        organization_members,
    } = targets;
    collect.progress.accounts(targets.len());
    let collector = AccountCollector {
        aws: aws.clone(),
        caller_account: caller_account.to_owned(),
        partition: partition.to_owned(),
        options: options.clone(),
        collect: collect.clone(),
        slots: Arc::new(Semaphore::new(options.concurrency.max(1))),
        organization: None,
    };
    if !options.from_organization {
        collector
            .stream(targets, Arc::new(Vec::new()), snapshots)
            .await;
        return;
    }
    let view = OrganizationView::read(aws, organization_members).await;
    let (owners, members): (Vec<Target>, Vec<Target>) = match view.possible_owners().await {
        Some(owners) => targets.into_iter().partition(|t| owners.contains(&t.id)),
        None => (targets, Vec::new()),
    };
    let collector = AccountCollector {
        organization: Some(Arc::new(view)),
        ..collector
    };
    let (mut held, reached): (Vec<Snapshot>, Vec<bool>) =
        collector.collect_each(owners).await.into_iter().unzip();
    org_detective::share(&mut held, &reached);
    let shared = Arc::new(org_detective::shares(&held, &reached));
    for snapshot in held {
        // A receiver that stopped (an error while evaluating) wants no more.
        if snapshots.send(snapshot).await.is_err() {
            return;
        }
    }
    collector.stream(members, shared, snapshots).await;
}

/// What every account task needs.
#[derive(Clone)]
struct AccountCollector {
    aws: AwsContext,
    caller_account: String,
    partition: String,
    options: OrgOptions,
    collect: CollectOptions,
    slots: Arc<Semaphore>,
    organization: Option<Arc<OrganizationView>>,
}

impl AccountCollector {
    /// One account: its snapshot with the organization's policies on its path, and whether it
    /// was reached.
    async fn account(&self, target: &Target) -> (Snapshot, bool) {
        let (mut snapshot, reached) = collect_target(
            &self.aws,
            &self.caller_account,
            &self.partition,
            target,
            &self.options,
            &self.collect,
        )
        .await;
        if let Some(view) = &self.organization {
            view.add_policies(&mut snapshot).await;
        }
        (snapshot, reached)
    }

    /// One of the `concurrency` places an account's collection takes, held until dropped.
    async fn slot(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.slots
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore open")
    }

    /// Collects the targets and returns their snapshots, all held.
    async fn collect_each(&self, targets: Vec<Target>) -> Vec<(Snapshot, bool)> {
        let mut tasks = JoinSet::new();
        for target in targets {
            let this = self.clone();
            tasks.spawn(async move {
                let _slot = this.slot().await;
                this.account(&target).await
            });
        }
        let mut collected = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            collected.push(joined.expect("an account task does not panic"));
        }
        collected
    }

    /// Collects the targets and sends each snapshot, with the controls `shared` by the
    /// organization's owners, as soon as its collection ends.
    async fn stream(
        &self,
        targets: Vec<Target>,
        shared: Arc<Vec<org_detective::Share>>,
        snapshots: mpsc::Sender<Snapshot>,
    ) {
        let mut tasks = JoinSet::new();
        for target in targets {
            let (this, shared, snapshots) = (self.clone(), shared.clone(), snapshots.clone());
            tasks.spawn(async move {
                let _slot = this.slot().await;
                if snapshots.is_closed() {
                    return;
                }
                let (mut snapshot, reached) = this.account(&target).await;
                if reached {
                    org_detective::apply_shares(&mut snapshot, &shared);
                }
                // A receiver that stopped (an error while evaluating) wants no more.
                let _ = snapshots.send(snapshot).await;
            });
        }
        drop(snapshots);
        while let Some(joined) = tasks.join_next().await {
            joined.expect("an account task does not panic");
        }
    }
}

/// The organization as the caller (the management account or a delegated administrator) sees
/// it: its identity, and a reader of its policies shared by the account tasks.
struct OrganizationView {
    identity: Result<Option<OrganizationIdentity>, CallError>,
    reader: PolicyReader,
    members: Option<Vec<String>>,
    client: aws_sdk_organizations::Client,
}

impl OrganizationView {
    async fn read(aws: &AwsContext, members: Option<Vec<String>>) -> OrganizationView {
        let client = aws.organizations();
        OrganizationView {
            identity: describe(&client).await,
            reader: PolicyReader::new(client.clone()),
            members,
            client,
        }
    }

    /// The accounts that can run detective controls for the whole organization: the
    /// management account and the delegated administrators (of any service); `None` when the
    /// delegated administrators cannot be listed.
    async fn possible_owners(&self) -> Option<BTreeSet<String>> {
        let identity = self.identity.as_ref().ok()?.as_ref()?;
        let mut owners: BTreeSet<String> = delegated_administrators(&self.client)
            .await
            .ok()?
            .into_iter()
            .collect();
        owners.extend(identity.management_account_id.clone());
        Some(owners)
    }

    /// Sets the account's organization and the policies on its path; a failure to read them
    /// leaves `organizations.policies` incomplete for the account, so the rules that weigh
    /// SCPs and RCPs report *not evaluated* rather than answering without them.
    async fn add_policies(&self, snapshot: &mut Snapshot) {
        let identity = match &self.identity {
            Ok(Some(identity)) => identity,
            Ok(None) => return,
            Err(error) => {
                snapshot.collection_errors.push(CollectionError::from_call(
                    "organizations",
                    "DescribeOrganization",
                    error,
                    &[DataSection::OrganizationPolicies],
                ));
                return;
            }
        };
        let organization = snapshot.organization.get_or_insert_with(|| Organization {
            id: identity.id.clone(),
            management_account_id: identity.management_account_id.clone(),
            policies: None,
            member_accounts: None,
        });
        organization.member_accounts = self.members.clone();
        match self.reader.for_account(&snapshot.account.id).await {
            Ok(policies) => organization.policies = Some(policies),
            Err(error) => snapshot.collection_errors.push(CollectionError::from_call(
                "organizations",
                "ListPoliciesForTarget",
                &error,
                &[DataSection::OrganizationPolicies],
            )),
        }
    }
}

async fn collect_target(
    aws: &AwsContext,
    caller_account: &str,
    partition: &str,
    target: &Target,
    options: &OrgOptions,
    collect: &CollectOptions,
) -> (Snapshot, bool) {
    // The caller's own account is read with the caller's credentials: the management account
    // usually has no OrganizationAccountAccessRole.
    let context = if target.id == caller_account {
        Ok(aws.fresh())
    } else {
        assume(aws, partition, target, options).await
    };
    let result = match context {
        Ok(context) => collect_account(&context, collect)
            .await
            .map_err(|e| CallError {
                kind: ErrorKind::Other,
                message: e.0,
                code: None,
            }),
        Err(error) => Err(error),
    };
    match result {
        Ok(mut snapshot) => {
            snapshot.account.name = target.name.clone();
            (snapshot, true)
        }
        Err(error) => {
            collect.progress.account_failed(&target.id);
            (unreachable_account(target, partition, &error), false)
        }
    }
}

/// Assumes the role in the target account and returns a context with its credentials.
async fn assume(
    aws: &AwsContext,
    partition: &str,
    target: &Target,
    options: &OrgOptions,
) -> Result<AwsContext, CallError> {
    let role_arn = format!(
        "arn:{partition}:iam::{}:role/{}",
        target.id, options.role_name
    );
    let output = aws
        .sts()
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name(&options.session_name)
        .set_external_id(options.external_id.clone())
        .send()
        .await
        .map_err(|e| {
            let error = classify(&e);
            CallError {
                message: format!("AssumeRole {role_arn}: {}", error.message),
                ..error
            }
        })?;
    let credentials = output.credentials().ok_or_else(|| CallError {
        kind: ErrorKind::Other,
        message: format!("AssumeRole {role_arn} returned no credentials"),
        code: None,
    })?;
    let expiry =
        SystemTime::UNIX_EPOCH + Duration::from_secs(credentials.expiration().secs().max(0) as u64);
    Ok(aws.with_credentials(Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token().to_owned()),
        Some(expiry),
        "keyward-assume-role",
    )))
}

/// The snapshot of an account keyward could not enter: no data, and an error that leaves
/// every section incomplete, so every rule reports *not evaluated* for it.
fn unreachable_account(target: &Target, partition: &str, error: &CallError) -> Snapshot {
    Snapshot {
        schema_version: SCHEMA_VERSION,
        collected_at: chrono::Utc::now(),
        collector: Collector {
            tool: "keyward".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            regions: Vec::new(),
            credential_report_generated_at: None,
            api_requests: None,
        },
        account: Account {
            id: target.id.clone(),
            alias: None,
            name: target.name.clone(),
            partition: partition.to_owned(),
        },
        root: None,
        password_policy: None,
        users: Vec::new(),
        groups: Vec::new(),
        roles: Vec::new(),
        policies: Vec::new(),
        secrets: Vec::new(),
        organization: None,
        detective: None,
        collection_errors: vec![CollectionError::from_call(
            "sts",
            "AssumeRole",
            error,
            &DataSection::ALL,
        )],
        terraform: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_account_id_that_could_name_a_path_is_refused() {
        assert!(listed_account_id("123456789012").is_ok());
        let error = listed_account_id("../../etc/x").unwrap_err();
        assert!(
            error
                .message
                .contains("`../../etc/x` is not an AWS account id"),
            "{}",
            error.message
        );
    }
}
