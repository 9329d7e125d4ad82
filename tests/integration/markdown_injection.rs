//! Markdown that reaches GitHub (job summaries, pull-request comments, audits' report.md) is
//! read the way GitHub reads it, with comrak (a port of GitHub's cmark-gfm) and GitHub's
//! extensions on: every attacker-controlled field (IAM paths inside ARNs, user names, account
//! names and aliases, collection errors, waiver owners, rule titles, file names) must come out
//! as literal text. No link, image, HTML, closed code span, forged table row or cell.

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};

use crate::support::cli::{keyward, keyward_in};
use crate::support::hostile::{incident_with, write};
use keyward::text::terminal_safe;

/// An IAM path may hold any printable ASCII but spaces: every markdown trigger is in it.
const PATH: &str = "/`]x[click](https://evil.example/a)![i](https://evil.example/i.png)<img/src=x>|~~s~~,www.evil.example,admin@evil.example,@octocat,&lt;,$x$,[^1],**b**,_e_,<https://evil.example/c>/";
/// Names and messages need not be IAM-valid in a snapshot handed between jobs.
const NAME: &str = "alice\n| forged | row | here |\r\n\u{1b}[31m<script>alert(1)</script> [x](http://evil.example) `code";
const ALIAS: &str = "prod [login](https://evil.example/login) <b>bold</b> | cell";
const OWNER: &str = "team <a href=https://evil.example>x</a> | [y](https://evil.example) @octocat";
const REASON: &str = "denied ![pixel](https://evil.example/p.png)\n| forged |";
const TITLE: &str = "Hostile [t](https://evil.example/t) <b>b</b> | x ~~y~~";

/// What GitHub makes of a markdown document.
#[derive(Debug, Default)]
struct Reading {
    /// Text as a reader sees it: text, code spans and line breaks, in order.
    text: String,
    code_spans: Vec<String>,
    table_rows: usize,
    /// Links, images, HTML and other syntax an attacker must never reach, as found.
    active: Vec<String>,
}

fn github_reads(markdown: &str) -> Reading {
    let mut options = Options::default();
    let extension = &mut options.extension;
    (extension.table, extension.strikethrough, extension.autolink) = (true, true, true);
    (
        extension.tasklist,
        extension.footnotes,
        extension.math_dollars,
    ) = (true, true, true);
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &options);
    let mut reading = Reading::default();
    read(root, &mut reading);
    reading
}

fn read<'a>(node: &'a AstNode<'a>, reading: &mut Reading) {
    match &node.data.borrow().value {
        NodeValue::Text(text) => reading.text.push_str(text),
        NodeValue::Code(code) => {
            reading.text.push_str(&code.literal);
            reading.code_spans.push(code.literal.clone());
        }
        NodeValue::SoftBreak | NodeValue::LineBreak => reading.text.push('\n'),
        NodeValue::HtmlInline(html) if html == "<br>" => reading.text.push('\n'),
        // The drift section's own collapsible groups.
        NodeValue::HtmlBlock(html)
            if html.literal.starts_with("<details><summary>") || html.literal == "</details>\n" => {
        }
        NodeValue::TableRow(_) => reading.table_rows += 1,
        NodeValue::TableCell | NodeValue::Paragraph | NodeValue::Heading(_) => {
            reading.text.push('\n')
        }
        value @ (NodeValue::Link(_)
        | NodeValue::Image(_)
        | NodeValue::HtmlInline(_)
        | NodeValue::HtmlBlock(_)
        | NodeValue::Strikethrough
        | NodeValue::FootnoteReference(_)
        | NodeValue::Math(_)
        | NodeValue::TaskItem(_)) => reading.active.push(format!("{value:?}")),
        _ => {}
    }
    for child in node.children() {
        read(child, reading);
    }
}

/// What a reader must see for a hostile value: the value itself, control characters shown.
fn literal(value: &str) -> String {
    terminal_safe(value).into_owned()
}

fn assert_literal(reading: &Reading, values: &[&str], markdown: &str) {
    assert!(
        reading.active.is_empty(),
        "markdown syntax from hostile fields: {:#?}\n{markdown}",
        reading.active
    );
    // The word joiner keeps GitHub from linking e-mail addresses and @mentions; it is invisible.
    let seen = reading.text.replace('\u{2060}', "");
    for value in values {
        assert!(
            seen.contains(&literal(value)),
            "not shown literally: {value:?}\nseen:\n{seen}\nmarkdown:\n{markdown}"
        );
    }
}

fn hostile_policy(dir: &std::path::Path) -> String {
    let policies = dir.join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    let rule = format!(
        "# METADATA\n# title: {}\n# description: D.\n# custom:\n#   id: ACME-MD-001\n#   name: hostile-title\n#   severity: high\n#   remediation: R.\npackage acme.hostile\n\ndeny contains {{\"resource\": u.arn, \"message\": sprintf(\"user %s\", [u.name])}} if {{\n\tsome u in input.snapshot.users\n\tstartswith(u.name, \"alice\")\n}}\n",
        serde_json::to_string(TITLE).unwrap()
    );
    write(&policies, "hostile.rego", &rule);
    policies.to_str().unwrap().to_owned()
}

fn hostile_snapshot(dir: &std::path::Path) -> (String, String) {
    let arn = format!("arn:aws:iam::123456789012:user{PATH}alice");
    let snapshot = incident_with(dir, "hostile.json", |s| {
        s["account"]["alias"] = ALIAS.into();
        s["users"][0]["arn"] = arn.clone().into();
        s["users"][0]["name"] = NAME.into();
        s["collection_errors"] = serde_json::json!([{
            "sections": ["secretsmanager.secrets"],
            "service": "secretsmanager",
            "operation": "ListSecrets",
            "region": "eu-west-1",
            "kind": "access_denied",
            "message": REASON,
        }]);
    });
    (snapshot, arn)
}

fn hostile_config(dir: &std::path::Path) -> String {
    let config = format!(
        "waivers:\n  - rule: KW-IAM-005\n    resource: \"*alice\"\n    reason: {}\n    owner: {}\n    expires: 2099-01-01\n",
        serde_json::to_string(REASON).unwrap(),
        serde_json::to_string(OWNER).unwrap()
    );
    write(dir, "keyward.yaml", &config)
}

#[test]
fn a_scan_report_in_markdown_shows_hostile_fields_as_literal_text() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshot, arn) = hostile_snapshot(dir.path());
    let policies = hostile_policy(dir.path());
    let config = hostile_config(dir.path());
    let scan = |format: &str| {
        keyward_in(
            dir.path(),
            &[
                "scan",
                "--snapshot",
                &snapshot,
                "--policy",
                &policies,
                "--config",
                &config,
                "--as-of",
                "snapshot",
                "--fail-on",
                "none",
                "--format",
                format,
            ],
        )
    };
    let run = scan("markdown");
    assert_eq!(run.code, 3, "{}", run.stderr);
    let reading = github_reads(&run.stdout);
    assert_literal(
        &reading,
        &[
            &arn,
            NAME,
            ALIAS,
            OWNER,
            REASON,
            TITLE,
            &format!("user {NAME}"),
        ],
        &run.stdout,
    );
    // Each code span is one whole rule id or resource: no backtick in a value closed one early.
    let report = scan("json").json();
    let findings: Vec<&serde_json::Value> = report["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    for span in &reading.code_spans {
        assert!(
            findings
                .iter()
                .any(|f| f["rule_id"] == **span || f["resource"] == **span)
                || span.starts_with("KW-"),
            "code span {span:?} is not a rule id or a resource"
        );
    }
    assert!(
        reading.code_spans.contains(&literal(&arn)),
        "{:?}",
        reading.code_spans
    );
    // One row per account (with its header), one per finding, one per gap group, one per
    // reason rules are not applicable (the KW-TF rules, without a plan): no forged row.
    let gaps = 1 + 1;
    let not_applicable = 1 + 1;
    assert_eq!(
        reading.table_rows,
        2 + 1 + findings.len() + gaps + not_applicable,
        "{}",
        run.stdout
    );
}

#[test]
fn a_diff_and_an_audits_changes_in_markdown_show_hostile_fields_as_literal_text() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshot, _) = hostile_snapshot(dir.path());
    let report = |as_of: &str, name: &str| {
        let run = keyward(&[
            "scan",
            "--snapshot",
            &snapshot,
            "--as-of",
            as_of,
            "--format",
            "json",
            "--fail-on",
            "none",
        ]);
        write(dir.path(), name, &run.stdout)
    };
    // File names are labels in the diff's heading.
    let old = report("2020-01-01", "old [x](https:evil.example) `a` <b>.json");
    let new = report("snapshot", "new ![i](https:evil.example).json");
    let diff = keyward(&[
        "diff",
        &old,
        &new,
        "--format",
        "markdown",
        "--fail-on",
        "none",
    ]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let reading = github_reads(&diff.stdout);
    assert_literal(&reading, &[&old, &new, NAME], &diff.stdout);

    // An audit's report.md carries the same drift section.
    let audits = dir.path().join("audits");
    for as_of in ["2020-01-01", "snapshot"] {
        let run = keyward(&[
            "scan",
            "--snapshot",
            &snapshot,
            "--as-of",
            as_of,
            "--fail-on",
            "none",
            "--output-dir",
            audits.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let latest = std::fs::read_dir(&audits)
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    let summary = std::fs::read_to_string(latest.join("report.md")).unwrap();
    assert!(summary.contains("### Changes since "), "{summary}");
    assert_literal(&github_reads(&summary), &[ALIAS, REASON, NAME], &summary);
}
