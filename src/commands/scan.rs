//! `keyward scan`: snapshots (or the demo account) in, a report and an exit code out.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Utc;

use crate::cli::{AsOf, ScanArgs, WaivedMode};
use crate::error::Error;
use crate::snapshot::{self, Snapshot};

/// The incident-shaped demo account bundled into the binary (`keyward scan --demo`).
const DEMO_SNAPSHOT: &str = include_str!("../../fixtures/incident.json");

pub fn run(args: &ScanArgs) -> Result<i32, Error> {
    let policies = super::load_policies(&args.policies)?;
    let config = crate::config::load(args.config.as_deref(), &policies)?;
    let snapshots = read_snapshots(args)?;
    let default_as_of = if args.demo {
        AsOf::Snapshot
    } else {
        AsOf::At(Utc::now())
    };
    let as_of = args.as_of.unwrap_or(default_as_of);
    let mut report = crate::scan::scan(&policies, &snapshots, &config, as_of)?;
    if let Some(path) = &args.baseline {
        let baseline = super::diff::read_report(path, &policies, &config)?;
        report.apply_baseline(&baseline, &path.display().to_string());
    }
    if let Some(dir) = &args.output_dir {
        crate::audit::compare_with_previous(&mut report, dir)?;
    }
    if args.waived == WaivedMode::Omit {
        report.omit_waived();
    }
    let options = crate::report::RenderOptions {
        sarif_category: args.output.sarif_category.clone(),
    };
    if let Some(dir) = &args.output_dir {
        let written = crate::audit::write(&report, &snapshots, dir, &options, Utc::now())?;
        eprintln!("keyward: wrote this audit to {}", written.display());
    }
    let rendered = crate::report::render(&report, args.output.format, &options)?;
    for warning in &rendered.warnings {
        eprintln!("keyward: warning: {warning}");
    }
    super::write_output(args.output.output.as_deref(), &rendered.text)?;
    Ok(report.exit_code(args.fail_on.threshold()))
}

fn read_snapshots(args: &ScanArgs) -> Result<Vec<Snapshot>, Error> {
    let snapshots = if args.demo {
        vec![snapshot::parse(Path::new("<demo>"), DEMO_SNAPSHOT)?]
    } else if args.snapshots.is_empty() {
        super::collect::collect(&args.collect)?
    } else {
        args.snapshots
            .iter()
            .map(|path| snapshot::load(path))
            .collect::<Result<Vec<_>, _>>()?
    };
    check_distinct_accounts(args, &snapshots)?;
    Ok(snapshots)
}

/// Two snapshots of one account would report every finding twice and clash in SARIF.
fn check_distinct_accounts(args: &ScanArgs, snapshots: &[Snapshot]) -> Result<(), Error> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, snapshot) in snapshots.iter().enumerate() {
        if let Some(first) = seen.insert(&snapshot.account.id, index) {
            return Err(Error::Usage(format!(
                "snapshots {} and {} are both of account {}: scan one snapshot per account",
                args.snapshots[first].display(),
                args.snapshots[index].display(),
                snapshot.account.id
            )));
        }
    }
    Ok(())
}
