//! Baselines (`scan --baseline REPORT`): adopt keyward on an old account by failing only on
//! what is new. Findings are matched by fingerprint (rule, account, resource, key), never by
//! message, so a finding whose age grew is still the same finding.

use crate::model::{BaselineState, ScanReport};

/// The report with every finding marked new or unchanged relative to `baseline`, which is
/// named `source` in the report. Waived findings of the baseline count: they are known.
pub fn mark(mut report: ScanReport, baseline: &ScanReport, source: &str) -> ScanReport {
    let known = baseline.fingerprints();
    for finding in report.all_findings_mut() {
        finding.baseline_state = Some(if known.contains(finding.fingerprint.as_str()) {
            BaselineState::Unchanged
        } else {
            BaselineState::New
        });
    }
    report.baseline = Some(source.to_owned());
    report.summary = report.summarize();
    report
}
