//! The terminal table: findings grouped by severity, then waived findings and checks that
//! could not be evaluated, then one summary line. Fits the terminal's width; severities in
//! colour where the terminal shows it.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::grid::{self, Cell, Terminal};
use crate::model::{Finding, PlanChange, ScanReport, Severity};
use crate::text::terminal_safe;

/// How a severity is shown on a colour terminal.
pub fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Critical => AnsiColor::Magenta,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

/// Titles of sections that are not findings (waived, not evaluated).
fn title_style() -> Style {
    Style::new().bold()
}

pub fn render(report: &ScanReport, terminal: Terminal) -> String {
    let mut out = String::new();
    let wrapped = |text: &str| grid::wrap(text, terminal.width).join("\n");
    let _ = writeln!(out, "{}\n", wrapped(&heading(report)));
    for warning in &report.warnings {
        let text = wrapped(&format!("WARNING: {}", terminal_safe(&warning.message)));
        let label = grid::paint("WARNING:", severity_style(Severity::Medium), terminal.color);
        let _ = writeln!(out, "{}\n", text.replacen("WARNING:", &label, 1));
    }
    if let Some(filter) = &report.filter {
        let text = format!(
            "Filtered to {}: other findings and checks are left out.",
            terminal_safe(&filter.describe())
        );
        let _ = writeln!(out, "{}\n", wrapped(&text));
    }
    if report.accounts.len() > 1 {
        rollup(&mut out, report, terminal);
    }
    // The widest rule id of the report: every section's id column is as wide.
    let id_width = report
        .rules
        .iter()
        .map(|r| terminal_safe(&r.id).chars().count())
        .max()
        .unwrap_or(0);
    if let Some(changes) = &report.changes {
        changes_section(&mut out, changes, (terminal, id_width));
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
        let style = severity_style(severity);
        section(&mut out, &title, style, rows, (terminal, id_width));
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
        let title = format!("WAIVED ({})", waived.len());
        section(&mut out, &title, title_style(), rows, (terminal, id_width));
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
        let title = format!("NOT EVALUATED ({count})");
        section(&mut out, &title, title_style(), rows, (terminal, id_width));
    }
    let fixed: Vec<&Finding> = report
        .accounts
        .iter()
        .flat_map(|a| &a.fixed_by_plan)
        .collect();
    if !fixed.is_empty() {
        let rows = fixed.iter().map(|f| [f.rule_id.clone(), describe(f)]);
        let title = format!("FIXED BY THE PLAN ({})", fixed.len());
        section(&mut out, &title, title_style(), rows, (terminal, id_width));
    }
    let not_applicable = super::summary::not_applicable_groups(report);
    if !not_applicable.is_empty() {
        let count: usize = not_applicable.iter().map(|(_, rules)| rules.len()).sum();
        let rows = not_applicable
            .iter()
            .map(|(reason, rules)| [rules.join("\n"), reason.clone()]);
        let title = format!("NOT APPLICABLE ({count})");
        section(&mut out, &title, title_style(), rows, (terminal, id_width));
    }
    let deleted = super::summary::scheduled_for_deletion(report);
    if !deleted.is_empty() {
        let rows = deleted
            .into_iter()
            .map(|(account, name)| {
                (
                    account,
                    format!(
                        "{name}: not judged for rotation; nobody can read it until it is restored"
                    ),
                )
            })
            .map(|(account, text)| [account, text]);
        let title = "SCHEDULED FOR DELETION";
        section(&mut out, title, title_style(), rows, (terminal, id_width));
    }
    let _ = writeln!(out, "{}", super::summary::summary_parts(report).join("\n"));
    out
}

/// Findings by severity per account, before the details.
fn rollup(out: &mut String, report: &ScanReport, terminal: Terminal) {
    let header = [
        "ACCOUNT", "CRIT", "HIGH", "MED", "LOW", "WAIVED", "NOT EVAL",
    ];
    let rows: Vec<Vec<Cell>> = report
        .accounts
        .iter()
        .map(|account| {
            let mut row = vec![Cell::from(terminal_safe(&account.label()).into_owned())];
            row.extend(
                Severity::DESCENDING
                    .iter()
                    .map(|s| Cell::from(account.open_count(*s).to_string())),
            );
            row.push(Cell::from(account.waived_count().to_string()));
            row.push(Cell::from(account.not_evaluated.len().to_string()));
            row
        })
        .collect();
    let title = format!("ACCOUNTS ({})", report.accounts.len());
    let _ = writeln!(
        out,
        "{}\n{}",
        grid::paint(&title, title_style(), terminal.color),
        grid::render(Some(&header), &rows, terminal)
    );
}

/// New and resolved findings since the previous audit; still-open ones are in the details.
fn changes_section(out: &mut String, changes: &crate::model::Changes, layout: (Terminal, usize)) {
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
        let title = format!("{title} ({})", findings.len());
        section(out, &title, title_style(), rows, layout);
    }
}

fn heading(report: &ScanReport) -> String {
    let label = |text: &str| terminal_safe(text).into_owned();
    if let Some(each) = super::summary::distinct_times(report, label) {
        return format!("keyward {}: {each}", report.tool.version);
    }
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

/// A titled two-column table: an id column at least `id_width` wide (so that the sections of
/// one report line up) and a wrapped text column.
pub(crate) fn section(
    out: &mut String,
    title: &str,
    title_style: Style,
    rows: impl Iterator<Item = [String; 2]>,
    (terminal, id_width): (Terminal, usize),
) {
    let rows: Vec<Vec<Cell>> = rows.map(|row| row.map(Cell::from).to_vec()).collect();
    let _ = writeln!(
        out,
        "{}\n{}",
        grid::paint(title, title_style, terminal.color),
        grid::render_aligned(None, &rows, terminal, &[id_width])
    );
}
