//! The control coverage as a markdown document: per framework, every control of the catalogue
//! with its official title, how much of it the rules cover, which rules, and why not.
//! `docs/controls.md` is this document for the built-in pack at the default configuration.

use std::fmt::Write;

use crate::model::{ControlCoverage, Coverage, FrameworkCoverage, RuleCoverage};

/// The command that writes `docs/controls.md`; the document names it, and so does the test
/// that keeps the file in sync.
pub const REGENERATE: &str = "cargo run -- controls --format markdown > docs/controls.md";

/// The whole document.
pub fn render(frameworks: &[FrameworkCoverage]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Controls and the rules that cover them\n");
    let _ = writeln!(
        out,
        "<!-- Generated from the rules' METADATA (`custom.controls`) and `policies/controls/*.yaml` by `{REGENERATE}`: edit those, not this file. -->\n"
    );
    out.push_str(INTRODUCTION);
    for framework in frameworks {
        render_framework(&mut out, framework);
    }
    out
}

const INTRODUCTION: &str = "\
Every control of the frameworks in keyward's scope, with its official title and the rules that \
check it. **Coverage** is *full* when one rule checks everything the control asks (or partial \
rules that complete each other are all there), *partial* when the rules check only part of it \
(each says what it leaves out), and *none* when no rule does (the notes say why). A rule whose \
mapping names a threshold covers the control fully only while that threshold in `keyward.yaml` \
is at most the control's own value; this page is computed at the default thresholds, and \
`keyward controls --config keyward.yaml` computes it for yours (and with your own rules, \
`--policy DIR`). `--format json` gives the same data to tools.

**Counting from creation.** A credential or secret that was never used, never read or never \
rotated is measured from its creation: a key created yesterday and never used is not \"unused \
for 45 days\", one created 50 days ago is. The notes repeat this beside each control it \
affects.

";

fn render_framework(out: &mut String, framework: &FrameworkCoverage) {
    let count = |coverage: Coverage| {
        framework
            .controls
            .iter()
            .filter(|c| c.coverage == coverage)
            .count()
    };
    let _ = writeln!(out, "## {}\n", escape(&framework.name));
    let _ = writeln!(
        out,
        "`{}`: {}. Source: <{}>. {} controls: {} full, {} partial, {} none.\n",
        framework.id,
        escape(&framework.scope),
        framework.url,
        framework.controls.len(),
        count(Coverage::Full),
        count(Coverage::Partial),
        count(Coverage::None),
    );
    let _ = writeln!(out, "| control | title | coverage | rules | notes |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for control in &framework.controls {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            escape(&control.control.id),
            escape(&control.control.title),
            control.coverage.label(),
            rules_cell(control),
            notes_cell(control),
        );
    }
    out.push('\n');
    if !framework.not_in_catalogue.is_empty() {
        let _ = writeln!(
            out,
            "Mapped by rules but not in the catalogue (`policies/controls/{}.yaml`):\n",
            framework.id
        );
        for control in &framework.not_in_catalogue {
            let _ = writeln!(
                out,
                "- {}: {}",
                escape(&control.id),
                control.rules.join(", ")
            );
        }
        out.push('\n');
    }
}

fn rules_cell(control: &ControlCoverage) -> String {
    if control.rules.is_empty() {
        return "—".to_owned();
    }
    control
        .rules
        .iter()
        .map(rule_text)
        .collect::<Vec<_>>()
        .join("<br>")
}

/// "KW-IAM-009 Access key not rotated within the limit", then what limits its coverage.
fn rule_text(rule: &RuleCoverage) -> String {
    let mut text = format!("{} {}", rule.rule_id, escape(&rule.rule_title));
    let mut limits = Vec::new();
    if let Some(left_out) = &rule.mapping.leaves_out {
        limits.push(format!("partial: leaves out {}", escape(left_out)));
    }
    if !rule.mapping.completed_by.is_empty() {
        limits.push(format!(
            "completed by {}",
            rule.mapping.completed_by.join(", ")
        ));
    }
    for (name, control) in &rule.mapping.thresholds {
        match rule.threshold_gaps.iter().find(|g| &g.name == name) {
            Some(gap) => limits.push(format!(
                "partial: `{name}` is {}, above the control's {control}",
                gap.configured
            )),
            None => limits.push(format!("full while `{name}` ≤ {control}")),
        }
    }
    if !limits.is_empty() {
        let _ = write!(text, " ({})", limits.join("; "));
    }
    text
}

fn notes_cell(control: &ControlCoverage) -> String {
    let c = &control.control;
    let not_covered = c
        .not_covered
        .as_deref()
        .filter(|_| control.rules.is_empty())
        .map(|why| format!("Not covered: {}", escape(why)));
    [not_covered, c.note.as_deref().map(escape)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Text from a catalogue or METADATA, shown as written: characters that markdown or a table
/// would read as syntax are escaped (`*:*` in a CIS title would otherwise turn italic).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
    {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_in_titles_is_escaped_and_lines_are_joined() {
        assert_eq!(
            escape("allow full \"*:*\" | x\n  y_z <a>"),
            "allow full \"\\*:\\*\" \\| x y\\_z \\<a\\>"
        );
    }
}
