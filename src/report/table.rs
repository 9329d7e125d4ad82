//! The terminal table: findings grouped by severity, then waived findings and checks that
//! could not be evaluated, then one summary line. Fits the given width (80 by default).

use std::fmt::Write;

use tabled::builder::Builder;
use tabled::settings::{Modify, Style, Width, object::Columns};

use crate::findings::Finding;
use crate::policy::Severity;
use crate::scan::ScanReport;

const ID_WIDTH: usize = 12;

pub fn render(report: &ScanReport, width: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", heading(report));
    let open: Vec<&Finding> = report.all_findings().filter(|f| !f.is_waived()).collect();
    for severity in Severity::DESCENDING {
        let group: Vec<&Finding> = open
            .iter()
            .copied()
            .filter(|f| f.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        let rows = group
            .iter()
            .map(|f| [f.rule_id.clone(), describe(f, report)]);
        let title = format!("{} ({})", severity.as_str().to_uppercase(), group.len());
        section(&mut out, &title, rows, width);
    }
    let waived: Vec<&Finding> = report.all_findings().filter(|f| f.is_waived()).collect();
    if !waived.is_empty() {
        let rows = waived.iter().map(|f| {
            let w = f.waiver.as_ref().expect("filtered on waived");
            let text = format!(
                "{}\nwaived by {} until {}: {}",
                describe(f, report),
                w.owner,
                w.expires,
                w.reason
            );
            [f.rule_id.clone(), text]
        });
        section(&mut out, &format!("WAIVED ({})", waived.len()), rows, width);
    }
    let gaps: Vec<_> = report
        .accounts
        .iter()
        .flat_map(|a| &a.not_evaluated)
        .collect();
    if !gaps.is_empty() {
        let rows = gaps.iter().map(|g| {
            let scope = [
                Some(g.account_id.as_str()),
                g.region.as_deref(),
                g.resource.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            [g.rule_id.clone(), format!("{scope}: {}", g.reason)]
        });
        section(
            &mut out,
            &format!("NOT EVALUATED ({})", gaps.len()),
            rows,
            width,
        );
    }
    let _ = writeln!(out, "{}", super::summary_parts(report).join("\n"));
    out
}

fn heading(report: &ScanReport) -> String {
    let accounts: Vec<String> = report
        .accounts
        .iter()
        .map(|a| match &a.account.alias {
            Some(alias) => format!("{} ({alias})", a.account.id),
            None => a.account.id.clone(),
        })
        .collect();
    format!(
        "keyward {} as of {}: {}",
        report.tool.version,
        report.as_of.format("%Y-%m-%d %H:%M UTC"),
        accounts.join(", ")
    )
}

/// The message, then the resource on its own line (the message already names it briefly),
/// prefixed with the account when several are in the report.
fn describe(finding: &Finding, report: &ScanReport) -> String {
    let place = match (&finding.location, report.accounts.len() > 1) {
        (Some(location), _) => format!("{}:{}", location.path, location.line),
        (None, true) => format!("{} {}", finding.account_id, finding.resource),
        (None, false) => finding.resource.clone(),
    };
    let marker = match finding.baseline_state {
        Some(crate::diff::BaselineState::New) => "NEW: ",
        _ => "",
    };
    format!("{marker}{}\n{place}", finding.message)
}

/// A titled two-column table: an id column and a wrapped text column.
pub(crate) fn section(
    out: &mut String,
    title: &str,
    rows: impl Iterator<Item = [String; 2]>,
    width: usize,
) {
    let mut table = Builder::from_iter(rows).build();
    // Borders and padding take 7 columns; the text column gets what is left.
    let text_width = width.saturating_sub(ID_WIDTH + 7).max(20);
    table
        .with(Style::sharp())
        .with(Modify::new(Columns::one(0)).with(Width::wrap(ID_WIDTH)))
        .with(Modify::new(Columns::one(1)).with(Width::wrap(text_width).keep_words(true)));
    let _ = writeln!(out, "{title}\n{table}\n");
}
