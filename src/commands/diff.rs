//! `keyward diff`: new, resolved and still-open findings between two scans.

use std::path::Path;

use crate::cli::{AsOf, DiffArgs, Format};
use crate::config::Config;
use crate::diff::{Drift, ScanFile, read_scan_file};
use crate::error::{Error, exit};
use crate::policy::PolicySet;
use crate::scan::ScanReport;

pub fn run(args: &DiffArgs) -> Result<i32, Error> {
    if args.format == Format::Sarif {
        return Err(Error::Usage(
            "diff writes table, json or markdown; for SARIF with baseline states use `keyward scan --baseline REPORT --format sarif`".to_owned(),
        ));
    }
    let policies = super::load_policies(&args.policies)?;
    let config = crate::config::load(args.config.as_deref(), &policies)?;
    let old = read_report(&args.old, &policies, &config)?;
    let new = read_report(&args.new, &policies, &config)?;
    let drift = Drift::between(&old, &new);
    let text = crate::report::drift::render(
        &drift,
        args.format,
        &args.old.display().to_string(),
        &args.new.display().to_string(),
    );
    super::write_output(None, &text)?;
    let failing = args
        .fail_on
        .threshold()
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
        ScanFile::Snapshot(snapshot) => Ok(crate::scan::scan(
            policies,
            &[*snapshot],
            config,
            AsOf::Snapshot,
        )?),
    }
}
