//! The times keyward computes with. Rules measure ages in nanoseconds since 1970 held in 64
//! bits (regorus' `time.*` builtins), which reach from 1677-09-21 to 2262-04-11; a timestamp
//! outside that made a built-in rule fail with an error that blamed the rule, and `--as-of`
//! before 1677 was silently evaluated as of 2262. keyward accepts times between 1800-01-01 and
//! 2200-12-31, and thresholds of at most 100 years (`MAX_THRESHOLD_DAYS`), so that every
//! difference the rules take stays inside the 64-bit range. Each value is checked where it
//! enters: a snapshot's timestamps when it loads, `--as-of` when it is parsed, the config's
//! thresholds when it is read.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{AccessKey, Snapshot, Timestamp, User};

/// The longest threshold, in days, a config may set (100 years).
pub const MAX_THRESHOLD_DAYS: u32 = 36_500;

/// The earliest and latest times keyward accepts.
pub fn time_range() -> (DateTime<Utc>, DateTime<Utc>) {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    (
        day(1800, 1, 1)
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc(),
        day(2200, 12, 31)
            .and_hms_opt(23, 59, 59)
            .expect("a time")
            .and_utc(),
    )
}

/// Checks that `time` lies in [`time_range`]; the error says where the range is.
pub fn check_time(time: &DateTime<Utc>) -> Result<(), String> {
    let (earliest, latest) = time_range();
    if (earliest..=latest).contains(time) {
        return Ok(());
    }
    Err(format!(
        "{} is outside the times keyward computes with, {} to {}",
        time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        earliest.format("%Y-%m-%d"),
        latest.format("%Y-%m-%d")
    ))
}

/// The first timestamp of the snapshot outside [`time_range`]: its field path (such as
/// `users[3].access_keys[0].created`) and value.
pub fn first_time_out_of_range(snapshot: &Snapshot) -> Option<(String, Timestamp)> {
    let mut walk = Walk::default();
    // Every field is named, none left to `..`: a timestamp added to one of these types stops
    // the build here until it is checked too.
    let Snapshot {
        schema_version: _,
        collected_at,
        collector,
        account: _,
        root,
        password_policy: _,
        users,
        groups,
        roles,
        policies: _,
        secrets,
        organization: _,
        // The detective section holds no timestamps.
        detective: _,
        collection_errors: _,
        terraform: _, // a plan's resources carry no times
    } = snapshot;
    walk.at(Some(collected_at), || "collected_at".to_owned());
    walk.at(collector.credential_report_generated_at.as_ref(), || {
        "collector.credential_report_generated_at".to_owned()
    });
    if let Some(root) = root {
        walk.at(root.password_last_used.as_ref(), || {
            "root.password_last_used".to_owned()
        });
        walk.keys(&root.access_keys, "root");
    }
    for (i, user) in users.iter().enumerate() {
        walk.user(user, &format!("users[{i}]"));
    }
    for (i, group) in groups.iter().enumerate() {
        walk.at(group.created.as_ref(), || format!("groups[{i}].created"));
    }
    for (i, role) in roles.iter().enumerate() {
        walk.at(role.created.as_ref(), || format!("roles[{i}].created"));
        walk.at(role.last_used.as_ref(), || format!("roles[{i}].last_used"));
    }
    for (i, secret) in secrets.iter().enumerate() {
        let at = |field: &str| format!("secrets[{i}].{field}");
        walk.at(secret.created.as_ref(), || at("created"));
        walk.at(secret.last_changed.as_ref(), || at("last_changed"));
        walk.at(secret.last_accessed.as_ref(), || at("last_accessed"));
        walk.at(secret.deleted_date.as_ref(), || at("deleted_date"));
        let rotation = &secret.rotation;
        walk.at(rotation.last_rotated.as_ref(), || {
            at("rotation.last_rotated")
        });
        walk.at(rotation.next_rotation.as_ref(), || {
            at("rotation.next_rotation")
        });
    }
    walk.found
}

/// The walk over a snapshot's timestamps, keeping the first one out of range.
#[derive(Default)]
struct Walk {
    found: Option<(String, Timestamp)>,
}

impl Walk {
    /// Checks one timestamp; the path is only spelled out for one out of range.
    fn at(&mut self, time: Option<&Timestamp>, path: impl FnOnce() -> String) {
        if let Some(time) = time
            && self.found.is_none()
            && check_time(time).is_err()
        {
            self.found = Some((path(), *time));
        }
    }

    fn user(&mut self, user: &User, path: &str) {
        self.at(Some(&user.created), || format!("{path}.created"));
        if let Some(password) = &user.password {
            self.at(password.last_used.as_ref(), || {
                format!("{path}.password.last_used")
            });
            self.at(password.last_changed.as_ref(), || {
                format!("{path}.password.last_changed")
            });
        }
        for (i, device) in user.mfa_devices.iter().enumerate() {
            self.at(device.enabled_at.as_ref(), || {
                format!("{path}.mfa_devices[{i}].enabled_at")
            });
        }
        self.keys(&user.access_keys, path);
    }

    fn keys(&mut self, keys: &[AccessKey], path: &str) {
        for (i, key) in keys.iter().enumerate() {
            self.at(Some(&key.created), || {
                format!("{path}.access_keys[{i}].created")
            });
            self.at(key.last_used.as_ref().map(|u| &u.date), || {
                format!("{path}.access_keys[{i}].last_used.date")
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn times_inside_the_range_pass_and_outside_are_named() {
        assert!(check_time(&at("2026-05-03T00:00:00Z")).is_ok());
        assert!(check_time(&at("1800-01-01T00:00:00Z")).is_ok());
        let error = check_time(&at("1600-01-01T00:00:00Z")).unwrap_err();
        assert!(
            error.starts_with("1600-01-01T00:00:00Z is outside"),
            "{error}"
        );
        assert!(check_time(&at("2262-04-12T00:00:00Z")).is_err());
    }

    /// The earliest time less the longest threshold (a cutoff), and the latest time plus the
    /// two days a cutoff's string test looks ahead, stay inside regorus' nanosecond times.
    #[test]
    fn the_range_and_the_thresholds_fit_in_nanoseconds() {
        let (earliest, latest) = time_range();
        let longest = chrono::TimeDelta::days(i64::from(MAX_THRESHOLD_DAYS));
        assert!((earliest - longest).timestamp_nanos_opt().is_some());
        assert!(
            (latest + chrono::TimeDelta::days(2))
                .timestamp_nanos_opt()
                .is_some()
        );
    }
}
