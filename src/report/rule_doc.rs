//! A rule's documentation, rendered once from its METADATA for every place that shows it: the
//! help of a SARIF rule (markdown, and plain text for viewers without markdown), `keyward rules
//! ID` (plain text) and the rule pages that `keyward rules --doc-dir` writes (markdown).
//!
//! Both forms share one layout: id and title; severity, name, the snapshot sections read and the
//! resources judged; why it matters; how to fix it; controls; references.
//!
//! The METADATA texts are plain text with three conventions (policies/README.md): numbered
//! steps (`1. `), commands on lines of their own indented deeper than the prose around them, and
//! code in backticks. The plain-text form shows them as written. The markdown form turns steps
//! into a list and commands into code blocks, and escapes everything else that markdown would
//! read as syntax: GitHub drops what looks like HTML, so a placeholder such as `<user>` in prose
//! would vanish from the page instead of reaching the reader.

use crate::model::{ControlMapping, RuleMetadata};

/// Markdown or plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Markdown,
    PlainText,
}

/// The rule's documentation in markdown, for SARIF help and the rule pages.
pub fn markdown(rule: &RuleMetadata) -> String {
    render(rule, Form::Markdown)
}

/// The rule's documentation in plain text, for terminals and SARIF's `help.text`.
pub fn plain_text(rule: &RuleMetadata) -> String {
    render(rule, Form::PlainText)
}

/// The project's home, where the built-in pack's rule pages are published. The owner is a
/// placeholder, as in the README's `uses: OWNER/keyward@v1`, until the repository is published.
pub const PROJECT_HOME: &str = "https://github.com/OWNER/keyward";

/// The built-in pack's rule pages, relative to the repository root.
pub const BUILTIN_PAGES_DIR: &str = "docs/rules";

/// The page that lists the rules, beside their pages.
pub const INDEX_PAGE: &str = "README.md";

/// Opens every generated page, so that nobody edits one by hand; an HTML comment, which GitHub
/// does not show.
const GENERATED_NOTE: &str = "<!-- Generated from the rule's METADATA by `keyward rules --doc-dir`: edit the METADATA, not this file. -->";

/// A rule's page is named by its id, which never changes; names may.
pub fn page_file_name(rule: &RuleMetadata) -> String {
    format!("{}.md", rule.id)
}

/// The published page of a built-in rule; user rules have none.
pub fn page_url(rule: &RuleMetadata) -> Option<String> {
    rule.builtin.then(|| {
        format!(
            "{PROJECT_HOME}/blob/main/{BUILTIN_PAGES_DIR}/{}",
            page_file_name(rule)
        )
    })
}

/// A rule's page: its documentation in markdown.
pub fn page(rule: &RuleMetadata) -> String {
    format!("{GENERATED_NOTE}\n\n{}", markdown(rule))
}

/// The index of the rule pages: a table of the rules, each linked to its page.
pub fn index_page(rules: &[&RuleMetadata]) -> String {
    let rows: Vec<String> = rules
        .iter()
        .map(|rule| {
            format!(
                "| [{}]({}) | {} | {} | {} |",
                rule.id,
                page_file_name(rule),
                rule.severity,
                escape_prose(&rule.title),
                escape_prose(&rule.control_tags().join(", "))
            )
        })
        .collect();
    format!(
        "{GENERATED_NOTE}\n\n# Rules\n\nOne page per rule: why it matters, how to fix it, the controls it maps to. `keyward rules ID`\nshows the same in a terminal.\n\n| id | severity | title | controls |\n|---|---|---|---|\n{}\n",
        rows.join("\n")
    )
}

fn render(rule: &RuleMetadata, form: Form) -> String {
    let mut parts = vec![title(rule, form), facts(rule, form)];
    for (heading, body) in sections(rule) {
        parts.push(match form {
            Form::Markdown => format!("## {heading}"),
            Form::PlainText => heading.to_owned(),
        });
        parts.push(body.render(form));
    }
    parts.join("\n\n") + "\n"
}

fn title(rule: &RuleMetadata, form: Form) -> String {
    let title = format!("{}: {}", rule.id, rule.title);
    match form {
        Form::Markdown => format!("# {}", escape_prose(&title)),
        Form::PlainText => title,
    }
}

/// Severity, name, the snapshot sections the rule reads and the resources it judges, one per line.
fn facts(rule: &RuleMetadata, form: Form) -> String {
    let mut facts = vec![
        format!("Severity: {}", rule.severity),
        format!("Name: {}", rule.name),
    ];
    if !rule.requires.is_empty() {
        let sections: Vec<String> = rule.requires.iter().map(|s| s.name()).collect();
        facts.push(format!("Reads from the snapshot: {}", sections.join(", ")));
    }
    if !rule.evaluates.is_empty() {
        let kinds: Vec<&str> = rule.evaluates.iter().map(|k| k.name()).collect();
        facts.push(format!("Evaluates: {}", kinds.join(", ")));
    }
    match form {
        Form::Markdown => Body::Items(facts).render(form),
        Form::PlainText => facts.join("\n"),
    }
}

/// What a section below the facts holds.
enum Body<'a> {
    /// A METADATA text: description or remediation.
    Text(&'a str),
    /// One entry per line.
    Items(Vec<String>),
    /// Links to further reading.
    Links(&'a [String]),
}

impl Body<'_> {
    fn render(&self, form: Form) -> String {
        match (self, form) {
            (Body::Text(text), Form::Markdown) => text_markdown(text),
            (Body::Text(text), Form::PlainText) => (*text).to_owned(),
            (Body::Items(items), Form::Markdown) => bullets(items.iter().map(|i| escape_prose(i))),
            (Body::Items(items), Form::PlainText) => bullets(items.iter().cloned()),
            (Body::Links(links), Form::Markdown) => bullets(links.iter().map(|l| link(l))),
            (Body::Links(links), Form::PlainText) => bullets(links.iter().cloned()),
        }
    }
}

/// A bulleted list, in markdown and plain text alike.
fn bullets(items: impl Iterator<Item = String>) -> String {
    items
        .map(|item| format!("- {item}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A control id, and how much of it the rule leaves out when it covers it only partly.
fn describe_mapping(mapping: &ControlMapping) -> String {
    match (&mapping.leaves_out, mapping.partial) {
        (Some(left_out), true) => format!("{} (partly: leaves out {left_out})", mapping.id),
        (None, true) => format!("{} (partly)", mapping.id),
        _ => mapping.id.clone(),
    }
}

/// The sections below the facts, in order; empty ones are left out.
fn sections(rule: &RuleMetadata) -> Vec<(&'static str, Body<'_>)> {
    let mut sections = vec![
        ("Why it matters", Body::Text(&rule.description)),
        ("How to fix it", Body::Text(&rule.remediation)),
    ];
    if !rule.controls.is_empty() {
        let controls = rule
            .controls
            .iter()
            .map(|(framework, mappings)| {
                let ids: Vec<String> = mappings.iter().map(describe_mapping).collect();
                format!("{framework}: {}", ids.join(", "))
            })
            .collect();
        sections.push(("Controls", Body::Items(controls)));
    }
    if !rule.references.is_empty() {
        sections.push(("References", Body::Links(&rule.references)));
    }
    sections
}

/// A reference as an autolink when it is a plain URL; anything else as text.
fn link(reference: &str) -> String {
    let is_url = (reference.starts_with("https://") || reference.starts_with("http://"))
        && !reference.contains(|c: char| c.is_whitespace() || c == '<' || c == '>');
    if is_url {
        format!("<{reference}>")
    } else {
        escape_prose(reference)
    }
}

/// A METADATA text read into what markdown needs to tell apart.
#[derive(Debug, PartialEq)]
enum Block<'a> {
    /// A paragraph: its lines, trimmed.
    Prose(Vec<&'a str>),
    /// A command (continued over several lines, or several commands in a row): its lines as
    /// written, indentation included.
    Command(Vec<&'a str>),
    /// A numbered step, e.g. marker `2.`, and the prose and commands that belong to it.
    Step {
        marker: &'a str,
        blocks: Vec<Block<'a>>,
    },
}

/// Reads a METADATA text: a line at the margin that starts with `N. ` opens a step, and the step
/// goes on while its lines are indented; lines indented deeper than the prose they belong to
/// (the margin, or a step's text column) are commands; blank lines separate paragraphs.
fn read_blocks(text: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut step: Option<(&str, Vec<Block>)> = None;
    let mut after_blank_line = false;
    for line in text.lines() {
        let content = line.trim();
        if content.is_empty() {
            after_blank_line = true;
            continue;
        }
        let indent = indentation(line);
        if indent == 0 {
            if let Some((marker, step_blocks)) = step.take() {
                blocks.push(Block::Step {
                    marker,
                    blocks: step_blocks,
                });
            }
            if let Some((marker, rest)) = step_marker(content) {
                step = Some((marker, vec![Block::Prose(vec![rest])]));
                after_blank_line = false;
                continue;
            }
        }
        let (column, container) = match &mut step {
            Some((marker, step_blocks)) => (marker.len() + 1, step_blocks),
            None => (0, &mut blocks),
        };
        add_line(container, line, indent > column, after_blank_line);
        after_blank_line = false;
    }
    if let Some((marker, step_blocks)) = step {
        blocks.push(Block::Step {
            marker,
            blocks: step_blocks,
        });
    }
    blocks
}

/// Adds a line to the block it continues, or starts a new block with it.
fn add_line<'a>(blocks: &mut Vec<Block<'a>>, line: &'a str, command: bool, after_blank_line: bool) {
    match (blocks.last_mut(), command) {
        (Some(Block::Command(lines)), true) if !after_blank_line => lines.push(line),
        (Some(Block::Prose(lines)), false) if !after_blank_line => lines.push(line.trim()),
        (_, true) => blocks.push(Block::Command(vec![line])),
        (_, false) => blocks.push(Block::Prose(vec![line.trim()])),
    }
}

/// `("2.", "Deactivate the old key")` for a line that opens a numbered step.
fn step_marker(line: &str) -> Option<(&str, &str)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = line[digits..].strip_prefix(". ")?.trim_start();
    // CommonMark reads at most nine digits as a list number.
    ((1..=9).contains(&digits) && !rest.is_empty()).then(|| (&line[..=digits], rest))
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn text_markdown(text: &str) -> String {
    blocks_markdown(&read_blocks(text))
}

fn blocks_markdown(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|block| match block {
            Block::Prose(lines) => escape_prose(&lines.join("\n")),
            Block::Command(lines) => code_block(lines),
            Block::Step { marker, blocks } => list_item(marker, &blocks_markdown(blocks)),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A list item: the marker, then the content indented to the column after the marker, where
/// markdown keeps paragraphs and code blocks inside the item.
fn list_item(marker: &str, content: &str) -> String {
    let indent = " ".repeat(marker.len() + 1);
    let mut lines = content.lines();
    let first = format!("{marker} {}", lines.next().unwrap_or_default());
    let rest = lines.map(|line| match line {
        "" => String::new(),
        _ => format!("{indent}{line}"),
    });
    std::iter::once(first)
        .chain(rest)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A fenced code block keeping the lines' indentation relative to each other, with a fence
/// longer than any run of backticks inside it.
fn code_block(lines: &[&str]) -> String {
    let margin = lines.iter().map(|l| indentation(l)).min().unwrap_or(0);
    let longest_run = lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    let code: Vec<&str> = lines.iter().map(|l| l[margin..].trim_end()).collect();
    format!("{fence}sh\n{}\n{fence}", code.join("\n"))
}

/// Markdown for plain text: code spans (`…`) as written, a backslash before every other
/// character that markdown would read as syntax.
fn escape_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut rest = text;
    let mut at_line_start = true;
    while let Some((before, span, after)) = split_code_span(rest) {
        out += &escape_outside_code(before, at_line_start);
        out += span;
        at_line_start = false;
        rest = after;
    }
    out + &escape_outside_code(rest, at_line_start)
}

/// The first code span in `text`: the text before it, the span with its backticks, the text
/// after it. As in markdown, a run of backticks opens a span only if a run of the same length
/// closes it.
fn split_code_span(text: &str) -> Option<(&str, &str, &str)> {
    let mut search = 0;
    while let Some(offset) = text[search..].find('`') {
        let open = search + offset;
        let inside = open + backtick_run(&text[open..]);
        if let Some(close) = find_backtick_run(&text[inside..], inside - open) {
            let end = inside + close + (inside - open);
            return Some((&text[..open], &text[open..end], &text[end..]));
        }
        search = inside;
    }
    None
}

/// Where a run of exactly `length` backticks starts.
fn find_backtick_run(text: &str, length: usize) -> Option<usize> {
    let mut search = 0;
    while let Some(offset) = text[search..].find('`') {
        let start = search + offset;
        let run = backtick_run(&text[start..]);
        if run == length {
            return Some(start);
        }
        search = start + run;
    }
    None
}

fn backtick_run(text: &str) -> usize {
    text.bytes().take_while(|&b| b == b'`').count()
}

fn escape_outside_code(text: &str, at_line_start: bool) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, line)| {
            let escaped = super::text::escape_inline(line);
            if i > 0 || at_line_start {
                escape_block_start(&escaped)
            } else {
                escaped
            }
        })
        .collect()
}

/// Escapes the marker of a line that markdown would read as opening a block: a heading, a list
/// item or a heading underline. (`>`, `*` and `|` are escaped wherever they are.)
fn escape_block_start(line: &str) -> String {
    if line.starts_with(['#', '-', '+', '=']) {
        return format!("\\{line}");
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with(['.', ')']) {
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    line.to_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

    use super::*;
    use crate::model::Severity;
    use crate::snapshot::DataSection;

    fn rule(description: &str, remediation: &str) -> RuleMetadata {
        RuleMetadata {
            id: "KW-T-001".to_owned(),
            name: "a-rule".to_owned(),
            title: "A *rule*".to_owned(),
            description: description.to_owned(),
            severity: Severity::High,
            remediation: remediation.to_owned(),
            requires: vec![DataSection::IamCredentials],
            controls: BTreeMap::from([(
                "aws-securityhub".to_owned(),
                vec![ControlMapping::full("IAM.3")],
            )]),
            references: vec!["https://example.com/a_b".to_owned()],
            evaluation_group: None,
            evaluates: Vec::new(),
            builtin: false,
        }
    }

    /// What a markdown reader sees: the text of prose, code spans and code blocks (code blocks
    /// collected apart), and whether anything was taken for HTML.
    #[derive(Default)]
    struct Seen {
        text: String,
        code_blocks: Vec<String>,
        html: Vec<String>,
    }

    fn seen(markdown: &str) -> Seen {
        // GitHub's extensions, so that their syntax would show if it were not escaped.
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_MATH
            | Options::ENABLE_GFM;
        let mut seen = Seen::default();
        let mut in_code_block = false;
        for event in Parser::new_ext(markdown, options) {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                    in_code_block = true;
                    seen.code_blocks.push(String::new());
                }
                Event::End(TagEnd::CodeBlock) => in_code_block = false,
                Event::Text(text) if in_code_block => {
                    seen.code_blocks.last_mut().unwrap().push_str(&text)
                }
                Event::Text(text) | Event::Code(text) => seen.text.push_str(&text),
                Event::SoftBreak => seen.text.push('\n'),
                Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item)
                    if !seen.text.ends_with('\n') =>
                {
                    seen.text.push('\n')
                }
                Event::Html(html) | Event::InlineHtml(html) => seen.html.push(html.to_string()),
                _ => {}
            }
        }
        seen
    }

    #[test]
    fn prose_reads_in_markdown_as_it_is_written() {
        let prose = "Allow for Principal \"*\" or \"*\", on arn:aws:iam::<account-id>:root & <user>;\n\
                     a_b_c [x](y) ~z~ $1 and $2 | `code <kept> *as is*` and a lone ` tick\n\
                     # not a heading\n- not a list\n1) not a list either\n+ nor this\n===";
        let seen = seen(&markdown(&rule(prose, "Fix it.")));
        assert!(seen.html.is_empty(), "{:?}", seen.html);
        // A code span reads without its backticks.
        let read = prose.replace("`code <kept> *as is*`", "code <kept> *as is*");
        assert!(seen.text.contains(&format!("{read}\n")), "{}", seen.text);
        assert!(
            seen.text.starts_with("KW-T-001: A *rule*\n"),
            "{}",
            seen.text
        );
    }

    #[test]
    fn steps_become_a_list_and_commands_code_blocks_inside_it() {
        let remediation = "1. Create a second key:\n     aws iam create-access-key --user-name <user> \\\n       --output json\n   then move every caller to it.\n   2. is not a new step here\n2. Check: `aws iam list-access-keys`\nDone.";
        let markdown = markdown(&rule("Why.", remediation));
        let seen = seen(&markdown);
        assert!(seen.html.is_empty(), "{:?}", seen.html);
        assert_eq!(
            seen.code_blocks,
            ["aws iam create-access-key --user-name <user> \\\n  --output json\n"]
        );
        assert!(
            markdown.contains("1. Create a second key:\n\n   ```sh\n"),
            "{markdown}"
        );
        assert!(
            seen.text
                .contains("Create a second key:\nthen move every caller to it.\n2. is not a new step here\nCheck: aws iam list-access-keys\nDone.\n"),
            "{}",
            seen.text
        );
        let items = Parser::new(&markdown)
            .filter(|e| matches!(e, Event::Start(Tag::Item)))
            .count();
        assert_eq!(items, 2 + 3 + 2, "steps, facts, controls and references");
    }

    #[test]
    fn plain_text_shows_the_texts_as_written_without_markdown_syntax() {
        let remediation = "1. Create a key:\n     aws iam create-access-key --user-name <user>";
        let text = plain_text(&rule("Why <it> matters.", remediation));
        assert!(text.starts_with("KW-T-001: A *rule*\n\nSeverity: high\nName: a-rule\nReads from the snapshot: iam.credentials\n\nWhy it matters\n\nWhy <it> matters.\n"), "{text}");
        assert!(
            text.contains(&format!("How to fix it\n\n{remediation}\n")),
            "{text}"
        );
        assert!(
            text.ends_with("- aws-securityhub: IAM.3\n\nReferences\n\n- https://example.com/a_b\n"),
            "{text}"
        );
        assert!(
            !text.contains("##") && !text.contains("```") && !text.contains('\\'),
            "{text}"
        );
    }

    #[test]
    fn only_builtin_rules_have_a_published_page() {
        let mut builtin = rule("Why.", "Fix.");
        assert_eq!(page_url(&builtin), None);
        builtin.builtin = true;
        assert_eq!(
            page_url(&builtin).unwrap(),
            format!("{PROJECT_HOME}/blob/main/docs/rules/KW-T-001.md")
        );
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(
            placeholders("a <user> b <next code>\nc < d"),
            ["<user>", "<next code>"]
        );
    }

    #[test]
    fn references_link_when_they_are_urls() {
        let mut with_note = rule("Why.", "Fix.");
        with_note.references.push("the <team> wiki".to_owned());
        let markdown = markdown(&with_note);
        assert!(
            markdown.contains("- <https://example.com/a_b>\n- the \\<team\\> wiki\n"),
            "{markdown}"
        );
    }

    /// The `<…>` placeholders of a text, e.g. `<user>` and `<next code>`.
    fn placeholders(text: &str) -> Vec<&str> {
        text.match_indices('<')
            .filter_map(|(start, _)| {
                let end = start + text[start..].find(['>', '\n'])?;
                (text.as_bytes()[end] == b'>').then(|| &text[start..=end])
            })
            .collect()
    }

    #[test]
    fn the_builtin_rules_show_their_commands_as_code_and_keep_their_placeholders() {
        let pack = crate::policy::PolicySet::load(&crate::policy::builtin_sources()).unwrap();
        for rule in pack.rules().iter().map(|r| &r.metadata) {
            let seen = seen(&markdown(rule));
            assert!(
                seen.html.is_empty(),
                "{}: taken for HTML: {:?}",
                rule.id,
                seen.html
            );
            let code = seen.code_blocks.concat();
            for text in [&rule.description, &rule.remediation] {
                for line in text.lines().map(str::trim).filter(|l| l.contains("aws ")) {
                    assert!(
                        line.starts_with("aws ") && code.contains(line),
                        "{}: a command must be on a line of its own, indented deeper than the prose: {line}",
                        rule.id
                    );
                }
                for placeholder in placeholders(text) {
                    assert!(
                        seen.text.contains(placeholder) || code.contains(placeholder),
                        "{}: {placeholder} is lost",
                        rule.id
                    );
                }
            }
        }
    }
}
