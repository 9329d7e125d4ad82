//! Live collection for `scan` and `snapshot`: options from the command line, a runtime, and
//! the request count reported at the end.

use std::time::Duration;

use crate::cli::CollectArgs;
use crate::collect::{self, CollectOptions, ConnectOptions};
use crate::error::Error;
use crate::snapshot::Snapshot;

/// Regions listed at once: enough to hide latency, few enough to stay clear of throttling.
const REGION_CONCURRENCY: usize = 4;

pub fn collect_one(args: &CollectArgs) -> Result<Snapshot, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let aws = collect::connect(&connect_options(args)).await;
        let snapshot = collect::collect_account(&aws, &collect_options(args)).await?;
        report_requests(&aws.counter);
        Ok(snapshot)
    })
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
        call_concurrency: args.concurrency.max(1),
        deadline: Duration::from_secs(args.deadline),
        progress: true,
    }
}

/// The request count goes to stderr, so that it never mixes with a report on stdout.
fn report_requests(counter: &collect::aws::RequestCounter) {
    let by_service: Vec<String> = counter
        .by_service()
        .iter()
        .map(|(service, n)| format!("{service} {n}"))
        .collect();
    eprintln!(
        "keyward: {} AWS API requests ({})",
        counter.total(),
        by_service.join(", ")
    );
}
