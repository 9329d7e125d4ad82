//! `keyward rules`: the rule list, or one rule's documentation.

use serde::Serialize;
use tabled::settings::{Style, Width, peaker::Priority};

use super::error::{Error, exit};
use crate::cli::{ListFormat, RulesArgs};
use crate::model::RuleMetadata;
use crate::policy::Rule;
use crate::report::rule_doc;

pub fn run(args: &RulesArgs) -> Result<i32, Error> {
    let policies = super::policies::load(&args.policies)?;
    let rules: Vec<&Rule> = match &args.rule {
        Some(wanted) => {
            let rule = policies
                .rules()
                .iter()
                .find(|r| &r.metadata.id == wanted || &r.metadata.name == wanted)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "no rule has the id or name `{wanted}`: `keyward rules` lists them"
                    ))
                })?;
            vec![rule]
        }
        None => policies.rules().iter().collect(),
    };
    let text = match (args.format, args.rule.is_some()) {
        (ListFormat::Json, _) => {
            let list: Vec<_> = rules.iter().map(|r| rule_json(r)).collect();
            serde_json::to_string_pretty(&list).expect("json") + "\n"
        }
        (ListFormat::Table, true) => render_doc(rules[0]),
        (ListFormat::Table, false) => render_table(&rules),
    };
    super::output::write(None, &text)?;
    Ok(exit::CLEAN)
}

/// A rule as `keyward rules --format json` lists it: its metadata and where it was loaded from.
#[derive(Serialize)]
struct RuleListing<'a> {
    #[serde(flatten)]
    metadata: &'a RuleMetadata,
    origin: &'a str,
}

fn rule_json(rule: &Rule) -> RuleListing<'_> {
    RuleListing {
        metadata: &rule.metadata,
        origin: &rule.origin,
    }
}

fn render_table(rules: &[&Rule]) -> String {
    let rows: Vec<[String; 4]> = rules
        .iter()
        .map(|r| {
            [
                r.metadata.id.clone(),
                r.metadata.severity.to_string(),
                r.metadata.title.clone(),
                r.metadata.control_tags().join(" "),
            ]
        })
        .collect();
    let mut table = tabled::builder::Builder::from_iter(rows);
    table.insert_record(0, ["ID", "SEVERITY", "TITLE", "CONTROLS"]);
    let mut table = table.build();
    table
        .with(Style::sharp())
        .with(Width::wrap(crate::report::terminal_width()).priority(Priority::max(true)))
        .with(Width::increase(crate::report::terminal_width()).priority(Priority::min(true)));
    format!("{table}\n{} rules\n", rules.len())
}

/// The rule's documentation, and the file it was loaded from.
fn render_doc(rule: &Rule) -> String {
    format!(
        "{}\nSource: {}\n",
        rule_doc::plain_text(&rule.metadata),
        rule.origin
    )
}
