//! `keyward scan --format ocsf`: OCSF 1.8.0 Compliance Findings (class 2003), validated against
//! the schema's own definitions, committed in tests/fixtures/ocsf-1.8.0 (its README names the
//! source). The validator reads them as the schema defines events: a class's attributes are its
//! own merged over those of the classes it extends and of the profiles the event names; types,
//! arrays and enums come from the dictionary unless overridden; required attributes must be
//! there and nothing outside the class or object may be.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use crate::support::cli::{keyward, keyward_in};
use crate::support::{fixture, repo, write_file};

struct Schema {
    dir: PathBuf,
    dictionary: Value,
}

/// The primitive types; every other type of the dictionary's `types` derives from one of them,
/// and a type outside `types` is an object's name.
const PRIMITIVES: [&str; 6] = [
    "string_t",
    "integer_t",
    "long_t",
    "float_t",
    "boolean_t",
    "json_t",
];

/// In the source files base_event's enums of these hold only 0; the schema server fills them
/// from the class when it compiles the schema. `event_errors` checks them against the class.
const CLASS_IDS: [&str; 2] = ["category_uid", "class_uid"];

impl Schema {
    fn load() -> Schema {
        let dir = repo().join("tests/fixtures/ocsf-1.8.0");
        let dictionary = read_json(&dir, "dictionary.json");
        Schema { dir, dictionary }
    }

    fn file(&self, relative: &str) -> Value {
        read_json(&self.dir, relative)
    }

    /// The attributes of a definition file, merged over those of what it extends, and its
    /// constraints.
    fn definition(&self, relative: &str) -> (Map<String, Value>, Value) {
        let file = self.file(relative);
        let (mut attributes, constraints) = match file["extends"].as_str() {
            Some(parent) => {
                let path = match parent {
                    "base_event" => "events/base_event.json".to_owned(),
                    "finding" => "events/findings/finding.json".to_owned(),
                    object => format!("objects/{object}.json"),
                };
                self.definition(&path)
            }
            None => (Map::new(), Value::Null),
        };
        for (name, spec) in file["attributes"].as_object().unwrap() {
            if name == "$include" {
                continue;
            }
            let merged = attributes.entry(name.clone()).or_insert_with(|| json!({}));
            for (key, value) in spec.as_object().unwrap() {
                merged[key] = value.clone();
            }
        }
        let constraints = if file["constraints"].is_null() {
            constraints
        } else {
            file["constraints"].clone()
        };
        (attributes, constraints)
    }

    /// The dictionary's entry for an attribute, overridden by the class's or object's spec.
    fn spec(&self, name: &str, local: &Value) -> Value {
        let mut spec = self.dictionary["attributes"]
            .get(name)
            .cloned()
            .unwrap_or_else(|| json!({}));
        for (key, value) in local.as_object().unwrap() {
            spec[key] = value.clone();
        }
        spec
    }

    fn primitive_or_object(&self, ty: &str) -> String {
        let mut ty = ty.to_owned();
        while !PRIMITIVES.contains(&ty.as_str()) {
            match self.dictionary["types"]["attributes"][&ty]["type"].as_str() {
                Some(base) => ty = base.to_owned(),
                None => return ty,
            }
        }
        ty
    }

    fn check_attributes(
        &self,
        path: &str,
        value: &Value,
        attributes: &Map<String, Value>,
        constraints: &Value,
        errors: &mut Vec<String>,
    ) {
        let Some(object) = value.as_object() else {
            errors.push(format!("{path}: not an object"));
            return;
        };
        for (name, local) in attributes {
            if local["requirement"] == "required" && !object.contains_key(name) {
                errors.push(format!("{path}.{name}: required, missing"));
            }
        }
        for (name, item) in object {
            let Some(local) = attributes.get(name) else {
                errors.push(format!("{path}.{name}: not an attribute here"));
                continue;
            };
            if local.get("@deprecated").is_some() {
                errors.push(format!("{path}.{name}: deprecated"));
            }
            let mut spec = self.spec(name, local);
            if path == "event" && CLASS_IDS.contains(&name.as_str()) {
                spec.as_object_mut().unwrap().remove("enum");
            }
            self.check_value(&format!("{path}.{name}"), item, &spec, errors);
        }
        if let Some(group) = constraints["at_least_one"].as_array()
            && !group
                .iter()
                .any(|n| object.contains_key(n.as_str().unwrap()))
        {
            errors.push(format!("{path}: needs at least one of {group:?}"));
        }
    }

    fn check_value(&self, path: &str, value: &Value, spec: &Value, errors: &mut Vec<String>) {
        if spec["is_array"] == true {
            match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check_single(&format!("{path}[{i}]"), item, spec, errors);
                    }
                }
                None => errors.push(format!("{path}: not an array")),
            }
        } else {
            self.check_single(path, value, spec, errors);
        }
    }

    fn check_single(&self, path: &str, value: &Value, spec: &Value, errors: &mut Vec<String>) {
        let Some(ty) = spec["type"].as_str() else {
            errors.push(format!("{path}: the schema gives no type"));
            return;
        };
        if let Some(values) = spec["enum"].as_object() {
            let known = value
                .as_i64()
                .is_some_and(|v| values.contains_key(&v.to_string()));
            if !known {
                errors.push(format!("{path}: {value} is not one of {:?}", values.keys()));
            }
        }
        let fits = match self.primitive_or_object(ty).as_str() {
            "string_t" => value.is_string(),
            "integer_t" | "long_t" => value.is_i64() || value.is_u64(),
            "float_t" => value.is_number(),
            "boolean_t" => value.is_boolean(),
            "json_t" | "object" => true,
            object => {
                let (attributes, constraints) = self.definition(&format!("objects/{object}.json"));
                self.check_attributes(path, value, &attributes, &constraints, errors);
                true
            }
        };
        if !fits {
            errors.push(format!("{path}: {value} is not a {ty}"));
        }
    }

    /// Every problem of one Compliance Finding event.
    fn event_errors(&self, event: &Value) -> Vec<String> {
        let (mut attributes, constraints) =
            self.definition("events/findings/compliance_finding.json");
        for profile in event["metadata"]["profiles"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let profile = self.file(&format!("profiles/{}.json", profile.as_str().unwrap()));
            for (name, spec) in profile["attributes"].as_object().unwrap() {
                attributes.insert(name.clone(), spec.clone());
            }
        }
        let mut errors = Vec::new();
        self.check_attributes("event", event, &attributes, &constraints, &mut errors);
        let class = self.file("events/findings/compliance_finding.json");
        // The class names its category, or inherits it from the class it extends.
        let category_name = class["category"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| {
                self.file("events/findings/finding.json")["category"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            });
        let category = &self.file("categories.json")["attributes"][&category_name];
        let class_uid = category["uid"].as_i64().unwrap() * 1000 + class["uid"].as_i64().unwrap();
        if event["class_uid"] != class_uid {
            errors.push(format!(
                "class_uid {} is not {class_uid}",
                event["class_uid"]
            ));
        }
        if event["category_uid"] != category["uid"] {
            errors.push(format!("category_uid {}", event["category_uid"]));
        }
        let type_uid = class_uid * 100 + event["activity_id"].as_i64().unwrap_or(-1);
        if event["type_uid"] != type_uid {
            errors.push(format!("type_uid {} is not {type_uid}", event["type_uid"]));
        }
        errors
    }
}

fn read_json(dir: &std::path::Path, relative: &str) -> Value {
    let text =
        std::fs::read_to_string(dir.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn ocsf_of(fixture_name: &str) -> Vec<Value> {
    let run = keyward(&[
        "scan",
        "--snapshot",
        &fixture(fixture_name),
        "--as-of",
        "snapshot",
        "--format",
        "ocsf",
        "--fail-on",
        "none",
    ]);
    run.assert_code(if fixture_name == "partial.json" { 3 } else { 0 });
    run.json()
        .as_array()
        .expect("a JSON array of events")
        .clone()
}

fn assert_valid(schema: &Schema, events: &[Value]) {
    for event in events {
        let errors = schema.event_errors(event);
        assert!(errors.is_empty(), "{errors:#?}\nin {event:#}");
    }
}

#[test]
fn every_fixture_validates_against_the_ocsf_schema() {
    let schema = Schema::load();
    let mut total = 0;
    for name in ["incident.json", "partial.json", "clean.json"] {
        let events = ocsf_of(name);
        assert_valid(&schema, &events);
        total += events.len();
    }
    assert!(total > 20, "{total} events");
}

#[test]
fn the_validator_catches_what_the_schema_forbids() {
    let schema = Schema::load();
    let event = ocsf_of("incident.json").remove(0);
    assert!(schema.event_errors(&event).is_empty());
    let broken = |change: &dyn Fn(&mut Value), expected: &str| {
        let mut copy = event.clone();
        change(&mut copy);
        let errors = schema.event_errors(&copy);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "expected {expected:?} in {errors:#?}"
        );
    };
    broken(
        &|e| drop(e["finding_info"].as_object_mut().unwrap().remove("uid")),
        "event.finding_info.uid: required",
    );
    broken(
        &|e| drop(e.as_object_mut().unwrap().remove("compliance")),
        "event.compliance: required",
    );
    broken(
        &|e| e["severity_id"] = json!(7),
        "event.severity_id: 7 is not one of",
    );
    broken(
        &|e| e["compliance"]["status_id"] = json!("3"),
        "event.compliance.status_id",
    );
    broken(
        &|e| e["resources"] = json!({"uid": "x"}),
        "event.resources: not an array",
    );
    broken(
        &|e| e["findings"] = json!([]),
        "event.findings: not an attribute here",
    );
    broken(
        &|e| e["resource"] = json!({"uid": "x"}),
        "event.resource: deprecated",
    );
    broken(&|e| e["type_uid"] = json!(200401), "type_uid");
    broken(
        &|e| e["resources"][0] = json!({"type": "AwsIamUser"}),
        "needs at least one of",
    );
    broken(
        &|e| drop(e["metadata"].as_object_mut().unwrap().remove("profiles")),
        "event.cloud: not an attribute here",
    );
}

#[test]
fn findings_fail_waived_ones_are_suppressed_and_gaps_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "keyward.yaml",
        "waivers:\n  - rule: KW-IAM-009\n    resource: \"arn:aws:iam::*:user/ali*\"\n    reason: replacement tracked in OPS-42\n    owner: platform-team@example.com\n    expires: 2026-06-30\n",
    );
    let incident = fixture("incident.json");
    let scan = |format: &str| {
        keyward_in(
            dir.path(),
            &[
                "scan",
                "--snapshot",
                &incident,
                "--as-of",
                "2026-05-03",
                "--format",
                format,
            ],
        )
    };
    let report = scan("json").json();
    let events = scan("ocsf").json();
    let events = events.as_array().unwrap();
    assert_valid(&Schema::load(), events);
    let findings = report["accounts"][0]["findings"].as_array().unwrap();
    assert_eq!(events.len(), findings.len());
    let suppressed: Vec<&Value> = events
        .iter()
        .filter(|e| e["status"] == "Suppressed")
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["resources"][0]["uid"],
        "arn:aws:iam::123456789012:user/alice"
    );
    assert_eq!(
        suppressed[0]["unmapped"]["waiver"]["owner"],
        "platform-team@example.com"
    );
    for (event, finding) in events.iter().zip(findings) {
        assert_eq!(event["finding_info"]["uid"], finding["fingerprint"]);
        assert_eq!(event["compliance"]["status"], "Fail");
        assert_eq!(event["compliance"]["checks"][0]["uid"], finding["rule_id"]);
        assert_eq!(event["cloud"]["account"]["uid"], "123456789012");
    }
    let root_key = events
        .iter()
        .find(|e| e["compliance"]["checks"][0]["uid"] == "KW-IAM-001")
        .unwrap();
    assert_eq!(root_key["severity"], "Critical");
    assert!(
        root_key["compliance"]["requirements"]
            .as_array()
            .unwrap()
            .contains(&json!("cis-aws-foundations-v3.0/1.4"))
    );

    let partial = ocsf_of("partial.json");
    let warnings: Vec<&Value> = partial
        .iter()
        .filter(|e| e["compliance"]["status"] == "Warning")
        .collect();
    assert!(!warnings.is_empty());
    for warning in warnings {
        assert_eq!(warning["severity_id"], 1);
        assert!(
            warning["message"]
                .as_str()
                .unwrap()
                .contains("could not be evaluated"),
            "{warning}"
        );
    }
    assert!(
        ocsf_of("clean.json").is_empty(),
        "a clean account has no findings"
    );
}
