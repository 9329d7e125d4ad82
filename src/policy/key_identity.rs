//! How findings name an access key: the `identity` keyward puts on each access key of the
//! policy input (users' and the root user's) before the rules run.
//!
//! `ref` is the finding's key, part of its fingerprint: the key's creation time, or, for keys of
//! one principal created in the same second, the time with the key id (`…#AKIA…`) or, without
//! ids (the IAM credential report has none), with the key's slot (`…#slot2`), so that every key
//! gets a finding of its own. `label` is how messages name the key: the ends of its id
//! (`AKIA…WXYZ`: an id is an identifier, not a secret, but reports show no more of it), or
//! `created <day>` without one, with the slot when that is what tells two keys apart.
//!
//! Worked out here rather than in Rego: every rule that reports a key needs it, and in regorus
//! the function calls it takes cost about 10 µs a key (a tenth of the pack's time on an account
//! of 10,000 users, 7,000 of whose keys were reported).

use std::collections::BTreeMap;

use chrono::SecondsFormat;

use crate::snapshot::{AccessKey, Timestamp};

/// One key's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyIdentity {
    pub reference: String,
    pub label: String,
}

impl KeyIdentity {
    /// As the input holds it: `{"ref": …, "label": …}`.
    pub fn into_value(self) -> regorus::Value {
        regorus::Value::from(BTreeMap::from([
            ("ref".into(), self.reference.into()),
            ("label".into(), self.label.into()),
        ]))
    }
}

/// The identities of one principal's keys, in their order.
pub fn identities(keys: &[AccessKey]) -> Vec<KeyIdentity> {
    keys.iter()
        .enumerate()
        .map(|(i, key)| identity(keys, i, key))
        .collect()
}

fn identity(keys: &[AccessKey], i: usize, key: &AccessKey) -> KeyIdentity {
    let created = timestamp_text(&key.created);
    let label = label(key, &created);
    let alone = keys.iter().filter(|k| k.created == key.created).count() == 1;
    match (alone, &key.id) {
        (true, _) => KeyIdentity {
            reference: created,
            label,
        },
        (false, Some(id)) => KeyIdentity {
            reference: format!("{created}#{id}"),
            label,
        },
        (false, None) => KeyIdentity {
            reference: format!("{created}#slot{}", i + 1),
            label: format!("{label} (slot {})", i + 1),
        },
    }
}

/// The ends of the key's id, or its creation day.
fn label(key: &AccessKey, created: &str) -> String {
    let Some(id) = &key.id else {
        return format!("created {}", created.get(..10).unwrap_or(created));
    };
    // Characters, not bytes: an id comes from a snapshot file, which may hold anything.
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return id.clone();
    }
    let first: String = chars[..4].iter().collect();
    let last: String = chars[chars.len() - 4..].iter().collect();
    format!("{first}…{last}")
}

/// A timestamp as the input writes it (chrono's serialisation), so that `ref` starts with the
/// key's `created` as the rules read it.
pub(super) fn timestamp_text(time: &Timestamp) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::KeyStatus;

    const AT: &str = "2026-01-02T03:04:05Z";

    fn key(id: Option<&str>, created: &str) -> AccessKey {
        AccessKey {
            id: id.map(str::to_owned),
            status: KeyStatus::Active,
            created: created.parse().unwrap(),
            last_used: None,
        }
    }

    fn named(reference: &str, label: &str) -> KeyIdentity {
        KeyIdentity {
            reference: reference.to_owned(),
            label: label.to_owned(),
        }
    }

    #[test]
    fn a_key_of_its_own_second_is_named_by_its_creation() {
        let keys = [key(None, AT), key(None, "2026-03-01T00:00:00Z")];
        assert_eq!(
            identities(&keys),
            [
                named(AT, "created 2026-01-02"),
                named("2026-03-01T00:00:00Z", "created 2026-03-01")
            ]
        );
        assert_eq!(
            identities(&[key(Some("AKIAIOSFODNN7EXAMPLE"), AT)]),
            [named(AT, "AKIA…MPLE")]
        );
    }

    #[test]
    fn keys_of_the_same_second_are_told_apart_by_id_else_by_slot() {
        let by_slot = [key(None, AT), key(None, AT)];
        assert_eq!(
            identities(&by_slot),
            [
                named("2026-01-02T03:04:05Z#slot1", "created 2026-01-02 (slot 1)"),
                named("2026-01-02T03:04:05Z#slot2", "created 2026-01-02 (slot 2)"),
            ]
        );
        let by_id = [
            key(Some("AKIAAAAAAAAAAAAA1111"), AT),
            key(Some("AKIAAAAAAAAAAAAA2222"), AT),
        ];
        assert_eq!(
            identities(&by_id),
            [
                named("2026-01-02T03:04:05Z#AKIAAAAAAAAAAAAA1111", "AKIA…1111"),
                named("2026-01-02T03:04:05Z#AKIAAAAAAAAAAAAA2222", "AKIA…2222"),
            ]
        );
    }

    #[test]
    fn a_short_id_is_shown_whole_and_a_strange_one_by_its_characters() {
        assert_eq!(
            identities(&[key(Some("AKIA1234"), AT)])[0].label,
            "AKIA1234"
        );
        assert_eq!(
            identities(&[key(Some("ÄÖÜßéèêëxyz"), AT)])[0].label,
            "ÄÖÜß…ëxyz"
        );
    }

    /// The Rego tests put identities on their keys themselves (`test_input.key_identity`): they
    /// must name keys as this module does, or the rule tests would test fiction.
    #[test]
    fn the_rego_tests_name_keys_as_this_module_does() {
        let mut engine = crate::policy::source::engine_with_builtin_sources();
        let cases = [
            vec![key(None, AT), key(None, "2026-03-01T00:00:00Z")],
            vec![key(None, AT), key(None, AT)],
            vec![
                key(Some("AKIAAAAAAAAAAAAA1111"), AT),
                key(Some("AKIA2222"), AT),
            ],
            vec![key(Some("AKIA1234"), AT), key(Some("ÄÖÜßéèêëxyz"), AT)],
        ];
        for keys in cases {
            let json = serde_json::to_string(&keys).unwrap();
            for (i, expected) in identities(&keys).into_iter().enumerate() {
                let query = format!("data.keyward.lib.test_input.key_identity({json}, {i})");
                let found = engine.eval_query(query, false).unwrap();
                let value = &found.result[0].expressions[0].value;
                let field = |name: &str| value[name].as_string().unwrap().to_string();
                assert_eq!(field("ref"), expected.reference, "{json} {i}");
                assert_eq!(field("label"), expected.label, "{json} {i}");
            }
        }
    }

    #[test]
    fn the_reference_starts_with_the_creation_time_as_the_input_writes_it() {
        for created in [AT, "2026-01-02T03:04:05.250Z", "2026-01-02T05:04:05+02:00"] {
            let key = key(None, created);
            let written = serde_json::to_value(key.created).unwrap();
            assert_eq!(identities(&[key])[0].reference, written.as_str().unwrap());
        }
    }
}
