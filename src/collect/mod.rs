//! Live collection: reads one AWS account, read-only, into a `Snapshot`. Every call that fails
//! becomes a collection error naming the snapshot sections it leaves incomplete, so the rules
//! that need them report *not evaluated* instead of passing on missing data.

mod access_analyzer;
mod account;
mod alarms;
mod authorization;
pub mod aws;
mod cloudtrail;
mod collection_error;
mod cost_anomaly;
mod credential_report;
mod detective;
mod guardduty;
mod join;
pub mod org;
mod org_detective;
mod organization;
mod pipeline;
mod progress;
mod regions;
mod secrets;
mod shard;
mod trail_bucket;

pub use aws::{AwsContext, CallError, ConnectOptions, connect};
pub use pipeline::{CollectOptions, IdentityError, caller_identity, collect_account};
pub use progress::{Progress, ProgressMode};
pub use shard::Shard;
