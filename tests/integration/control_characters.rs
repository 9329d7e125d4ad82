//! Control characters in names, YAML keys, file names and policy texts never reach the
//! terminal raw, a line break never forges a table row or a log line, and no line of keyward's
//! output reads as a GitHub workflow command (`::error::`, `::add-mask::`, `##[…]`).

use crate::support::cli::{Run, keyward, keyward_in};
use crate::support::hostile::{incident_with, write};

/// Terminal escapes (colour, window title, bell), a carriage return that rewrites the line,
/// and line breaks that start a forged table row and a workflow command.
const HOSTILE: &str = "alice\u{1b}[2J\u{1b}]0;pwned\u{7}\r\n│ KW-FAKE-001 │ forged row\n::error title=pwned::owned\u{9b}31m\u{202e}";

/// A YAML double-quoted scalar whose escapes give back `text`: YAML refuses control characters
/// written raw, not escaped ones.
fn yaml_quoted(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            c if c.is_control() || c == '\u{202e}' => {
                quoted.push_str(&format!("\\u{:04x}", u32::from(c)))
            }
            c => quoted.push(c),
        }
    }
    quoted + "\""
}

/// Nothing raw but line breaks, no forged row, no workflow command, in stdout and stderr.
fn assert_safe(run: &Run) {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let raw: Vec<char> = text
            .chars()
            .filter(|&c| (c.is_control() && c != '\n') || c == '\u{202e}')
            .collect();
        assert!(
            raw.is_empty(),
            "raw control characters {raw:?} in {name}:\n{text}"
        );
        for line in text.lines() {
            assert!(
                !line.trim_start().starts_with("::") && !line.contains("##["),
                "{name} has a workflow command: {line}\n{text}"
            );
            assert!(
                !line.starts_with("│ KW-FAKE-001"),
                "{name} has a forged row: {line}\n{text}"
            );
        }
    }
}

#[test]
fn hostile_names_in_the_table_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = incident_with(dir.path(), "hostile.json", |s| {
        s["account"]["alias"] = HOSTILE.into();
        s["users"][0]["name"] = HOSTILE.into();
        s["users"][0]["arn"] = format!("arn:aws:iam::123456789012:user/{HOSTILE}").into();
    });
    let config = write(
        dir.path(),
        "keyward.yaml",
        &format!(
            "waivers:\n  - rule: KW-IAM-009\n    resource: \"*alice*\"\n    reason: {0}\n    owner: {0}\n    expires: 2099-01-01\n",
            yaml_quoted(HOSTILE)
        ),
    );
    let scan = |format: &str| {
        keyward_in(
            dir.path(),
            &[
                "scan",
                "--snapshot",
                &snapshot,
                "--config",
                &config,
                "--as-of",
                "snapshot",
                "--format",
                format,
            ],
        )
    };
    let table = scan("table");
    assert_eq!(table.code, 1, "{}", table.stderr);
    assert_safe(&table);
    // What was escaped is still there to read.
    assert!(table.stdout.contains("alice\\u{1b}[2J"), "{}", table.stdout);
    assert!(table.stdout.contains("WAIVED (1)"), "{}", table.stdout);

    let report = write(dir.path(), "report.json", &scan("json").stdout);
    let diff = keyward_in(
        dir.path(),
        &["diff", "--fail-on", "none", &report, &snapshot],
    );
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert_safe(&diff);
}

#[test]
fn errors_quote_hostile_yaml_keys_and_values_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let key = yaml_quoted(HOSTILE);
    let configs = [
        format!("{key}: 1\n"),
        format!("thresholds:\n  {key}: 1\n"),
        format!("disabled_rules: [{key}]\n"),
        format!(
            "waivers:\n  - rule: {key}\n    resource: x\n    reason: r\n    owner: o\n    expires: 2099-01-01\n"
        ),
    ];
    for (i, text) in configs.iter().enumerate() {
        let config = write(dir.path(), &format!("config-{i}.yaml"), text);
        let run = keyward(&["scan", "--demo", "--config", &config]);
        run.assert_input_error(&[&format!("config {config}:")]);
        assert_safe(&run);
        assert!(run.stderr.contains("alice\\u{1b}[2J"), "{}", run.stderr);
    }
    // A snapshot's unknown field, and a YAML snapshot's.
    let json = incident_with(dir.path(), "key.json", |s| {
        s["account"][HOSTILE] = 1.into();
    });
    let yaml = write(
        dir.path(),
        "key.yaml",
        &format!("schema_version: 1\n{key}: 2\n"),
    );
    for snapshot in [json, yaml] {
        let run = keyward(&["scan", "--snapshot", &snapshot]);
        run.assert_input_error(&[&format!("snapshot {snapshot}:")]);
        assert_safe(&run);
    }
}

#[test]
fn hostile_policy_files_names_and_texts_are_quoted_in_errors_and_listings() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    // A file name with a line break and a workflow command, and a syntax error inside.
    let file_name = "x\n::error title=pwned::owned\u{1b}[31m.rego";
    std::fs::write(
        policies.join(file_name),
        "package x\n\nbroken \u{1b}[31m ::error::y {\n",
    )
    .unwrap();
    let run = keyward(&["rules", "--policy", policies.to_str().unwrap()]);
    run.assert_input_error(&["does not parse"]);
    assert_safe(&run);
    std::fs::remove_file(policies.join(file_name)).unwrap();

    // A rule whose title carries escapes and line breaks is refused, the title quoted.
    let rule = format!(
        "# METADATA\n# title: {}\n# description: D.\n# custom:\n#   id: ACME-CC-001\n#   name: cc\n#   severity: low\n#   remediation: R.\npackage acme.cc\n\ndeny contains {{\"resource\": \"r\", \"message\": \"m\"}} if {{ false }}\n",
        yaml_quoted(HOSTILE),
    );
    std::fs::write(policies.join("cc.rego"), rule).unwrap();
    let run = keyward(&["rules", "--policy", policies.to_str().unwrap()]);
    run.assert_input_error(&["`title` holds control characters: `alice\\u{1b}[2J"]);
    assert_safe(&run);
    // A METADATA key nobody knows, named in the error.
    std::fs::write(
        policies.join("cc.rego"),
        format!(
            "# METADATA\n# title: T\n# {}: x\npackage acme.cc\n",
            yaml_quoted(HOSTILE)
        ),
    )
    .unwrap();
    let run = keyward(&["rules", "--policy", policies.to_str().unwrap()]);
    run.assert_input_error(&["bad METADATA block"]);
    assert_safe(&run);
}
