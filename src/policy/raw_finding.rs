//! What a rule returns: the entries of its `deny` set, read out of the regorus value.
//!
//! The entries are read field by field rather than through serde_json (serialise to a JSON value,
//! then deserialise): that round trip cost about 4 µs a finding, a tenth of the pack's
//! evaluation time on an account with 26,705 findings.

use std::collections::BTreeMap;

use regorus::Value;
use serde_json::Map;

use crate::text::quoted;

/// One entry of a rule's `deny` set, as the rule wrote it.
#[derive(Debug, Clone)]
pub struct RawFinding {
    /// ARN of the resource the finding is about.
    pub resource: String,
    /// What is wrong, naming the resource and the evidence.
    pub message: String,
    /// The region of a regional resource.
    pub region: Option<String>,
    /// Distinguishes several findings of one rule on one resource. The built-in rules name an
    /// access key by its creation time, or, for keys of one principal created in the same
    /// second, by the time and the key id or slot (`key_identity`): the credential
    /// report, the live source, has no key ids.
    pub key: Option<String>,
    /// Facts behind the finding (ages, dates, policy names), shown in JSON and SARIF.
    pub evidence: Map<String, serde_json::Value>,
    /// The controls this finding fails, for the frameworks where that is fewer than the rule
    /// maps to (a password policy that only allows reuse fails CIS 1.9, not 1.8); frameworks it
    /// does not name keep the rule's controls.
    pub controls: Option<BTreeMap<String, Vec<String>>>,
}

const FIELDS: &str = "`resource`, `message`, `region`, `key`, `evidence` and `controls`";

/// Reads a rule's `deny` value: a set (or array) of finding objects; undefined means none.
pub fn read_findings(deny: &Value) -> Result<Vec<RawFinding>, String> {
    let entries: Box<dyn Iterator<Item = &Value>> = match deny {
        Value::Undefined => return Ok(Vec::new()),
        Value::Set(entries) => Box::new(entries.iter()),
        Value::Array(entries) => Box::new(entries.iter()),
        _ => return Err("`deny` must be a set of objects".to_owned()),
    };
    entries.map(read_finding).collect()
}

fn read_finding(entry: &Value) -> Result<RawFinding, String> {
    let Value::Object(fields) = entry else {
        return Err(format!(
            "a `deny` entry must be an object, not {}",
            kind(entry)
        ));
    };
    let (mut resource, mut message, mut region, mut key, mut controls) =
        (None, None, None, None, None);
    let mut evidence_fields = Map::new();
    for (name, value) in fields.iter() {
        let name = field_name(name)?;
        match name {
            "resource" => resource = Some(string(name, value)?),
            "message" => message = Some(string(name, value)?),
            "region" => region = optional_string(name, value)?,
            "key" => key = optional_string(name, value)?,
            "evidence" => evidence_fields = evidence(value)?,
            "controls" => controls = Some(control_lists(value)?),
            _ => {
                return Err(format!(
                    "unknown field {}: a finding has {FIELDS}",
                    quoted(name)
                ));
            }
        }
    }
    Ok(RawFinding {
        resource: resource.ok_or("missing field `resource`")?,
        message: message.ok_or("missing field `message`")?,
        region,
        key,
        evidence: evidence_fields,
        controls,
    })
}

/// `{"<framework>": ["<control id>", ...]}`.
fn control_lists(value: &Value) -> Result<BTreeMap<String, Vec<String>>, String> {
    let shape =
        || "field `controls` must be an object of framework -> list of control ids".to_owned();
    let Value::Object(frameworks) = value else {
        return Err(shape());
    };
    frameworks
        .iter()
        .map(|(framework, ids)| {
            let ids: Box<dyn Iterator<Item = &Value>> = match ids {
                Value::Array(ids) => Box::new(ids.iter()),
                Value::Set(ids) => Box::new(ids.iter()),
                _ => return Err(shape()),
            };
            let ids = ids
                .map(|id| id.as_string().map(|s| s.to_string()).map_err(|_| shape()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((field_name(framework)?.to_owned(), ids))
        })
        .collect()
}

fn field_name(name: &Value) -> Result<&str, String> {
    match name {
        Value::String(name) => Ok(name),
        other => Err(format!(
            "a finding's field names are strings, not {}",
            kind(other)
        )),
    }
}

fn string(name: &str, value: &Value) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text.to_string()),
        other => Err(format!(
            "field `{name}` must be a string, not {}",
            kind(other)
        )),
    }
}

fn optional_string(name: &str, value: &Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        other => string(name, other).map(Some),
    }
}

fn evidence(value: &Value) -> Result<Map<String, serde_json::Value>, String> {
    let fields = match value {
        Value::Null => return Ok(Map::new()),
        Value::Object(fields) => fields,
        other => {
            return Err(format!(
                "field `evidence` must be an object, not {}",
                kind(other)
            ));
        }
    };
    fields
        .iter()
        .map(|(name, value)| Ok((field_name(name)?.to_owned(), to_json(value)?)))
        .collect()
}

/// The JSON form of an evidence value. Strings, booleans, null and integers, nearly all the
/// evidence there is, are converted here; anything else goes through regorus' serialisation.
fn to_json(value: &Value) -> Result<serde_json::Value, String> {
    match value {
        Value::Null => Ok(serde_json::Value::Null),
        Value::Bool(b) => Ok(serde_json::Value::Bool(*b)),
        Value::String(text) => Ok(serde_json::Value::String(text.to_string())),
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| serialised(value), |i| Ok(i.into())),
        other => serialised(other),
    }
}

fn serialised(value: &Value) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| format!("evidence: {e}"))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Set(_) => "a set",
        Value::Object(_) => "an object",
        Value::Undefined => "undefined",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Vec<RawFinding>, String> {
        read_findings(&Value::from_json_str(json).unwrap())
    }

    #[test]
    fn reads_every_field() {
        let found = read(
            r#"[{"resource": "arn:r", "message": "m", "region": "eu-west-1", "key": "k",
                 "evidence": {"days": 91, "ratio": 0.5, "last_used": null, "names": ["a", "b"],
                              "ok": true, "big": 12345678901234567890}}]"#,
        )
        .unwrap();
        let f = &found[0];
        assert_eq!((f.resource.as_str(), f.message.as_str()), ("arn:r", "m"));
        assert_eq!(f.region.as_deref(), Some("eu-west-1"));
        assert_eq!(f.key.as_deref(), Some("k"));
        assert_eq!(
            serde_json::Value::Object(f.evidence.clone()),
            serde_json::json!({"days": 91, "ratio": 0.5, "last_used": null, "names": ["a", "b"],
                               "ok": true, "big": 12345678901234567890u64})
        );
    }

    #[test]
    fn controls_are_lists_of_ids_by_framework() {
        let found =
            read(r#"[{"resource": "r", "message": "m", "controls": {"aws-securityhub": ["IAM.16"], "cis": []}}]"#)
                .unwrap();
        let controls = found[0].controls.clone().unwrap();
        assert_eq!(controls["aws-securityhub"], ["IAM.16"]);
        assert!(controls["cis"].is_empty());
        for bad in [
            r#""IAM.16""#,
            r#"{"aws-securityhub": "IAM.16"}"#,
            r#"{"x": [1]}"#,
        ] {
            let entry = format!(r#"[{{"resource": "r", "message": "m", "controls": {bad}}}]"#);
            let error = read(&entry).unwrap_err();
            assert!(
                error.contains("framework -> list of control ids"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn optional_fields_may_be_absent_or_null() {
        let found = read(r#"[{"resource": "r", "message": "m", "key": null}]"#).unwrap();
        assert_eq!(
            (found[0].region.clone(), found[0].key.clone()),
            (None, None)
        );
        assert!(found[0].evidence.is_empty());
        assert!(read_findings(&Value::Undefined).unwrap().is_empty());
    }

    #[test]
    fn a_malformed_entry_says_what_is_wrong() {
        for (deny, expected) in [
            (r#""text""#, "`deny` must be a set of objects"),
            (r#"["text"]"#, "must be an object, not a string"),
            (r#"[{"message": "m"}]"#, "missing field `resource`"),
            (r#"[{"resource": "r"}]"#, "missing field `message`"),
            (
                r#"[{"resource": 1, "message": "m"}]"#,
                "`resource` must be a string",
            ),
            (
                r#"[{"resource": "r", "message": "m", "severity": "high"}]"#,
                "unknown field `severity`",
            ),
            (
                r#"[{"resource": "r", "message": "m", "evidence": [1]}]"#,
                "`evidence` must be an object",
            ),
        ] {
            let error = read(deny).unwrap_err();
            assert!(error.contains(expected), "{deny}: {error}");
        }
    }
}
