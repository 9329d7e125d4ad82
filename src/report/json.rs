//! The JSON report: the `ScanReport` as is (documented in README.md, read back by diff tools).

use crate::model::ScanReport;

pub fn render(report: &ScanReport) -> String {
    serde_json::to_string_pretty(report).expect("a report always serializes") + "\n"
}
