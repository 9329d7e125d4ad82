//! The control catalogue of the built-in pack (`policies/controls/*.yaml`): every control of
//! the frameworks in keyward's scope with its official title, and why no rule covers those that
//! none does. Embedded like the rules, so the coverage of a scan's rules can be computed
//! anywhere.

use crate::model::Framework;

/// The catalogue files, in the order reports list the frameworks.
const CATALOGUE: &[(&str, &str)] = &[
    (
        "controls/cis-aws-foundations-v3.0.yaml",
        include_str!("../../policies/controls/cis-aws-foundations-v3.0.yaml"),
    ),
    (
        "controls/aws-securityhub.yaml",
        include_str!("../../policies/controls/aws-securityhub.yaml"),
    ),
    (
        "controls/mitre-attack.yaml",
        include_str!("../../policies/controls/mitre-attack.yaml"),
    ),
];

/// The frameworks of the built-in catalogue. The files are part of the binary and a test reads
/// each, so a malformed one is a build defect, not an input error.
pub fn builtin_catalogue() -> Vec<Framework> {
    CATALOGUE
        .iter()
        .map(|(path, text)| {
            parse(text).unwrap_or_else(|e| panic!("policies/{path} is malformed: {e}"))
        })
        .collect()
}

/// Parses one catalogue file: its controls' ids must be unique.
fn parse(text: &str) -> Result<Framework, String> {
    let framework: Framework = yaml_serde::from_str(text).map_err(|e| e.to_string())?;
    for (i, control) in framework.controls.iter().enumerate() {
        if framework.controls[..i].iter().any(|c| c.id == control.id) {
            return Err(format!("control {} is listed twice", control.id));
        }
        if control.title.trim().is_empty() {
            return Err(format!("control {} has no title", control.id));
        }
    }
    Ok(framework)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_lists_cis_sections_1_3_4_and_every_control_of_its_security_hub_scope() {
        let catalogue = builtin_catalogue();
        let ids = |framework: &str| -> Vec<String> {
            let f = catalogue.iter().find(|f| f.id == framework).unwrap();
            f.controls.iter().map(|c| c.id.clone()).collect()
        };
        let cis: Vec<String> = (1..=22)
            .map(|n| format!("1.{n}"))
            .chain((1..=9).map(|n| format!("3.{n}")))
            .chain((1..=16).map(|n| format!("4.{n}")))
            .collect();
        assert_eq!(ids("cis-aws-foundations-v3.0"), cis);
        let hub: Vec<String> = (1..=7)
            .map(|n| format!("CloudTrail.{n}"))
            .chain((1..=4).map(|n| format!("CloudWatch.{n}")))
            .chain(["GuardDuty.1".to_owned()])
            .chain((1..=28).map(|n| format!("IAM.{n}")))
            .chain((1..=5).map(|n| format!("SecretsManager.{n}")))
            .collect();
        assert_eq!(ids("aws-securityhub"), hub);
        assert!(ids("mitre-attack").contains(&"T1528".to_owned()));
    }

    #[test]
    fn a_control_listed_twice_is_refused() {
        let text = "id: x\nname: X\nscope: all\nurl: https://example.com\ncontrols:\n  - {id: a, title: A}\n  - {id: a, title: B}\n";
        assert!(parse(text).unwrap_err().contains("listed twice"));
    }
}
