//! The policy input: what every rule reads as `input`: `{"snapshot": …, "evaluation": …,
//! "access": …, "schedules": …, "third_party_keys": …}`. `access` is the effective access worked
//! out by keyward's access model (`model::access::AccessSummary`), `schedules` the longest gap of
//! each rotation schedule expression of the snapshot (`schedule::Schedule`, keyed by the
//! expression as written), `third_party_keys` the third-party key markers found in each secret
//! that has some (`third_party_markers`), by ARN.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::error::PolicyError;
use super::schedule::{self, Schedule};
use crate::config::Config;
use crate::model::access::AccessSummary;
use crate::snapshot::{
    Account, CollectionError, Collector, Detective, Group, ManagedPolicy, Organization,
    PasswordPolicy, Role, RootUser, Secret, Snapshot, TerraformPlan, Timestamp,
};

/// The policy input as regorus values, built once per snapshot and shared by every rule.
pub struct PolicyInput {
    value: regorus::Value,
    /// The effective access the input carries, kept for the report.
    access: Option<AccessSummary>,
}

impl PolicyInput {
    /// Builds the input from a snapshot and `input.evaluation`.
    ///
    /// Serialising a large snapshot and parsing it into regorus takes as long as a costly rule
    /// (about 145 ms at 10,000 users and 10,000 secrets), and no rule can start before it ends.
    /// Users and secrets make up nearly all of it, so each of the two is serialised and parsed on
    /// a thread of its own, and the access model works on a third, while this one does the rest.
    /// The access model judges conditions on dates as of `evaluation.as_of`.
    pub fn new(
        snapshot: &Snapshot,
        evaluation: &serde_json::Value,
    ) -> Result<PolicyInput, PolicyError> {
        let as_of = evaluation["as_of"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(snapshot.collected_at, |t| t.with_timezone(&Utc));
        let (users, secrets, access, rest) = std::thread::scope(|scope| {
            let users = scope.spawn(|| to_regorus(&snapshot.users));
            let secrets = scope.spawn(|| to_regorus(&snapshot.secrets));
            let access = scope.spawn(|| {
                let access = crate::access::summarize(snapshot, as_of);
                let value = to_regorus(&access);
                (access, value)
            });
            let rest = to_regorus(&SnapshotRest::of(snapshot));
            let schedules = to_regorus(&schedules(snapshot));
            let keys = to_regorus(&third_party_keys(snapshot, &markers_of(evaluation)));
            let joined = |h: std::thread::ScopedJoinHandle<'_, _>| {
                h.join().expect("building the input does not panic")
            };
            (
                joined(users),
                joined(secrets),
                access.join().expect("the access model does not panic"),
                rest.and_then(|rest| Ok((rest, schedules?, keys?))),
            )
        });
        let (mut snapshot_value, schedules, keys) = rest?;
        let fields = snapshot_value.as_object_mut().map_err(input_error)?;
        fields.insert(regorus::Value::from("users"), users?);
        fields.insert(regorus::Value::from("secrets"), secrets?);
        let (access, access_value) = access;
        let mut value = regorus::Value::new_object();
        let input = value.as_object_mut().map_err(input_error)?;
        input.insert(regorus::Value::from("snapshot"), snapshot_value);
        input.insert(regorus::Value::from("evaluation"), to_regorus(evaluation)?);
        input.insert(regorus::Value::from("access"), access_value?);
        input.insert(regorus::Value::from("schedules"), schedules);
        input.insert(regorus::Value::from("third_party_keys"), keys);
        Ok(PolicyInput {
            value,
            access: Some(access),
        })
    }

    /// The input as regorus holds it, for an engine of one's own (`Engine::set_input`).
    pub fn value(&self) -> &regorus::Value {
        &self.value
    }

    /// The effective access of the input, for the report (once: it is moved out).
    pub fn take_access(&mut self) -> Option<AccessSummary> {
        self.access.take()
    }
}

/// The rotation schedule of every schedule expression in the snapshot, by the expression as
/// written; expressions AWS would reject are left out (the rules then fall back to
/// AutomaticallyAfterDays or NextRotationDate).
fn schedules(snapshot: &Snapshot) -> BTreeMap<&str, Schedule> {
    snapshot
        .secrets
        .iter()
        .filter_map(|s| s.rotation.rules.as_ref()?.schedule_expression.as_deref())
        .filter_map(|expression| Some((expression, schedule::parse(expression)?)))
        .collect()
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
            roles,
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
            roles,
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
    snapshot: &'a Snapshot,
    markers: &[String],
) -> BTreeMap<&'a str, Vec<String>> {
    snapshot
        .secrets
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

    /// The input built in parts is the input built from the whole snapshot's JSON text.
    #[test]
    fn the_input_built_in_parts_equals_the_whole_snapshot_parsed() {
        let text = include_str!("../../fixtures/incident.json");
        let snapshot = crate::snapshot::parse(std::path::Path::new("incident.json"), text).unwrap();
        let evaluation = serde_json::json!({"as_of": "2026-11-23T00:00:00Z", "as_of_ns": 1});
        let whole = serde_json::json!({"snapshot": snapshot, "evaluation": evaluation});
        let expected = regorus::Value::from_json_str(&whole.to_string()).unwrap();
        let mut built = PolicyInput::new(&snapshot, &evaluation).unwrap();
        assert_eq!(built.value()["snapshot"], expected["snapshot"]);
        assert_eq!(built.value()["evaluation"], expected["evaluation"]);
        assert!(!snapshot.users.is_empty() && !snapshot.secrets.is_empty());
        let access = built.take_access().unwrap();
        let access_value =
            regorus::Value::from_json_str(&serde_json::to_string(&access).unwrap()).unwrap();
        assert_eq!(built.value()["access"], access_value);
        assert!(!access.secrets.is_empty());
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
        let table = schedules(&snapshot);
        assert_eq!(
            table["cron(0 0 1 JAN,APR,JUL,OCT ? *)"].days,
            serde_json::Number::from(92)
        );
    }
}
