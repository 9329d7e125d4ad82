//! What a release publishes and what installs it agree: the release workflow builds exactly the
//! targets the Action downloads, cargo-binstall's metadata names the archives scripts/release.sh
//! writes, the container image and the workflow build with the Rust the crate asks for, and every
//! third-party action is pinned to a commit. (The download itself is tested in action_release.rs.)

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

use crate::support::cli::KEYWARD_BIN;
use crate::support::repo;

fn read(relative: &str) -> String {
    fs::read_to_string(repo().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn cargo_toml() -> toml_like::Table {
    toml_like::parse(&read("Cargo.toml"))
}

/// The few `key = "value"` lines of Cargo.toml these checks read, by `[section]`.
mod toml_like {
    use std::collections::BTreeMap;

    pub type Table = BTreeMap<String, String>;

    pub fn parse(text: &str) -> Table {
        let mut section = String::new();
        let mut table = Table::new();
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.to_owned();
            } else if let Some((key, value)) = line.split_once(" = ")
                && let Some(value) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"'))
            {
                table.insert(format!("{section}.{key}"), value.to_owned());
            }
        }
        table
    }
}

/// The targets the Action maps runners to (the `release_target` cases of scripts/action.sh).
fn action_targets() -> BTreeSet<String> {
    let script = read("scripts/action.sh");
    let start = script.find("release_target() {").unwrap();
    let body = &script[start..start + script[start..].find("\n}").unwrap()];
    body.lines()
        .filter_map(|line| {
            line.split_once(") echo ")
                .map(|(_, t)| t.trim_end_matches(" ;;").trim().to_owned())
        })
        .collect()
}

#[test]
fn the_workflow_builds_every_target_the_action_downloads() {
    let workflow = read(".github/workflows/release.yml");
    let built: BTreeSet<String> = workflow
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- { target: "))
        .map(|rest| rest.split(',').next().unwrap().trim().to_owned())
        .collect();
    let targets = action_targets();
    assert_eq!(targets.len(), 5, "{targets:?}");
    assert_eq!(built, targets);
    for required in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(built.contains(required), "{required}");
    }
    assert!(workflow.contains("scripts/release.sh package"));
    assert!(workflow.contains("scripts/release.sh checksums dist"));
}

#[test]
fn binstall_names_the_archives_release_sh_writes() {
    let toml = cargo_toml();
    let version = &toml["package.version"];
    let repository = &toml["package.repository"];
    assert_eq!(repository, keyward::report::rule_doc::PROJECT_HOME);
    let url_of = |section: &str, target: &str| {
        toml[&format!("package.metadata.binstall{section}.pkg-url")]
            .replace("{ repo }", repository)
            .replace("{ version }", version)
            .replace("{ target }", target)
    };
    let bin_dir = toml["package.metadata.binstall.bin-dir"]
        .replace("{ version }", version)
        .replace("{ target }", "x86_64-unknown-linux-musl")
        .replace("{ bin }", "keyward")
        .replace("{ binary-ext }", "");
    let dist = tempfile::tempdir().unwrap();
    let tag = format!("v{version}");
    for target in ["x86_64-unknown-linux-musl", "x86_64-pc-windows-msvc"] {
        let status = Command::new(repo().join("scripts/release.sh"))
            .args(["package", &tag, target, KEYWARD_BIN])
            .arg(dist.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let mut written: Vec<String> = fs::read_dir(dist.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let expected: Vec<String> = [
        url_of(
            ".overrides.x86_64-pc-windows-msvc",
            "x86_64-pc-windows-msvc",
        ),
        url_of("", "x86_64-unknown-linux-musl"),
    ]
    .iter()
    .map(|url| {
        let prefix = format!("{repository}/releases/download/{tag}/");
        url.strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{url}"))
            .to_owned()
    })
    .collect();
    assert_eq!(written, expected);
    let listing = Command::new("tar")
        .args(["-tzf"])
        .arg(dist.path().join(&written[1]))
        .output()
        .unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    assert!(
        listing.lines().any(|l| l == bin_dir),
        "{bin_dir} not in:\n{listing}"
    );
}

#[test]
fn the_image_and_the_workflow_build_with_the_crates_rust() {
    let rust = &cargo_toml()["package.rust-version"];
    assert!(
        read("Dockerfile").contains(&format!("FROM rust:{rust}-alpine AS source")),
        "Dockerfile"
    );
    assert!(
        read(".github/workflows/release.yml").contains(&format!("RUST_TOOLCHAIN: \"{rust}\"")),
        "release.yml"
    );
}

#[test]
fn third_party_actions_are_pinned_to_commits() {
    let mut files = vec!["action.yml".to_owned()];
    for entry in fs::read_dir(repo().join(".github/workflows")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        files.push(format!(".github/workflows/{name}"));
    }
    let mut pinned = 0;
    for file in &files {
        for line in read(file).lines() {
            let Some(uses) = line.trim().trim_start_matches("- ").strip_prefix("uses: ") else {
                continue;
            };
            let (action, rest) = uses.split_once('@').unwrap_or((uses, ""));
            if action.starts_with("./") {
                continue;
            }
            let (commit, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
            assert!(
                commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
                "{file}: {action} is not pinned to a commit: {uses}"
            );
            assert!(
                comment.starts_with('v'),
                "{file}: say which release {commit} is"
            );
            pinned += 1;
        }
    }
    assert!(pinned >= 6, "{pinned} pinned actions in {files:?}");
}
