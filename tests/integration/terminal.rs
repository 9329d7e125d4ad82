//! The terminal table as people read it: at 80, 120 and 200 columns (snapshots), with words
//! never split, ARNs broken only after `:` or `/`, every line within the width, and colour only
//! where the terminal takes it.

use insta::assert_snapshot;

use crate::support::cli::{Run, keyward_in_env};
use crate::support::fixture;

const WIDTHS: [usize; 3] = [80, 120, 200];

fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    keyward_in_env(dir.path(), args, env)
}

fn incident(columns: usize, env: &[(&str, &str)]) -> Run {
    let columns = columns.to_string();
    let mut env = env.to_vec();
    env.push(("COLUMNS", &columns));
    run(
        &[
            "scan",
            "--snapshot",
            &fixture("incident.json"),
            "--as-of",
            "snapshot",
        ],
        &env,
    )
}

fn rules(columns: usize) -> Run {
    run(&["rules"], &[("COLUMNS", &columns.to_string())])
}

#[test]
fn the_incident_at_80_120_and_200_columns() {
    for columns in WIDTHS {
        let run = incident(columns, &[]);
        run.assert_code(1);
        assert_snapshot!(format!("incident_{columns}"), run.snapshot_text());
    }
}

#[test]
fn the_rule_list_at_80_120_and_200_columns() {
    for columns in WIDTHS {
        let run = rules(columns);
        run.assert_code(0);
        assert_snapshot!(format!("rules_{columns}"), run.snapshot_text());
    }
}

/// The text of each table line's cells, without borders.
fn cells(line: &str) -> Vec<&str> {
    line.trim_start_matches('│')
        .trim_end_matches('│')
        .split('│')
        .map(|cell| cell.strip_prefix(' ').unwrap_or(cell).trim_end())
        .collect()
}

fn table_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| l.starts_with('│'))
}

#[test]
fn lines_fit_and_no_continuation_starts_with_a_space() {
    for columns in WIDTHS {
        for run in [incident(columns, &[]), rules(columns)] {
            for line in run.stdout.lines() {
                assert!(line.chars().count() <= columns, "{columns}: {line}");
            }
            for line in table_lines(&run.stdout) {
                for cell in cells(line) {
                    assert!(!cell.starts_with(' '), "{columns}: {line}");
                }
            }
        }
    }
}

/// Every ARN of the report shows whole, or in pieces that each end in `:` or `/`.
#[test]
fn arns_break_only_after_a_colon_or_a_slash() {
    let json = run(
        &[
            "scan",
            "--snapshot",
            &fixture("incident.json"),
            "--as-of",
            "snapshot",
            "--format",
            "json",
        ],
        &[],
    )
    .json();
    let arns: Vec<String> = json["accounts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["resource"].as_str().unwrap().to_owned())
        .collect();
    for columns in WIDTHS {
        let out = incident(columns, &[]).stdout;
        let texts: Vec<&str> = table_lines(&out).map(|l| cells(l)[1]).collect();
        for arn in &arns {
            let shown = (0..texts.len()).any(|start| {
                let mut rest = arn.as_str();
                for piece in &texts[start..] {
                    if *piece == rest {
                        return true;
                    }
                    match rest.strip_prefix(piece) {
                        Some(after) if piece.ends_with([':', '/']) => rest = after,
                        _ => return false,
                    }
                }
                false
            });
            assert!(
                shown,
                "{columns} columns: {arn} is not shown as it should be\n{out}"
            );
        }
    }
}

#[test]
fn words_are_never_split() {
    // "(limit 45 days)" was once shown with "days)" on a line of its own, and `ha` / `rdware`.
    let out = incident(80, &[]).stdout;
    let words: Vec<&str> = table_lines(&out)
        .flat_map(|l| cells(l)[1].split(' '))
        .collect();
    for word in [
        "rdware",
        "ha",
        "i-key-Ab12Cd",
        "9012:secret:shared/partner-webhook-Qr90St",
    ] {
        assert!(!words.contains(&word), "{word}:\n{out}");
    }
    let rules = rules(80).stdout;
    assert!(!rules.contains("│ .0/1.4"), "{rules}");
    assert!(rules.contains("cis-aws-foundations-v3.0/1.4"), "{rules}");
}

#[test]
fn colour_only_on_request_or_a_terminal_and_never_with_no_color() {
    let escape = '\u{1b}';
    let plain = incident(80, &[]);
    assert!(!plain.stdout.contains(escape), "a pipe gets no colour");
    let forced = incident(80, &[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.stdout.contains("\u{1b}[1m\u{1b}[35mCRITICAL (5)"),
        "{}",
        forced.stdout
    );
    let refused = incident(80, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!refused.stdout.contains(escape), "NO_COLOR wins");
    // Colour changes nothing else.
    assert_eq!(anstream_strip(&forced.stdout), plain.stdout);
}

fn anstream_strip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
