//! Markdown for GitHub job summaries and pull-request comments: a per-account roll-up, then
//! the findings by severity, then waived findings and checks not evaluated.

use std::fmt::Write;

use super::text::{gfm_code, gfm_escape};
use crate::model::{AccountReport, BaselineState, Finding, ScanReport, Severity};

use super::summary::MAX_MARKDOWN_CHARS as MAX_CHARS;

/// Room kept in a cut table for the note that says what was left out.
const NOTE_ROOM: usize = 400;

pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## keyward: AWS credential hygiene\n");
    let as_of = super::summary::distinct_times(report, gfm_escape)
        .unwrap_or_else(|| format!("As of {}", report.as_of.format(super::summary::TIME_FORMAT)));
    let _ = writeln!(
        out,
        "{}. **{}**.\n",
        as_of,
        super::summary::summary_line(report)
    );
    for warning in &report.warnings {
        let _ = writeln!(out, "> [!WARNING]\n> {}\n", gfm_escape(&warning.message));
    }
    if let Some(filter) = &report.filter {
        let _ = writeln!(
            out,
            "Filtered to {}: other findings and checks are left out.\n",
            gfm_escape(&filter.describe())
        );
    }
    out += &rollup(report).render(MAX_CHARS / 4);
    if let Some(changes) = &report.changes {
        // What changed since the last audit shares the room with the details: half of it.
        let room = (MAX_CHARS / 2).saturating_sub(chars(&out));
        out += &super::drift::markdown(&changes.drift, &changes.since, room);
    }
    let findings = findings(report);
    let fixed = fixed_by_plan(report);
    let gaps = not_evaluated(report);
    let not_applicable = not_applicable(report);
    // What the scan could not see gets up to a quarter of the room, what the plan fixes up to
    // an eighth, and the short list of checks that do not apply all it needs: the findings
    // have the rest.
    let gap_room = gaps.total_chars().min(MAX_CHARS / 4) + chars(&not_applicable);
    let fixed_room = fixed.total_chars().min(MAX_CHARS / 8);
    out += &findings.render(MAX_CHARS.saturating_sub(chars(&out) + fixed_room + gap_room));
    out += &fixed.render(MAX_CHARS.saturating_sub(chars(&out) + gap_room));
    let deleted = scheduled_for_deletion(report);
    out += &gaps
        .render(MAX_CHARS.saturating_sub(chars(&out) + chars(&not_applicable) + chars(&deleted)));
    out += &not_applicable;
    out += &deleted;
    out
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// A table's rows, rendered while they fit in the room given; then a note on what was left out.
struct Rows {
    head: String,
    rows: Vec<String>,
    /// What the rows that did not fit were: "3 more findings (1 high, 2 low)".
    left_out: Box<dyn Fn(usize) -> String>,
}

impl Rows {
    fn total_chars(&self) -> usize {
        chars(&self.head) + self.rows.iter().map(|r| chars(r)).sum::<usize>()
    }

    /// The table within `room` characters: whole when it fits, else the rows that fit beside
    /// a note on the rest.
    fn render(&self, room: usize) -> String {
        if self.rows.is_empty() {
            return self.head.clone();
        }
        let mut out = self.head.clone();
        if self.total_chars() < room {
            out.extend(self.rows.iter().map(String::as_str));
            return out + "\n";
        }
        let mut used = chars(&out);
        let shown = self
            .rows
            .iter()
            .take_while(|row| {
                used += chars(row);
                used + NOTE_ROOM <= room
            })
            .count();
        out.extend(self.rows[..shown].iter().map(String::as_str));
        let _ = writeln!(
            out,
            "\n_{} left out to stay within GitHub's limit of {MAX_CHARS} characters for a \
             comment: the JSON and SARIF reports have them all._\n",
            (self.left_out)(shown)
        );
        out
    }
}

/// The findings table (or "No findings."), most severe first, waived last.
fn findings(report: &ScanReport) -> Rows {
    let mut ordered: Vec<&Finding> = report.all_findings().collect();
    if ordered.is_empty() {
        return Rows {
            head: "No findings.\n\n".to_owned(),
            ..no_rows()
        };
    }
    ordered.sort_by_key(|f| (f.is_waived(), std::cmp::Reverse(f.severity)));
    let rows = ordered.iter().map(|f| finding_row(report, f)).collect();
    let severities: Vec<(Severity, bool)> = ordered
        .iter()
        .map(|f| (f.severity, f.is_waived()))
        .collect();
    let left_out = move |shown: usize| {
        let rest = &severities[shown..];
        let mut counts: Vec<String> = Severity::DESCENDING
            .iter()
            .map(|s| (s, rest.iter().filter(|(r, w)| r == s && !w).count()))
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        let waived = rest.iter().filter(|(_, w)| *w).count();
        if waived > 0 {
            counts.push(format!("{waived} waived"));
        }
        format!("{} more findings ({})", rest.len(), counts.join(", "))
    };
    Rows {
        head: "| Severity | Rule | Account | Finding |\n|---|---|---|---|\n".to_owned(),
        rows,
        left_out: Box::new(left_out),
    }
}

fn no_rows() -> Rows {
    Rows {
        head: String::new(),
        rows: Vec::new(),
        left_out: Box::new(|_| String::new()),
    }
}

fn finding_row(report: &ScanReport, finding: &Finding) -> String {
    let title = report
        .rule(&finding.rule_id)
        .map_or("", |r| r.title.as_str());
    let new = match finding.baseline_state {
        Some(BaselineState::New) => "**New:** ",
        _ => "",
    };
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
    format!(
        "| {} | {} {} | {} | {new}{}<br>{}{status} |\n",
        finding.severity,
        gfm_code(&finding.rule_id),
        gfm_escape(title),
        gfm_escape(&finding.account_id),
        gfm_escape(&finding.message),
        gfm_code(&finding.resource)
    )
}

/// The checks not evaluated, one row per reason and scope.
fn not_evaluated(report: &ScanReport) -> Rows {
    let gaps = super::summary::gap_groups(report);
    if gaps.is_empty() {
        return no_rows();
    }
    let rows: Vec<String> = gaps
        .iter()
        .map(|gap| {
            let rules: Vec<String> = gap.rules.iter().map(|r| gfm_code(r)).collect();
            format!(
                "| {} | {} | {} | {} |\n",
                rules.join(" "),
                gfm_escape(&gap.account_id),
                gfm_escape(&gap.scope),
                gfm_escape(&gap.reason)
            )
        })
        .collect();
    let checks: Vec<usize> = gaps.iter().map(|g| g.rules.len()).collect();
    Rows {
        head: "### Not evaluated\n\nThese checks could not run because their data was not collected:\n\n| Rules | Account | Scope | Reason |\n|---|---|---|---|\n".to_owned(),
        rows,
        left_out: Box::new(move |shown| {
            let rest = &checks[shown..];
            format!(
                "{} more rows of checks not evaluated ({} checks)",
                rest.len(),
                rest.iter().sum::<usize>()
            )
        }),
    }
}

/// Each account's counts, in the accounts' order. An organization of many accounts would fill
/// the comment with them (some 70 characters an account): past a quarter of the room, the
/// accounts with the most severe open findings come first, and a note counts the rest.
fn rollup(report: &ScanReport) -> Rows {
    let head = "| Account | Critical | High | Medium | Low | Waived | Not evaluated |\n\
                |---|---:|---:|---:|---:|---:|---:|\n"
        .to_owned();
    let mut accounts: Vec<(&AccountReport, String)> =
        report.accounts.iter().map(|a| (a, rollup_row(a))).collect();
    let all_chars = chars(&head) + accounts.iter().map(|(_, row)| chars(row)).sum::<usize>();
    if all_chars >= MAX_CHARS / 4 {
        accounts.sort_by_cached_key(|(a, _)| std::cmp::Reverse(worst_first(a)));
    }
    let with_findings: Vec<bool> = accounts
        .iter()
        .map(|(a, _)| a.findings.iter().any(|f| !f.is_waived()))
        .collect();
    let rows = accounts.into_iter().map(|(_, row)| row).collect();
    let left_out = move |shown: usize| {
        let rest = &with_findings[shown..];
        let open = rest.iter().filter(|&&f| f).count();
        format!("{} more accounts ({open} with open findings)", rest.len())
    };
    Rows {
        head,
        rows,
        left_out: Box::new(left_out),
    }
}

fn rollup_row(account: &AccountReport) -> String {
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        gfm_escape(&account.label()),
        account.open_count(Severity::Critical),
        account.open_count(Severity::High),
        account.open_count(Severity::Medium),
        account.open_count(Severity::Low),
        account.waived_count(),
        account.not_evaluated.len()
    )
}

/// An account's open findings from the most severe down, then its checks not evaluated: the
/// larger, the worse.
fn worst_first(account: &AccountReport) -> [usize; 5] {
    let open = |s| account.open_count(s);
    [
        open(Severity::Critical),
        open(Severity::High),
        open(Severity::Medium),
        open(Severity::Low),
        account.not_evaluated.len(),
    ]
}

/// The findings the plan fixes (`--terraform-plan` with a live account or snapshot).
fn fixed_by_plan(report: &ScanReport) -> Rows {
    let fixed: Vec<&Finding> = report
        .accounts
        .iter()
        .flat_map(|a| &a.fixed_by_plan)
        .collect();
    if fixed.is_empty() {
        return no_rows();
    }
    let total = fixed.len();
    let rows = fixed
        .iter()
        .map(|finding| {
            format!(
                "| {} | {} | {}<br>{} |\n",
                finding.severity,
                gfm_code(&finding.rule_id),
                gfm_escape(&finding.message),
                gfm_code(&finding.resource)
            )
        })
        .collect();
    Rows {
        head: "### Fixed by the plan\n\n| Severity | Rule | Finding |\n|---|---|---|\n".to_owned(),
        rows,
        left_out: Box::new(move |shown| {
            format!("{} more findings fixed by the plan", total - shown)
        }),
    }
}

/// The checks that do not apply to what was scanned, one row per reason (a short list).
fn not_applicable(report: &ScanReport) -> String {
    let groups = super::summary::not_applicable_groups(report);
    if groups.is_empty() {
        return String::new();
    }
    let mut out = String::new();
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
    out
}

/// The secrets scheduled for deletion: not judged for rotation, so named here. At most
/// `MAX_DELETED_ROWS`, the rest counted, so that the list never crowds out the findings.
fn scheduled_for_deletion(report: &ScanReport) -> String {
    let deleted = super::summary::scheduled_for_deletion(report);
    if deleted.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Scheduled for deletion\n\nNot judged for rotation; nobody can read them until they are restored:\n"
    );
    let _ = writeln!(out, "| Account | Secret |");
    let _ = writeln!(out, "|---|---|");
    for (account, name) in deleted.iter().take(MAX_DELETED_ROWS) {
        let _ = writeln!(out, "| {} | {} |", gfm_escape(account), gfm_escape(name));
    }
    if deleted.len() > MAX_DELETED_ROWS {
        let _ = writeln!(out, "\n…and {} more.", deleted.len() - MAX_DELETED_ROWS);
    }
    let _ = writeln!(out);
    out
}

const MAX_DELETED_ROWS: usize = 50;
