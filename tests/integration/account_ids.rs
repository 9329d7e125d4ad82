//! Account ids name files and directories: wherever one enters (a snapshot, `--accounts`,
//! `--exclude-accounts`, a report read back), anything but 12 digits is refused before a file
//! is written, so `--output-dir` and `snapshot -o DIR` are never escaped.

use crate::support::cli::{keyward, keyward_in};
use crate::support::hostile::{files_below, incident_with, write};

#[test]
fn a_snapshot_whose_account_id_is_a_path_is_refused_and_nothing_is_written_outside() {
    let scratch = tempfile::tempdir().unwrap();
    let victim = scratch.path().join("victim.json");
    std::fs::write(&victim, "precious").unwrap();
    for (name, id) in [
        ("relative.json", "../../escaped".to_owned()),
        (
            "absolute.json",
            victim.with_extension("").display().to_string(),
        ),
        ("short.json", "12345".to_owned()),
    ] {
        let snapshot = incident_with(scratch.path(), name, |s| {
            s["account"]["id"] = id.clone().into()
        });
        let audits = scratch.path().join("work/audits");
        let run = keyward_in(
            scratch.path(),
            &[
                "scan",
                "--snapshot",
                &snapshot,
                "--output-dir",
                audits.to_str().unwrap(),
            ],
        );
        run.assert_input_error(&[
            &format!("snapshot {snapshot}:15:"),
            &format!("account.id: `{id}` is not an AWS account id (12 digits)"),
        ]);
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let expected: Vec<std::path::PathBuf> = [
        "absolute.json",
        "relative.json",
        "short.json",
        "victim.json",
    ]
    .iter()
    .map(Into::into)
    .collect();
    assert_eq!(
        files_below(scratch.path()),
        expected,
        "nothing else is written"
    );
}

#[test]
fn account_lists_on_the_command_line_take_only_account_ids() {
    for flag in ["--accounts", "--exclude-accounts"] {
        for bad in ["../x", "/tmp/x", "12345678901", "123456789012,../x"] {
            let run = keyward(&["snapshot", "-o", "out", "--org", flag, bad]);
            run.assert_input_error(&["is not an AWS account id (12 digits)"]);
            assert!(run.stderr.contains(flag), "{}", run.stderr);
        }
    }
}

#[test]
fn a_report_read_back_with_a_forged_account_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = crate::support::fixture("incident.json");
    let run = keyward(&[
        "scan",
        "--snapshot",
        &fixture,
        "--as-of",
        "snapshot",
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let forged = run.stdout.replace("123456789012", "../../../tmp/x");
    let report = write(dir.path(), "forged.json", &forged);
    let line = forged
        .lines()
        .position(|l| l.contains("../../../tmp/x"))
        .unwrap()
        + 1;
    keyward(&["diff", &report, &report]).assert_input_error(&[&format!(
        "report {report}:{line}: account id: `../../../tmp/x` is not an AWS account id"
    )]);
    keyward(&["scan", "--snapshot", &fixture, "--baseline", &report])
        .assert_input_error(&["is not an AWS account id"]);
}

/// An audit's directory is always a new one: links planted under the names the next audits
/// would take (any time in the coming seconds) are passed by, never written through.
#[cfg(unix)]
#[test]
fn an_audit_never_writes_through_a_directory_planted_in_its_place() {
    let scratch = tempfile::tempdir().unwrap();
    let audits = scratch.path().join("audits");
    let elsewhere = scratch.path().join("elsewhere");
    std::fs::create_dir_all(&audits).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let now = chrono::Utc::now();
    for second in 0..30 {
        let name = (now + chrono::TimeDelta::seconds(second)).format("%Y-%m-%dT%H-%M-%SZ");
        std::os::unix::fs::symlink(&elsewhere, audits.join(name.to_string())).unwrap();
    }
    let incident = crate::support::fixture("incident.json");
    for _ in 0..2 {
        let run = keyward(&[
            "scan",
            "--snapshot",
            &incident,
            "--output-dir",
            audits.to_str().unwrap(),
            "--fail-on",
            "none",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert!(
        files_below(&elsewhere).is_empty(),
        "{:?}",
        files_below(&elsewhere)
    );
    let written: Vec<_> = std::fs::read_dir(&audits)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.is_symlink())
        .collect();
    assert_eq!(written.len(), 2, "two audits of their own: {written:?}");
    for audit in written {
        assert!(audit.join("report.json").is_file());
        let name = audit.file_name().unwrap().to_string_lossy().into_owned();
        // Beside the planted link of its second: `-02`, or `-03` for the second audit then.
        assert!(name.ends_with("Z-02") || name.ends_with("Z-03"), "{name}");
    }
}
