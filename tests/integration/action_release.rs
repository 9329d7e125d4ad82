//! The Action runs a prebuilt release: the one its ref names (`uses: owner/keyward@v1.2.3`) or
//! the `version` input, downloaded from a release host (here a loopback HTTP server standing in
//! for GitHub's releases, KEYWARD_RELEASE_URL) and checked against the release's SHA256SUMS
//! before it runs. The release is packaged by scripts/release.sh, as the release workflow does.
//! A mismatch fails the step with a clear message and runs nothing; a missing release falls
//! back to building from source (a fake cargo, see `action_with_fake_cargo`).

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;

use tempfile::TempDir;

use crate::action::action_with_fake_cargo;
use crate::support::actions_runner::Runner;
use crate::support::cli::KEYWARD_BIN;
use crate::support::{fixture, repo};

const TAG: &str = concat!("v", env!("CARGO_PKG_VERSION"));
const ARCHIVE: &str = concat!(
    "keyward-v",
    env!("CARGO_PKG_VERSION"),
    "-x86_64-unknown-linux-musl.tar.gz"
);

/// A loopback server answering GET /<path> with the file at `root/<path>`, or 404; it records
/// the paths asked for.
struct ReleaseHost {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
    root: TempDir,
}

impl ReleaseHost {
    fn start() -> ReleaseHost {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let root = tempfile::tempdir().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (dir, log) = (root.path().to_owned(), requests.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &dir, &log);
            }
        });
        ReleaseHost {
            url,
            requests,
            root,
        }
    }

    /// Publishes release `tag` with keyward for Linux x86_64, packaged and summed by
    /// scripts/release.sh; returns the release's directory.
    fn publish(&self, tag: &str) -> PathBuf {
        let dir = self.root.path().join(tag);
        for args in [
            vec![
                "package",
                tag,
                "x86_64-unknown-linux-musl",
                KEYWARD_BIN,
                dir.to_str().unwrap(),
            ],
            vec!["checksums", dir.to_str().unwrap()],
        ] {
            let status = Command::new(repo().join("scripts/release.sh"))
                .args(&args)
                .status()
                .unwrap();
            assert!(status.success(), "scripts/release.sh {args:?}");
        }
        dir
    }

    fn requested(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    let mut request = Vec::new();
    let mut buffer = [0; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/')
        .to_owned();
    log.lock().unwrap().push(path.clone());
    let file = (!path.contains(".."))
        .then(|| fs::read(root.join(&path)).ok())
        .flatten();
    let (status, body) = match file {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"Not Found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// A job using the action at `reference`, its release host the loopback server, with a fake
/// cargo that records any build.
struct Job {
    runner: Runner,
    action: TempDir,
    cargo_log: PathBuf,
    _fake_bin: TempDir,
}

impl Job {
    fn new(host: &ReleaseHost, reference: &str) -> Job {
        let (action, fake_bin) = action_with_fake_cargo();
        let cargo_log = fake_bin.path().join("cargo.log");
        let path = format!(
            "{}:{}",
            fake_bin.path().display(),
            std::env::var("PATH").unwrap()
        );
        let runner = Runner::new(&[
            ("PATH", path.as_str()),
            ("FAKE_CARGO_LOG", cargo_log.to_str().unwrap()),
            ("FAKE_CARGO_BUILDS", KEYWARD_BIN),
            ("KEYWARD_RELEASE_URL", host.url.as_str()),
        ])
        .with_action_ref("acme/keyward", reference);
        Job {
            runner,
            action,
            cargo_log,
            _fake_bin: fake_bin,
        }
    }

    fn builds(&self) -> usize {
        fs::read_to_string(&self.cargo_log)
            .unwrap_or_default()
            .lines()
            .count()
    }
}

fn scan_inputs(clean: &str) -> [(&str, &str); 2] {
    [("snapshot", clean), ("as-of", "snapshot")]
}

#[test]
fn the_release_the_ref_names_is_downloaded_verified_and_run() {
    let host = ReleaseHost::start();
    host.publish(TAG);
    let job = Job::new(&host, TAG);
    let clean = fixture("clean.json");
    let run = job.runner.run(job.action.path(), &scan_inputs(&clean));
    run.assert_status(0);
    let prepared = &run.steps["prepare"];
    assert_eq!(prepared["release"], TAG);
    let temp = job.runner.temp().to_str().unwrap();
    assert!(
        prepared["bin"].starts_with(&format!("{temp}/keyward-release-{TAG}-")),
        "{prepared:?}"
    );
    assert_eq!(run.steps["install"]["bin"], prepared["bin"]);
    assert!(
        run.log.contains(&format!(
            "{ARCHIVE} of release {TAG} matches its SHA-256 checksum"
        )),
        "{}",
        run.log
    );
    assert_eq!(
        host.requested(),
        [format!("{TAG}/{ARCHIVE}"), format!("{TAG}/SHA256SUMS")]
    );
    assert_eq!(job.builds(), 0, "nothing is built when a release exists");
    assert_eq!(run.output("open-findings"), "0");
}

#[test]
fn a_checksum_mismatch_fails_the_step_and_runs_nothing() {
    let host = ReleaseHost::start();
    let release = host.publish(TAG);
    // The archive changes after its checksum was published: corrupted or tampered with.
    let mut archive = fs::OpenOptions::new()
        .append(true)
        .open(release.join(ARCHIVE))
        .unwrap();
    archive.write_all(b"\0").unwrap();
    let job = Job::new(&host, TAG);
    let clean = fixture("clean.json");
    let run = job.runner.run(job.action.path(), &scan_inputs(&clean));
    run.assert_status(2);
    assert!(
        run.log.contains(&format!(
            "::error title=keyward::checksum mismatch for {ARCHIVE} of release {TAG}: SHA256SUMS says "
        )),
        "{}",
        run.log
    );
    assert!(run.log.contains("keyward was not run"), "{}", run.log);
    assert!(!run.steps.contains_key("scan"), "the scan step ran");
    assert_eq!(run.output("sarif"), "");
    assert_eq!(job.builds(), 0, "a bad download is no reason to build");
}

#[test]
fn without_a_release_keyward_is_built_from_source() {
    let host = ReleaseHost::start(); // publishes nothing
    let job = Job::new(&host, TAG);
    let clean = fixture("clean.json");
    let run = job.runner.run(job.action.path(), &scan_inputs(&clean));
    run.assert_status(0);
    assert!(
        run.log.contains(&format!(
            "no release asset {}/{TAG}/{ARCHIVE} (HTTP 404)",
            host.url
        )),
        "{}",
        run.log
    );
    assert_eq!(job.builds(), 1);
    assert_eq!(run.steps["install"]["built"], "true");
    assert!(!run.steps["prepare"].contains_key("release"));
}

#[test]
fn a_branch_builds_its_own_sources_and_the_version_input_picks_a_release() {
    let host = ReleaseHost::start();
    host.publish(TAG);
    let clean = fixture("clean.json");

    // A branch's sources match no release: built, and the release host is not asked.
    let job = Job::new(&host, "main");
    job.runner
        .run(job.action.path(), &scan_inputs(&clean))
        .assert_status(0);
    assert_eq!(job.builds(), 1);
    assert!(host.requested().is_empty(), "{:?}", host.requested());

    // The version input names a release whatever the ref.
    let job = Job::new(&host, "main");
    let version = env!("CARGO_PKG_VERSION");
    let mut inputs = scan_inputs(&clean).to_vec();
    inputs.push(("version", version));
    let run = job.runner.run(job.action.path(), &inputs);
    run.assert_status(0);
    assert_eq!(run.steps["prepare"]["release"], TAG);
    assert_eq!(job.builds(), 0);

    // A moving major tag resolves to the release its checkout's Cargo.toml names.
    let major = TAG.split('.').next().unwrap();
    let job = Job::new(&host, major);
    let run = job.runner.run(job.action.path(), &scan_inputs(&clean));
    run.assert_status(0);
    assert_eq!(run.steps["prepare"]["release"], TAG);

    // A version that is no release version stops the step, naming it.
    let job = Job::new(&host, "main");
    let run = job.runner.run(
        job.action.path(),
        &[("snapshot", clean.as_str()), ("version", "latest")],
    );
    run.assert_status(2);
    assert!(
        run.log
            .contains("::error title=keyward::version 'latest' is not a release version"),
        "{}",
        run.log
    );
}
