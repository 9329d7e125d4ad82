//! `keyward rules`: the rule list, or one rule's documentation.

use std::path::Path;

use serde::Serialize;

use super::error::{Error, exit};
use crate::cli::{ListFormat, RulesArgs};
use crate::model::RuleMetadata;
use crate::policy::Rule;
use crate::report::grid::Cell;
use crate::report::rule_doc;
use crate::text::{quoted, terminal_safe, terminal_safe_lines};

pub fn run(args: &RulesArgs) -> Result<i32, Error> {
    let policies = super::policies::load(&args.policies)?;
    if let Some(dir) = &args.doc_dir {
        return write_pages(dir, policies.rules());
    }
    let rules: Vec<&Rule> = match &args.rule {
        Some(wanted) => {
            let rule = find(policies.rules(), wanted).ok_or_else(|| {
                Error::Usage(format!(
                    "no rule has the id or name {}: `keyward rules` lists them",
                    quoted(wanted)
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

/// The rule with this id or name, in any case: ids are upper case (`KW-IAM-009`), names lower
/// case, and neither case carries meaning worth a "no such rule".
pub(super) fn find<'a>(rules: &'a [Rule], wanted: &str) -> Option<&'a Rule> {
    rules.iter().find(|r| {
        r.metadata.id.eq_ignore_ascii_case(wanted) || r.metadata.name.eq_ignore_ascii_case(wanted)
    })
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
    let rows: Vec<Vec<Cell>> = rules
        .iter()
        .map(|r| {
            vec![
                Cell::from(terminal_safe(&r.metadata.id).into_owned()),
                Cell::styled(
                    r.metadata.severity.to_string(),
                    crate::report::severity_style(r.metadata.severity),
                ),
                Cell::from(terminal_safe(&r.metadata.title).into_owned()),
                Cell::from(terminal_safe(&r.metadata.control_tags().join(" ")).into_owned()),
            ]
        })
        .collect();
    let header = ["ID", "SEVERITY", "TITLE", "CONTROLS"];
    let table = crate::report::grid::render(Some(&header), &rows, super::console::terminal());
    format!("{table}{} rules\n", rules.len())
}

/// The rule's documentation, and the file it was loaded from.
fn render_doc(rule: &Rule) -> String {
    format!(
        "{}\nSource: {}\n",
        terminal_safe_lines(&rule_doc::plain_text(&rule.metadata)),
        rule.origin
    )
}

/// The pages `--doc-dir` writes, by file name: one per rule, and the index.
fn pages(rules: &[Rule]) -> Vec<(String, String)> {
    let metadata: Vec<&RuleMetadata> = rules.iter().map(|r| &r.metadata).collect();
    let mut pages: Vec<(String, String)> = metadata
        .iter()
        .map(|m| (rule_doc::page_file_name(m), rule_doc::page(m)))
        .collect();
    pages.push((
        rule_doc::INDEX_PAGE.to_owned(),
        rule_doc::index_page(&metadata),
    ));
    pages
}

fn write_pages(dir: &Path, rules: &[Rule]) -> Result<i32, Error> {
    super::files::create_dir(dir)?;
    for (name, text) in pages(rules) {
        super::output::write(Some(&dir.join(name)), &text)?;
    }
    let summary = format!(
        "{}: {} rule pages and {}\n",
        dir.display(),
        rules.len(),
        rule_doc::INDEX_PAGE
    );
    super::output::write(None, &summary)?;
    Ok(exit::CLEAN)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::policy::{PolicySet, builtin_sources};

    #[test]
    fn a_rule_is_found_by_id_or_name_in_any_case() {
        let pack = PolicySet::load(&builtin_sources()).unwrap();
        for wanted in [
            "KW-IAM-009",
            "kw-iam-009",
            "access-key-not-rotated",
            "Access-Key-Not-Rotated",
        ] {
            let rule = find(pack.rules(), wanted);
            assert_eq!(
                rule.map(|r| r.metadata.id.as_str()),
                Some("KW-IAM-009"),
                "{wanted}"
            );
        }
        assert!(find(pack.rules(), "KW-IAM-999").is_none());
    }

    /// The pages under docs/rules/ are what the built-in pack's METADATA generates, no more.
    #[test]
    fn the_rule_pages_match_the_metadata() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(rule_doc::BUILTIN_PAGES_DIR);
        let pack = PolicySet::load(&builtin_sources()).unwrap();
        let expected = pages(pack.rules());
        let mut problems = Vec::new();
        for (name, text) in &expected {
            let page = format!("{}/{name}", rule_doc::BUILTIN_PAGES_DIR);
            match std::fs::read_to_string(dir.join(name)) {
                // A checkout with CRLF line endings holds the same pages.
                Ok(found) if found.replace("\r\n", "\n") == *text => {}
                Ok(_) => problems.push(format!("{page} is out of date")),
                Err(_) => problems.push(format!("{page} is missing")),
            }
        }
        let generated: BTreeSet<&str> = expected.iter().map(|(name, _)| name.as_str()).collect();
        for entry in std::fs::read_dir(&dir).unwrap().map(Result::unwrap) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !generated.contains(name.as_str()) {
                problems.push(format!(
                    "{}/{name} belongs to no rule: delete it",
                    rule_doc::BUILTIN_PAGES_DIR
                ));
            }
        }
        assert!(
            problems.is_empty(),
            "{}\nthe rule pages are generated from METADATA: run `cargo run -- rules --doc-dir {}`",
            problems.join("\n"),
            rule_doc::BUILTIN_PAGES_DIR
        );
    }
}
