//! Files are written whole or not at all (a temporary file renamed over the target), owner-only,
//! never over one of the run's inputs, and a damaged earlier audit is skipped with a warning.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::cli::{Run, keyward, keyward_in};
use crate::support::fixture;
use crate::support::hostile::{files_below, write};

fn incident() -> String {
    fixture("incident.json")
}

/// keyward killed by the kernel once a file it writes passes `limit_kib` (SIGXFSZ): a write
/// interrupted half-way, as when a job is cancelled or a disk fills up.
#[cfg(unix)]
fn keyward_killed_past(limit_kib: u32, dir: &Path, args: &[&str]) -> Option<i32> {
    let status = Command::new("bash")
        .arg("-c")
        .arg(format!("ulimit -f {limit_kib}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    status.code()
}

#[cfg(unix)]
#[test]
fn a_write_killed_half_way_leaves_the_previous_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let previous = keyward(&[
        "scan",
        "--snapshot",
        &incident(),
        "--as-of",
        "snapshot",
        "--format",
        "json",
    ]);
    let out = write(dir.path(), "report.json", &previous.stdout);
    let code = keyward_killed_past(
        16,
        dir.path(),
        &[
            "scan",
            "--snapshot",
            &incident(),
            "--format",
            "json",
            "-o",
            &out,
        ],
    );
    assert_eq!(code, None, "killed by a signal, not exited");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), previous.stdout);
}

#[cfg(unix)]
#[test]
fn an_audit_killed_half_way_does_not_stop_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let audits = dir.path().join("audits");
    let audit = |as_of: &str| -> Vec<String> {
        vec![
            "scan".into(),
            "--snapshot".into(),
            incident(),
            "--as-of".into(),
            as_of.into(),
            "--output-dir".into(),
            audits.to_str().unwrap().into(),
            "--format".into(),
            "json".into(),
        ]
    };
    let first = keyward(
        &audit("2026-05-03")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(first.code, 1, "{}", first.stderr);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let args = audit("2026-08-03");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(keyward_killed_past(16, dir.path(), &args), None);
    let next = keyward(&args);
    assert_eq!(next.code, 1, "{}", next.stderr);
    assert!(
        next.json()["changes"]["since"].is_string(),
        "compared with the first audit: {}",
        next.stdout
    );
}

/// A report.json cut short (as an older keyward left it when killed) or replaced by something
/// else: the audit before it is the one compared with, and a warning names the damaged one.
#[test]
fn a_damaged_earlier_audit_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let audits = dir.path().join("audits");
    let report = keyward(&[
        "scan",
        "--snapshot",
        &incident(),
        "--as-of",
        "2026-05-03",
        "--format",
        "json",
    ])
    .stdout;
    let plant = |name: &str, text: &str| {
        std::fs::create_dir_all(audits.join(name)).unwrap();
        std::fs::write(audits.join(name).join("report.json"), text).unwrap();
    };
    plant("2026-05-03T00-00-00Z", &report);
    plant("2026-05-04T00-00-00Z", &report[..report.len() / 2]);
    plant(
        "2026-05-05T00-00-00Z",
        &std::fs::read_to_string(fixture("clean.json")).unwrap(),
    );
    let run = keyward(&[
        "scan",
        "--snapshot",
        &incident(),
        "--as-of",
        "2026-08-03",
        "--format",
        "json",
        "--output-dir",
        audits.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["changes"]["since"], "2026-05-03T00-00-00Z");
    for damaged in ["2026-05-04T00-00-00Z", "2026-05-05T00-00-00Z"] {
        assert!(
            run.stderr.contains(&format!(
                "keyward: warning: skipping the earlier audit {}",
                audits.join(damaged).join("report.json").display()
            )),
            "{}",
            run.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn an_output_that_is_an_input_is_refused_however_it_is_spelled() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = write(
        dir.path(),
        "a.json",
        &std::fs::read_to_string(fixture("incident.json")).unwrap(),
    );
    let config = write(
        dir.path(),
        "keyward.yaml",
        "thresholds:\n  max_access_key_age_days: 30\n",
    );
    let report = keyward(&["scan", "--snapshot", &snapshot, "--format", "json"]).stdout;
    let baseline = write(dir.path(), "baseline.json", &report);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(&snapshot, dir.path().join("link.json")).unwrap();
    let before = files_contents(dir.path());
    for (extra, output) in [
        (vec![], snapshot.clone()),
        (vec![], format!("{}/sub/../a.json", dir.path().display())),
        (vec![], "a.json".to_owned()),
        (vec![], "link.json".to_owned()),
        (vec!["--baseline", &baseline], baseline.clone()),
        (vec!["--config", &config], config.clone()),
        // ./keyward.yaml is read when --config is not given.
        (vec![], "keyward.yaml".to_owned()),
    ] {
        let mut args = vec![
            "scan",
            "--snapshot",
            &snapshot,
            "--format",
            "json",
            "-o",
            &output,
        ];
        args.extend(extra);
        let run = keyward_in(dir.path(), &args);
        run.assert_input_error(&["an input of this run: write the report to another file"]);
    }
    assert_eq!(files_contents(dir.path()), before, "no input was touched");
}

fn files_contents(dir: &Path) -> Vec<(PathBuf, String)> {
    files_below(dir)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(dir.join(&p)).unwrap();
            (p, text)
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn files_are_renamed_into_place_owner_only_and_symlinks_are_replaced_not_followed() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    let inode = std::fs::metadata(&out).unwrap().ino();
    let victim = write(dir.path(), "victim.txt", "precious");
    std::os::unix::fs::symlink(&victim, dir.path().join("link.json")).unwrap();
    let audits = dir.path().join("audits");
    let scan = |output: &str| -> Run {
        keyward_in(
            dir.path(),
            &[
                "scan",
                "--snapshot",
                &incident(),
                "--format",
                "json",
                "--fail-on",
                "none",
                "-o",
                output,
                "--output-dir",
                audits.to_str().unwrap(),
            ],
        )
    };
    assert_eq!(scan("report.json").code, 0);
    let metadata = std::fs::metadata(&out).unwrap();
    assert_ne!(
        metadata.ino(),
        inode,
        "replaced by a rename, not rewritten in place"
    );
    assert_eq!(metadata.mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&out).unwrap().starts_with('{'));

    assert_eq!(scan("link.json").code, 0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!dir.path().join("link.json").is_symlink());

    let mode = |path: &Path| std::fs::metadata(path).unwrap().mode() & 0o777;
    assert_eq!(mode(&audits), 0o700);
    for file in files_below(&audits) {
        let path = audits.join(&file);
        assert_eq!(mode(&path), 0o600, "{}", file.display());
        assert_eq!(mode(path.parent().unwrap()), 0o700, "{}", file.display());
        assert!(
            !file.to_string_lossy().contains(".keyward-"),
            "left over: {}",
            file.display()
        );
    }
    let left_over: Vec<_> = files_below(dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".keyward-"))
        .collect();
    assert!(left_over.is_empty(), "{left_over:?}");
}
