//! `keyward rules`: the rule list, or one rule's documentation.

use std::fmt::Write;

use serde::Serialize;
use tabled::settings::{Style, Width, peaker::Priority};

use super::error::{Error, exit};
use crate::cli::{ListFormat, RulesArgs};
use crate::model::RuleMetadata;
use crate::policy::Rule;

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

fn render_doc(rule: &Rule) -> String {
    let m = &rule.metadata;
    let mut out = String::new();
    let _ = writeln!(out, "{} {} ({})\n", m.id, m.title, m.name);
    let _ = writeln!(out, "Severity: {}", m.severity);
    let _ = writeln!(out, "Controls: {}", m.control_tags().join(", "));
    let requires: Vec<String> = m.requires.iter().map(|s| s.name()).collect();
    let _ = writeln!(out, "Reads:    {}", requires.join(", "));
    let _ = writeln!(out, "Source:   {}\n", rule.origin);
    let _ = writeln!(out, "Why it matters\n\n{}\n", m.description);
    let _ = writeln!(out, "How to fix it\n\n{}", m.remediation);
    if !m.references.is_empty() {
        let _ = writeln!(out, "\nReferences");
        for reference in &m.references {
            let _ = writeln!(out, "  {reference}");
        }
    }
    out
}
