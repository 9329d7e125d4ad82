//! How long ago a secret last rotated and was last read: the `history` keyward puts on each
//! secret of the policy input before the rules run, `{"rotated": …, "accessed": …}`, each
//! `{"at": <timestamp>, "days": <whole days since>, "text": <for messages>}`.
//!
//! When the event never happened, the clock starts at the secret's creation ("never rotated
//! since its creation on <day>, <n> days ago"); when the creation is unknown too, `at` and
//! `days` are null and the text says so. `days` counts whole days before the evaluation time,
//! rounded down (negative for a timestamp after it), as `keyward.lib.time.days_since` does.
//!
//! Worked out here rather than in Rego: the rotation rules report most secrets of an account
//! that does not rotate (KW-SM-001, -003, -004, -006 and -007 each write this text), and in
//! regorus the `sprintf` and `substring` calls it takes cost a third of those rules' time.

use serde::Serialize;

use super::key_identity::timestamp_text;
use crate::snapshot::{Secret, Timestamp};

const NS_PER_DAY: i128 = 86_400_000_000_000;

/// A secret's `history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    pub rotated: SinceLast,
    pub accessed: SinceLast,
}

/// How long ago something last happened to a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SinceLast {
    /// When it last happened, else the creation; `None` when both are unknown.
    pub at: Option<String>,
    pub days: Option<i64>,
    pub text: String,
}

/// A secret's history as of `as_of_ns`.
pub fn history(secret: &Secret, as_of_ns: i64) -> History {
    let created = secret.created.as_ref();
    History {
        rotated: since_last(
            secret.rotation.last_rotated.as_ref(),
            created,
            "rotated",
            as_of_ns,
        ),
        accessed: since_last(secret.last_accessed.as_ref(), created, "accessed", as_of_ns),
    }
}

/// How long ago `what` ("rotated", "accessed") last happened, at `at`, counting from `created`
/// when it never did.
pub fn since_last(
    at: Option<&Timestamp>,
    created: Option<&Timestamp>,
    what: &str,
    as_of_ns: i64,
) -> SinceLast {
    let known = |time: Option<&Timestamp>| time.and_then(|t| dated(t, as_of_ns));
    let (at, days, text) = if let Some((at, days)) = known(at) {
        let text = format!("last {what} {}, {days} days ago", day_of(&at));
        (at, days, text)
    } else if let Some((at, days)) = known(created) {
        let day = day_of(&at);
        let text = format!("never {what} since its creation on {day}, {days} days ago");
        (at, days, text)
    } else {
        return SinceLast {
            at: None,
            days: None,
            text: format!("never {what}, creation date unknown"),
        };
    };
    SinceLast {
        at: Some(at),
        days: Some(days),
        text,
    }
}

/// A timestamp as the input writes it, with the whole days from it to `as_of_ns`; `None` for a
/// time nanoseconds since 1970 cannot hold (before 1677 or after 2262), which the rules could
/// not read either.
fn dated(time: &Timestamp, as_of_ns: i64) -> Option<(String, i64)> {
    let ns = time.timestamp_nanos_opt()?;
    let days = (i128::from(as_of_ns) - i128::from(ns)).div_euclid(NS_PER_DAY);
    Some((timestamp_text(time), i64::try_from(days).ok()?))
}

/// The calendar day of a timestamp as the input writes it: its first ten characters.
fn day_of(text: &str) -> &str {
    text.char_indices()
        .nth(10)
        .map_or(text, |(i, _)| &text[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-05-10T00:00:00Z, the Rego tests' evaluation time.
    const AS_OF_NS: i64 = 1_778_371_200_000_000_000;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn the_last_time_counts_else_the_creation_else_nothing_is_known() {
        let last = at("2026-04-28T13:00:00Z");
        let created = at("2025-04-05T00:00:00Z");
        let rotated = since_last(Some(&last), Some(&created), "rotated", AS_OF_NS);
        assert_eq!(rotated.at.as_deref(), Some("2026-04-28T13:00:00Z"));
        assert_eq!(rotated.days, Some(11));
        assert_eq!(rotated.text, "last rotated 2026-04-28, 11 days ago");
        let never = since_last(None, Some(&created), "accessed", AS_OF_NS);
        assert_eq!(never.days, Some(400));
        assert_eq!(
            never.text,
            "never accessed since its creation on 2025-04-05, 400 days ago"
        );
        let unknown = since_last(None, None, "rotated", AS_OF_NS);
        assert_eq!((unknown.at, unknown.days), (None, None));
        assert_eq!(unknown.text, "never rotated, creation date unknown");
    }

    #[test]
    fn days_are_whole_and_rounded_down_also_after_the_evaluation_time() {
        let days = |text: &str| since_last(Some(&at(text)), None, "rotated", AS_OF_NS).days;
        assert_eq!(days("2026-05-09T00:00:00Z"), Some(1));
        assert_eq!(days("2026-05-09T00:00:01Z"), Some(0));
        assert_eq!(days("2026-05-10T00:00:00Z"), Some(0));
        assert_eq!(days("2026-05-10T00:00:01Z"), Some(-1));
    }

    #[test]
    fn a_time_out_of_range_falls_back_as_one_the_rules_cannot_read() {
        let far = at("2300-01-01T00:00:00Z");
        let created = at("2026-05-01T00:00:00Z");
        let history = since_last(Some(&far), Some(&created), "rotated", AS_OF_NS);
        assert_eq!(history.at.as_deref(), Some("2026-05-01T00:00:00Z"));
        assert_eq!(history.days, Some(9));
    }

    #[test]
    fn the_rego_tests_date_secrets_as_this_module_does() {
        let mut engine = crate::policy::source::engine_with_builtin_sources();
        let last = at("2026-04-28T13:00:00Z");
        let created = at("2025-04-05T00:00:00.250Z");
        let cases = [
            (Some(&last), Some(&created)),
            (None, Some(&created)),
            (Some(&last), None),
            (None, None),
        ];
        for (at, created) in cases {
            let expected = since_last(at, created, "rotated", AS_OF_NS);
            let json = |t: Option<&Timestamp>| serde_json::to_string(&t).unwrap();
            let query = format!(
                "data.keyward.lib.test_input.since_last({}, {}, \"rotated\")",
                json(at),
                json(created)
            );
            let found = engine.eval_query(query.clone(), false).unwrap();
            let value = &found.result[0].expressions[0].value;
            let text = |v: &regorus::Value| v.as_string().ok().map(|s| s.to_string());
            assert_eq!(text(&value["at"]), expected.at, "{query}");
            assert_eq!(
                value["days"].as_i64().ok(),
                expected.days,
                "{query}: {value}"
            );
            assert_eq!(text(&value["text"]), Some(expected.text), "{query}");
        }
    }
}
