//! The compliance report (`keyward scan --compliance FRAMEWORK`) as a terminal table, as
//! markdown for a GitHub step summary or pull-request comment, and as JSON (a public format,
//! `compliance_version`).

use std::fmt::Write;

use super::rendered::Rendered;
use super::text::gfm_escape;
use crate::model::{ComplianceReport, ControlResult, ControlStatus};
use crate::text::terminal_safe;

/// The formats of a compliance report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceFormat {
    Table,
    Markdown,
    Json,
}

pub fn render(report: &ComplianceReport, format: ComplianceFormat) -> Rendered {
    Rendered::complete(match format {
        ComplianceFormat::Table => table(report),
        ComplianceFormat::Markdown => markdown(report),
        ComplianceFormat::Json => {
            serde_json::to_string_pretty(report).expect("a compliance report serializes") + "\n"
        }
    })
}

/// "19 controls: 5 pass, 3 fail, 1 not evaluated, 4 partial coverage, 6 not covered".
fn summary_line(report: &ComplianceReport) -> String {
    let s = &report.summary;
    format!(
        "{} controls: {} pass, {} fail, {} not evaluated, {} partial coverage, {} not covered",
        s.controls, s.pass, s.fail, s.not_evaluated, s.partial, s.not_covered
    )
}

fn accounts(report: &ComplianceReport) -> String {
    match report.accounts.len() {
        1 => format!("account {}", report.accounts[0]),
        n => format!("{n} accounts"),
    }
}

/// One line per control; the title last, so that a long one never pushes the counts apart.
fn table(report: &ComplianceReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}\n{}, as of {}\n{}\n",
        terminal_safe(&report.framework.name),
        accounts(report),
        report.as_of.format("%Y-%m-%d %H:%M UTC"),
        summary_line(report)
    );
    let id_width = report
        .controls
        .iter()
        .map(|c| terminal_safe(&c.id).chars().count())
        .max()
        .unwrap_or(0)
        .max("CONTROL".len());
    let _ = writeln!(
        out,
        "{:id_width$}  {:16}  {:>6}  {:>6}  {:>6}  {:>8}  TITLE",
        "CONTROL", "STATUS", "PASSED", "FAILED", "WAIVED", "NOT EVAL"
    );
    for control in &report.controls {
        let c = &control.counts;
        let _ = writeln!(
            out,
            "{:id_width$}  {:16}  {:>6}  {:>6}  {:>6}  {:>8}  {}",
            terminal_safe(&control.id),
            control.status.label(),
            c.passed,
            c.failed,
            c.waived,
            c.not_evaluated,
            terminal_safe(&control.title)
        );
    }
    let notes = notes(report);
    if !notes.is_empty() {
        out.push_str("\nNOTES\n");
        for (control, note) in notes {
            let _ = writeln!(
                out,
                "{} ({}): {}",
                terminal_safe(&control.id),
                control.status.label(),
                terminal_safe(&note)
            );
        }
    }
    out
}

fn markdown(report: &ComplianceReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## keyward: {}\n", gfm_escape(&report.framework.name));
    let _ = writeln!(
        out,
        "{}, as of {}. **{}**.\n",
        accounts(report),
        report.as_of.format("%Y-%m-%d %H:%M UTC"),
        summary_line(report)
    );
    let _ = writeln!(
        out,
        "| Control | Title | Status | Passed | Failed | Waived | Not evaluated | Rules |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---:|---:|---|");
    for control in &report.controls {
        let c = &control.counts;
        let rules: Vec<String> = control.rules.iter().map(|r| gfm_escape(r)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} {} | {} | {} | {} | {} | {} |",
            gfm_escape(&control.id),
            gfm_escape(&control.title),
            icon(control.status),
            control.status.label(),
            c.passed,
            c.failed,
            c.waived,
            c.not_evaluated,
            if rules.is_empty() {
                "—".to_owned()
            } else {
                rules.join(", ")
            }
        );
    }
    let notes = notes(report);
    if !notes.is_empty() {
        let _ = writeln!(out, "\n### Notes\n");
        for (control, note) in notes {
            let _ = writeln!(
                out,
                "- **{}** ({}): {}",
                gfm_escape(&control.id),
                control.status.label(),
                gfm_escape(&note)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nCounts are checks: one per rule and resource. *Partial coverage*: nothing failed, but the rules check only part of the control (see the notes). *Not covered*: no rule checks it; check it by other means."
    );
    out
}

fn icon(status: ControlStatus) -> &'static str {
    match status {
        ControlStatus::Pass => "✅",
        ControlStatus::Fail => "❌",
        ControlStatus::NotEvaluated => "⚠️",
        ControlStatus::Partial => "◐",
        ControlStatus::NotCovered => "➖",
    }
}

/// What a reader must know beside a status: what partial rules leave out, and why no rule
/// covers a control.
fn notes(report: &ComplianceReport) -> Vec<(&ControlResult, String)> {
    report
        .controls
        .iter()
        .flat_map(|control| {
            let left_out = control
                .leaves_out
                .iter()
                .map(move |what| (control, format!("leaves out {what}")));
            let not_covered = control
                .not_covered
                .iter()
                .map(move |why| (control, why.clone()));
            left_out.chain(not_covered)
        })
        .collect()
}
