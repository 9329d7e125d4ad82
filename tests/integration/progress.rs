//! Progress of a live scan where no terminal shows bars (CI): plain lines on stderr, one per
//! stage of each account, and a summary line every `--progress-interval` while calls are in
//! flight; for an organization, per account and counted. `--quiet` prints none. Against moto.

use crate::faults::{Fault, FaultServer};
use crate::support::cli::{TEST_CREDENTIALS, aws_env, keyward_isolated};
use crate::support::moto::{Moto, least_privilege_policy};

const ACCOUNT: &str = "123456789012";

/// The stderr lines that are progress (`keyward: [<elapsed>] …`), without the elapsed time.
fn progress_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("keyward: ["))
        .filter_map(|l| l.split_once("] ").map(|(_, rest)| rest.to_owned()))
        .collect()
}

#[test]
fn a_scan_in_ci_prints_a_line_per_stage() {
    let moto = Moto::start();
    moto.seed(&["two-regions"]);
    let args = [
        "scan",
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--format",
        "json",
    ];
    let run = moto.keyward(&args, None);
    assert!(run.code == 1 || run.code == 3, "{}", run.stderr);
    assert_eq!(
        progress_lines(&run.stderr),
        [
            format!("{ACCOUNT}: collecting IAM and the account's regions"),
            format!(
                "{ACCOUNT}: IAM collected; listing secrets and detective controls, regions 0/2, secret policies 0/0"
            ),
            format!("{ACCOUNT} collected: secrets of 2 regions, 3 secret policies"),
        ],
        "{}",
        run.stderr
    );
    let mut quiet_args = args.to_vec();
    quiet_args.push("--quiet");
    let quiet = moto.keyward(&quiet_args, None);
    assert!(progress_lines(&quiet.stderr).is_empty(), "{}", quiet.stderr);
    assert!(
        !quiet.stderr.contains("AWS API requests"),
        "{}",
        quiet.stderr
    );
}

#[test]
fn a_slow_scan_says_every_interval_what_it_is_waiting_for() {
    let moto = Moto::start();
    moto.seed(&["two-regions"]);
    let silent = FaultServer::start(Fault::Silent);
    let mut env = aws_env(&moto.endpoint, TEST_CREDENTIALS);
    env.push(("AWS_ENDPOINT_URL_SECRETS_MANAGER", &silent.endpoint));
    let run = keyward_isolated(
        &[
            "scan",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--format",
            "json",
            "--deadline",
            "4",
            "--progress-interval",
            "1",
            "--fail-on",
            "none",
        ],
        &env,
    );
    let waiting: Vec<String> = progress_lines(&run.stderr)
        .into_iter()
        .filter(|l| l.starts_with("still collecting: "))
        .collect();
    assert!(waiting.len() >= 2, "{}", run.stderr);
    assert!(
        waiting.contains(&format!(
            "still collecting: {ACCOUNT}: IAM collected; listing secrets and detective controls, regions 0/2, secret policies 0/0"
        )),
        "{waiting:#?}"
    );
}

#[test]
fn an_organization_shows_each_account_and_the_count() {
    let moto = Moto::start();
    let seeded = moto.seed(&["organization", &least_privilege_policy()]);
    moto.control("/moto-api/reset-auth", "0");
    let key = seeded["access_key_id"].as_str().unwrap();
    let secret = seeded["secret_access_key"].as_str().unwrap();
    let run = moto.keyward(
        &[
            "scan",
            "--org",
            "--region",
            "us-east-1",
            "--format",
            "json",
            "--concurrency",
            "2",
        ],
        Some((key, secret)),
    );
    let lines = progress_lines(&run.stderr);
    assert_eq!(lines[0], "collecting 4 accounts", "{}", run.stderr);
    // One line per account, when it is done: no stage lines for each of many accounts.
    assert_eq!(lines.len(), 5, "{}", run.stderr);
    let finished = |line: &&String| {
        line.split_once(' ').is_some_and(|(id, rest)| {
            id.len() == 12 && (rest.starts_with("collected") || rest.starts_with("could not"))
        })
    };
    assert_eq!(lines.iter().filter(finished).count(), 4, "{}", run.stderr);
    assert!(
        lines.iter().any(|l| l.ends_with("(4/4 accounts)")),
        "{}",
        run.stderr
    );
    let no_role = seeded["members"]["no-role"].as_str().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{no_role} could not be collected ("))),
        "an account that could not be entered is counted too:\n{}",
        run.stderr
    );
}
