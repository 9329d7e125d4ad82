//! The policy input: what every rule reads as `input`, `{"snapshot": …, "evaluation": …}`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::error::PolicyError;
use crate::config::Config;
use crate::snapshot::{
    Account, CollectionError, Collector, Group, ManagedPolicy, PasswordPolicy, Role, RootUser,
    Snapshot, TerraformPlan, Timestamp,
};

/// The policy input as regorus values, built once per snapshot and shared by every rule.
pub struct PolicyInput {
    value: regorus::Value,
}

impl PolicyInput {
    /// Builds the input from a snapshot and `input.evaluation`.
    ///
    /// Serialising a large snapshot and parsing it into regorus takes as long as a costly rule
    /// (about 145 ms at 10,000 users and 10,000 secrets), and no rule can start before it ends.
    /// Users and secrets make up nearly all of it, so each of the two is serialised and parsed on
    /// a thread of its own while this one does the rest.
    pub fn new(
        snapshot: &Snapshot,
        evaluation: &serde_json::Value,
    ) -> Result<PolicyInput, PolicyError> {
        let (users, secrets, rest) = std::thread::scope(|scope| {
            let users = scope.spawn(|| to_regorus(&snapshot.users));
            let secrets = scope.spawn(|| to_regorus(&snapshot.secrets));
            let rest = to_regorus(&SnapshotRest::of(snapshot));
            let joined = |h: std::thread::ScopedJoinHandle<'_, _>| {
                h.join().expect("serialising a snapshot does not panic")
            };
            (joined(users), joined(secrets), rest)
        });
        let mut snapshot_value = rest?;
        let fields = snapshot_value.as_object_mut().map_err(input_error)?;
        fields.insert(regorus::Value::from("users"), users?);
        fields.insert(regorus::Value::from("secrets"), secrets?);
        let mut value = regorus::Value::new_object();
        let input = value.as_object_mut().map_err(input_error)?;
        input.insert(regorus::Value::from("snapshot"), snapshot_value);
        input.insert(regorus::Value::from("evaluation"), to_regorus(evaluation)?);
        Ok(PolicyInput { value })
    }

    /// The input as regorus holds it, for an engine of one's own (`Engine::set_input`).
    pub fn value(&self) -> &regorus::Value {
        &self.value
    }
}

impl Drop for PolicyInput {
    /// Frees the input on a thread of its own. A large input is a great many small allocations:
    /// at 10,000 users and 10,000 secrets freeing them took 66-83 ms, which nothing needs to wait
    /// for (the report, or the next account, can go ahead).
    fn drop(&mut self) {
        let value = std::mem::replace(&mut self.value, regorus::Value::Null);
        // Should no thread start, the closure is dropped here and the value with it.
        let _ = std::thread::Builder::new()
            .name("keyward-free-input".to_owned())
            .spawn(move || drop(value));
    }
}

/// A value as regorus sees it, through its JSON text: regorus parses JSON with the object keys
/// shared, which a value built field by field would not have.
fn to_regorus(value: &impl Serialize) -> Result<regorus::Value, PolicyError> {
    let json = serde_json::to_string(value).map_err(input_error)?;
    regorus::Value::from_json_str(&json).map_err(input_error)
}

fn input_error(e: impl std::fmt::Display) -> PolicyError {
    PolicyError::Input(e.to_string())
}

/// A snapshot without its users and secrets, serialised with the same field names.
#[derive(Serialize)]
struct SnapshotRest<'a> {
    schema_version: u32,
    collected_at: &'a Timestamp,
    collector: &'a Collector,
    account: &'a Account,
    root: &'a Option<RootUser>,
    password_policy: &'a Option<PasswordPolicy>,
    groups: &'a [Group],
    roles: &'a [Role],
    policies: &'a [ManagedPolicy],
    collection_errors: &'a [CollectionError],
    #[serde(skip_serializing_if = "Option::is_none")]
    terraform: &'a Option<TerraformPlan>,
}

impl<'a> SnapshotRest<'a> {
    fn of(snapshot: &'a Snapshot) -> Self {
        // Every field named, none with `..`: a field added to Snapshot stops the build here
        // instead of going missing from the policy input.
        let Snapshot {
            schema_version,
            collected_at,
            collector,
            account,
            root,
            password_policy,
            users: _,
            groups,
            roles,
            policies,
            secrets: _,
            collection_errors,
            terraform,
        } = snapshot;
        SnapshotRest {
            schema_version: *schema_version,
            collected_at,
            collector,
            account,
            root,
            password_policy,
            groups,
            roles,
            policies,
            collection_errors,
            terraform,
        }
    }
}

/// `input.evaluation`: the time and limits the rules measure against.
pub fn evaluation_input(config: &Config, as_of: DateTime<Utc>) -> serde_json::Value {
    json!({
        "as_of": as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "as_of_ns": as_of.timestamp_nanos_opt().unwrap_or(i64::MAX),
        "thresholds": config.thresholds,
        "third_party_key_markers": config
            .third_party_key_markers
            .iter()
            .map(|m| m.to_lowercase())
            .collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The input built in parts is the input built from the whole snapshot's JSON text.
    #[test]
    fn the_input_built_in_parts_equals_the_whole_snapshot_parsed() {
        let text = include_str!("../../fixtures/incident.json");
        let snapshot = crate::snapshot::parse(std::path::Path::new("incident.json"), text).unwrap();
        let evaluation = serde_json::json!({"as_of": "2026-11-23T00:00:00Z", "as_of_ns": 1});
        let whole = serde_json::json!({"snapshot": snapshot, "evaluation": evaluation});
        let expected = regorus::Value::from_json_str(&whole.to_string()).unwrap();
        let built = PolicyInput::new(&snapshot, &evaluation).unwrap();
        assert_eq!(built.value(), &expected);
        assert!(!snapshot.users.is_empty() && !snapshot.secrets.is_empty());
    }
}
