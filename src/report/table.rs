//! The terminal table: findings grouped by severity, then waived findings and checks that
//! could not be evaluated, then one summary line. Fits the given width (80 by default).

use std::fmt::Write;

use tabled::builder::Builder;
use tabled::settings::{Modify, Style, Width, object::Columns};

use crate::model::{Finding, PlanChange, ScanReport, Severity};
use crate::text::terminal_safe;

const ID_WIDTH: usize = 12;

pub fn render(report: &ScanReport, width: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", heading(report));
    if report.accounts.len() > 1 {
        rollup(&mut out, report, width);
    }
    if let Some(changes) = &report.changes {
        changes_section(&mut out, changes, width);
    }
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
            .map(|f| [terminal_safe(&f.rule_id).into_owned(), describe(f)]);
        let title = format!("{} ({})", severity.as_str().to_uppercase(), group.len());
        section(&mut out, &title, rows, width);
    }
    let waived: Vec<&Finding> = report.all_findings().filter(|f| f.is_waived()).collect();
    if !waived.is_empty() {
        let rows = waived.iter().map(|f| {
            let w = f.waiver.as_ref().expect("filtered on waived");
            let text = format!(
                "{}\nwaived by {} until {}: {}",
                describe(f),
                terminal_safe(&w.owner),
                w.expires,
                terminal_safe(&w.reason)
            );
            [terminal_safe(&f.rule_id).into_owned(), text]
        });
        section(&mut out, &format!("WAIVED ({})", waived.len()), rows, width);
    }
    let gaps = super::summary::gap_groups(report);
    if !gaps.is_empty() {
        let count: usize = gaps.iter().map(|g| g.rules.len()).sum();
        let rows = gaps.iter().map(|g| {
            let scope = format!("{} {}", g.account_id, g.scope);
            [
                g.rules
                    .iter()
                    .map(|r| terminal_safe(r))
                    .collect::<Vec<_>>()
                    .join("\n"),
                terminal_safe(&format!("{}: {}", scope.trim_end(), g.reason)).into_owned(),
            ]
        });
        section(&mut out, &format!("NOT EVALUATED ({count})"), rows, width);
    }
    let fixed: Vec<&Finding> = report
        .accounts
        .iter()
        .flat_map(|a| &a.fixed_by_plan)
        .collect();
    if !fixed.is_empty() {
        let rows = fixed.iter().map(|f| [f.rule_id.clone(), describe(f)]);
        section(
            &mut out,
            &format!("FIXED BY THE PLAN ({})", fixed.len()),
            rows,
            width,
        );
    }
    let not_applicable = super::summary::not_applicable_groups(report);
    if !not_applicable.is_empty() {
        let count: usize = not_applicable.iter().map(|(_, rules)| rules.len()).sum();
        let rows = not_applicable
            .iter()
            .map(|(reason, rules)| [rules.join("\n"), reason.clone()]);
        section(&mut out, &format!("NOT APPLICABLE ({count})"), rows, width);
    }
    let _ = writeln!(out, "{}", super::summary::summary_parts(report).join("\n"));
    out
}

/// Findings by severity per account, before the details.
fn rollup(out: &mut String, report: &ScanReport, width: usize) {
    let mut table = Builder::default();
    table.push_record([
        "ACCOUNT", "CRIT", "HIGH", "MED", "LOW", "WAIVED", "NOT EVAL",
    ]);
    for account in &report.accounts {
        let mut row = vec![terminal_safe(&account.label()).into_owned()];
        row.extend(
            Severity::DESCENDING
                .iter()
                .map(|s| account.open_count(*s).to_string()),
        );
        row.push(account.waived_count().to_string());
        row.push(account.not_evaluated.len().to_string());
        table.push_record(row);
    }
    let mut table = table.build();
    table
        .with(Style::sharp())
        .with(Modify::new(Columns::one(0)).with(Width::wrap(width.saturating_sub(52).max(14))));
    let _ = writeln!(out, "ACCOUNTS ({})\n{table}\n", report.accounts.len());
}

/// New and resolved findings since the previous audit; still-open ones are in the details.
fn changes_section(out: &mut String, changes: &crate::model::Changes, width: usize) {
    let _ = writeln!(
        out,
        "CHANGES SINCE {}: {}\n",
        terminal_safe(&changes.since),
        changes.drift.summary_line()
    );
    for (title, findings) in [
        ("NEW", &changes.drift.new),
        ("RESOLVED", &changes.drift.resolved),
    ] {
        if findings.is_empty() {
            continue;
        }
        let rows = findings
            .iter()
            .map(|f| [terminal_safe(&f.rule_id).into_owned(), describe(f)]);
        section(out, &format!("{title} ({})", findings.len()), rows, width);
    }
}

fn heading(report: &ScanReport) -> String {
    let accounts: Vec<String> = report
        .accounts
        .iter()
        .map(|a| terminal_safe(&a.label()).into_owned())
        .collect();
    format!(
        "keyward {} as of {}: {}",
        report.tool.version,
        report.as_of.format("%Y-%m-%d %H:%M UTC"),
        accounts.join(", ")
    )
}

/// The message, then where: the resource's ARN (which names its account), or the config
/// file line for config findings. Both may hold anything: control characters are shown, so
/// that none reaches the terminal and no line break forges a row.
fn describe(finding: &Finding) -> String {
    let place = match &finding.location {
        Some(location) => format!("{}:{}", location.path, location.line),
        None => finding.resource.clone(),
    };
    let marker = match (finding.baseline_state, finding.plan_change) {
        (_, Some(PlanChange::Introduced)) => "INTRODUCED BY THE PLAN: ",
        (_, Some(PlanChange::Unchanged)) => "UNCHANGED BY THE PLAN: ",
        (Some(crate::model::BaselineState::New), _) => "NEW: ",
        _ => "",
    };
    format!(
        "{marker}{}\n{}",
        terminal_safe(&finding.message),
        terminal_safe(&place)
    )
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
