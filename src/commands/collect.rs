//! Live collection for `scan` and `snapshot`: options from the command line, a runtime, and
//! the request count reported at the end.

use std::io::IsTerminal;
use std::time::Duration;

use super::error::Error;
use crate::cli::CollectArgs;
use crate::collect::{self, CollectOptions, ConnectOptions, ProgressMode};
use crate::snapshot::Snapshot;

/// Regions listed at once: enough to hide latency, few enough to stay clear of throttling.
const REGION_CONCURRENCY: usize = 4;

/// Collects the current account, or with --org/--accounts every account asked for, and hands
/// each snapshot to `each` as soon as its collection ends (several accounts: in no particular
/// order), so that the caller evaluates and writes it and lets it go: a scan of an organization
/// holds a few snapshots at a time, not one per account. Returns how many were collected.
pub fn collect(
    args: &CollectArgs,
    mut each: impl FnMut(Snapshot) -> Result<(), Error>,
) -> Result<usize, Error> {
    if args.org.shard.is_some() && !args.org.is_multi_account() {
        return Err(Error::Usage(
            "--shard splits the accounts of --org or --accounts: give one of them".to_owned(),
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let aws = collect::connect(&connect_options(args)).await;
        let mut requests = AccountRequests::default();
        let mut take = |snapshot: Snapshot| {
            requests.add(&snapshot);
            each(snapshot)
        };
        if args.org.is_multi_account() {
            collect_many(&aws, args, &mut take).await?;
        } else {
            take(collect::collect_account(&aws, &collect_options(args)).await?)?;
        }
        requests.report(&aws.counter, args.org.is_multi_account());
        Ok(requests.accounts)
    })
}

async fn collect_many(
    aws: &collect::AwsContext,
    args: &CollectArgs,
    each: &mut impl FnMut(Snapshot) -> Result<(), Error>,
) -> Result<(), Error> {
    let (caller_account, partition) = collect::caller_identity(aws).await?;
    let options = org_options(args);
    let mut targets = collect::org::targets(aws, &options).await.map_err(|e| {
        Error::Usage(format!(
            "cannot list the organization's accounts: {}\nhint: run from the management account or a delegated administrator with organizations:ListAccounts, or name the accounts with --accounts",
            crate::text::terminal_safe(&e.message)
        ))
    })?;
    if targets.accounts.is_empty() {
        return Err(Error::Usage(
            "no account left to scan: check --accounts and --exclude-accounts".to_owned(),
        ));
    }
    if let Some(shard) = args.org.shard {
        // The organization's member list stays whole: it says which accounts are in the
        // organization, whichever part scans them.
        let total = targets.accounts.len();
        targets.accounts.retain(|t| shard.holds(&t.id));
        // A part may hold no account (more parts than accounts): its report is empty, not an
        // error, so that every job of a CI matrix succeeds.
        super::console::note(&format!(
            "shard {shard}: {} of the {total} accounts",
            targets.accounts.len()
        ));
    }
    // One snapshot waits in the channel while the one before is evaluated; the collection of
    // the next accounts goes on meanwhile, up to --concurrency of them.
    let (sender, mut receiver) = tokio::sync::mpsc::channel(1);
    let collect_options = collect_options(args);
    let collecting = collect::org::collect_all(
        aws,
        &caller_account,
        &partition,
        targets,
        &options,
        &collect_options,
        sender,
    );
    let taking = async move {
        while let Some(snapshot) = receiver.recv().await {
            each(snapshot)?;
        }
        Ok(())
    };
    let ((), taken) = tokio::join!(collecting, taking);
    taken
}

fn org_options(args: &CollectArgs) -> collect::org::OrgOptions {
    collect::org::OrgOptions {
        from_organization: args.org.org,
        accounts: args.org.accounts.clone(),
        exclude_accounts: args.org.exclude_accounts.clone(),
        role_name: args.org.role_name.clone(),
        external_id: args.org.external_id.clone(),
        session_name: args.org.role_session_name.clone(),
        concurrency: args.org.concurrency.max(1),
    }
}

pub fn connect_options(args: &CollectArgs) -> ConnectOptions {
    ConnectOptions {
        profile: args.profile.clone(),
        home_region: None,
        endpoint_url: args.endpoint_url.clone(),
        max_attempts: args.max_attempts.max(1),
        connect_timeout: Duration::from_secs(args.connect_timeout),
        read_timeout: Duration::from_secs(args.read_timeout),
        // One call with all its retries must fit well inside the whole collection.
        operation_timeout: Duration::from_secs(
            args.read_timeout * u64::from(args.max_attempts.max(1)),
        ),
    }
}

pub fn collect_options(args: &CollectArgs) -> CollectOptions {
    CollectOptions {
        regions: (!args.regions.is_empty()).then(|| args.regions.clone()),
        region_concurrency: REGION_CONCURRENCY,
        call_concurrency: args.call_concurrency.max(1),
        deadline: Duration::from_secs(args.deadline),
        progress: collect::Progress::new(progress_mode(args)),
    }
}

/// Bars on a terminal, lines every `--progress-interval` seconds in a log, nothing under
/// `--quiet`.
fn progress_mode(args: &CollectArgs) -> ProgressMode {
    if super::console::is_quiet() {
        ProgressMode::Off
    } else if std::io::stderr().is_terminal() {
        ProgressMode::Bars
    } else {
        ProgressMode::Lines {
            interval: Duration::from_secs(args.progress_interval.max(1)),
        }
    }
}

/// The AWS requests of the accounts collected. With several accounts, each snapshot holds its
/// own count and the caller's context the rest (listing accounts, assuming roles); with one,
/// the caller's context counts them all.
#[derive(Default)]
struct AccountRequests {
    accounts: usize,
    requests: u64,
}

impl AccountRequests {
    fn add(&mut self, snapshot: &Snapshot) {
        self.accounts += 1;
        self.requests += snapshot.collector.api_requests.unwrap_or(0);
    }

    /// The request count goes to stderr, so that it never mixes with a report on stdout.
    fn report(&self, counter: &collect::aws::RequestCounter, many: bool) {
        let by_service: Vec<String> = counter
            .by_service()
            .iter()
            .map(|(service, n)| format!("{service} {n}"))
            .collect();
        if !many {
            super::console::note(&format!(
                "{} AWS API requests ({})",
                counter.total(),
                by_service.join(", ")
            ));
            return;
        }
        super::console::note(&format!(
            "{} AWS API requests: {} in {} accounts, {} from the caller ({})",
            self.requests + counter.total(),
            self.requests,
            self.accounts,
            counter.total(),
            by_service.join(", ")
        ));
    }
}
