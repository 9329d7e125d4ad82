//! Report formats. Each renders a finished `ScanReport`; none evaluates anything, and none
//! knows where the data came from.

mod json;
mod markdown;
pub mod sarif;
mod table;

use crate::cli::Format;
use crate::scan::ScanReport;

/// A rendered report, and anything the renderer had to leave out (printed on stderr).
pub struct Rendered {
    pub text: String,
    pub warnings: Vec<String>,
}

/// A report that cannot be rendered in the format asked for.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReportError(pub String);

pub fn render(report: &ScanReport, format: Format) -> Result<Rendered, ReportError> {
    match format {
        Format::Table => Ok(plain(table::render(report, terminal_width()))),
        Format::Json => Ok(plain(json::render(report))),
        Format::Markdown => Ok(plain(markdown::render(report))),
        Format::Sarif => sarif::render(report),
    }
}

fn plain(text: String) -> Rendered {
    Rendered {
        text,
        warnings: Vec::new(),
    }
}

/// Width for terminal tables: $COLUMNS when set, else 80 (the target for readable output).
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(80)
}

/// "3 critical, 1 high" from the summary, most severe first; "none" when empty.
pub fn severity_counts(report: &ScanReport) -> String {
    let parts: Vec<String> = crate::policy::Severity::DESCENDING
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

/// One line that says how the scan went, shared by the table and markdown formats.
pub fn summary_line(report: &ScanReport) -> String {
    let s = &report.summary;
    format!(
        "{} open finding{} ({}), {} waived, {} check{} not evaluated, {} account{}",
        s.open_total,
        plural(s.open_total),
        severity_counts(report),
        s.waived,
        s.not_evaluated,
        plural(s.not_evaluated),
        s.accounts,
        plural(s.accounts)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
