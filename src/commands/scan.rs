//! `keyward scan`: snapshots (or the demo account) in, a report and an exit code out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::cli::{Format, ScanArgs, WaivedMode};
use crate::config::Config;
use crate::evaluation::AsOf;
use crate::model::{
    ComplianceReport, Framework, FrameworkCoverage, ReportFilter, RuleMetadata, ScanReport,
};
use crate::policy::PolicySet;
use crate::report::RenderOptions;
use crate::snapshot::{self, Snapshot};
use crate::terraform::{self, SourceMap};
use crate::text::{quoted, terminal_safe};

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
    let judged = match &args.terraform.terraform_plan {
        Some(plan) => judge_plan(args, plan, &policies, &config, as_of)?,
        None => judge_accounts(args, &policies, &config, as_of)?,
    };
    let (mut report, snapshots) = judged;
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
    if let Some(dir) = &args.output_dir {
        let written = super::audit::write(&report, &snapshots, dir, &options, Utc::now())?;
        super::console::note(&format!(
            "wrote this audit to {}",
            terminal_safe(&written.display().to_string())
        ));
    }
    // Audits (and a compliance report) keep the whole scan; what is printed, and gates the run,
    // is what was asked for.
    let report = report.filtered(&filter(args, &policies)?);
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

type Judged = (ScanReport, Vec<Snapshot>);

/// Scans the accounts (live, saved or the demo), with findings on the .tf lines of the
/// resources a given Terraform state manages.
fn judge_accounts(
    args: &ScanArgs,
    policies: &PolicySet,
    config: &crate::config::Config,
    as_of: AsOf,
) -> Result<Judged, Error> {
    let snapshots = read_snapshots(args)?;
    let mut report = crate::evaluation::evaluate(policies, &snapshots, config, as_of)?;
    if let Some(state) = &args.terraform.terraform_state {
        let resources = terraform::read_state(state)?;
        SourceMap::new(&resources, &args.terraform.terraform_dir)?.locate(&mut report);
    }
    Ok((report, snapshots))
}

/// Judges a Terraform plan: alone, or applied to the one account of `--snapshot` or `--live`.
fn judge_plan(
    args: &ScanArgs,
    path: &Path,
    policies: &PolicySet,
    config: &crate::config::Config,
    as_of: AsOf,
) -> Result<Judged, Error> {
    let plan = terraform::read_plan(path)?;
    let live = if args.terraform.live {
        Some(super::collect::collect(&args.collect)?)
    } else if args.snapshots.is_empty() {
        None
    } else {
        Some(read_snapshots(args)?)
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
    Ok((report, vec![accounts.after]))
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
