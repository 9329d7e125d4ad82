//! Recorded AWS responses served on loopback, for the APIs moto does not implement (IAM Access
//! Analyzer and Cost Explorer's anomaly detection answer HTTP 500 there). keyward reaches the
//! server through `AWS_ENDPOINT_URL_<SERVICE>`, as it would a VPC endpoint.
//!
//! A scenario is a folder `tests/recorded/<scenario>/` of JSON files, one per service (format in
//! tests/recorded/README.md). Each file lists exchanges: a request is answered by the first
//! exchange whose `target` equals its `X-Amz-Target` header (JSON protocols), or whose `method`
//! and `path` equal its own (REST protocols, query string ignored). In a body, `{{region}}` is
//! replaced by the region the request was signed for and `{{account}}` by the account whose
//! keys signed it. A request nothing matches gets a 404 with an AWS-shaped error, so a missing
//! recording fails loudly.
//!
//! An organization's accounts can each be answered from a scenario of their own
//! (`start_per_account`): STS requests then pass through this server on their way to moto, and
//! it learns from the answers which account each access key belongs to (GetCallerIdentity for
//! the caller's own keys, AssumeRole for the keys of each member's role).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Recording {
    exchanges: Vec<Exchange>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Exchange {
    /// What the exchange stands for: documentation, read by nobody.
    #[serde(default, rename = "about")]
    _about: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default = "ok")]
    status: u16,
    #[serde(default = "json_content_type")]
    content_type: String,
    body: serde_json::Value,
}

fn ok() -> u16 {
    200
}

fn json_content_type() -> String {
    "application/json".to_owned()
}

/// A replay server; it stops with the test process.
pub struct Recorded {
    pub endpoint: String,
    /// Every request served, as its target or `METHOD path`.
    served: Arc<Mutex<Vec<String>>>,
    /// Whether STS requests go through this server (`start_per_account`).
    passes_sts: bool,
}

/// What the server answers, and what it learnt.
struct Answers {
    /// The exchanges of accounts without a scenario of their own.
    default: Vec<Exchange>,
    by_account: BTreeMap<String, Vec<Exchange>>,
    /// moto's address (`host:port`), for the STS requests that pass through.
    sts: Option<String>,
    /// The account of each access key seen in an STS answer.
    accounts: Mutex<BTreeMap<String, String>>,
}

/// The account of keys the server has not seen: moto's default account.
const DEFAULT_ACCOUNT: &str = "123456789012";

impl Recorded {
    /// Serves `tests/recorded/<scenario>/*.json` on a free loopback port.
    pub fn start(scenario: &str) -> Recorded {
        Self::serve_answers(Answers {
            default: load(scenario),
            by_account: BTreeMap::new(),
            sts: None,
            accounts: Mutex::new(BTreeMap::new()),
        })
    }

    /// Serves each account listed its own scenario, the others `default`; STS requests pass
    /// through to moto at `moto_endpoint` (`http://host:port`).
    pub fn start_per_account(
        default: &str,
        by_account: &[(&str, &str)],
        moto_endpoint: &str,
    ) -> Recorded {
        Self::serve_answers(Answers {
            default: load(default),
            by_account: by_account
                .iter()
                .map(|(account, scenario)| ((*account).to_owned(), load(scenario)))
                .collect(),
            sts: Some(moto_endpoint.trim_start_matches("http://").to_owned()),
            accounts: Mutex::new(BTreeMap::new()),
        })
    }

    fn serve_answers(answers: Answers) -> Recorded {
        let passes_sts = answers.sts.is_some();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let served = Arc::new(Mutex::new(Vec::new()));
        let log = served.clone();
        let answers = Arc::new(answers);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (answers, log) = (answers.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &answers, &log));
            }
        });
        Recorded {
            endpoint,
            served,
            passes_sts,
        }
    }

    /// The requests answered from recordings (STS requests passed through are not listed).
    pub fn served(&self) -> Vec<String> {
        self.served.lock().unwrap().clone()
    }

    /// The environment that sends Access Analyzer and Cost Explorer calls here (and STS, when
    /// the server answers per account).
    pub fn env(&self) -> Vec<(&'static str, &str)> {
        let mut env = vec![
            ("AWS_ENDPOINT_URL_ACCESSANALYZER", self.endpoint.as_str()),
            ("AWS_ENDPOINT_URL_COST_EXPLORER", self.endpoint.as_str()),
        ];
        if self.passes_sts {
            env.push(("AWS_ENDPOINT_URL_STS", self.endpoint.as_str()));
        }
        env
    }
}

fn load(scenario: &str) -> Vec<Exchange> {
    let dir = super::repo().join("tests/recorded").join(scenario);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            let recording: Recording =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            recording.exchanges
        })
        .collect()
}

/// One request on a connection (the SDK reuses connections: keep serving until it closes).
fn serve(stream: TcpStream, answers: &Answers, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut raw = request_line.clone().into_bytes();
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts
            .next()
            .unwrap_or_default()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let (mut length, mut target) = (0, None);
        let (mut key, mut region, mut service) =
            (String::new(), String::from("us-east-1"), String::new());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            raw.extend_from_slice(line.as_bytes());
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().unwrap_or(0),
                "x-amz-target" => target = Some(value.to_owned()),
                // Credential=<key>/<date>/<region>/<service>/aws4_request
                "authorization" => {
                    if let Some(scope) = value.split("Credential=").nth(1) {
                        let scope: Vec<&str> = scope.split('/').collect();
                        key = scope.first().copied().unwrap_or_default().to_owned();
                        region = scope.get(2).copied().unwrap_or("us-east-1").to_owned();
                        service = scope.get(3).copied().unwrap_or_default().to_owned();
                    }
                }
                _ => {}
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let response = match &answers.sts {
            Some(moto) if service == "sts" => {
                raw.extend_from_slice(&body);
                pass_sts(moto, &raw, &key, answers)
            }
            _ => {
                let label = target.clone().unwrap_or_else(|| format!("{method} {path}"));
                log.lock().unwrap().push(label.clone());
                let account = answers
                    .accounts
                    .lock()
                    .unwrap()
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| DEFAULT_ACCOUNT.to_owned());
                let exchanges = answers.by_account.get(&account).unwrap_or(&answers.default);
                let found = exchanges.iter().find(|e| match (&e.target, &target) {
                    (Some(wanted), Some(got)) => wanted == got,
                    (None, None) => {
                        e.method.as_deref() == Some(&method) && e.path.as_deref() == Some(&path)
                    }
                    _ => false,
                });
                recorded_response(found, &label, &region, &account).into_bytes()
            }
        };
        if stream.write_all(&response).is_err() {
            return;
        }
    }
}

fn recorded_response(found: Option<&Exchange>, label: &str, region: &str, account: &str) -> String {
    let (status, content_type, text) = match found {
        Some(e) => (
            e.status,
            e.content_type.clone(),
            e.body
                .to_string()
                .replace("{{region}}", region)
                .replace("{{account}}", account),
        ),
        None => (
            404,
            "application/json".to_owned(),
            format!(
                r#"{{"__type": "ResourceNotFoundException", "message": "no recording for {label}"}}"#
            ),
        ),
    };
    format!(
        "HTTP/1.1 {status} Recorded\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: recorded\r\n\r\n{text}",
        text.len()
    )
}

/// Sends an STS request on to moto unchanged (its signature still holds: the Host header is
/// the one signed) and returns moto's answer, noting whose keys it names: the caller's account
/// (GetCallerIdentity) or the assumed role's (AssumeRole).
fn pass_sts(moto: &str, request: &[u8], key: &str, answers: &Answers) -> Vec<u8> {
    let mut upstream = TcpStream::connect(moto).expect("moto answers");
    upstream.write_all(request).expect("moto takes the request");
    let mut reader = BufReader::new(upstream);
    let mut head = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("moto's answer");
        head.extend_from_slice(line.as_bytes());
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if line.trim_end().is_empty() {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("moto's answer body");
    let text = String::from_utf8_lossy(&body);
    let between = |open: &str, close: &str| {
        text.split(open)
            .nth(1)
            .and_then(|rest| rest.split(close).next())
            .map(str::to_owned)
    };
    let mut accounts = answers.accounts.lock().unwrap();
    if let Some(account) = between("<Account>", "</Account>") {
        accounts.insert(key.to_owned(), account);
    }
    // <AssumedRoleUser><Arn>arn:aws:sts::<account>:assumed-role/…</Arn> and the new keys.
    if let (Some(new_key), Some(arn)) = (
        between("<AccessKeyId>", "</AccessKeyId>"),
        between("<Arn>", "</Arn>"),
    ) && let Some(account) = arn.split(':').nth(4)
    {
        accounts.insert(new_key, account.to_owned());
    }
    head.extend_from_slice(&body);
    head
}
