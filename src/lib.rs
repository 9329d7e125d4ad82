//! keyward: a policy-as-code compliance scanner for AWS credential hygiene.
//!
//! Data flows one way: collectors write a [`snapshot::Snapshot`], the [`policy`] engine evaluates
//! it into findings, and a report format renders them.

pub mod audit;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod diff;
pub mod error;
pub mod findings;
pub mod policy;
pub mod report;
pub mod scan;
pub mod snapshot;
pub mod synthetic;
