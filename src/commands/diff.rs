//! `keyward diff`: new, resolved and still-open findings between two scans.

use std::path::Path;

use crate::cli::DiffArgs;
use crate::config::Config;
use crate::evaluation::AsOf;
use crate::model::ScanReport;
use crate::policy::PolicySet;

use super::domain::{drift_format, fail_threshold};
use super::error::{Error, exit};
use super::report_file::{ScanFile, read_scan_file};

pub fn run(args: &DiffArgs) -> Result<i32, Error> {
    let policies = super::policies::load(&args.policies)?;
    let config = super::policies::config(args.config.as_deref(), &policies)?;
    let old = read_report(&args.old, &policies, &config)?;
    let new = read_report(&args.new, &policies, &config)?;
    let drift = crate::drift::between(&old, &new);
    let text = crate::report::drift::render(
        &drift,
        drift_format(args.format),
        &args.old.display().to_string(),
        &args.new.display().to_string(),
        super::console::terminal(),
    );
    super::output::write(None, &text)?;
    let failing = fail_threshold(args.fail_on)
        .is_some_and(|threshold| drift.new.iter().any(|f| f.severity >= threshold));
    Ok(if failing { exit::FINDINGS } else { exit::CLEAN })
}

/// A JSON report as it is, or a snapshot evaluated as of its own collection time (so that an
/// old snapshot is judged as it was, not as it would age today).
pub fn read_report(
    path: &Path,
    policies: &PolicySet,
    config: &Config,
) -> Result<ScanReport, Error> {
    match read_scan_file(path)? {
        ScanFile::Report(report) => Ok(*report),
        ScanFile::Snapshot(snapshot) => Ok(crate::evaluation::evaluate(
            policies,
            &[*snapshot],
            config,
            AsOf::Snapshot,
        )?),
    }
}
