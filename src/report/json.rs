//! The JSON report: the `ScanReport` as is (documented in README.md, read back by diff tools).

use std::io::Write;

use crate::model::ScanReport;

pub fn render(report: &ScanReport) -> String {
    let mut text = Vec::new();
    write(report, &mut text).expect("a report always serializes");
    String::from_utf8(text).expect("JSON is UTF-8")
}

/// Writes the report as it is serialised, never holding it as one string: the report of a large
/// account is larger than its snapshot.
pub fn write(report: &ScanReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
