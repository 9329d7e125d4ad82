//! Controls: how a rule maps to the controls of a framework (CIS AWS Foundations, AWS Security
//! Hub, MITRE ATT&CK), the catalogue of each framework's controls in keyward's scope, and the
//! coverage a set of rules gives each control. A compliance report reads its per-control status
//! from here; `docs/controls.md` is this coverage for the built-in pack.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// One control a rule maps to: an entry of METADATA `custom.controls.<framework>`.
///
/// Written as the bare id (`IAM.3`, the rule checks all the control asks) or as an object:
///
/// ```yaml
/// - id: "1.16"
///   partial: true
///   leaves_out: AWS-managed policies such as AdministratorAccess
///   completed_by: [KW-IAM-002]                # rules that check what this one leaves out
///   thresholds: {max_access_key_age_days: 90} # the control's own limit for a threshold
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlMapping {
    pub id: String,
    /// The rule checks only part of what the control asks, even at the control's thresholds.
    pub partial: bool,
    /// What a partial rule leaves out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaves_out: Option<String>,
    /// Rules that check what this partial rule leaves out: together they cover the control.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub completed_by: Vec<String>,
    /// The control's own value of keyward thresholds the rule reads, e.g.
    /// `max_access_key_age_days: 90`. Set higher in `keyward.yaml`, the rule checks less than
    /// the control asks, and covers it only partly.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub thresholds: BTreeMap<String, u32>,
}

impl ControlMapping {
    /// A mapping to the whole control.
    pub fn full(id: &str) -> ControlMapping {
        ControlMapping {
            id: id.to_owned(),
            partial: false,
            leaves_out: None,
            completed_by: Vec::new(),
            thresholds: BTreeMap::new(),
        }
    }

    /// The thresholds configured above the control's value, as (name, configured, control).
    pub fn threshold_gaps(&self, configured: &BTreeMap<String, u32>) -> Vec<ThresholdGap> {
        self.thresholds
            .iter()
            .filter_map(|(name, &control)| {
                let value = *configured.get(name)?;
                (value > control).then(|| ThresholdGap {
                    name: name.clone(),
                    configured: value,
                    control,
                })
            })
            .collect()
    }
}

/// The object form of a mapping, as written in METADATA and in JSON reports.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFields {
    id: String,
    #[serde(default)]
    partial: bool,
    #[serde(default)]
    leaves_out: Option<String>,
    #[serde(default)]
    completed_by: Vec<String>,
    #[serde(default)]
    thresholds: BTreeMap<String, u32>,
}

/// Reads either form: a bare id (the only form before report version 2 and in older METADATA),
/// or the object, whose unknown fields are errors that name the field.
impl<'de> Deserialize<'de> for ControlMapping {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MappingVisitor;

        impl<'de> Visitor<'de> for MappingVisitor {
            type Value = ControlMapping;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a control id (a string, e.g. \"1.14\") or an object with `id`")
            }

            fn visit_str<E: de::Error>(self, id: &str) -> Result<ControlMapping, E> {
                Ok(ControlMapping::full(id))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ControlMapping, A::Error> {
                let fields =
                    MappingFields::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(ControlMapping {
                    id: fields.id,
                    partial: fields.partial,
                    leaves_out: fields.leaves_out,
                    completed_by: fields.completed_by,
                    thresholds: fields.thresholds,
                })
            }
        }

        deserializer.deserialize_any(MappingVisitor)
    }
}

/// A threshold configured looser than a control asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThresholdGap {
    pub name: String,
    pub configured: u32,
    pub control: u32,
}

/// The controls of one framework that keyward's scope touches, with their official titles and,
/// for those no built-in rule covers, why.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// The key rules use in `custom.controls`, e.g. `cis-aws-foundations-v3.0`.
    pub id: String,
    /// The framework's published name.
    pub name: String,
    /// Which part of the framework the catalogue lists.
    pub scope: String,
    /// Where the framework is published.
    pub url: String,
    pub controls: Vec<CatalogueControl>,
}

/// One control as the framework publishes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueControl {
    pub id: String,
    /// The official title.
    pub title: String,
    /// Why no built-in rule covers it (set exactly when none does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_covered: Option<String>,
    /// What a reader should know beside the rules: how keyward counts, doubts about a title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How much of a control a set of rules checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Everything the control asks, by one rule or by partial rules that complete each other.
    Full,
    /// Only part of it: see each rule's `leaves_out` and threshold gaps.
    Partial,
    /// Nothing: no rule maps to it.
    None,
}

impl Coverage {
    pub fn label(self) -> &'static str {
        match self {
            Coverage::Full => "full",
            Coverage::Partial => "partial",
            Coverage::None => "none",
        }
    }
}

/// One rule's part in covering a control.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCoverage {
    pub rule_id: String,
    pub rule_title: String,
    #[serde(flatten)]
    pub mapping: ControlMapping,
    /// Thresholds configured looser than the control: the rule covers it only partly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub threshold_gaps: Vec<ThresholdGap>,
}

impl RuleCoverage {
    /// The rule checks all the control asks at the configured thresholds.
    pub fn is_full(&self) -> bool {
        !self.mapping.partial && self.threshold_gaps.is_empty()
    }
}

/// A control and what covers it.
#[derive(Debug, Clone, Serialize)]
pub struct ControlCoverage {
    #[serde(flatten)]
    pub control: CatalogueControl,
    pub coverage: Coverage,
    pub rules: Vec<RuleCoverage>,
}

/// A framework's controls with their coverage, and the controls rules map to that the
/// catalogue does not list (a user's rule may name any id).
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkCoverage {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub url: String,
    pub controls: Vec<ControlCoverage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_in_catalogue: Vec<UncataloguedControl>,
}

/// A control id a rule maps to that the catalogue does not list.
#[derive(Debug, Clone, Serialize)]
pub struct UncataloguedControl {
    pub id: String,
    pub rules: Vec<String>,
}

/// The rule metadata a coverage needs: id, title and the controls of one framework.
pub struct MappedRule<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub mappings: &'a [ControlMapping],
}

impl Framework {
    /// The coverage the given rules give each control, at the configured thresholds.
    pub fn coverage(
        &self,
        rules: &[MappedRule],
        thresholds: &BTreeMap<String, u32>,
    ) -> FrameworkCoverage {
        let controls = self
            .controls
            .iter()
            .map(|control| {
                let covering: Vec<RuleCoverage> = rules
                    .iter()
                    .flat_map(|rule| {
                        rule.mappings
                            .iter()
                            .filter(|m| m.id == control.id)
                            .map(|m| RuleCoverage {
                                rule_id: rule.id.to_owned(),
                                rule_title: rule.title.to_owned(),
                                threshold_gaps: m.threshold_gaps(thresholds),
                                mapping: m.clone(),
                            })
                    })
                    .collect();
                ControlCoverage {
                    control: control.clone(),
                    coverage: combined(&covering),
                    rules: covering,
                }
            })
            .collect();
        let mut not_in_catalogue: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for rule in rules {
            for mapping in rule.mappings {
                if !self.controls.iter().any(|c| c.id == mapping.id) {
                    not_in_catalogue
                        .entry(&mapping.id)
                        .or_default()
                        .push(rule.id.to_owned());
                }
            }
        }
        FrameworkCoverage {
            id: self.id.clone(),
            name: self.name.clone(),
            scope: self.scope.clone(),
            url: self.url.clone(),
            controls,
            not_in_catalogue: not_in_catalogue
                .into_iter()
                .map(|(id, rules)| UncataloguedControl {
                    id: id.to_owned(),
                    rules,
                })
                .collect(),
        }
    }
}

/// Full when one rule checks everything, or when partial rules name each other as completing
/// what they leave out and all of them are there (and none is held back by a threshold);
/// partial when some rule maps to the control; none otherwise.
fn combined(rules: &[RuleCoverage]) -> Coverage {
    if rules.is_empty() {
        return Coverage::None;
    }
    if rules.iter().any(RuleCoverage::is_full) {
        return Coverage::Full;
    }
    let present = |id: &String| rules.iter().any(|r| &r.rule_id == id);
    let completed = rules.iter().all(|r| {
        r.threshold_gaps.is_empty()
            && !r.mapping.completed_by.is_empty()
            && r.mapping.completed_by.iter().all(present)
    });
    if completed {
        Coverage::Full
    } else {
        Coverage::Partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partial(id: &str, completed_by: &[&str]) -> ControlMapping {
        ControlMapping {
            partial: true,
            leaves_out: Some("something".to_owned()),
            completed_by: completed_by.iter().map(|s| s.to_string()).collect(),
            ..ControlMapping::full(id)
        }
    }

    fn framework() -> Framework {
        let control = |id: &str| CatalogueControl {
            id: id.to_owned(),
            title: format!("Control {id}"),
            not_covered: None,
            note: None,
        };
        Framework {
            id: "fw".to_owned(),
            name: "FW".to_owned(),
            scope: "all".to_owned(),
            url: "https://example.com".to_owned(),
            controls: vec![control("1"), control("2"), control("3"), control("4")],
        }
    }

    fn coverage_of(rules: &[MappedRule], thresholds: &[(&str, u32)]) -> Vec<Coverage> {
        let thresholds = thresholds
            .iter()
            .map(|(n, v)| (n.to_string(), *v))
            .collect();
        framework()
            .coverage(rules, &thresholds)
            .controls
            .iter()
            .map(|c| c.coverage)
            .collect()
    }

    #[test]
    fn coverage_is_full_partial_or_none() {
        let a = [ControlMapping::full("1"), partial("2", &[])];
        let rules = [MappedRule {
            id: "R-1",
            title: "t",
            mappings: &a,
        }];
        assert_eq!(
            coverage_of(&rules, &[]),
            [
                Coverage::Full,
                Coverage::Partial,
                Coverage::None,
                Coverage::None
            ]
        );
    }

    #[test]
    fn partial_rules_that_complete_each_other_cover_fully_only_together() {
        let a = [partial("3", &["R-2"])];
        let b = [partial("3", &["R-1"])];
        let both = [
            MappedRule {
                id: "R-1",
                title: "t",
                mappings: &a,
            },
            MappedRule {
                id: "R-2",
                title: "t",
                mappings: &b,
            },
        ];
        assert_eq!(coverage_of(&both, &[])[2], Coverage::Full);
        assert_eq!(coverage_of(&both[..1], &[])[2], Coverage::Partial);
    }

    #[test]
    fn a_threshold_above_the_controls_value_makes_coverage_partial() {
        let a = [ControlMapping {
            thresholds: BTreeMap::from([("max_age".to_owned(), 90)]),
            ..ControlMapping::full("4")
        }];
        let rules = [MappedRule {
            id: "R-1",
            title: "t",
            mappings: &a,
        }];
        assert_eq!(coverage_of(&rules, &[("max_age", 90)])[3], Coverage::Full);
        assert_eq!(coverage_of(&rules, &[("max_age", 30)])[3], Coverage::Full);
        assert_eq!(
            coverage_of(&rules, &[("max_age", 120)])[3],
            Coverage::Partial
        );
        let gaps = a[0].threshold_gaps(&BTreeMap::from([("max_age".to_owned(), 120)]));
        assert_eq!(
            gaps,
            [ThresholdGap {
                name: "max_age".to_owned(),
                configured: 120,
                control: 90
            }]
        );
    }

    #[test]
    fn ids_no_control_of_the_catalogue_has_are_listed_apart() {
        let a = [ControlMapping::full("1"), ControlMapping::full("9")];
        let rules = [MappedRule {
            id: "R-1",
            title: "t",
            mappings: &a,
        }];
        let coverage = framework().coverage(&rules, &BTreeMap::new());
        assert_eq!(coverage.not_in_catalogue.len(), 1);
        assert_eq!(coverage.not_in_catalogue[0].id, "9");
        assert_eq!(coverage.not_in_catalogue[0].rules, ["R-1"]);
    }

    #[test]
    fn a_mapping_reads_a_bare_id_or_an_object_and_names_an_unknown_field() {
        let bare: ControlMapping = serde_json::from_str("\"IAM.3\"").unwrap();
        assert_eq!(bare, ControlMapping::full("IAM.3"));
        let object: ControlMapping = serde_json::from_str(
            r#"{"id": "1.16", "partial": true, "leaves_out": "AWS-managed policies"}"#,
        )
        .unwrap();
        assert!(object.partial);
        assert_eq!(object.leaves_out.as_deref(), Some("AWS-managed policies"));
        let error = serde_json::from_str::<ControlMapping>(r#"{"id": "1.16", "leave_out": "x"}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("leave_out"), "{error}");
        let json = serde_json::to_value(ControlMapping::full("IAM.3")).unwrap();
        assert_eq!(json, serde_json::json!({"id": "IAM.3", "partial": false}));
    }
}
