//! What changed between two scans, as a table, JSON or markdown (`keyward diff`, and the drift
//! section of scheduled audits).

use std::fmt::Write;

use serde_json::json;

use super::grid::Terminal;
use super::text::{gfm_code, gfm_escape};
use crate::model::{Drift, Finding};
use crate::text::terminal_safe;

/// The formats `keyward diff` writes (SARIF is not one: a drift is not a set of alerts; `scan
/// --baseline` marks SARIF results new or unchanged instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftFormat {
    Table,
    Json,
    Markdown,
}

pub fn render(
    drift: &Drift,
    format: DriftFormat,
    old_label: &str,
    new_label: &str,
    terminal: Terminal,
) -> String {
    match format {
        DriftFormat::Json => {
            let value = json!({
                "old": old_label,
                "new": new_label,
                "summary": {
                    "new": drift.new.len(),
                    "resolved": drift.resolved.len(),
                    "still_open": drift.still_open.len(),
                },
                "new_findings": drift.new,
                "resolved_findings": drift.resolved,
                "still_open_findings": drift.still_open,
            });
            serde_json::to_string_pretty(&value).expect("json") + "\n"
        }
        DriftFormat::Markdown => {
            let head = format!(
                "### keyward diff\n\nFrom {} to {}.\n\n",
                gfm_escape(old_label),
                gfm_escape(new_label),
            );
            let room = super::summary::MAX_MARKDOWN_CHARS.saturating_sub(head.chars().count());
            head + &markdown(drift, old_label, room)
        }
        DriftFormat::Table => table(drift, old_label, new_label, terminal),
    }
}

fn groups(drift: &Drift) -> [(&'static str, &Vec<Finding>); 3] {
    [
        ("NEW", &drift.new),
        ("RESOLVED", &drift.resolved),
        ("STILL OPEN", &drift.still_open),
    ]
}

fn table(drift: &Drift, old_label: &str, new_label: &str, terminal: Terminal) -> String {
    let mut out = format!(
        "keyward diff: {} -> {}\n\n",
        terminal_safe(old_label),
        terminal_safe(new_label)
    );
    for (title, findings) in groups(drift) {
        if findings.is_empty() {
            continue;
        }
        let rows = findings.iter().map(|f| {
            [
                format!("{}\n{}", terminal_safe(&f.rule_id), f.severity),
                format!(
                    "{}\n{}",
                    terminal_safe(&f.message),
                    terminal_safe(&f.resource)
                ),
            ]
        });
        super::table::section(
            &mut out,
            &format!("{title} ({})", findings.len()),
            anstyle::Style::new().bold(),
            rows,
            (terminal, 0),
        );
    }
    let _ = writeln!(out, "{}", drift.summary_line());
    out
}

/// The changes as markdown, for `diff` and for the drift section of an audit's summary, within
/// `room` characters: each list stops where the room would run out, with a line saying how many
/// of its findings were left out (the JSON report has them all).
pub fn markdown(drift: &Drift, since: &str, room: usize) -> String {
    /// Kept in each list for its closing lines and the note on what was left out.
    const CLOSING_ROOM: usize = 200;
    let mut out = format!(
        "### Changes since {}\n\n**{}**.\n\n",
        gfm_escape(since),
        drift.summary_line()
    );
    for (title, findings) in groups(drift) {
        if findings.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<details><summary>{title} ({})</summary>\n",
            findings.len()
        );
        let mut used = out.chars().count();
        let mut shown = 0;
        for finding in findings {
            let item = format!(
                "- {} {} {}: {}\n",
                finding.severity,
                gfm_code(&finding.rule_id),
                gfm_escape(&finding.account_id),
                gfm_escape(&finding.message)
            );
            used += item.chars().count();
            if used + CLOSING_ROOM > room {
                break;
            }
            out += &item;
            shown += 1;
        }
        if shown < findings.len() {
            let _ = writeln!(
                out,
                "\n_{} more left out to stay within GitHub's limit of {} characters: the JSON report has them all._",
                findings.len() - shown,
                super::summary::MAX_MARKDOWN_CHARS
            );
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    out
}
