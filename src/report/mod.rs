//! Report formats. Each renders a finished `ScanReport`; none evaluates anything, and none
//! knows where the data came from.

pub mod compliance;
pub mod controls;
pub mod drift;
pub mod grid;
pub mod json;
mod markdown;
pub mod ocsf;
mod rendered;
pub mod rule_doc;
pub mod sarif;
pub mod sarif_merge;
mod summary;
mod table;
mod text;

use crate::model::ScanReport;

pub use grid::Terminal;
pub use rendered::{Rendered, ReportError};
pub use table::severity_style;

/// The formats a scan report is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
    Sarif,
    Markdown,
    /// OCSF Compliance Findings (class 2003), for Security Hub, Security Lake and SIEMs.
    Ocsf,
}

/// What a format may need besides the report.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The SARIF category prefix (`--sarif-category`).
    pub sarif_category: String,
    /// Where a table is shown (width and colour).
    pub terminal: Terminal,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            sarif_category: "keyward".to_owned(),
            terminal: Terminal::default(),
        }
    }
}

pub fn render(
    report: &ScanReport,
    format: ReportFormat,
    options: &RenderOptions,
) -> Result<Rendered, ReportError> {
    match format {
        ReportFormat::Table => Ok(Rendered::complete(table::render(report, options.terminal))),
        ReportFormat::Json => Ok(Rendered::complete(json::render(report))),
        ReportFormat::Markdown => Ok(Rendered::complete(markdown::render(report))),
        ReportFormat::Sarif => sarif::render(report, &options.sarif_category),
        ReportFormat::Ocsf => Ok(Rendered::complete(ocsf::render(report))),
    }
}
