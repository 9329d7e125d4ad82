//! A moto server (the AWS API emulator) on a free loopback port, for one test. Started from
//! the venv scripts/test.sh installs, stopped when dropped.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::cli::{Run, TEST_CREDENTIALS, aws_env, keyward_isolated};
use super::{repo, tool_from_env};

pub struct Moto {
    child: Child,
    pub endpoint: String,
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
        let server = tool_from_env("KEYWARD_MOTO_SERVER", "moto (pip install 'moto[server]')");
        let port = free_port();
        let dir = tempfile::tempdir().expect("temp dir");
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .current_dir(dir.path())
            .env("MOTO_RECORDER_FILEPATH", dir.path().join("recording"))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        moto.wait_until_ready(port);
        moto
    }

    fn wait_until_ready(&self, port: u16) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() && self.get("/moto-api/").is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto did not answer on port {port} within 60 s");
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

    /// keyward pointed at this server, with test credentials unless `credentials` says otherwise.
    pub fn keyward(&self, args: &[&str], credentials: Option<(&str, &str)>) -> Run {
        keyward_isolated(
            args,
            &aws_env(&self.endpoint, credentials.unwrap_or(TEST_CREDENTIALS)),
        )
    }

    /// POSTs to moto's control API (reset, recorder, auth).
    pub fn control(&self, path: &str, body: &str) -> String {
        http("POST", &self.endpoint, path, body).unwrap_or_else(|| panic!("moto {path} failed"))
    }

    pub fn get(&self, path: &str) -> Option<String> {
        http("GET", &self.endpoint, path, "")
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
