//! Drift between two scans (`keyward diff`, and the changes since the previous scheduled
//! audit): which findings are new, which were resolved, which are still open. Findings are
//! matched by fingerprint, never by message.

use crate::model::{Drift, Finding, ScanReport};

/// What changed from `old` to `new`. Waived findings of `new` are not open, so they are neither
/// new nor still open; a finding that became waived is not resolved either, since it is known.
pub fn between(old: &ScanReport, new: &ScanReport) -> Drift {
    let old_prints = old.fingerprints();
    let new_prints = new.fingerprints();
    let open_in_new = new.all_findings().filter(|f| !f.is_waived());
    let (still_open, new_findings): (Vec<&Finding>, Vec<&Finding>) =
        open_in_new.partition(|f| old_prints.contains(f.fingerprint.as_str()));
    Drift {
        new: new_findings.into_iter().cloned().collect(),
        resolved: old
            .all_findings()
            .filter(|f| !new_prints.contains(f.fingerprint.as_str()))
            .cloned()
            .collect(),
        still_open: still_open.into_iter().cloned().collect(),
    }
}
