//! Markdown for GitHub job summaries and pull-request comments: a per-account roll-up, then
//! the findings by severity, then waived findings and checks not evaluated.

use std::fmt::Write;

use super::text::{gfm_code, gfm_escape};
use crate::model::{Finding, ScanReport, Severity};

/// GitHub caps a step summary at 1 MiB; past this many rows the details point to the full report.
const MAX_DETAIL_ROWS: usize = 1000;

pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## keyward: AWS credential hygiene\n");
    let _ = writeln!(
        out,
        "As of {}. **{}**.\n",
        report.as_of.format("%Y-%m-%d %H:%M UTC"),
        super::summary::summary_line(report)
    );
    rollup(&mut out, report);
    if let Some(changes) = &report.changes {
        out += &super::drift::markdown(&changes.drift, &changes.since);
    }
    findings(&mut out, report);
    fixed_by_plan(&mut out, report);
    not_evaluated(&mut out, report);
    not_applicable(&mut out, report);
    out
}

fn rollup(out: &mut String, report: &ScanReport) {
    let _ = writeln!(
        out,
        "| Account | Critical | High | Medium | Low | Waived | Not evaluated |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    for account in &report.accounts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            gfm_escape(&account.label()),
            account.open_count(Severity::Critical),
            account.open_count(Severity::High),
            account.open_count(Severity::Medium),
            account.open_count(Severity::Low),
            account.waived_count(),
            account.not_evaluated.len()
        );
    }
    let _ = writeln!(out);
}

fn findings(out: &mut String, report: &ScanReport) {
    let all: Vec<&Finding> = report.all_findings().collect();
    if all.is_empty() {
        let _ = writeln!(out, "No findings.\n");
        return;
    }
    let _ = writeln!(out, "| Severity | Rule | Account | Finding |");
    let _ = writeln!(out, "|---|---|---|---|");
    let mut ordered = all.clone();
    ordered.sort_by_key(|f| (f.is_waived(), std::cmp::Reverse(f.severity)));
    for finding in ordered.iter().take(MAX_DETAIL_ROWS) {
        let title = report
            .rule(&finding.rule_id)
            .map_or("", |r| r.title.as_str());
        let mut status = match &finding.waiver {
            Some(w) => format!(
                " _(waived by {} until {})_",
                gfm_escape(&w.owner),
                w.expires
            ),
            None => String::new(),
        };
        if let Some(change) = finding.plan_change {
            status += &format!(" **{}**", change.label());
        }
        if let Some(location) = &finding.location {
            status += &format!(
                " {}",
                gfm_code(&format!("{}:{}", location.path, location.line))
            );
        }
        let _ = writeln!(
            out,
            "| {} | {} {} | {} | {}<br>{}{status} |",
            finding.severity,
            gfm_code(&finding.rule_id),
            gfm_escape(title),
            gfm_escape(&finding.account_id),
            gfm_escape(&finding.message),
            gfm_code(&finding.resource)
        );
    }
    if all.len() > MAX_DETAIL_ROWS {
        let _ = writeln!(
            out,
            "\n{} more findings are in the JSON or SARIF report.",
            all.len() - MAX_DETAIL_ROWS
        );
    }
    let _ = writeln!(out);
}

fn not_evaluated(out: &mut String, report: &ScanReport) {
    let gaps = super::summary::gap_groups(report);
    if gaps.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "### Not evaluated\n\nThese checks could not run because their data was not collected:\n"
    );
    let _ = writeln!(out, "| Rules | Account | Scope | Reason |");
    let _ = writeln!(out, "|---|---|---|---|");
    for gap in gaps.iter().take(MAX_DETAIL_ROWS) {
        let rules: Vec<String> = gap.rules.iter().map(|r| gfm_code(r)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            rules.join(" "),
            gfm_escape(&gap.account_id),
            gfm_escape(&gap.scope),
            gfm_escape(&gap.reason)
        );
    }
    let _ = writeln!(out);
}

fn fixed_by_plan(out: &mut String, report: &ScanReport) {
    let fixed: Vec<&Finding> = report
        .accounts
        .iter()
        .flat_map(|a| &a.fixed_by_plan)
        .collect();
    if fixed.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Fixed by the plan\n");
    let _ = writeln!(out, "| Severity | Rule | Finding |");
    let _ = writeln!(out, "|---|---|---|");
    for finding in fixed.iter().take(MAX_DETAIL_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {}<br>{} |",
            finding.severity,
            gfm_code(&finding.rule_id),
            gfm_escape(&finding.message),
            gfm_code(&finding.resource)
        );
    }
    let _ = writeln!(out);
}

fn not_applicable(out: &mut String, report: &ScanReport) {
    let groups = super::summary::not_applicable_groups(report);
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "### Not applicable\n\nThese checks do not apply to what was scanned:\n"
    );
    let _ = writeln!(out, "| Rules | Reason |");
    let _ = writeln!(out, "|---|---|");
    for (reason, rules) in &groups {
        let rules: Vec<String> = rules.iter().map(|r| gfm_code(r)).collect();
        let _ = writeln!(out, "| {} | {} |", rules.join(" "), gfm_escape(reason));
    }
    let _ = writeln!(out);
}
