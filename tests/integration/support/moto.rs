//! A moto server (the AWS API emulator) on a free loopback port, for one test. Started from
//! the venv scripts/test.sh installs, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use super::cli::{Run, TEST_CREDENTIALS, aws_env, keyward_isolated};
use super::recorded::Recorded;
use super::{repo, tool_from_env};

/// How long moto may take to start listening, and to answer once it listens.
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// Ports tried before giving up, each lost to another process between choosing and binding it.
const PORT_ATTEMPTS: usize = 5;

pub struct Moto {
    child: Child,
    pub endpoint: String,
    /// Recorded responses for the APIs moto lacks (Access Analyzer, Cost Explorer anomaly
    /// detection): scenario `watched` unless a test picks another with `use_recorded`.
    pub recorded: Recorded,
    /// The server's working directory: its request recording lives here, apart from other
    /// servers running at the same time.
    _dir: tempfile::TempDir,
}

impl Moto {
    pub fn start() -> Moto {
        Self::start_with_env(&[])
    }

    /// Starts moto with extra environment (e.g. MOTO_IAM_LOAD_MANAGED_POLICIES).
    pub fn start_with_env(env: &[(&str, &str)]) -> Moto {
        for _ in 0..PORT_ATTEMPTS {
            if let Some(moto) = Self::start_on(free_port(), env) {
                return moto;
            }
        }
        panic!("moto lost the port it was given {PORT_ATTEMPTS} times in a row");
    }

    /// Starts moto on a port that was free a moment ago, or None when another process took the
    /// port in between (other tests, of this run or another, start servers too). Only moto's
    /// own word tells: a readiness probe would be answered by the other process's server, and
    /// the test would seed an account that is not its own.
    fn start_on(port: u16, env: &[(&str, &str)]) -> Option<Moto> {
        let server = tool_from_env("KEYWARD_MOTO_SERVER", "moto (pip install 'moto[server]')");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .current_dir(dir.path())
            .env("MOTO_RECORDER_FILEPATH", dir.path().join("recording"))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("moto_server starts");
        let startup = watch_startup(child.stderr.take().expect("stderr is piped"));
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            recorded: Recorded::start("watched"),
            _dir: dir,
        };
        match startup.recv_timeout(STARTUP_LIMIT) {
            Ok(Startup::Listening) => {}
            Ok(Startup::PortTaken) => return None,
            Ok(Startup::Failed(output)) => panic!("moto did not start:\n{output}"),
            Err(_) => panic!("moto did not listen on port {port} within {STARTUP_LIMIT:?}"),
        }
        moto.wait_until_ready(port);
        Some(moto)
    }

    fn wait_until_ready(&self, port: u16) {
        let started = Instant::now();
        while started.elapsed() < STARTUP_LIMIT {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() && self.get("/moto-api/").is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto did not answer on port {port} within {STARTUP_LIMIT:?}");
    }

    /// Seeds a scenario of tests/moto/seed.py and returns what it printed (JSON).
    pub fn seed(&self, scenario: &[&str]) -> serde_json::Value {
        let python = tool_from_env("KEYWARD_PYTHON", "the moto venv's python (boto3)");
        let script = repo().join("tests/moto/seed.py");
        let output = Command::new(python)
            .arg(script)
            .arg(&self.endpoint)
            .args(scenario)
            .output()
            .expect("seed.py runs");
        assert!(
            output.status.success(),
            "seeding {scenario:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("seed.py prints JSON")
    }

    /// Seeds a scenario that creates a scanner user holding a policy (`auditor`,
    /// `organization`, `scp-organization`, `rcp-organization`), then switches moto's IAM
    /// enforcement on: from here on every request is checked against the caller's policies.
    pub fn seed_scanner(&self, scenario: &[&str]) -> Scanner {
        let seeded = self.seed(scenario);
        self.control("/moto-api/reset-auth", "0");
        let credential = |field: &str| {
            seeded[field]
                .as_str()
                .unwrap_or_else(|| panic!("seeding {scenario:?} printed no {field}"))
                .to_owned()
        };
        Scanner {
            access_key_id: credential("access_key_id"),
            secret_access_key: credential("secret_access_key"),
            seeded,
        }
    }

    /// Answers Access Analyzer and Cost Explorer from another recorded scenario.
    pub fn use_recorded(&mut self, scenario: &str) {
        self.recorded = Recorded::start(scenario);
    }

    /// Answers each account listed from its own recorded scenario, the others from `default`.
    pub fn use_recorded_per_account(&mut self, default: &str, by_account: &[(&str, &str)]) {
        self.recorded = Recorded::start_per_account(default, by_account, &self.endpoint);
    }

    /// keyward pointed at this server (and the recorded responses), with test credentials
    /// unless `credentials` says otherwise.
    pub fn keyward(&self, args: &[&str], credentials: Option<(&str, &str)>) -> Run {
        keyward_isolated(args, &self.env(credentials.unwrap_or(TEST_CREDENTIALS)))
    }

    /// The variables that send keyward's AWS calls here: to moto, and the services moto lacks
    /// to the recorded responses.
    pub fn env<'a>(&'a self, credentials: (&'a str, &'a str)) -> Vec<(&'static str, &'a str)> {
        let mut env = aws_env(&self.endpoint, credentials);
        env.extend(self.recorded.env());
        env
    }

    /// POSTs to moto's control API (reset, recorder, auth).
    pub fn control(&self, path: &str, body: &str) -> String {
        http("POST", &self.endpoint, path, body).unwrap_or_else(|| panic!("moto {path} failed"))
    }

    pub fn get(&self, path: &str) -> Option<String> {
        http("GET", &self.endpoint, path, "")
    }
}

/// The scanner user a scenario created, and what else the seeding printed.
pub struct Scanner {
    pub seeded: serde_json::Value,
    access_key_id: String,
    secret_access_key: String,
}

impl Scanner {
    /// Its access key id and secret access key, for `Moto::env`.
    pub fn key(&self) -> (&str, &str) {
        (&self.access_key_id, &self.secret_access_key)
    }

    /// Its access key, for `Moto::keyward`.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        Some(self.key())
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// How a moto server's start ended.
enum Startup {
    Listening,
    /// Another process had taken the port.
    PortTaken,
    /// moto exited for another reason; what it printed.
    Failed(String),
}

/// Reads moto's stderr on a thread of its own and reports how the start ended: the development
/// server prints "Running on http://..." once it has bound its port, and exits saying "in use"
/// when it cannot. The thread then drains the request log, so that a full pipe never blocks moto.
fn watch_startup(stderr: ChildStderr) -> Receiver<Startup> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stderr).lines().map_while(Result::ok);
        let mut printed = String::new();
        for line in lines.by_ref() {
            if line.contains("Running on http://") {
                let _ = sender.send(Startup::Listening);
                lines.for_each(drop);
                return;
            }
            printed += &line;
            printed.push('\n');
        }
        let _ = sender.send(if printed.contains("in use") {
            Startup::PortTaken
        } else {
            Startup::Failed(printed)
        });
    });
    receiver
}

/// GETs `path` from a loopback server: moto, or a proxy in front of it.
pub fn http_get(endpoint: &str, path: &str) -> Option<String> {
    http("GET", endpoint, path, "")
}

/// A minimal HTTP/1.1 client for moto's control API (loopback only).
fn http(method: &str, endpoint: &str, path: &str, body: &str) -> Option<String> {
    use std::io::{Read, Write};
    let address = endpoint.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 2").then(|| body.to_owned())
}

/// The path of keyward's least-privilege policy.
pub fn least_privilege_policy() -> String {
    repo()
        .join("docs/iam-policy.json")
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_server_whose_port_is_taken_gives_way() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    assert!(Moto::start_on(port, &[]).is_none());
}
