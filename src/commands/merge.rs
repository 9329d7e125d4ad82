//! `keyward merge`: the reports of a sharded scan's parts (`scan --shard K/N`) as one. JSON
//! reports become one report of every account, in any format; SARIF files are packed again
//! into files of at most 20 runs (see `report::sarif_merge`).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::cli::{Format, MergeArgs};
use crate::model::ScanReport;
use crate::report::sarif_merge::{self, SarifInput};
use crate::report::{RenderOptions, ReportFormat};
use crate::text::terminal_safe;

use super::domain::{fail_threshold, report_format};
use super::error::{Error, exit, exit_code};
use super::report_file::{ReportReadError, ScanFile, parse_scan_file};

/// What one input holds.
enum Part {
    Report(Box<ScanReport>),
    Sarif(SarifInput),
}

pub fn run(args: &MergeArgs) -> Result<i32, Error> {
    if let Some(output) = &args.output {
        super::files::refuse_overwriting_inputs(output, args.inputs.iter().map(PathBuf::as_path))?;
    }
    let parts = args
        .inputs
        .iter()
        .map(|path| read_part(path))
        .collect::<Result<Vec<_>, _>>()?;
    let (reports, sarif): (Vec<Part>, Vec<Part>) = parts
        .into_iter()
        .partition(|p| matches!(p, Part::Report(_)));
    match (reports.is_empty(), sarif.is_empty()) {
        (false, true) => merge_reports(args, reports),
        (true, false) => merge_sarif(args, sarif),
        _ => Err(Error::Usage(
            "merge takes JSON reports or SARIF files, not both: merge each kind on its own"
                .to_owned(),
        )),
    }
}

fn read_part(path: &Path) -> Result<Part, Error> {
    let name = terminal_safe(&path.display().to_string()).into_owned();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read {name}: {}",
            terminal_safe(&e.to_string())
        ))
    })?;
    if serde_json::from_str::<SarifProbe>(&text).is_ok_and(|p| p.runs.is_some()) {
        let log = serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{name}:{}: {}",
                e.line(),
                terminal_safe(&e.to_string())
            ))
        })?;
        return Ok(Part::Sarif(SarifInput { name, log }));
    }
    match parse_scan_file(path, &text)? {
        ScanFile::Report(report) => Ok(Part::Report(report)),
        ScanFile::Snapshot(_) => Err(ReportReadError::Malformed {
            path: path.to_owned(),
            line: 1,
            message: "this is a snapshot, not a report".to_owned(),
            hint: "merge the JSON reports of `keyward scan --shard K/N --format json`, or scan the snapshots together with `keyward scan --snapshot`",
        }
        .into()),
    }
}

/// The one field that tells a SARIF log from a keyward report.
#[derive(Deserialize)]
struct SarifProbe {
    #[serde(default)]
    runs: Option<IgnoredAny>,
}

fn merge_reports(args: &MergeArgs, parts: Vec<Part>) -> Result<i32, Error> {
    let reports = parts
        .into_iter()
        .map(|p| match p {
            Part::Report(report) => *report,
            Part::Sarif(_) => unreachable!("partitioned"),
        })
        .collect();
    let report = crate::merge::merge(reports).map_err(|e| match e {
        crate::merge::MergeError::DuplicateAccount {
            account,
            first,
            second,
        } => Error::Usage(format!(
            "{} and {} both hold account {account}: each account must be in one part only (scan the parts with one --shard N)",
            terminal_safe(&args.inputs[first].display().to_string()),
            terminal_safe(&args.inputs[second].display().to_string())
        )),
        crate::merge::MergeError::Nothing => Error::Usage("no report to merge".to_owned()),
    })?;
    let report = with_builtin_rules_marked(report)?;
    let format = report_format(args.format.unwrap_or(Format::Json));
    let options = RenderOptions {
        sarif_category: args.sarif_category.clone(),
        terminal: super::console::terminal_for(args.output.as_deref()),
    };
    match (&args.output_dir, format) {
        (Some(dir), ReportFormat::Sarif) => {
            let texts = super::audit::sarif_parts(&report)
                .iter()
                .map(|part| crate::report::render(part, format, &options).map(|r| r.text))
                .collect::<Result<Vec<_>, _>>()?;
            write_sarif_files(dir, texts)?;
        }
        (Some(_), _) => {
            return Err(Error::Usage(
                "--output-dir is for SARIF (files of at most 20 runs): use -o FILE for other formats"
                    .to_owned(),
            ));
        }
        (None, _) => {
            let rendered = crate::report::render(&report, format, &options)?;
            for warning in &rendered.warnings {
                super::console::warning(&terminal_safe(warning));
            }
            super::output::write(args.output.as_deref(), &rendered.text)?;
        }
    }
    Ok(exit_code(report.outcome(fail_threshold(args.fail_on))))
}

/// A report read back does not say which rules are the built-in pack's (a fact of the run
/// that wrote it, left out of reports): the rules whose id is one of this keyward's built-in
/// rules are marked again, so that SARIF links their published pages as `scan` does.
fn with_builtin_rules_marked(mut report: ScanReport) -> Result<ScanReport, Error> {
    let pack = crate::policy::PolicySet::load(&crate::policy::builtin_sources())?;
    for rule in &mut report.rules {
        rule.builtin = pack.rules().iter().any(|r| r.metadata.id == rule.id);
    }
    Ok(report)
}

fn merge_sarif(args: &MergeArgs, parts: Vec<Part>) -> Result<i32, Error> {
    if args.format.is_some_and(|f| f != Format::Sarif) {
        return Err(Error::Usage(
            "SARIF files merge into SARIF only: merge the JSON reports for other formats"
                .to_owned(),
        ));
    }
    if fail_threshold(args.fail_on).is_some() {
        return Err(Error::Usage(
            "--fail-on reads findings from JSON reports: merge the JSON reports to gate on them"
                .to_owned(),
        ));
    }
    let inputs = parts
        .into_iter()
        .map(|p| match p {
            Part::Sarif(input) => input,
            Part::Report(_) => unreachable!("partitioned"),
        })
        .collect();
    let mut texts = sarif_merge::merge(inputs)?;
    match &args.output_dir {
        Some(dir) => write_sarif_files(dir, texts)?,
        None if texts.len() == 1 => {
            super::output::write(args.output.as_deref(), &texts.remove(0))?;
        }
        None => {
            return Err(Error::Usage(format!(
                "the merged runs need {} SARIF files of at most 20 runs (GitHub's limit per upload)\nhint: give --output-dir DIR, and upload each file",
                texts.len()
            )));
        }
    }
    Ok(exit::CLEAN)
}

/// `keyward-01.sarif`, `keyward-02.sarif`, … in `dir`, and the files' names on stderr.
fn write_sarif_files(dir: &Path, texts: Vec<String>) -> Result<(), Error> {
    super::files::create_dir(dir)?;
    let count = texts.len();
    for (index, text) in texts.into_iter().enumerate() {
        super::files::write(
            &dir.join(format!("keyward-{:02}.sarif", index + 1)),
            text.as_bytes(),
        )?;
    }
    super::console::note(&format!(
        "wrote {count} SARIF file{} to {}",
        if count == 1 { "" } else { "s" },
        terminal_safe(&dir.display().to_string())
    ));
    Ok(())
}
