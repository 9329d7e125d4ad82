//! keyward: a policy-as-code compliance scanner for AWS credential hygiene.
//!
//! Data flows one way: collectors write a [`snapshot::Snapshot`], the [`evaluation`] runs the
//! [`policy`] engine over it into a [`model::ScanReport`], [`baseline`] and [`drift`] compare
//! reports, and a [`report`] format renders them. Each module uses only modules below it:
//!
//! ```text
//! text -> snapshot -> {model, synthetic} -> {config, collect, terraform, access} -> policy
//!      -> {evaluation, baseline, drift, report} -> cli -> commands -> main
//! ```
//!
//! `docs/architecture.md` explains the layers; a test fails on any import that points upwards.

pub mod access;
pub mod baseline;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod drift;
pub mod evaluation;
pub mod merge;
pub mod model;
pub mod policy;
pub mod report;
pub mod snapshot;
pub mod synthetic;
pub mod terraform;
pub mod text;
