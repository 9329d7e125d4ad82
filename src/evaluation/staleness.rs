//! Stale snapshots: a snapshot judged long after it was collected describes the account as it
//! was, while the rules measure ages against a later time. "Root used recently" or "key unused
//! for 45 days" then silently pass or fail on old data, so the report says so.

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{ReportWarning, ScanReport};

/// A warning for each account whose snapshot is older than `max_age_days` at `now` and was
/// judged later than it was collected. A snapshot judged as of its own collection time
/// (`--as-of snapshot`) reproduces that day's result and gets none.
pub fn stale_snapshot_warnings(
    report: &ScanReport,
    now: DateTime<Utc>,
    max_age_days: u32,
) -> Vec<ReportWarning> {
    let limit = TimeDelta::days(i64::from(max_age_days));
    report
        .accounts
        .iter()
        .filter(|a| a.as_of > a.collected_at && now - a.collected_at > limit)
        .map(|a| ReportWarning {
            account_id: Some(a.account.id.clone()),
            message: format!(
                "the snapshot of account {} was collected {} days ago ({}), more than the {} day{} allowed (max_snapshot_age_days, --max-snapshot-age), and is judged as of {}: activity, key use and rotations since then are not in it; collect a fresh snapshot, or judge it as of its collection time with --as-of snapshot",
                a.account.id,
                (now - a.collected_at).num_days(),
                a.collected_at.format("%Y-%m-%d"),
                max_age_days,
                if max_age_days == 1 { "" } else { "s" },
                a.as_of.format("%Y-%m-%d %H:%M UTC"),
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    /// A report of one account, read as a JSON report is (fields added later keep defaults).
    fn report(collected: DateTime<Utc>, as_of: DateTime<Utc>) -> ScanReport {
        serde_json::from_value(json!({
            "report_version": 3,
            "tool": {"name": "keyward", "version": "test"},
            "as_of": as_of,
            "rules": [],
            "accounts": [{
                "account": {"id": "123456789012"},
                "as_of": as_of,
                "collected_at": collected,
                "findings": []
            }],
            "summary": {"accounts": 1, "open": {}, "open_total": 0, "waived": 0, "not_evaluated": 0}
        }))
        .unwrap()
    }

    #[test]
    fn only_old_snapshots_judged_later_are_stale() {
        let day = |d| Utc.with_ymd_and_hms(2026, 11, d, 0, 0, 0).unwrap();
        let now = day(30);
        let stale = stale_snapshot_warnings(&report(day(1), now), now, 7);
        assert_eq!(stale.len(), 1);
        assert!(
            stale[0]
                .message
                .contains("collected 29 days ago (2026-11-01)")
        );
        assert_eq!(stale[0].account_id.as_deref(), Some("123456789012"));
        // Younger than the limit, or judged as of its own collection time: no warning.
        assert!(stale_snapshot_warnings(&report(day(25), now), now, 7).is_empty());
        assert!(stale_snapshot_warnings(&report(day(1), day(1)), now, 7).is_empty());
        assert_eq!(
            stale_snapshot_warnings(&report(day(1), now), now, 30).len(),
            0
        );
    }
}
