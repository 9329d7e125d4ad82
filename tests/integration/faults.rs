//! Network faults on the way to AWS, made real on loopback: a Secrets Manager endpoint that
//! throttles every request, and one that accepts connections and never answers. IAM and STS
//! stay on moto (per-service endpoints, `AWS_ENDPOINT_URL_SECRETS_MANAGER`). The scan must
//! retry with backoff, give up within its bounds, finish, and say what it could not evaluate.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use crate::support::cli::{Run, TEST_CREDENTIALS, aws_env, keyward_isolated};
use crate::support::moto::Moto;
use crate::support::open_findings;

#[derive(Clone, Copy)]
pub enum Fault {
    /// Every request gets HTTP 400 ThrottlingException (AWS's throttling answer).
    Throttle,
    /// Connections are accepted and never answered.
    Silent,
    /// Every request gets HTTP 403 AccessDeniedException, as a caller without the permission
    /// gets from a REST-JSON service (account:ListRegions under AWS's SecurityAudit policy).
    Deny,
}

/// A loopback server with one fault; counts the requests it received; stops when dropped.
pub struct FaultServer {
    pub endpoint: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl FaultServer {
    pub fn start(fault: Fault) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (requests.clone(), stop.clone());
        thread::spawn(move || {
            while !halt.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (count, halt) = (count.clone(), halt.clone());
                        thread::spawn(move || serve(stream, fault, &count, &halt));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        FaultServer {
            endpoint,
            requests,
            stop,
        }
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(mut stream: TcpStream, fault: Fault, count: &AtomicUsize, halt: &AtomicBool) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    while !halt.load(Ordering::Relaxed) {
        if !read_request(&mut stream) {
            continue;
        }
        count.fetch_add(1, Ordering::Relaxed);
        match fault {
            Fault::Silent => {
                while !halt.load(Ordering::Relaxed) {
                    thread::sleep(Duration::from_millis(50));
                }
                return;
            }
            Fault::Throttle => {
                let body = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
                if !answer(&mut stream, "400 Bad Request", "ThrottlingException", body) {
                    return;
                }
            }
            Fault::Deny => {
                let body = r#"{"message":"User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: account:ListRegions"}"#;
                if !answer(&mut stream, "403 Forbidden", "AccessDeniedException", body) {
                    return;
                }
            }
        }
    }
}

/// Writes an AWS-shaped error response; false when the client has gone.
fn answer(stream: &mut TcpStream, status: &str, error_type: &str, body: &str) -> bool {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {error_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).is_ok()
}

/// Reads one request (headers, then Content-Length bytes of body); false on timeout or close.
fn read_request(stream: &mut TcpStream) -> bool {
    let mut data = Vec::new();
    let mut byte = [0u8; 1];
    while !data.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => data.push(byte[0]),
            _ => return false,
        }
    }
    let head = String::from_utf8_lossy(&data).to_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let complete = stream.read_exact(&mut body).is_ok();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    complete
}

/// keyward against moto, with Secrets Manager sent to the fault server.
fn scan_with_faulty_secrets(moto: &Moto, server: &FaultServer, extra: &[&str]) -> Run {
    let mut args = vec![
        "scan",
        "--format",
        "json",
        "--fail-on",
        "none",
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
    ];
    args.extend_from_slice(extra);
    let mut env = moto.env(TEST_CREDENTIALS);
    env.push(("AWS_ENDPOINT_URL_SECRETS_MANAGER", &server.endpoint));
    keyward_isolated(&args, &env)
}

fn secrets_gaps(run: &Run) -> Vec<serde_json::Value> {
    run.json()["accounts"][0]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["rule_id"] == "KW-SM-001")
        .cloned()
        .collect()
}

#[test]
fn throttling_is_retried_with_backoff_then_reported_not_evaluated() {
    let moto = Moto::start();
    moto.seed(&["clean"]);
    let server = FaultServer::start(Fault::Throttle);
    let run = scan_with_faulty_secrets(&moto, &server, &["--max-attempts", "3"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    // Each region's ListSecrets was tried three times, then given up.
    assert_eq!(server.requests.load(Ordering::Relaxed), 2 * 3);
    let gaps = secrets_gaps(&run);
    assert_eq!(gaps.len(), 2, "{gaps:#?}");
    for gap in &gaps {
        assert!(
            gap["reason"]
                .as_str()
                .unwrap()
                .contains("retries_exhausted"),
            "{gap}"
        );
    }
    // IAM went through: its rules were evaluated.
    assert!(open_findings(&run.json()).is_empty());
}

#[test]
fn an_endpoint_that_never_answers_times_out_and_the_scan_finishes() {
    let moto = Moto::start();
    moto.seed(&["clean"]);
    let server = FaultServer::start(Fault::Silent);
    let run = scan_with_faulty_secrets(
        &moto,
        &server,
        &["--read-timeout", "1", "--max-attempts", "2"],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let gaps = secrets_gaps(&run);
    assert_eq!(gaps.len(), 2, "{gaps:#?}");
    for gap in &gaps {
        assert!(gap["reason"].as_str().unwrap().contains("timeout"), "{gap}");
    }
}

#[test]
fn the_overall_deadline_bounds_a_scan() {
    let moto = Moto::start();
    moto.seed(&["clean"]);
    let server = FaultServer::start(Fault::Silent);
    // Per-request timeouts far above the deadline: the deadline is what ends the wait.
    let run = scan_with_faulty_secrets(
        &moto,
        &server,
        &["--read-timeout", "600", "--deadline", "3"],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let gaps = secrets_gaps(&run);
    assert!(!gaps.is_empty());
    assert!(
        gaps[0]["reason"].as_str().unwrap().contains("deadline"),
        "{gaps:#?}"
    );
}

#[test]
fn unreachable_aws_is_an_error_that_says_what_to_check() {
    let server = FaultServer::start(Fault::Throttle);
    let run = keyward_isolated(
        &["scan", "--max-attempts", "2"],
        &aws_env(&server.endpoint, TEST_CREDENTIALS),
    );
    run.assert_input_error(&[
        "cannot identify the AWS account",
        "aws sts get-caller-identity",
    ]);
}
