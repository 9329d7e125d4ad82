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
