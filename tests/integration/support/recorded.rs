//! Recorded AWS responses served on loopback, for the APIs moto does not implement (IAM Access
//! Analyzer and Cost Explorer's anomaly detection answer HTTP 500 there). keyward reaches the
//! server through `AWS_ENDPOINT_URL_<SERVICE>`, as it would a VPC endpoint.
//!
//! A scenario is a folder `tests/recorded/<scenario>/` of JSON files, one per service (format in
//! tests/recorded/README.md). Each file lists exchanges: a request is answered by the first
//! exchange whose `target` equals its `X-Amz-Target` header (JSON protocols), or whose `method`
//! and `path` equal its own (REST protocols, query string ignored). In a body, `{{region}}` is
//! replaced by the region the request was signed for. A request nothing matches gets a 404
//! with an AWS-shaped error, so a missing recording fails loudly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
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
    /// What the exchange stands for (documentation only).
    #[serde(default)]
    #[allow(dead_code)]
    about: Option<String>,
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
}

impl Recorded {
    /// Serves `tests/recorded/<scenario>/*.json` on a free loopback port.
    pub fn start(scenario: &str) -> Recorded {
        let dir = super::repo().join("tests/recorded").join(scenario);
        let exchanges = load(&dir);
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let served = Arc::new(Mutex::new(Vec::new()));
        let log = served.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (exchanges, log) = (exchanges.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &exchanges, &log));
            }
        });
        Recorded { endpoint, served }
    }

    pub fn served(&self) -> Vec<String> {
        self.served.lock().unwrap().clone()
    }

    /// The environment that sends Access Analyzer and Cost Explorer calls here.
    pub fn env(&self) -> [(&'static str, String); 2] {
        [
            ("AWS_ENDPOINT_URL_ACCESSANALYZER", self.endpoint.clone()),
            ("AWS_ENDPOINT_URL_COST_EXPLORER", self.endpoint.clone()),
        ]
    }
}

fn load(dir: &Path) -> Vec<Exchange> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
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
fn serve(stream: TcpStream, exchanges: &[Exchange], log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts
            .next()
            .unwrap_or_default()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let (mut length, mut target, mut region) = (0, None, String::from("us-east-1"));
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
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
                        region = scope.split('/').nth(2).unwrap_or("us-east-1").to_owned();
                    }
                }
                _ => {}
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let label = target.clone().unwrap_or_else(|| format!("{method} {path}"));
        log.lock().unwrap().push(label.clone());
        let found = exchanges.iter().find(|e| match (&e.target, &target) {
            (Some(wanted), Some(got)) => wanted == got,
            (None, None) => {
                e.method.as_deref() == Some(&method) && e.path.as_deref() == Some(&path)
            }
            _ => false,
        });
        let (status, content_type, text) = match found {
            Some(e) => (
                e.status,
                e.content_type.clone(),
                e.body.to_string().replace("{{region}}", &region),
            ),
            None => (
                404,
                "application/json".to_owned(),
                format!(
                    r#"{{"__type": "ResourceNotFoundException", "message": "no recording for {label}"}}"#
                ),
            ),
        };
        let response = format!(
            "HTTP/1.1 {status} Recorded\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: recorded\r\n\r\n{text}",
            text.len()
        );
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}
