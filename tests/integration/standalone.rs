//! The repository stands alone. A clone must hold everything its comments, docs and tests refer
//! to: no text may point at notes kept beside the repository (a sibling `shared` directory that a
//! clone does not have); what the code relies on belongs in docs/. And no text may name the
//! company whose breach the rules are built around: product texts say "the May 2026 breach of an
//! AI platform's AWS account" (docs/incident.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::repo;

/// A string no file may contain (compared case-insensitively), and what to do instead.
struct Forbidden {
    text: String,
    advice: &'static str,
}

/// The forbidden strings are assembled at run time rather than written out: written out, they
/// would make this file fail its own test, and the company's name would be in the repository
/// after all.
fn forbidden() -> Vec<Forbidden> {
    vec![
        Forbidden {
            text: ["..", "/", "shared"].concat(),
            advice: "a path outside the repository: put what the reader needs in docs/ and point there",
        },
        Forbidden {
            text: ["shared", "/", "notes"].concat(),
            advice: "notes a clone does not have: put what the reader needs in docs/ and point there",
        },
        Forbidden {
            text: ["brain", "trust"].concat(),
            advice: "names the breached company: write \"the May 2026 breach of an AI platform's AWS account\"",
        },
    ]
}

/// `path:line: found "…": advice` for every forbidden string in one file's text.
fn problems_in(path: &str, text: &str, forbidden: &[Forbidden]) -> Vec<String> {
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        for rule in forbidden {
            if lower.contains(&rule.text) {
                problems.push(format!(
                    "{path}:{}: found \"{}\": {}",
                    index + 1,
                    rule.text,
                    rule.advice
                ));
            }
        }
    }
    problems
}

/// The files git tracks, relative to the repository root; without git (an unpacked source
/// archive), every file below the root except build output and installed tools.
fn repository_files(root: &Path) -> Vec<PathBuf> {
    let listed = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output();
    match listed {
        Ok(output) if output.status.success() => output
            .stdout
            .split(|&byte| byte == 0)
            .filter(|name| !name.is_empty())
            .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
            // A tracked file deleted in the working tree is not there to read.
            .filter(|relative| root.join(relative).is_file())
            .collect(),
        _ => {
            let mut files = Vec::new();
            walk(root, Path::new(""), &mut files);
            files
        }
    }
}

fn walk(root: &Path, relative: &Path, files: &mut Vec<PathBuf>) {
    const SKIPPED: [&str; 4] = ["target", ".git", ".tools", "node_modules"];
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        if SKIPPED.iter().any(|skipped| name == *skipped) {
            continue;
        }
        let path = relative.join(&name);
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => walk(root, &path, files),
            Ok(kind) if kind.is_file() => files.push(path),
            _ => {}
        }
    }
}

#[test]
fn no_file_points_outside_the_repository_or_names_the_breached_company() {
    let root = repo();
    let forbidden = forbidden();
    let files = repository_files(&root);
    assert!(
        files.iter().any(|f| f == Path::new("README.md")),
        "the file list is wrong: no README.md among {} files",
        files.len()
    );
    let mut problems = Vec::new();
    for relative in &files {
        let Ok(bytes) = std::fs::read(root.join(relative)) else {
            continue;
        };
        // Text files only: binary files (a NUL byte, or not UTF-8) cannot hold such a pointer.
        if bytes.contains(&0) {
            continue;
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let name = relative.to_string_lossy().replace('\\', "/");
        problems.extend(problems_in(&name, &text, &forbidden));
    }
    assert!(
        problems.is_empty(),
        "the repository must stand alone:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_finds_each_forbidden_string_and_names_its_line() {
    // Proof that the test above can fail: each string is found, in any case, on its own line.
    let forbidden = forbidden();
    let text = format!(
        "fine\nsee {}/notes/x.md\n{}\nthe {} breach\n",
        forbidden[0].text,
        forbidden[1].text.to_uppercase(),
        forbidden[2].text.to_uppercase()
    );
    let problems = problems_in("docs/x.md", &text, &forbidden);
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems[0].starts_with("docs/x.md:2: "), "{problems:#?}");
    assert!(problems[1].starts_with("docs/x.md:2: "), "{problems:#?}");
    assert!(problems[2].starts_with("docs/x.md:3: "), "{problems:#?}");
    assert!(problems[3].starts_with("docs/x.md:4: "), "{problems:#?}");
}

#[test]
fn no_generated_text_names_the_breached_company() {
    // The texts keyward writes come from the pack's METADATA and the code; checked as written,
    // so that a text assembled at run time cannot slip a name past the file check above.
    let company = &forbidden()[2];
    let outputs = [
        crate::support::cli::keyward(&["rules"]),
        crate::support::cli::keyward(&["controls", "--format", "markdown"]),
        crate::support::cli::keyward(&["scan", "--demo", "--format", "sarif"]),
        crate::support::cli::keyward(&["scan", "--demo", "--format", "markdown"]),
    ];
    for run in &outputs {
        assert!(run.stdout.len() > 1000, "{}", run.stderr);
        let problems = problems_in("output", &run.stdout, std::slice::from_ref(company));
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
