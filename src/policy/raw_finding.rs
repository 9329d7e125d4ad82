//! What a rule returns: the entries of its `deny` set, read out of the regorus value.
//!
//! The entries are read field by field rather than through serde_json (serialise to a JSON value,
//! then deserialise): that round trip cost about 4 µs a finding, a tenth of the pack's
//! evaluation time on an account with 26,705 findings. The evidence is written straight to the
//! compact JSON text a finding holds it as (`Evidence`), without a map in between.

use std::collections::BTreeMap;

use regorus::Value;

use crate::model::Evidence;
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
    pub evidence: Evidence,
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
    let mut evidence_fields = Evidence::default();
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

fn evidence(value: &Value) -> Result<Evidence, String> {
    let fields = match value {
        Value::Null => return Ok(Evidence::default()),
        Value::Object(fields) => fields,
        other => {
            return Err(format!(
                "field `evidence` must be an object, not {}",
                kind(other)
            ));
        }
    };
    let mut text = Vec::with_capacity(64 * (fields.len() + 1));
    text.push(b'{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            text.push(b',');
        }
        write_json(&mut text, &field_name(name)?)?;
        text.push(b':');
        write_evidence_value(&mut text, value)?;
    }
    text.push(b'}');
    let text = String::from_utf8(text).map_err(|e| format!("evidence: {e}"))?;
    Ok(Evidence::from_object_text(text))
}

/// Writes an evidence value as JSON. An integer is written as one whatever regorus holds it as
/// (`floor` gives a float: the days of an age are written `12`, not `12.0`); anything else as
/// regorus serialises it. Strings, booleans, null and integers are nearly all the evidence there
/// is.
fn write_evidence_value(text: &mut Vec<u8>, value: &Value) -> Result<(), String> {
    match value {
        Value::Number(n) => match n.as_i64() {
            Some(i) => write_json(text, &i),
            None => write_json(text, value),
        },
        other => write_json(text, other),
    }
}

fn write_json(text: &mut Vec<u8>, value: &impl serde::Serialize) -> Result<(), String> {
    serde_json::to_writer(text, value).map_err(|e| format!("evidence: {e}"))
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
            serde_json::Value::Object(f.evidence.to_map()),
            serde_json::json!({"days": 91, "ratio": 0.5, "last_used": null, "names": ["a", "b"],
                               "ok": true, "big": 12345678901234567890u64})
        );
    }

    #[test]
    fn evidence_is_held_as_the_json_text_of_its_object() {
        let mut value =
            Value::from_json_str(r#"{"days": 0, "name": "a\"b", "list": [1.0, "x"]}"#).unwrap();
        // As `floor` gives it: an integer held as a float is written as an integer.
        value
            .as_object_mut()
            .unwrap()
            .insert("days".into(), Value::from(12.0));
        let mut entry = Value::from_json_str(r#"{"resource": "r", "message": "m"}"#).unwrap();
        entry
            .as_object_mut()
            .unwrap()
            .insert("evidence".into(), value);
        let found = read_findings(&Value::from(vec![entry])).unwrap();
        assert_eq!(
            serde_json::to_string(&found[0].evidence).unwrap(),
            r#"{"days":12,"list":[1,"x"],"name":"a\"b"}"#
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
