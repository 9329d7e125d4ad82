//! The policy input: what every rule reads as `input`, `{"snapshot": …, "evaluation": …}`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::error::PolicyError;
use crate::config::Config;
use crate::snapshot::{
    Account, Chunk, CollectionError, Collector, Group, ManagedPolicy, PasswordPolicy, RootUser,
    Snapshot, TerraformPlan, Timestamp,
};

/// The snapshot's lists that come in chunks (see `Chunk`), by their field names.
const LISTS: [&str; 3] = ["users", "roles", "secrets"];

/// The policy input as regorus values, built once per snapshot (or per chunk of a large one)
/// and shared by every rule.
pub struct PolicyInput {
    value: regorus::Value,
    /// The managed policies by ARN, for the chunks' inputs (see `with_chunk`).
    managed_policies: BTreeMap<String, regorus::Value>,
}

impl PolicyInput {
    /// The input of a whole snapshot and `input.evaluation`.
    pub fn new(
        snapshot: &Snapshot,
        evaluation: &serde_json::Value,
    ) -> Result<PolicyInput, PolicyError> {
        let mut input = PolicyInput::header(snapshot, evaluation)?;
        input.extend(Chunk {
            users: &snapshot.users,
            roles: &snapshot.roles,
            secrets: &snapshot.secrets,
        })?;
        Ok(input)
    }

    /// The input of a snapshot's header: everything but its users, roles and secrets, whose
    /// lists are empty (whatever the snapshot holds there).
    pub fn header(
        snapshot: &Snapshot,
        evaluation: &serde_json::Value,
    ) -> Result<PolicyInput, PolicyError> {
        let mut snapshot_value = to_regorus(&SnapshotRest::of(snapshot))?;
        let fields = snapshot_value.as_object_mut().map_err(input_error)?;
        for list in LISTS {
            fields.insert(regorus::Value::from(list), regorus::Value::new_array());
        }
        let policies = fields
            .get(&regorus::Value::from("policies"))
            .and_then(|p| p.as_array().ok())
            .map(|p| p.iter().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        let managed_policies = snapshot
            .policies
            .iter()
            .map(|p| p.arn.clone())
            .zip(policies)
            .collect();
        let mut value = regorus::Value::new_object();
        let input = value.as_object_mut().map_err(input_error)?;
        input.insert(regorus::Value::from("snapshot"), snapshot_value);
        input.insert(regorus::Value::from("evaluation"), to_regorus(evaluation)?);
        Ok(PolicyInput {
            value,
            managed_policies,
        })
    }

    /// The input a chunk is judged on: this (header) input with the chunk's lists, no groups,
    /// and only the managed policies the chunk's users and roles attach. The groups and the
    /// other managed policies are judged once, on the header input; leaving them out keeps
    /// every chunk from judging them again (with 10,000 users of a synthetic account, 2,000
    /// managed policies cost 0.3 s per chunk). The rest is shared, not copied: regorus values
    /// are reference-counted.
    ///
    /// Serialising a large list and parsing it into regorus takes as long as a costly rule, and
    /// no rule can start before it ends, so the users and the secrets are each converted on a
    /// thread of their own while this one does the roles.
    pub fn with_chunk(&self, chunk: Chunk<'_>) -> Result<PolicyInput, PolicyError> {
        let (users, roles, secrets) = std::thread::scope(|scope| {
            let users = scope.spawn(|| to_regorus_list(chunk.users));
            let secrets = scope.spawn(|| to_regorus_list(chunk.secrets));
            let roles = to_regorus_list(chunk.roles);
            let joined = |h: std::thread::ScopedJoinHandle<'_, _>| {
                h.join().expect("serialising a snapshot does not panic")
            };
            (joined(users), roles, joined(secrets))
        });
        let mut input = self.fork();
        for (list, value) in LISTS.into_iter().zip([users?, roles?, secrets?]) {
            *input.field(list)? = value;
        }
        *input.field("groups")? = regorus::Value::new_array();
        *input.field("policies")? = regorus::Value::from(self.attached_policies(chunk));
        Ok(input)
    }

    /// The managed policies a chunk's users and roles attach, by ARN.
    fn attached_policies(&self, chunk: Chunk<'_>) -> Vec<regorus::Value> {
        let users = chunk.users.iter().map(|u| &u.attached_policies);
        let roles = chunk.roles.iter().map(|r| &r.attached_policies);
        let attached: BTreeSet<&str> = users
            .chain(roles)
            .flatten()
            .map(|a| a.arn.as_str())
            .collect();
        self.managed_policies
            .iter()
            .filter(|(arn, _)| attached.contains(arn.as_str()))
            .map(|(_, policy)| policy.clone())
            .collect()
    }

    /// Another input with this one's values (shared, not copied), to change on its own.
    pub fn fork(&self) -> PolicyInput {
        PolicyInput {
            value: self.value.clone(),
            managed_policies: self.managed_policies.clone(),
        }
    }

    /// Appends a chunk's lists to this input's, to build the input of a whole snapshot a
    /// chunk at a time.
    pub fn extend(&mut self, chunk: Chunk<'_>) -> Result<(), PolicyError> {
        let lists = [
            to_regorus_list(chunk.users)?,
            to_regorus_list(chunk.roles)?,
            to_regorus_list(chunk.secrets)?,
        ];
        for (list, mut value) in LISTS.into_iter().zip(lists) {
            let added = value.as_array_mut().map_err(input_error)?;
            self.field(list)?
                .as_array_mut()
                .map_err(input_error)?
                .append(added);
        }
        Ok(())
    }

    /// The input as regorus holds it, for an engine of one's own (`Engine::set_input`).
    pub fn value(&self) -> &regorus::Value {
        &self.value
    }

    /// `input.snapshot.<name>`, to replace or extend.
    fn field(&mut self, name: &str) -> Result<&mut regorus::Value, PolicyError> {
        let missing = || PolicyError::Input(format!("the input has no snapshot.{name}"));
        self.value
            .as_object_mut()
            .map_err(input_error)?
            .get_mut(&regorus::Value::from("snapshot"))
            .ok_or_else(missing)?
            .as_object_mut()
            .map_err(input_error)?
            .get_mut(&regorus::Value::from(name))
            .ok_or_else(missing)
    }
}

impl Drop for PolicyInput {
    /// Frees the input on a thread of its own. A large input is a great many small allocations:
    /// at 10,000 users and 10,000 secrets freeing them took 66-83 ms, which nothing needs to wait
    /// for (the report, or the next account, can go ahead).
    fn drop(&mut self) {
        let value = std::mem::replace(&mut self.value, regorus::Value::Null);
        let policies = std::mem::take(&mut self.managed_policies);
        // Should no thread start, the closure is dropped here and the values with it.
        let _ = std::thread::Builder::new()
            .name("keyward-free-input".to_owned())
            .spawn(move || drop((value, policies)));
    }
}

/// A value as regorus sees it, through its JSON text: regorus parses JSON with the object keys
/// shared, which a value built field by field would not have.
fn to_regorus(value: &impl Serialize) -> Result<regorus::Value, PolicyError> {
    let json = serde_json::to_string(value).map_err(input_error)?;
    regorus::Value::from_json_str(&json).map_err(input_error)
}

/// Elements of a list serialised and parsed into regorus at a time: the JSON text of a whole
/// list of users would be as large as the snapshot file, that of a slice of them is a few
/// hundred kilobytes, and the keys regorus shares within a slice are still shared nearly
/// everywhere.
const CONVERSION_SLICE: usize = 1_000;

/// A list as a regorus array, converted a slice at a time (see `CONVERSION_SLICE`).
fn to_regorus_list<T: Serialize>(items: &[T]) -> Result<regorus::Value, PolicyError> {
    let mut elements = regorus::Value::from(Vec::with_capacity(items.len()));
    let array = elements.as_array_mut().map_err(input_error)?;
    for slice in items.chunks(CONVERSION_SLICE) {
        let mut part = to_regorus(&slice)?;
        array.append(part.as_array_mut().map_err(input_error)?);
    }
    Ok(elements)
}

fn input_error(e: impl std::fmt::Display) -> PolicyError {
    PolicyError::Input(e.to_string())
}

/// A snapshot without its users, roles and secrets, serialised with the same field names.
#[derive(Serialize)]
struct SnapshotRest<'a> {
    schema_version: u32,
    collected_at: &'a Timestamp,
    collector: &'a Collector,
    account: &'a Account,
    root: &'a Option<RootUser>,
    password_policy: &'a Option<PasswordPolicy>,
    groups: &'a [Group],
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
            roles: _,
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

    fn incident() -> (Snapshot, serde_json::Value) {
        let text = include_str!("../../fixtures/incident.json");
        let snapshot = crate::snapshot::parse(std::path::Path::new("incident.json"), text).unwrap();
        assert!(!snapshot.users.is_empty() && !snapshot.roles.is_empty());
        assert!(!snapshot.secrets.is_empty());
        let evaluation = serde_json::json!({"as_of": "2026-11-23T00:00:00Z", "as_of_ns": 1});
        (snapshot, evaluation)
    }

    /// The input built in parts is the input built from the whole snapshot's JSON text.
    #[test]
    fn the_input_built_in_parts_equals_the_whole_snapshot_parsed() {
        let (snapshot, evaluation) = incident();
        let whole = serde_json::json!({"snapshot": snapshot, "evaluation": evaluation});
        let expected = regorus::Value::from_json_str(&whole.to_string()).unwrap();
        let built = PolicyInput::new(&snapshot, &evaluation).unwrap();
        assert_eq!(built.value(), &expected);
    }

    #[test]
    fn an_input_extended_chunk_by_chunk_is_the_whole_input() {
        let (snapshot, evaluation) = incident();
        let mut input = PolicyInput::header(&snapshot, &evaluation).unwrap();
        for chunk in Chunk::all_of(&snapshot, 1) {
            input.extend(chunk).unwrap();
        }
        let whole = PolicyInput::new(&snapshot, &evaluation).unwrap();
        assert_eq!(input.value(), whole.value());
    }

    #[test]
    fn a_chunks_input_has_its_lists_and_the_policies_they_attach() {
        let (snapshot, evaluation) = incident();
        let header = PolicyInput::header(&snapshot, &evaluation).unwrap();
        let user = snapshot
            .users
            .iter()
            .position(|u| !u.attached_policies.is_empty())
            .expect("a user with an attached policy");
        let chunk = Chunk {
            users: &snapshot.users[user..=user],
            ..Chunk::EMPTY
        };
        let input = header.with_chunk(chunk).unwrap();
        let counts = |input: &PolicyInput| {
            ["users", "roles", "secrets", "groups", "policies"]
                .map(|list| input.value()["snapshot"][list].as_array().unwrap().len())
        };
        let attached = snapshot.users[user].attached_policies.len();
        assert_eq!(counts(&input), [1, 0, 0, 0, attached]);
        let arns: Vec<&str> = (0..attached)
            .map(|i| {
                input.value()["snapshot"]["policies"][i]["arn"]
                    .as_string()
                    .unwrap()
                    .as_ref()
            })
            .collect();
        for policy in &snapshot.users[user].attached_policies {
            assert!(arns.contains(&policy.arn.as_str()), "{arns:?}");
        }
        // The header input is left as it was.
        let groups = snapshot.groups.len();
        assert_eq!(counts(&header), [0, 0, 0, groups, snapshot.policies.len()]);
    }
}
