//! keyward's integration tests, in one test binary: linking the library and the AWS SDK once
//! instead of once per file, and sharing the helpers in `support/` without unused copies.
//!
//! Text output is compared whole with committed insta snapshots (`snapshots/`): docs/testing.md
//! says how to review and accept a changed one.

mod support;

mod access;
mod account_ids;
mod action;
mod action_release;
mod architecture;
mod atomic_writes;
mod cli;
mod compliance;
mod control_characters;
mod controls;
mod coverage_gaps;
mod credential_findings;
mod detective;
mod docs_and_cli;
mod faults;
mod filters;
mod fuzz;
mod large_account;
mod live;
mod markdown_injection;
mod ocsf;
mod planned_boundaries;
mod policy_pack;
mod progress;
mod release;
mod rendered;
mod runaway_policies;
mod sarif;
mod sarif_on_github;
mod sharding;
mod small_hardening;
mod stale_snapshots;
mod standalone;
mod terminal;
mod terraform;
mod throttling;
mod time_range;
