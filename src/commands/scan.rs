//! `keyward scan`: snapshots (or the demo account) in, a report and an exit code out.
//!
//! Accounts go through one at a time: each snapshot is read (or its collection ends), written
//! into the audit directory when there is one, evaluated, and let go before the next, so that
//! only the accounts' findings add up, not their snapshots. A Terraform plan, applied to at
//! most one account, is judged whole.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::cli::{Format, ScanArgs, WaivedMode};
use crate::config::Config;
use crate::evaluation::{AsOf, Evaluation};
use crate::model::{
    ComplianceReport, Framework, FrameworkCoverage, ReportFilter, RuleMetadata, ScanReport,
};
use crate::policy::PolicySet;
use crate::report::{RenderOptions, ReportFormat};
use crate::snapshot::{self, Snapshot, SnapshotSource};
use crate::terraform::{self, SourceMap};
use crate::text::{quoted, terminal_safe};

use super::audit::Audit;
use super::domain::{compliance_format, fail_threshold, report_format, severity};
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
    let mut report = match &args.terraform.terraform_plan {
        Some(plan) => judge_plan(args, plan, &policies, &config, as_of, &mut audit)?,
        None => judge_accounts(args, &policies, &config, as_of, &mut audit)?,
    };
    // A plan alone holds no collected data to go stale (its time is the plan's); a plan applied
    // to a saved snapshot judges that snapshot's data, which may.
    if args.terraform.terraform_plan.is_none() || !args.snapshots.is_empty() {
        let max_age = args
            .max_snapshot_age
            .unwrap_or(config.max_snapshot_age_days);
        report.warnings = crate::evaluation::stale_snapshot_warnings(&report, Utc::now(), max_age);
    }
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
        terminal: super::console::terminal_for(args.output.output.as_deref()),
    };
    if let Some(audit) = audit {
        let written = audit.finish(&report, &options)?;
        super::console::note(&format!(
            "wrote this audit to {}",
            terminal_safe(&written.display().to_string())
        ));
    }
    // Audits (and a compliance report) keep the whole scan; what is printed, and gates the run,
    // is what was asked for.
    let report = report.filtered(&filter(args, &policies)?);
    if let (None, ReportFormat::Json) = (&compliance, report_format(args.output.format)) {
        // Written as it is serialised, to the file or stdout: a large account's report is
        // larger than its snapshot.
        for warning in &report.warnings {
            super::console::warning(&terminal_safe(&warning.message));
        }
        super::output::write_json(args.output.output.as_deref(), &report)?;
        return Ok(exit_code(report.outcome(fail_threshold(args.fail_on))));
    }
    let rendered = match (&compliance, &compliance_target) {
        (Some(compliance), Some((_, format))) => {
            crate::report::compliance::render(compliance, *format)
        }
        _ => crate::report::render(&report, report_format(args.output.format), &options)?,
    };
    // The table on a terminal shows its warnings at the top; every other report goes to a
    // file or a program, and its warnings to stderr too, where a CI log shows them.
    let shown_on_screen =
        args.output.format == Format::Table && args.output.output.is_none() && compliance.is_none();
    let report_warnings = report.warnings.iter().map(|w| &w.message);
    let report_warnings = report_warnings.filter(|_| !shown_on_screen);
    for warning in rendered.warnings.iter().chain(report_warnings) {
        super::console::warning(&terminal_safe(warning));
    }
    super::output::write(args.output.output.as_deref(), &rendered.text)?;
    Ok(exit_code(report.outcome(fail_threshold(args.fail_on))))
}

/// `--severity`, `--rule`, `--skip-rule` and `--only-new` as a filter; rules named by id or
/// name in any case, and a rule that does not exist is an error rather than an empty report.
fn filter(args: &ScanArgs, policies: &PolicySet) -> Result<ReportFilter, Error> {
    let rule_ids = |wanted: &[String]| -> Result<BTreeSet<String>, Error> {
        wanted
            .iter()
            .map(|w| {
                super::rules::find(policies.rules(), w.trim())
                    .map(|r| r.metadata.id.clone())
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "no rule has the id or name {}: `keyward rules` lists them",
                            quoted(w)
                        ))
                    })
            })
            .collect()
    };
    Ok(ReportFilter {
        severities: args
            .filter
            .severities
            .iter()
            .map(|s| severity(*s))
            .collect(),
        rules: rule_ids(&args.filter.rules)?,
        skip_rules: rule_ids(&args.filter.skip_rules)?,
        only_new: args.filter.only_new,
    })
}

/// Scans the accounts (live, saved or the demo) one at a time, with findings on the .tf lines
/// of the resources a given Terraform state manages.
fn judge_accounts(
    args: &ScanArgs,
    policies: &PolicySet,
    config: &crate::config::Config,
    as_of: AsOf,
    audit: &mut Option<Audit>,
) -> Result<ScanReport, Error> {
    let mut evaluation = Evaluation::new(policies, config, as_of);
    let mut seen = SeenAccounts::default();
    for_each_snapshot(args, |origin, source| {
        seen.check(origin, &source.header().account.id)?;
        if let Some(audit) = audit {
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
    if let Some(state) = &args.terraform.terraform_state {
        let resources = terraform::read_state(state)?;
        SourceMap::new(&resources, &args.terraform.terraform_dir)?.locate(&mut report);
    }
    Ok(report)
}

/// Judges a Terraform plan: alone, or applied to the one account of `--snapshot` or `--live`.
fn judge_plan(
    args: &ScanArgs,
    path: &Path,
    policies: &PolicySet,
    config: &crate::config::Config,
    as_of: AsOf,
    audit: &mut Option<Audit>,
) -> Result<ScanReport, Error> {
    let plan = terraform::read_plan(path)?;
    let live = if args.terraform.live || !args.snapshots.is_empty() {
        Some(read_snapshots(args)?)
    } else {
        None
    };
    let live = match live {
        None => None,
        Some(mut snapshots) if snapshots.len() == 1 => snapshots.pop(),
        Some(snapshots) => {
            return Err(Error::Usage(format!(
                "a plan is applied to one account, and {} were given: scan each account with its own plan",
                snapshots.len()
            )));
        }
    };
    if let (Some(live), Some(planned)) = (&live, plan.account_id())
        && live.account.id != planned
    {
        return Err(Error::Usage(format!(
            "{} is a plan for account {planned}, and the account given is {}: apply a plan to its own account",
            path.display(),
            live.account.id
        )));
    }
    let accounts = plan.accounts(live.as_ref());
    let mut report = crate::evaluation::evaluate_plan(
        policies,
        std::slice::from_ref(&accounts.before),
        std::slice::from_ref(&accounts.after),
        config,
        as_of,
        &path.display().to_string(),
    )?;
    let mut resources = Vec::new();
    for snapshot in [&accounts.after, &accounts.before] {
        resources.extend(
            snapshot
                .terraform
                .iter()
                .flat_map(|t| t.resources.iter().cloned()),
        );
    }
    SourceMap::new(&resources, &args.terraform.terraform_dir)?.locate(&mut report);
    if let Some(audit) = audit {
        audit.save_snapshot(&SnapshotSource::Whole(accounts.after))?;
    }
    Ok(report)
}

/// The compliance of the scanned accounts with one framework, counted from the rules that ran.
/// A rule not applicable to every account (the KW-TF rules without a plan, the live-data rules
/// on a plan alone) checked nothing, so it covers no control here; a control only such rules
/// check is not covered, with a note naming them and why.
fn compliance_report(
    framework: &Framework,
    report: &ScanReport,
    config: &Config,
) -> ComplianceReport {
    let applied_somewhere = |rule: &RuleMetadata| {
        report.accounts.is_empty()
            || report
                .accounts
                .iter()
                .any(|a| !a.not_applicable.iter().any(|n| n.rule_id == rule.id))
    };
    let all: Vec<&RuleMetadata> = report.rules.iter().collect();
    let applied: Vec<&RuleMetadata> = all
        .iter()
        .copied()
        .filter(|r| applied_somewhere(r))
        .collect();
    let coverage = super::controls::coverage_of(framework, &applied, config);
    let mut compliance = ComplianceReport::new(&coverage, report);
    let everything = super::controls::coverage_of(framework, &all, config);
    note_rules_not_applicable(&mut compliance, &everything, report);
    compliance
}

fn note_rules_not_applicable(
    compliance: &mut ComplianceReport,
    everything: &FrameworkCoverage,
    report: &ScanReport,
) {
    let uncovered = compliance
        .controls
        .iter_mut()
        .filter(|c| c.rules.is_empty() && c.not_covered.is_none());
    for control in uncovered {
        let Some(all) = everything
            .controls
            .iter()
            .find(|c| c.control.id == control.id)
        else {
            continue;
        };
        let rules: Vec<&str> = all.rules.iter().map(|r| r.rule_id.as_str()).collect();
        let reason = report
            .accounts
            .iter()
            .flat_map(|a| &a.not_applicable)
            .find(|n| rules.contains(&n.rule_id.as_str()));
        if let Some(reason) = reason {
            control.not_covered = Some(format!(
                "Checked by {}, not applicable to what was scanned: {}.",
                rules.join(", "),
                reason.reason
            ));
        }
    }
}

/// The files a scan reads: snapshots, the baseline, the Terraform plan or state and the config
/// (`./keyward.yaml` unless `--config` names another).
fn inputs(args: &ScanArgs) -> impl Iterator<Item = &Path> {
    let config = args
        .config
        .as_deref()
        .unwrap_or(Path::new(crate::config::DEFAULT_CONFIG_FILE));
    args.snapshots
        .iter()
        .map(PathBuf::as_path)
        .chain(args.baseline.as_deref())
        .chain(args.terraform.terraform_plan.as_deref())
        .chain(args.terraform.terraform_state.as_deref())
        .chain([config])
}

/// The snapshots a plan is applied to, read whole: the live collection (`--live`) or the files
/// given.
fn read_snapshots(args: &ScanArgs) -> Result<Vec<Snapshot>, Error> {
    let mut snapshots = Vec::new();
    if args.snapshots.is_empty() {
        super::collect::collect(&args.collect, |collected| {
            snapshots.push(collected);
            Ok(())
        })?;
    } else {
        for path in &args.snapshots {
            snapshots.push(snapshot::load(path)?);
        }
    }
    let mut seen = SeenAccounts::default();
    for (index, snapshot) in snapshots.iter().enumerate() {
        let origin = match args.snapshots.get(index) {
            Some(path) => terminal_safe(&path.display().to_string()).into_owned(),
            None => "the collection".to_owned(),
        };
        seen.check(&origin, &snapshot.account.id)?;
    }
    Ok(snapshots)
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
