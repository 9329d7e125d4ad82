//! `keyward scan`: snapshots (or the demo account) in, a report and an exit code out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::cli::{ScanArgs, WaivedMode};
use crate::config::Config;
use crate::evaluation::AsOf;
use crate::model::{ComplianceReport, Framework, RuleMetadata, ScanReport};
use crate::report::RenderOptions;
use crate::snapshot::{self, Snapshot};
use crate::text::terminal_safe;

use super::domain::{compliance_format, fail_threshold, report_format};
use super::error::{Error, exit_code};

/// The incident-shaped demo account bundled into the binary (`keyward scan --demo`).
pub(super) const DEMO_SNAPSHOT: &str = include_str!("../../fixtures/incident.json");

pub fn run(args: &ScanArgs) -> Result<i32, Error> {
    if let Some(output) = &args.output.output {
        super::files::refuse_overwriting_inputs(output, inputs(args))?;
    }
    // Checked before a live collection that may take minutes.
    let compliance_target = match &args.compliance {
        Some(id) => Some((
            super::controls::check_framework(id)?,
            compliance_format(args.output.format)?,
        )),
        None => None,
    };
    let policies = super::policies::load(&args.policies)?;
    let config = super::policies::config(args.config.as_deref(), &policies)?;
    let snapshots = read_snapshots(args)?;
    let default_as_of = if args.demo {
        AsOf::Snapshot
    } else {
        AsOf::At(Utc::now())
    };
    let as_of = args.as_of.unwrap_or(default_as_of);
    let mut report = crate::evaluation::evaluate(&policies, &snapshots, &config, as_of)?;
    if let Some(path) = &args.baseline {
        let baseline = super::diff::read_report(path, &policies, &config)?;
        report = crate::baseline::mark(report, &baseline, &path.display().to_string());
    }
    if let Some(dir) = &args.output_dir {
        report.changes = super::audit::changes_since_previous(&report, dir)?;
    }
    let compliance = compliance_target
        .as_ref()
        .map(|(framework, _)| compliance_report(framework, &report, &config));
    if args.waived == WaivedMode::Omit {
        report = report.without_waived();
    }
    let options = RenderOptions {
        sarif_category: args.output.sarif_category.clone(),
    };
    if let Some(dir) = &args.output_dir {
        let written = super::audit::write(&report, &snapshots, dir, &options, Utc::now())?;
        super::console::note(&format!(
            "wrote this audit to {}",
            terminal_safe(&written.display().to_string())
        ));
    }
    let rendered = match (&compliance, &compliance_target) {
        (Some(compliance), Some((_, format))) => {
            crate::report::compliance::render(compliance, *format)
        }
        _ => crate::report::render(&report, report_format(args.output.format), &options)?,
    };
    for warning in &rendered.warnings {
        super::console::warning(&terminal_safe(warning));
    }
    super::output::write(args.output.output.as_deref(), &rendered.text)?;
    Ok(exit_code(report.outcome(fail_threshold(args.fail_on))))
}

/// The compliance of the scanned accounts with one framework, counted from the rules that ran.
fn compliance_report(
    framework: &Framework,
    report: &ScanReport,
    config: &Config,
) -> ComplianceReport {
    let rules: Vec<&RuleMetadata> = report.rules.iter().collect();
    let coverage = super::controls::coverage_of(framework, &rules, config);
    ComplianceReport::new(&coverage, report)
}

/// The files a scan reads: snapshots, the baseline and the config (`./keyward.yaml` unless
/// `--config` names another).
fn inputs(args: &ScanArgs) -> impl Iterator<Item = &Path> {
    let config = args
        .config
        .as_deref()
        .unwrap_or(Path::new(crate::config::DEFAULT_CONFIG_FILE));
    args.snapshots
        .iter()
        .map(PathBuf::as_path)
        .chain(args.baseline.as_deref())
        .chain([config])
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
                terminal_safe(&args.snapshots[first].display().to_string()),
                terminal_safe(&args.snapshots[index].display().to_string()),
                snapshot.account.id
            )));
        }
    }
    Ok(())
}
