//! What several formats say alike: the summary line, severity counts and the grouped gaps.

use crate::model::{ScanReport, Severity};

/// The evaluation time of each account, as "<account> as of <time>", when accounts were judged
/// at different times (`--as-of snapshot` over several snapshots); `None` when all share one
/// (`report.as_of`).
pub fn distinct_times(report: &ScanReport, label: impl Fn(&str) -> String) -> Option<String> {
    let first = report.accounts.first()?.as_of;
    if report.accounts.iter().all(|a| a.as_of == first) {
        return None;
    }
    let each: Vec<String> = report
        .accounts
        .iter()
        .map(|a| {
            format!(
                "{} as of {}",
                label(&a.label()),
                a.as_of.format(TIME_FORMAT)
            )
        })
        .collect();
    Some(each.join(", "))
}

/// The longest markdown keyward writes, in characters: GitHub refuses a pull-request comment
/// longer than 65,536 characters (a step summary may hold 1 MiB). Rows that would go past it are
/// left out, and the report says how many and of which severity.
pub const MAX_MARKDOWN_CHARS: usize = 65_536;

/// How reports print a time.
pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M UTC";

/// "3 critical, 1 high" from the summary, most severe first; "none" when empty.
pub fn severity_counts(report: &ScanReport) -> String {
    let parts: Vec<String> = Severity::DESCENDING
        .iter()
        .filter_map(|s| {
            report
                .summary
                .open
                .get(s)
                .filter(|&&n| n > 0)
                .map(|n| format!("{n} {s}"))
        })
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// How the scan went, in two parts: the open findings, then waivers, gaps and accounts. The
/// table prints them on two lines (to fit 80 columns), markdown on one.
pub fn summary_parts(report: &ScanReport) -> [String; 2] {
    let s = &report.summary;
    let baseline = match s.new_since_baseline {
        Some(new) => format!(", {new} new since the baseline"),
        None => String::new(),
    };
    let plan = match s.plan {
        Some(plan) => format!(
            "; the plan introduces {}, fixes {}, leaves {} unchanged",
            plan.introduced, plan.fixed, plan.unchanged
        ),
        None => String::new(),
    };
    let not_applicable = match s.not_applicable {
        0 => String::new(),
        n => format!(", {n} not applicable"),
    };
    [
        format!(
            "{} open finding{} ({}){baseline}{plan}",
            s.open_total,
            plural(s.open_total),
            severity_counts(report)
        ),
        format!(
            "{} waived, {} check{} not evaluated{not_applicable}, {} account{}",
            s.waived,
            s.not_evaluated,
            plural(s.not_evaluated),
            s.accounts,
            plural(s.accounts)
        ),
    ]
}

/// The summary on one line.
pub fn summary_line(report: &ScanReport) -> String {
    summary_parts(report).join(", ")
}

/// Checks not evaluated for one reason in one scope, with every rule it affected: an account
/// that could not be entered is one line, not one per rule.
pub struct GapGroup {
    pub account_id: String,
    /// Region and resource, as far as the gap is limited to them ("" for the whole account).
    pub scope: String,
    pub reason: String,
    pub rules: Vec<String>,
}

pub fn gap_groups(report: &ScanReport) -> Vec<GapGroup> {
    let mut groups: Vec<GapGroup> = Vec::new();
    for gap in report.accounts.iter().flat_map(|a| &a.not_evaluated) {
        let scope = gap.scope();
        match groups
            .iter_mut()
            .find(|g| g.account_id == gap.account_id && g.scope == scope && g.reason == gap.reason)
        {
            Some(group) => group.rules.push(gap.rule_id.clone()),
            None => groups.push(GapGroup {
                account_id: gap.account_id.clone(),
                scope,
                reason: gap.reason.clone(),
                rules: vec![gap.rule_id.clone()],
            }),
        }
    }
    groups
}

/// The secrets scheduled for deletion, as (account, secret name): reported as such, since the
/// rotation rules do not judge them.
pub fn scheduled_for_deletion(report: &ScanReport) -> Vec<(String, String)> {
    report
        .accounts
        .iter()
        .filter_map(|a| Some((a, a.access.as_ref()?)))
        .flat_map(|(a, access)| {
            access
                .secrets
                .values()
                .filter(|s| s.scheduled_for_deletion)
                .map(|s| (a.account.id.clone(), s.name.clone()))
        })
        .collect()
}

/// Rules not applicable for one reason, across accounts: (reason, rule ids).
pub fn not_applicable_groups(report: &ScanReport) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for entry in report.accounts.iter().flat_map(|a| &a.not_applicable) {
        match groups
            .iter_mut()
            .find(|(reason, _)| *reason == entry.reason)
        {
            Some((_, rules)) if rules.contains(&entry.rule_id) => {}
            Some((_, rules)) => rules.push(entry.rule_id.clone()),
            None => groups.push((entry.reason.clone(), vec![entry.rule_id.clone()])),
        }
    }
    groups
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
