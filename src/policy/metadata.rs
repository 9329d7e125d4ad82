//! Rule metadata: the `# METADATA` comment block above a rule's `package` line.
//!
//! regorus ignores comments, so keyward reads the block itself. The block is OPA's annotation
//! format (YAML, each line prefixed with `# `), so the same files pass `opa check`; keyward's own
//! fields live under `custom`, as OPA intends for tool-specific data.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::Thresholds;
use crate::model::{ControlMapping, ResourceKind, RuleMetadata, Severity};
use crate::snapshot::DataSection;
use crate::text::quoted;

/// The OPA annotation block as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Annotation {
    #[serde(default)]
    scope: Option<String>,
    title: String,
    description: String,
    #[serde(default)]
    related_resources: Vec<RelatedResource>,
    custom: Custom,
}

/// OPA's `related_resources` entry; its optional `description` is accepted and not shown.
#[derive(Deserialize)]
struct RelatedResource {
    #[serde(rename = "ref")]
    reference: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Custom {
    id: String,
    name: String,
    severity: Severity,
    remediation: String,
    #[serde(default)]
    requires: Vec<DataSection>,
    #[serde(default)]
    controls: BTreeMap<String, Vec<ControlMapping>>,
    #[serde(default)]
    evaluation_group: Option<String>,
    #[serde(default)]
    evaluates: Vec<ResourceKind>,
}

/// A METADATA block that could not be read: the line is 1-based within the file.
#[derive(Debug)]
pub struct MetadataError {
    pub line: usize,
    pub message: String,
}

/// Finds the `# METADATA` block in a Rego source and parses it. `Ok(None)` when the file has
/// none (a helper library, not a rule).
pub fn parse(source: &str) -> Result<Option<RuleMetadata>, MetadataError> {
    let Some((first_line, yaml)) = extract_block(source) else {
        return Ok(None);
    };
    crate::snapshot::check_yaml_depth(&yaml).map_err(|(line, message)| MetadataError {
        line: first_line + line - 1,
        message,
    })?;
    let annotation: Annotation = yaml_serde::from_str(&yaml).map_err(|e| MetadataError {
        line: first_line + e.location().map_or(0, |l| l.line().saturating_sub(1)),
        message: crate::snapshot::parser_message(&e.to_string()),
    })?;
    let metadata = validate(annotation).map_err(|message| MetadataError {
        line: first_line,
        message,
    })?;
    Ok(Some(metadata))
}

/// Returns the 1-based line of the block's first YAML line and the YAML text.
fn extract_block(source: &str) -> Option<(usize, String)> {
    let mut lines = source.lines().enumerate();
    let (header, _) = lines.find(|(_, line)| line.trim() == "# METADATA")?;
    let yaml: Vec<&str> = lines
        .map(|(_, line)| line.trim_start())
        .take_while(|line| line.starts_with('#'))
        .map(|line| line.strip_prefix("# ").unwrap_or(&line[1..]))
        .collect();
    Some((header + 2, yaml.join("\n")))
}

fn validate(annotation: Annotation) -> Result<RuleMetadata, String> {
    if let Some(scope) = annotation.scope.as_deref()
        && scope != "package"
    {
        return Err(format!(
            "a rule's METADATA must have `scope: package` (found {}): keyward reads one rule per package",
            quoted(scope)
        ));
    }
    let custom = annotation.custom;
    let required = [
        ("title", &annotation.title),
        ("description", &annotation.description),
        ("custom.id", &custom.id),
        ("custom.name", &custom.name),
        ("custom.remediation", &custom.remediation),
    ];
    let optional = custom
        .evaluation_group
        .as_ref()
        .map(|group| ("custom.evaluation_group", group));
    for (field, value) in required.into_iter().chain(optional) {
        if value.trim().is_empty() {
            return Err(format!("METADATA field `{field}` must not be empty"));
        }
        // Texts reach terminals, SARIF viewers and rule pages: line breaks are for the texts
        // of several lines, no other control character is for any.
        let multiline = matches!(field, "description" | "custom.remediation");
        if value
            .chars()
            .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t')))
        {
            return Err(format!(
                "METADATA field `{field}` holds control characters{}: {}",
                if multiline {
                    " other than line breaks"
                } else {
                    ""
                },
                quoted(value)
            ));
        }
    }
    if !is_valid_rule_id(&custom.id) {
        return Err(format!(
            "rule id {} must be upper-case letters, digits and dashes, e.g. ACME-IAM-001",
            quoted(&custom.id)
        ));
    }
    for (framework, mappings) in &custom.controls {
        check_mappings(framework, mappings)?;
    }
    Ok(RuleMetadata {
        id: custom.id,
        name: custom.name,
        title: annotation.title.trim().to_owned(),
        description: annotation.description.trim().to_owned(),
        severity: custom.severity,
        remediation: custom.remediation.trim().to_owned(),
        requires: custom.requires,
        controls: custom.controls,
        references: annotation
            .related_resources
            .into_iter()
            .map(|r| r.reference)
            .collect(),
        evaluation_group: custom.evaluation_group,
        evaluates: custom.evaluates,
        builtin: false,
    })
}

/// A framework's mappings: ids unique and not empty, `partial` exactly with what it
/// `leaves_out`, `completed_by` naming rule ids of a partial mapping, known threshold names.
fn check_mappings(framework: &str, mappings: &[ControlMapping]) -> Result<(), String> {
    let known_thresholds = Thresholds::default().as_map();
    for (i, mapping) in mappings.iter().enumerate() {
        let place = format!("custom.controls.{framework}, control `{}`", mapping.id);
        if mapping.id.trim().is_empty() {
            return Err(format!(
                "custom.controls.{framework} has an empty control id"
            ));
        }
        if mappings[..i].iter().any(|m| m.id == mapping.id) {
            return Err(format!("{place} is listed twice"));
        }
        let leaves_out = mapping.leaves_out.as_deref().map(str::trim);
        match (mapping.partial, leaves_out) {
            (true, None | Some("")) => {
                return Err(format!(
                    "{place}: `partial: true` needs `leaves_out`, saying what the rule does not check"
                ));
            }
            (false, Some(_)) => {
                return Err(format!(
                    "{place}: `leaves_out` is for a partial mapping: add `partial: true`"
                ));
            }
            _ => {}
        }
        if !mapping.completed_by.is_empty() && !mapping.partial {
            return Err(format!(
                "{place}: `completed_by` is for a partial mapping: add `partial: true`"
            ));
        }
        if let Some(bad) = mapping.completed_by.iter().find(|id| !is_valid_rule_id(id)) {
            return Err(format!(
                "{place}: `completed_by` names `{bad}`, which is not a rule id"
            ));
        }
        if let Some(unknown) = mapping
            .thresholds
            .keys()
            .find(|name| !known_thresholds.contains_key(*name))
        {
            let names: Vec<&str> = known_thresholds.keys().map(String::as_str).collect();
            return Err(format!(
                "{place}: unknown threshold `{unknown}` (known: {})",
                names.join(", ")
            ));
        }
    }
    Ok(())
}

/// Rule ids become SARIF rule ids, waiver keys and tags: keep them plain.
fn is_valid_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "# METADATA\n# title: A title\n# description: Why.\n# custom:\n#   id: KW-T-001\n#   name: a-rule\n#   severity: high\n#   remediation: Fix it.\n#   requires: [iam.root]\n#   controls:\n#     aws-securityhub: [IAM.4]\npackage x\n";

    #[test]
    fn parses_a_block() {
        let m = parse(RULE).unwrap().unwrap();
        assert_eq!(m.id, "KW-T-001");
        assert_eq!(m.severity, Severity::High);
        assert_eq!(m.requires, vec![DataSection::IamRoot]);
        assert_eq!(m.control_tags(), vec!["aws-securityhub/IAM.4"]);
    }

    #[test]
    fn no_block_is_a_library() {
        assert!(parse("package lib\n").unwrap().is_none());
    }

    #[test]
    fn a_bad_severity_names_its_line() {
        let bad = RULE.replace("severity: high", "severity: urgent");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.line, 7, "{}", e.message);
        assert!(e.message.contains("urgent"), "{}", e.message);
    }

    #[test]
    fn an_evaluation_group_is_optional_but_not_empty() {
        assert_eq!(parse(RULE).unwrap().unwrap().evaluation_group, None);
        let grouped = RULE.replace(
            "#   requires:",
            "#   evaluation_group: shared\n#   requires:",
        );
        let m = parse(&grouped).unwrap().unwrap();
        assert_eq!(m.evaluation_group.as_deref(), Some("shared"));
        let empty = RULE.replace("#   requires:", "#   evaluation_group: \"\"\n#   requires:");
        let e = parse(&empty).unwrap_err();
        assert!(
            e.message.contains("custom.evaluation_group"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_control_is_a_bare_id_or_an_object_saying_what_it_leaves_out() {
        let m = parse(RULE).unwrap().unwrap();
        assert_eq!(
            m.controls["aws-securityhub"],
            [ControlMapping::full("IAM.4")]
        );
        let partial = RULE.replace(
            "[IAM.4]",
            "\n#       - id: IAM.6\n#         partial: true\n#         leaves_out: no MFA at all\n#         completed_by: [KW-T-002]\n#         thresholds: {max_access_key_age_days: 90}",
        );
        let m = parse(&partial).unwrap().unwrap();
        let mapping = &m.controls["aws-securityhub"][0];
        assert!(mapping.partial);
        assert_eq!(mapping.leaves_out.as_deref(), Some("no MFA at all"));
        assert_eq!(mapping.completed_by, ["KW-T-002"]);
        assert_eq!(mapping.thresholds["max_access_key_age_days"], 90);
    }

    #[test]
    fn a_partial_mapping_must_say_what_it_leaves_out() {
        let cases = [
            ("[{id: IAM.6, partial: true}]", "needs `leaves_out`"),
            ("[{id: IAM.6, leaves_out: x}]", "add `partial: true`"),
            (
                "[{id: IAM.6, completed_by: [KW-T-002]}]",
                "add `partial: true`",
            ),
            (
                "[{id: IAM.6, partial: true, leaves_out: x, completed_by: [nope]}]",
                "not a rule id",
            ),
            (
                "[{id: IAM.6, thresholds: {max_age: 90}}]",
                "unknown threshold `max_age`",
            ),
            ("[IAM.6, IAM.6]", "listed twice"),
            ("[{id: IAM.6, partal: true}]", "partal"),
        ];
        for (controls, expected) in cases {
            let e = parse(&RULE.replace("[IAM.4]", controls)).unwrap_err();
            assert!(e.message.contains(expected), "{controls}: {}", e.message);
        }
    }

    #[test]
    fn control_characters_are_refused_and_line_breaks_only_where_texts_have_lines() {
        let escape = RULE.replace("A title", "\"A \\e[2J title\"");
        let e = parse(&escape).unwrap_err();
        assert!(
            e.message
                .contains("`title` holds control characters: `A \\u{1b}[2J title`"),
            "{}",
            e.message
        );
        let broken_title = RULE.replace("A title", "\"A\\ntitle\"");
        assert!(parse(&broken_title).is_err());
        let lines = RULE.replace("Why.", "\"Why.\\nBecause.\"");
        assert_eq!(
            parse(&lines).unwrap().unwrap().description,
            "Why.\nBecause."
        );
    }

    #[test]
    fn an_unknown_section_is_refused() {
        let bad = RULE.replace("[iam.root]", "[iam.everything]");
        assert!(parse(&bad).is_err());
    }
}
