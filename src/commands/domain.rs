//! The command line's choices as domain values. clap's types stay in `cli`; the model, the
//! evaluation and the report formats never see them.

use crate::cli::{DiffFormat, FailOn, Format, SeverityArg};
use crate::model::Severity;
use crate::report::ReportFormat;
use crate::report::compliance::ComplianceFormat;

use super::error::Error;
use crate::report::drift::DriftFormat;

pub fn report_format(format: Format) -> ReportFormat {
    match format {
        Format::Table => ReportFormat::Table,
        Format::Json => ReportFormat::Json,
        Format::Sarif => ReportFormat::Sarif,
        Format::Markdown => ReportFormat::Markdown,
        Format::Ocsf => ReportFormat::Ocsf,
    }
}

/// A compliance report is a table, markdown or JSON; it holds no alerts for SARIF.
pub fn compliance_format(format: Format) -> Result<ComplianceFormat, Error> {
    match format {
        Format::Table => Ok(ComplianceFormat::Table),
        Format::Json => Ok(ComplianceFormat::Json),
        Format::Markdown => Ok(ComplianceFormat::Markdown),
        Format::Sarif | Format::Ocsf => Err(Error::Usage(
            "--compliance reports in table, markdown or json format, not sarif or ocsf: those hold the findings (scan without --compliance)".to_owned(),
        )),
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
