//! The command line's choices as domain values. clap's types stay in `cli`; the model, the
//! evaluation and the report formats never see them.

use crate::cli::{DiffFormat, FailOn, Format, SeverityArg};
use crate::model::Severity;
use crate::report::ReportFormat;
use crate::report::drift::DriftFormat;

pub fn report_format(format: Format) -> ReportFormat {
    match format {
        Format::Table => ReportFormat::Table,
        Format::Json => ReportFormat::Json,
        Format::Sarif => ReportFormat::Sarif,
        Format::Markdown => ReportFormat::Markdown,
    }
}

pub fn drift_format(format: DiffFormat) -> DriftFormat {
    match format {
        DiffFormat::Table => DriftFormat::Table,
        DiffFormat::Json => DriftFormat::Json,
        DiffFormat::Markdown => DriftFormat::Markdown,
    }
}

/// The lowest severity that fails the run, `None` when nothing does.
pub fn fail_threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Low => Some(Severity::Low),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::High => Some(Severity::High),
        FailOn::Critical => Some(Severity::Critical),
        FailOn::None => None,
    }
}

pub fn severity(severity: SeverityArg) -> Severity {
    match severity {
        SeverityArg::Low => Severity::Low,
        SeverityArg::Medium => Severity::Medium,
        SeverityArg::High => Severity::High,
        SeverityArg::Critical => Severity::Critical,
    }
}
