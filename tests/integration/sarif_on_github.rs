//! SARIF as GitHub shows it (docs/github-code-scanning.md): each rule's help markdown rendered
//! with comrak, a port of the cmark-gfm GitHub renders it with, so that commands inside numbered
//! steps come out as code blocks and placeholders such as `<user>` reach the reader; every
//! built-in rule links its page; and the SARIF a scheduled audit writes for upload holds no
//! waived finding, since GitHub ignores suppressions and would open an alert for it.

use std::fs;

use comrak::{Options, markdown_to_html};
use serde_json::Value;

use crate::support::cli::{keyward, keyward_in};
use crate::support::{fixture, repo, write_file};

/// The rules of the demo scan's SARIF (every built-in rule).
fn demo_rules() -> Vec<Value> {
    let run = keyward(&["scan", "--demo", "--format", "sarif"]);
    run.assert_code(1);
    run.json()["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .clone()
}

fn github_html(markdown: &str) -> String {
    let mut options = Options::default();
    let extension = &mut options.extension;
    (extension.table, extension.strikethrough, extension.autolink) = (true, true, true);
    markdown_to_html(markdown, &options)
}

/// The `<…>` placeholders of a text, e.g. `<user>`.
fn placeholders(text: &str) -> Vec<&str> {
    text.match_indices('<')
        .filter_map(|(start, _)| {
            let len = text[start..].find(['>', '\n', ' '])?;
            (text.as_bytes()[start + len] == b'>').then(|| &text[start..=start + len])
        })
        .collect()
}

#[test]
fn help_commands_render_as_code_blocks_and_placeholders_survive() {
    let rules = demo_rules();
    assert!(rules.len() >= 19, "{} rules", rules.len());
    let mut commands_seen = 0;
    for rule in &rules {
        let id = rule["id"].as_str().unwrap();
        let text = rule["help"]["text"].as_str().unwrap();
        let html = github_html(rule["help"]["markdown"].as_str().unwrap());
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("aws "))
        {
            commands_seen += 1;
            let escaped = line
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            let in_code_block = html.split("<pre><code").skip(1).any(|block| {
                block
                    .split("</code></pre>")
                    .next()
                    .unwrap()
                    .contains(&escaped)
            });
            assert!(
                in_code_block,
                "{id}: `{line}` is not in a code block:\n{html}"
            );
        }
        for placeholder in placeholders(text) {
            let escaped = placeholder.replace('<', "&lt;").replace('>', "&gt;");
            assert!(
                html.contains(&escaped),
                "{id}: {placeholder} is lost:\n{html}"
            );
        }
        assert!(
            !html.contains("<user>") && !html.contains("<account-id>"),
            "{id}: a placeholder became HTML:\n{html}"
        );
    }
    assert!(
        commands_seen > 10,
        "only {commands_seen} commands in the pack's help"
    );
}

#[test]
fn every_builtin_rule_links_its_page_in_the_repository() {
    for rule in demo_rules() {
        let id = rule["id"].as_str().unwrap();
        let uri = rule["helpUri"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} has no helpUri"));
        let page = uri
            .split_once("/blob/main/")
            .unwrap_or_else(|| panic!("{id}: {uri}"))
            .1;
        assert_eq!(page, format!("docs/rules/{id}.md"));
        assert!(repo().join(page).is_file(), "{id}: {page} does not exist");
    }
}

#[test]
fn the_sarif_an_audit_writes_for_upload_holds_no_waived_finding() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "keyward.yaml",
        "waivers:\n  - rule: KW-IAM-009\n    resource: \"arn:aws:iam::*:user/ali*\"\n    reason: replacement tracked in OPS-42\n    owner: platform-team@example.com\n    expires: 2026-06-30\n",
    );
    let incident = fixture("incident.json");
    let audits = dir.path().join("audits");
    let run = keyward_in(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            &incident,
            "--as-of",
            "2026-05-03",
            "--output-dir",
            audits.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    run.assert_code(1);
    let audit = fs::read_dir(&audits)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let read = |name: &str| -> Value {
        serde_json::from_str(&fs::read_to_string(audit.join(name)).unwrap()).unwrap()
    };
    let report = read("report.json");
    assert_eq!(report["summary"]["waived"], 1, "the JSON report keeps it");
    let sarif = read("report.sarif");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len() as u64,
        report["summary"]["open_total"].as_u64().unwrap()
    );
    assert!(results.iter().all(|r| r.get("suppressions").is_none()));
    assert!(
        !results.iter().any(|r| r["ruleId"] == "KW-IAM-009"
            && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "aws/123456789012/iam/user/alice"),
        "the waived finding is in the uploaded SARIF"
    );
    let markdown = fs::read_to_string(audit.join("report.md")).unwrap();
    assert!(markdown.contains("waived by"), "{markdown}");
}
