//! `keyward scan`: snapshots (or the demo account) in, a report and an exit code out.
//!
//! Accounts go through one at a time: each snapshot is read (or its collection ends), written
//! into the audit directory when there is one, evaluated, and let go before the next, so that
//! only the accounts' findings add up, not their snapshots.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::cli::{ScanArgs, WaivedMode};
use crate::config::Config;
use crate::evaluation::{AsOf, Evaluation};
use crate::model::{ComplianceReport, Framework, RuleMetadata, ScanReport};
use crate::report::{RenderOptions, ReportFormat};
use crate::snapshot::{self, SnapshotSource};
use crate::text::terminal_safe;

use super::audit::Audit;
use super::domain::{compliance_format, fail_threshold, report_format};
use super::error::{Error, exit_code};

/// The incident-shaped demo account bundled into the binary (`keyward scan --demo`).
const DEMO_SNAPSHOT: &str = include_str!("../../fixtures/incident.json");

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
    let default_as_of = if args.demo {
        AsOf::Snapshot
    } else {
        AsOf::At(Utc::now())
    };
    let as_of = args.as_of.unwrap_or(default_as_of);
    let mut audit = args
        .output_dir
        .as_deref()
        .map(|dir| Audit::new(dir, Utc::now()));
    let mut evaluation = Evaluation::new(&policies, &config, as_of);
    let mut seen = SeenAccounts::default();
    for_each_snapshot(args, |origin, source| {
        seen.check(origin, &source.header().account.id)?;
        if let Some(audit) = &mut audit {
            audit.save_snapshot(&source)?;
        }
        evaluation.add(&source)?;
        Ok(())
    })?;
    if args.snapshots.is_empty() && !args.demo {
        // Collected accounts end in any order; the report lists them by id.
        evaluation.sort_accounts();
    }
    let mut report = evaluation.finish();
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
    if let Some(audit) = audit {
        let written = audit.finish(&report, &options)?;
        super::console::note(&format!(
            "wrote this audit to {}",
            terminal_safe(&written.display().to_string())
        ));
    }
    match (&compliance, &compliance_target, &args.output.output) {
        (Some(compliance), Some((_, format)), path) => {
            let rendered = crate::report::compliance::render(compliance, *format);
            super::output::write(path.as_deref(), &rendered.text)?;
        }
        // Written as it is serialised: a large account's report is larger than its snapshot.
        (_, _, Some(path)) if report_format(args.output.format) == ReportFormat::Json => {
            super::output::write_json(path, &report)?;
        }
        (_, _, path) => {
            let format = report_format(args.output.format);
            let rendered = crate::report::render(&report, format, &options)?;
            for warning in &rendered.warnings {
                super::console::warning(&terminal_safe(warning));
            }
            super::output::write(path.as_deref(), &rendered.text)?;
        }
    }
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

/// Hands each snapshot of the scan to `each`, one at a time, with where it comes from: the
/// demo account, the files given (in their order; a JSON file opened to be read a chunk at a
/// time), or the accounts collected live (as each collection ends).
fn for_each_snapshot(
    args: &ScanArgs,
    mut each: impl FnMut(&str, SnapshotSource) -> Result<(), Error>,
) -> Result<(), Error> {
    if args.demo {
        let demo = snapshot::parse(Path::new("<demo>"), DEMO_SNAPSHOT)?;
        return each("the demo account", SnapshotSource::Whole(demo));
    }
    if args.snapshots.is_empty() {
        super::collect::collect(&args.collect, |collected| {
            each("the collection", SnapshotSource::Whole(collected))
        })?;
        return Ok(());
    }
    for path in &args.snapshots {
        each(
            &terminal_safe(&path.display().to_string()),
            SnapshotSource::open(path)?,
        )?;
    }
    Ok(())
}

/// The accounts scanned so far, with where their snapshot came from: two snapshots of one
/// account would report every finding twice and clash in SARIF.
#[derive(Default)]
struct SeenAccounts(BTreeMap<String, String>);

impl SeenAccounts {
    fn check(&mut self, origin: &str, account: &str) -> Result<(), Error> {
        if let Some(first) = self.0.insert(account.to_owned(), origin.to_owned()) {
            return Err(Error::Usage(format!(
                "snapshots {first} and {origin} are both of account {account}: scan one snapshot per account"
            )));
        }
        Ok(())
    }
}
