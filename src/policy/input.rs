//! The policy input: what every rule reads as `input`: `{"snapshot": …, "evaluation": …,
//! "access": …, "schedules": …, "third_party_keys": …}`. `access` is the effective access worked
//! out by keyward's access model (`model::access::AccessSummary`), `schedules` the longest gap of
//! each rotation schedule expression of the snapshot (`schedule::Schedule`, keyed by the
//! expression as written), `third_party_keys` the third-party key markers found in each secret
//! that has some (`third_party_markers`), by ARN.
//!
//! A large account is judged a chunk of users, roles or secrets at a time (see `with_chunk`):
//! a chunk's input holds, beside its lists, the access model's entries for its users, roles and
//! secrets (`access.principals`, `access.secrets`) and its secrets' schedules and markers; what
//! the access model says about the account as a whole (`basis`, `grants`, `outside`,
//! `every_secret`, `unreadable_policies`) is in every chunk's input. The access model itself is
//! always worked out on the whole account before any rule runs.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::error::PolicyError;
use super::key_identity;
use super::regorus_value;
use super::schedule::{self, Schedule};
use super::secret_history;
use crate::config::Config;
use crate::model::access::{
    AccessBasis, AccessSummary, EverySecret, HolderGrant, OutsideReader, PrincipalAccess,
    SecretAccess, UnreadablePolicy,
};
use crate::snapshot::{
    AccessKey, Account, Chunk, CollectionError, Collector, Detective, Group, ManagedPolicy,
    Organization, PasswordPolicy, RootUser, Secret, Snapshot, TerraformPlan, Timestamp, User,
};

/// The snapshot's lists that come in chunks (see `Chunk`), by their field names.
const LISTS: [&str; 3] = ["users", "roles", "secrets"];

/// The parts of the input, beside the snapshot's lists, that hold entries about the chunk's
/// users, roles and secrets, by their paths in the input: the access model's, which wait for
/// it, and those about the secrets alone.
const ACCESS_PARTS: [[&str; 2]; 2] = [["access", "principals"], ["access", "secrets"]];
const SECRET_PARTS: [[&str; 2]; 2] = [["schedules", ""], ["third_party_keys", ""]];

/// The policy input as regorus values, built once per snapshot (or per chunk of a large one)
/// and shared by every rule.
pub struct PolicyInput {
    value: regorus::Value,
    /// The managed policies by ARN, for the chunks' inputs (see `with_chunk`).
    managed_policies: BTreeMap<String, regorus::Value>,
    /// The account's effective access, whose entries each chunk's input takes its part of, and
    /// which the report keeps (`take_access`). Shared by an input and its forks.
    access: Option<Arc<AccessSummary>>,
    /// The third-party key markers of `input.evaluation` (lower case).
    markers: Vec<String>,
    /// `input.evaluation.as_of_ns`, which the secrets' `history` counts to.
    as_of_ns: i64,
    /// Whether dropping the input frees it on a thread of its own (see `Drop`).
    free_aside: bool,
}

impl PolicyInput {
    /// The input of a whole snapshot and `input.evaluation`, with the access model worked out
    /// on it as of `evaluation.as_of` (on a thread of its own while the snapshot is converted).
    pub fn new(
        snapshot: &Snapshot,
        evaluation: &serde_json::Value,
    ) -> Result<PolicyInput, PolicyError> {
        let as_of = evaluation["as_of"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(snapshot.collected_at, |t| t.with_timezone(&Utc));
        let whole = Chunk::whole(snapshot);
        let (access, input) = std::thread::scope(|scope| {
            let access = scope.spawn(|| crate::access::summarize(snapshot, as_of));
            let input = PolicyInput::without_access(snapshot, evaluation).and_then(|mut input| {
                input.extend_lists(whole)?;
                input.extend_parts(SECRET_PARTS, input.secret_parts(whole)?)?;
                Ok(input)
            });
            (
                access.join().expect("the access model does not panic"),
                input,
            )
        });
        let mut input = input?;
        input.set_access(access)?;
        input.extend_parts(ACCESS_PARTS, input.access_parts(whole)?)?;
        Ok(input)
    }

    /// The input of a snapshot's header: everything but its users, roles and secrets, whose
    /// lists are empty (whatever the snapshot holds there), with `access`, the account's
    /// effective access worked out on the whole snapshot, of which it holds what is about the
    /// account as a whole (the entries of users, roles and secrets come with their chunks).
    pub fn header(
        snapshot: &Snapshot,
        evaluation: &serde_json::Value,
        access: AccessSummary,
    ) -> Result<PolicyInput, PolicyError> {
        let mut input = PolicyInput::without_access(snapshot, evaluation)?;
        input.set_access(access)?;
        Ok(input)
    }

    fn without_access(
        snapshot: &Snapshot,
        evaluation: &serde_json::Value,
    ) -> Result<PolicyInput, PolicyError> {
        let mut snapshot_value = to_regorus(&SnapshotRest::of(snapshot))?;
        let fields = snapshot_value.as_object_mut().map_err(input_error)?;
        if let Some(root) = &snapshot.root {
            let value = fields.get_mut(&regorus::Value::from("root"));
            add_key_identities(
                value.ok_or_else(|| missing("snapshot.root"))?,
                &root.access_keys,
            )?;
        }
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
        for part in ["schedules", "third_party_keys"] {
            input.insert(regorus::Value::from(part), regorus::Value::new_object());
        }
        Ok(PolicyInput {
            value,
            managed_policies,
            access: None,
            markers: markers_of(evaluation),
            as_of_ns: evaluation["as_of_ns"]
                .as_i64()
                .ok_or_else(|| missing("evaluation.as_of_ns"))?,
            free_aside: true,
        })
    }

    /// Sets `input.access` to what the access model says about the account as a whole, with no
    /// entries of users, roles or secrets yet.
    fn set_access(&mut self, access: AccessSummary) -> Result<(), PolicyError> {
        let AccessSummary {
            basis,
            principals: _,
            secrets: _,
            grants,
            outside,
            assumers,
            every_secret,
            unreadable_policies,
        } = &access;
        let account_wide = to_regorus(&AccessPart {
            basis,
            principals: BTreeMap::new(),
            secrets: BTreeMap::new(),
            grants,
            outside,
            assumers,
            every_secret,
            unreadable_policies,
        })?;
        self.value
            .as_object_mut()
            .map_err(input_error)?
            .insert(regorus::Value::from("access"), account_wide);
        self.access = Some(Arc::new(access));
        Ok(())
    }

    /// The input a chunk is judged on: this (header) input with the chunk's lists and the
    /// access model's, schedules' and markers' entries about them, no groups, and only the
    /// managed policies the chunk's users and roles attach. The groups and the other managed
    /// policies are judged once, on the header input; leaving them out keeps every chunk from
    /// judging them again (with 10,000 users of a synthetic account, 2,000 managed policies
    /// cost 0.3 s per chunk). The rest is shared, not copied: regorus values are
    /// reference-counted.
    ///
    /// Converting a large list into regorus takes as long as a costly rule, and no rule can
    /// start before it ends, so the users and the secrets (with their schedules and
    /// markers) are each converted on a thread of their own while this one does the roles and
    /// the access model's entries.
    pub fn with_chunk(&self, chunk: Chunk<'_>) -> Result<PolicyInput, PolicyError> {
        let (users, roles, secrets, access_parts) = std::thread::scope(|scope| {
            let users = scope.spawn(|| users_to_regorus(chunk.users));
            let secrets = scope.spawn(|| {
                Ok::<_, PolicyError>((
                    self.secrets_to_regorus(chunk.secrets)?,
                    self.secret_parts(chunk)?,
                ))
            });
            let roles = to_regorus(chunk.roles);
            let access_parts = self.access_parts(chunk);
            (joined(users), roles, joined(secrets), access_parts)
        });
        let (secrets, secret_parts) = secrets?;
        let mut input = self.fork();
        // Freed in place: the next chunk's input is built as soon as this one is let go, and
        // freed aside the two would be held at once.
        input.free_aside = false;
        for (list, value) in LISTS.into_iter().zip([users?, roles?, secrets]) {
            *input.field(list)? = value;
        }
        *input.field("groups")? = regorus::Value::new_array();
        *input.field("policies")? = regorus::Value::from(self.attached_policies(chunk));
        let parts = ACCESS_PARTS.into_iter().zip(access_parts?);
        for (path, value) in parts.chain(SECRET_PARTS.into_iter().zip(secret_parts)) {
            *input.at(path)? = value;
        }
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

    /// The access model's entries about a chunk's users and roles, and about its secrets, in
    /// `ACCESS_PARTS` order (empty objects without the model), converted side by side.
    fn access_parts(&self, chunk: Chunk<'_>) -> Result<[regorus::Value; 2], PolicyError> {
        let Some(access) = &self.access else {
            return Ok([regorus::Value::new_object(), regorus::Value::new_object()]);
        };
        let users = chunk.users.iter().map(|u| &u.arn);
        let roles = chunk.roles.iter().map(|r| &r.arn);
        let principals: BTreeMap<&str, &PrincipalAccess> = users
            .chain(roles)
            .filter_map(|arn| Some((arn.as_str(), access.principals.get(arn)?)))
            .collect();
        let secrets: BTreeMap<&str, &SecretAccess> = chunk
            .secrets
            .iter()
            .filter_map(|s| Some((s.arn.as_str(), access.secrets.get(&s.arn)?)))
            .collect();
        std::thread::scope(|scope| {
            let principals = scope.spawn(|| to_regorus(&principals));
            let secrets = to_regorus(&secrets);
            Ok([joined(principals)?, secrets?])
        })
    }

    /// The entries about a chunk's secrets that need no access model, in `SECRET_PARTS` order:
    /// their schedules and third-party key markers.
    fn secret_parts(&self, chunk: Chunk<'_>) -> Result<[regorus::Value; 2], PolicyError> {
        Ok([
            to_regorus(&schedules(chunk.secrets))?,
            to_regorus(&third_party_keys(chunk.secrets, &self.markers))?,
        ])
    }

    /// Secrets as a regorus array, each with its `history` (`secret_history`): how long ago it
    /// last rotated and was last read, as messages say it. Serialised with the secret rather
    /// than added to its value afterwards, which would turn each secret's compact object into a
    /// tree with keys of its own.
    fn secrets_to_regorus(&self, secrets: &[Secret]) -> Result<regorus::Value, PolicyError> {
        let with_history: Vec<SecretInput> = secrets
            .iter()
            .map(|secret| SecretInput {
                secret,
                history: secret_history::history(secret, self.as_of_ns),
            })
            .collect();
        to_regorus(&with_history)
    }

    /// Another input with this one's values (shared, not copied), to change on its own.
    pub fn fork(&self) -> PolicyInput {
        PolicyInput {
            value: self.value.clone(),
            managed_policies: self.managed_policies.clone(),
            access: self.access.clone(),
            markers: self.markers.clone(),
            as_of_ns: self.as_of_ns,
            free_aside: true,
        }
    }

    /// Appends a chunk's lists, and the entries about them, to this input's, to build the input
    /// of a whole snapshot a chunk at a time.
    pub fn extend(&mut self, chunk: Chunk<'_>) -> Result<(), PolicyError> {
        self.extend_lists(chunk)?;
        self.extend_parts(ACCESS_PARTS, self.access_parts(chunk)?)?;
        self.extend_parts(SECRET_PARTS, self.secret_parts(chunk)?)
    }

    fn extend_lists(&mut self, chunk: Chunk<'_>) -> Result<(), PolicyError> {
        let lists = [
            users_to_regorus(chunk.users)?,
            to_regorus(chunk.roles)?,
            self.secrets_to_regorus(chunk.secrets)?,
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

    /// Adds the entries of `values` to the objects at `paths`.
    fn extend_parts(
        &mut self,
        paths: [[&str; 2]; 2],
        values: [regorus::Value; 2],
    ) -> Result<(), PolicyError> {
        for (path, mut value) in paths.into_iter().zip(values) {
            let added = value.as_object_mut().map_err(input_error)?;
            self.at(path)?
                .as_object_mut()
                .map_err(input_error)?
                .append(added);
        }
        Ok(())
    }

    /// The input as regorus holds it, for an engine of one's own (`Engine::set_input`).
    pub fn value(&self) -> &regorus::Value {
        &self.value
    }

    /// The effective access of the input, for the report (once: it is moved out).
    pub fn take_access(&mut self) -> Option<AccessSummary> {
        let shared = self.access.take()?;
        Some(Arc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone()))
    }

    /// `input.snapshot.<name>`, to replace or extend.
    fn field(&mut self, name: &str) -> Result<&mut regorus::Value, PolicyError> {
        self.at(["snapshot", name])
    }

    /// `input.<path[0]>`, or `input.<path[0]>.<path[1]>` when `path[1]` is not empty.
    fn at(&mut self, path: [&str; 2]) -> Result<&mut regorus::Value, PolicyError> {
        let mut value = &mut self.value;
        for name in path.into_iter().filter(|n| !n.is_empty()) {
            value = value
                .as_object_mut()
                .map_err(input_error)?
                .get_mut(&regorus::Value::from(name))
                .ok_or_else(|| missing(&path.join(".")))?;
        }
        Ok(value)
    }
}

/// `AccessSummary` with its entries of users, roles and secrets borrowed (some of them, or
/// none), serialised with the same field names.
#[derive(Serialize)]
struct AccessPart<'a> {
    basis: &'a AccessBasis,
    principals: BTreeMap<&'a str, &'a PrincipalAccess>,
    secrets: BTreeMap<&'a str, &'a SecretAccess>,
    grants: &'a [HolderGrant],
    outside: &'a [OutsideReader],
    assumers: &'a [HolderGrant],
    every_secret: &'a EverySecret,
    unreadable_policies: &'a [UnreadablePolicy],
}

/// The rotation schedule of every schedule expression of these secrets, by the expression as
/// written; expressions AWS would reject are left out (the rules then fall back to
/// AutomaticallyAfterDays or NextRotationDate).
fn schedules(secrets: &[Secret]) -> BTreeMap<&str, Schedule> {
    // Each expression once: many secrets share a schedule, and working out a cron schedule's
    // longest gap walks the calendar (at 10,000 secrets, parsing each secret's took 40 ms).
    let expressions: BTreeSet<&str> = secrets
        .iter()
        .filter_map(|s| s.rotation.rules.as_ref()?.schedule_expression.as_deref())
        .collect();
    expressions
        .into_iter()
        .filter_map(|expression| Some((expression, schedule::parse(expression)?)))
        .collect()
}

impl Drop for PolicyInput {
    /// Frees the input on a thread of its own, but a chunk's. A large input is a great many
    /// small allocations: at 10,000 users and 10,000 secrets freeing them took 66-83 ms, which
    /// nothing needs to wait for (the report, or the next account, can go ahead).
    fn drop(&mut self) {
        if !self.free_aside {
            return;
        }
        let value = std::mem::replace(&mut self.value, regorus::Value::Null);
        let policies = std::mem::take(&mut self.managed_policies);
        // Should no thread start, the closure is dropped here and the values with it.
        let _ = std::thread::Builder::new()
            .name("keyward-free-input".to_owned())
            .spawn(move || drop((value, policies)));
    }
}

/// What a thread of a scope returned; a panic goes on in the caller.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// A value as regorus sees it (see `regorus_value`).
fn to_regorus<T: Serialize + ?Sized>(value: &T) -> Result<regorus::Value, PolicyError> {
    regorus_value::to_value(value).map_err(input_error)
}

/// Users as a regorus array, each access key with its identity.
fn users_to_regorus(users: &[User]) -> Result<regorus::Value, PolicyError> {
    let mut list = to_regorus(users)?;
    let values = list.as_array_mut().map_err(input_error)?;
    for (value, user) in values.iter_mut().zip(users) {
        add_key_identities(value, &user.access_keys)?;
    }
    Ok(list)
}

/// Puts on each access key of a user's or the root user's value its `identity`
/// (`key_identity`): how findings name the key.
fn add_key_identities(
    principal: &mut regorus::Value,
    keys: &[AccessKey],
) -> Result<(), PolicyError> {
    if keys.is_empty() {
        return Ok(());
    }
    let fields = principal.as_object_mut().map_err(input_error)?;
    let values = fields
        .get_mut(&regorus::Value::from("access_keys"))
        .ok_or_else(|| missing("access_keys"))?
        .as_array_mut()
        .map_err(input_error)?;
    for (value, identity) in values.iter_mut().zip(key_identity::identities(keys)) {
        value
            .as_object_mut()
            .map_err(input_error)?
            .insert("identity".into(), identity.into_value());
    }
    Ok(())
}

fn missing(field: &str) -> PolicyError {
    PolicyError::Input(format!("the input has no {field}"))
}

fn input_error(e: impl std::fmt::Display) -> PolicyError {
    PolicyError::Input(e.to_string())
}

/// A secret as the input holds it: its fields and its `history`.
#[derive(Serialize)]
struct SecretInput<'a> {
    #[serde(flatten)]
    secret: &'a Secret,
    history: secret_history::History,
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
    organization: &'a Option<Organization>,
    detective: &'a Option<Detective>,
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
            organization,
            detective,
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
            organization,
            detective,
            collection_errors,
            terraform,
        }
    }
}

/// The markers of `input.evaluation` (lower case).
fn markers_of(evaluation: &serde_json::Value) -> Vec<String> {
    evaluation["third_party_key_markers"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|m| m.as_str())
                .filter(|m| !m.is_empty())
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default()
}

/// The secrets that look like third-party API keys, with the markers found in each, by ARN.
fn third_party_keys<'a>(
    secrets: &'a [Secret],
    markers: &[String],
) -> BTreeMap<&'a str, Vec<String>> {
    secrets
        .iter()
        .filter_map(|s| {
            let found = third_party_markers(s, markers);
            (!found.is_empty()).then_some((s.arn.as_str(), found))
        })
        .collect()
}

/// The markers (lower case) a secret's name, description, tag keys or tag values contain,
/// ignoring case, sorted: what makes it look like a third-party API key (KW-SM-006, KW-SM-009,
/// `keyward access`). Each text is searched on its own, so a marker never spans two of them.
pub fn third_party_markers(secret: &Secret, markers: &[String]) -> Vec<String> {
    let texts: Vec<String> = std::iter::once(&secret.name)
        .chain(secret.description.as_ref())
        .chain(secret.tags.iter().flat_map(|(k, v)| [k, v]))
        .map(|text| text.to_lowercase())
        .collect();
    let mut found: Vec<String> = markers
        .iter()
        .filter(|m| texts.iter().any(|text| text.contains(m.as_str())))
        .cloned()
        .collect();
    found.sort();
    found.dedup();
    found
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
        let evaluation = serde_json::json!({
            "as_of": "2026-11-23T00:00:00Z",
            "as_of_ns": AS_OF_NS
        });
        (snapshot, evaluation)
    }

    fn access(snapshot: &Snapshot) -> AccessSummary {
        crate::access::summarize(snapshot, "2026-11-23T00:00:00Z".parse().unwrap())
    }

    const AS_OF_NS: i64 = 1_795_392_000_000_000_000;

    /// The snapshot's JSON with each access key of a user or of the root user carrying its
    /// identity, and each secret its history.
    fn with_derived_fields(snapshot: &Snapshot) -> serde_json::Value {
        let mut value = serde_json::to_value(snapshot).unwrap();
        let secrets = value["secrets"].as_array_mut().unwrap().iter_mut();
        for (value, secret) in secrets.zip(&snapshot.secrets) {
            value["history"] =
                serde_json::to_value(secret_history::history(secret, AS_OF_NS)).unwrap();
        }
        let mut root_value = value["root"].take();
        let users = snapshot.users.iter().map(|u| &u.access_keys);
        let owners = users.zip(value["users"].as_array_mut().unwrap().iter_mut());
        let root = snapshot.root.as_ref().map(|r| &r.access_keys);
        for (keys, owner) in owners.chain(root.zip(Some(&mut root_value))) {
            let identities = key_identity::identities(keys);
            let values = owner["access_keys"].as_array_mut().unwrap();
            for (value, identity) in values.iter_mut().zip(identities) {
                value["identity"] =
                    serde_json::json!({"ref": identity.reference, "label": identity.label});
            }
        }
        value["root"] = root_value;
        value
    }

    /// The input built in parts is the input built from the whole snapshot's JSON text (each
    /// access key with its identity, each secret with its history), with the access model's
    /// summary whole.
    #[test]
    fn the_input_built_in_parts_equals_the_whole_snapshot_parsed() {
        let (snapshot, evaluation) = incident();
        assert!(snapshot.users.iter().any(|u| !u.access_keys.is_empty()));
        assert!(
            snapshot
                .root
                .as_ref()
                .is_some_and(|r| !r.access_keys.is_empty())
        );
        let whole = serde_json::json!({
            "snapshot": with_derived_fields(&snapshot),
            "evaluation": evaluation,
        });
        let expected = regorus::Value::from_json_str(&whole.to_string()).unwrap();
        let mut built = PolicyInput::new(&snapshot, &evaluation).unwrap();
        assert_eq!(built.value()["snapshot"], expected["snapshot"]);
        assert_eq!(built.value()["evaluation"], expected["evaluation"]);
        let access = built.take_access().unwrap();
        let access_value =
            regorus::Value::from_json_str(&serde_json::to_string(&access).unwrap()).unwrap();
        assert_eq!(built.value()["access"], access_value);
        assert!(!access.secrets.is_empty() && !access.principals.is_empty());
        let keys = third_party_keys(&snapshot.secrets, &[]);
        assert_eq!(
            built.value()["third_party_keys"],
            to_regorus(&keys).unwrap()
        );
    }

    #[test]
    fn an_input_extended_chunk_by_chunk_is_the_whole_input() {
        let (snapshot, evaluation) = incident();
        let mut input = PolicyInput::header(&snapshot, &evaluation, access(&snapshot)).unwrap();
        for chunk in Chunk::all_of(&snapshot, 1) {
            input.extend(chunk).unwrap();
        }
        let whole = PolicyInput::new(&snapshot, &evaluation).unwrap();
        assert_eq!(input.value(), whole.value());
    }

    #[test]
    fn a_chunks_input_has_its_lists_and_the_policies_they_attach() {
        let (snapshot, evaluation) = incident();
        let header = PolicyInput::header(&snapshot, &evaluation, access(&snapshot)).unwrap();
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

    /// Each chunk's input holds the access model's entries of its own users, roles and secrets
    /// and what is about the whole account; the header's holds no entries.
    #[test]
    fn a_chunks_input_has_the_access_of_its_users_roles_and_secrets() {
        let (snapshot, evaluation) = incident();
        let summary = access(&snapshot);
        let header = PolicyInput::header(&snapshot, &evaluation, summary.clone()).unwrap();
        let entries = |input: &PolicyInput, part: &str| -> Vec<String> {
            let map = input.value()["access"][part].as_object().unwrap();
            map.keys()
                .map(|k| k.as_string().unwrap().to_string())
                .collect()
        };
        assert!(entries(&header, "principals").is_empty());
        assert!(entries(&header, "secrets").is_empty());
        let (mut principals, mut secrets) = (Vec::new(), Vec::new());
        for chunk in Chunk::all_of(&snapshot, 2) {
            let input = header.with_chunk(chunk).unwrap();
            assert_eq!(
                input.value()["access"]["grants"],
                header.value()["access"]["grants"]
            );
            let arns: Vec<&String> = chunk.users.iter().map(|u| &u.arn).collect();
            let roles: Vec<&String> = chunk.roles.iter().map(|r| &r.arn).collect();
            for arn in entries(&input, "principals") {
                assert!(arns.contains(&&arn) || roles.contains(&&arn), "{arn}");
                principals.push(arn);
            }
            for arn in entries(&input, "secrets") {
                assert!(chunk.secrets.iter().any(|s| s.arn == arn), "{arn}");
                secrets.push(arn);
            }
        }
        principals.sort();
        secrets.sort();
        assert_eq!(
            principals,
            summary.principals.keys().cloned().collect::<Vec<_>>()
        );
        assert_eq!(secrets, summary.secrets.keys().cloned().collect::<Vec<_>>());
    }

    #[test]
    fn markers_are_found_in_names_descriptions_and_tags_ignoring_case() {
        let mut secret: Secret = serde_json::from_value(serde_json::json!({
            "arn": "arn:aws:secretsmanager:us-east-1:1:secret:x", "name": "prod/OpenAI-key", "region": "us-east-1",
            "rotation": {"enabled": false}, "tags": {"Provider": "Anthropic", "api_key": "yes"},
        }))
        .unwrap();
        let markers = ["openai", "anthropic", "api_key", "mistral"].map(str::to_owned);
        assert_eq!(
            third_party_markers(&secret, &markers),
            ["anthropic", "api_key", "openai"]
        );
        secret.name = "team/open".to_owned();
        secret.tags.clear();
        secret.description = Some("ai evaluation".to_owned());
        assert!(
            third_party_markers(&secret, &markers).is_empty(),
            "a marker never spans two texts"
        );
        secret.description = Some("Org-level OpenAI key".to_owned());
        assert_eq!(third_party_markers(&secret, &markers), ["openai"]);
        let evaluation = serde_json::json!({"third_party_key_markers": ["OpenAI", ""]});
        assert_eq!(markers_of(&evaluation), ["openai"]);
    }

    #[test]
    fn the_input_carries_each_schedule_expression_once_with_its_longest_gap() {
        let text = include_str!("../../fixtures/incident.json");
        let mut snapshot =
            crate::snapshot::parse(std::path::Path::new("incident.json"), text).unwrap();
        let rules = crate::snapshot::RotationRules {
            schedule_expression: Some("cron(0 0 1 JAN,APR,JUL,OCT ? *)".to_owned()),
            ..Default::default()
        };
        snapshot.secrets[0].rotation.rules = Some(rules.clone());
        snapshot.secrets[1].rotation.rules = Some(rules);
        let table = schedules(&snapshot.secrets);
        assert_eq!(
            table["cron(0 0 1 JAN,APR,JUL,OCT ? *)"].days,
            serde_json::Number::from(92)
        );
    }
}
