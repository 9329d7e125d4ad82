//! Fuzz targets for every parser of untrusted input: snapshots, `keyward.yaml`, reports read
//! back (`--baseline`, `diff`, audits), policies and Terraform plans (a pull request's author
//! writes the configuration a pre-deploy check reads the plan of). cargo-fuzz needs a nightly compiler, so
//! these are mutation loops over the seed corpora in `fuzz/corpus/<target>/`: each input is a
//! seed changed a few times (bytes flipped, ranges deleted or repeated, seeds spliced, tokens
//! that parsers find hard inserted), with a seeded generator, so a failure reproduces.
//!
//! The property for every input: no panic, and the result is a value or a typed error. On top,
//! what keyward promises about hostile input: an error's text carries no raw control
//! character; an accepted snapshot is evaluated by the built-in pack without a rule failing,
//! and its terminal table carries no raw control character either; an accepted report renders
//! in every format and compares with itself; an accepted policy evaluates or stops with an
//! error that names it; an accepted plan becomes the accounts before and after it, which the
//! pack judges and every format renders.
//!
//! `cargo test --test integration fuzz::` runs a few hundred inputs per target in seconds;
//! `scripts/fuzz.sh` runs many more with a random seed. A failing input is written to
//! `target/fuzz-failures/<target>/`, and the run names the seed to replay it with.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Duration;

use keyward::commands::{ScanFile, parse_scan_file};
use keyward::config::Config;
use keyward::evaluation::AsOf;
use keyward::policy::{Limits, PolicySet, SourceFile, builtin_sources};
use keyward::report::{RenderOptions, ReportFormat};

/// splitmix64: small, fast, and the same sequence for the same seed on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that parsers of each kind find hard: structure, extremes, escapes, dates out of
/// range, paths, control characters, and the markup keyward's outputs must keep literal.
const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "null",
    "true",
    "-1",
    "0",
    "1e400",
    "-0.0",
    "18446744073709551616",
    "-9223372036854775809",
    "\"1600-01-01T00:00:00Z\"",
    "\"2262-04-12T00:00:00Z\"",
    "\"9999-12-31T23:59:59Z\"",
    "\"../../x\"",
    "\"/etc/passwd\"",
    "\"\\u001b[31m\\u0007\"",
    "\"\\n::error::x\"",
    "\"\\ud800\"",
    "\"x\\\"y\"",
    "\"schema_version\"",
    "\"report_version\"",
    "[[[[[[[[[[[[[[[[[[[[",
    "{\"a\":{\"a\":{\"a\":",
    "\"`[x](https://e.x)<b>|\"",
    "\"rate(99999999999 days)\"",
    "\"cron(0 0 * * ? *)\"",
];

const YAML_TOKENS: &[&str] = &[
    "- ",
    ": ",
    "\n",
    "\n  ",
    "  ",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "# ",
    "&a ",
    "*a",
    "!!binary ",
    "!!str ",
    "? ",
    "|\n  ",
    ">\n  ",
    "~",
    ".inf",
    "0x10",
    "1e400",
    "-1",
    "2262-04-12T00:00:00Z",
    "1600-01-01",
    "\"\\e[2J\"",
    "---\n",
    "...\n",
    "<<: *a",
    "\"\\u202e\"",
    "[[[[[[[[[[[[",
    "KW-IAM-009",
    "expires: 2027-01-31",
    "resource: \"*\"",
];

const REGO_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "`",
    "#",
    "\n",
    " if ",
    " contains ",
    " := ",
    " = ",
    " == ",
    "some x in ",
    "every x in y { ",
    "not ",
    " with input as {}",
    "import data.acme.lib.people\n",
    "package keyward.lib.time\n",
    "deny(x) := x\n",
    "deny := {}\n",
    "f(x) := f(x)\n",
    "default deny := set()\n",
    "count(",
    "sprintf(",
    "object.get(",
    "time.parse_rfc3339_ns(",
    "input.snapshot.users",
    "[[[[[[[[[[[[[[",
    " + 1 + 1 + 1",
    "\"\\u001b[31m\"",
    "1e400",
    "# METADATA\n",
    "#   id: ACME-X-001\n",
    "#   severity: high\n",
];

/// Runs `target` over the seeds of `fuzz/corpus/<name>/` unchanged, then over `iterations`
/// mutated inputs. `target` returns `Err` for a broken promise; a panic is caught as one.
fn fuzz(
    name: &str,
    iterations: usize,
    tokens: &[&str],
    target: &(dyn Fn(&str) -> Result<Outcome, String> + Sync),
) {
    let seeds = corpus(name);
    let seed = std::env::var("KEYWARD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6b65_7977_6172_6421);
    let iterations = std::env::var("KEYWARD_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(iterations);
    for (path, text) in &seeds {
        assert_eq!(
            check(target, text),
            Ok(Outcome::Accepted),
            "seed {} is not accepted: fix the corpus",
            path.display()
        );
    }
    // The main thread's stack, as `keyward` runs with: a test thread's 2 MiB is less.
    let tally = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(scope, || {
                run_mutations(name, &seeds, tokens, seed, iterations, target)
            })
            .unwrap()
            .join()
            .unwrap()
    });
    eprintln!(
        "fuzz {name}: {iterations} inputs from seed {seed}: {} accepted, {} refused, {} broke a promise",
        tally.accepted,
        tally.refused,
        tally.failures.len()
    );
    assert!(
        tally.failures.is_empty(),
        "{} of {iterations} {name} inputs broke a promise (KEYWARD_FUZZ_SEED={seed} reproduces; inputs in target/fuzz-failures/{name}/):\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    // A loop that only ever hits one outcome tests little: the mutations must reach both.
    if iterations >= 100 {
        assert!(
            tally.accepted > 0 && tally.refused > 0,
            "{name}: {} accepted, {} refused: the mutations no longer reach both",
            tally.accepted,
            tally.refused
        );
    }
}

/// What a run of mutated inputs came to.
#[derive(Default)]
struct Tally {
    failures: Vec<String>,
    accepted: usize,
    refused: usize,
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Refused,
}

fn check(
    target: &(dyn Fn(&str) -> Result<Outcome, String> + Sync),
    text: &str,
) -> Result<Outcome, String> {
    catch_unwind(AssertUnwindSafe(|| target(text))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        Err(format!("panicked: {message}"))
    })
}

fn run_mutations(
    name: &str,
    seeds: &[(PathBuf, String)],
    tokens: &[&str],
    seed: u64,
    iterations: usize,
    target: &(dyn Fn(&str) -> Result<Outcome, String> + Sync),
) -> Tally {
    let mut rng = Rng(seed
        ^ name
            .bytes()
            .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b)));
    let mut tally = Tally::default();
    for n in 0..iterations {
        let input = mutate(&mut rng, seeds, tokens);
        match check(target, &input) {
            Ok(Outcome::Accepted) => tally.accepted += 1,
            Ok(Outcome::Refused) => tally.refused += 1,
            Err(broken) => {
                let dir = crate::support::repo()
                    .join("target/fuzz-failures")
                    .join(name);
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(dir.join(format!("{n}.txt")), &input);
                tally.failures.push(format!("input {n}: {broken}"));
            }
        }
    }
    tally
}

fn corpus(name: &str) -> Vec<(PathBuf, String)> {
    let dir = crate::support::repo().join("fuzz/corpus").join(name);
    let mut seeds: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

/// Values a field of a JSON document is replaced by: other types, extremes, times out of
/// range, paths, control characters, markup, deep nesting.
const JSON_VALUES: &[&str] = &[
    "null",
    "true",
    "0",
    "-1",
    "4294967296",
    "1e300",
    "\"\"",
    "\"\\u001b[31m\\n::error::x\"",
    "\"1600-01-01T00:00:00Z\"",
    "\"2262-04-12T00:00:00Z\"",
    "\"2026-05-03T09:00:00Z\"",
    "\"../../x\"",
    "\"123456789012\"",
    "[]",
    "{}",
    "[[[[[[[[[[]]]]]]]]]]",
    "\"rate(99999999999 days)\"",
    "\"*\"",
    "{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}",
    "\"`[x](https://e.x)|<b>\"",
    "\"active\"",
    "\"inactive\"",
    "\"hardware\"",
];

/// One change to a JSON document's structure: a field replaced, removed or repeated. Keeps
/// the document JSON, so that the checks behind the parser are reached.
fn mutate_json(rng: &mut Rng, document: &mut serde_json::Value) {
    let mut pointers = Vec::new();
    collect_pointers(document, String::new(), &mut pointers);
    if pointers.is_empty() {
        return;
    }
    let pointer = &pointers[rng.below(pointers.len())];
    let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", ""));
    match (rng.below(4), document.pointer_mut(parent)) {
        (0, Some(serde_json::Value::Object(fields))) => {
            fields.remove(last);
        }
        (1, Some(serde_json::Value::Array(items))) if !items.is_empty() => {
            let copy = items[rng.below(items.len())].clone();
            items.push(copy);
        }
        _ => {
            if let Some(target) = document.pointer_mut(pointer) {
                *target = serde_json::from_str(JSON_VALUES[rng.below(JSON_VALUES.len())]).unwrap();
            }
        }
    }
}

fn collect_pointers(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
    if !at.is_empty() {
        out.push(at.clone());
    }
    match value {
        serde_json::Value::Object(fields) => {
            for (key, child) in fields {
                let key = key.replace('~', "~0").replace('/', "~1");
                collect_pointers(child, format!("{at}/{key}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// One to four changes to one seed: to its structure when it is JSON (half the time), else to
/// its bytes.
fn mutate(rng: &mut Rng, seeds: &[(PathBuf, String)], tokens: &[&str]) -> String {
    let seed = &seeds[rng.below(seeds.len())].1;
    if rng.below(2) == 0
        && let Ok(mut document) = serde_json::from_str::<serde_json::Value>(seed)
        && document.is_object()
    {
        for _ in 0..1 + rng.below(4) {
            mutate_json(rng, &mut document);
        }
        return serde_json::to_string_pretty(&document).unwrap();
    }
    let mut bytes = seed.clone().into_bytes();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(8) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes[i] = rng.next() as u8;
            }
            1 | 2 => {
                let token = tokens[rng.below(tokens.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            3 => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            4 => {
                let end = (at + rng.below(128)).min(bytes.len());
                let copy: Vec<u8> = bytes[at..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, copy);
            }
            5 => {
                let other = seeds[rng.below(seeds.len())].1.as_bytes();
                let from = rng.below(other.len() + 1);
                bytes.truncate(at);
                bytes.extend_from_slice(&other[from..]);
            }
            6 => bytes.truncate(at),
            _ => {
                // A number made extreme: the digits at a random place replaced.
                if let Some(start) = (at..bytes.len()).find(|&i| bytes[i].is_ascii_digit()) {
                    let end = (start..bytes.len())
                        .find(|&i| !bytes[i].is_ascii_digit())
                        .unwrap_or(bytes.len());
                    let extreme =
                        ["0", "4294967296", "99999999999999999999", "2262", "1677"][rng.below(5)];
                    bytes.splice(start..end, extreme.bytes());
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// An error's text, as a person reads it: no raw control character but line breaks.
fn plain(text: &str, what: &str) -> Result<(), String> {
    match text.chars().find(|&c| c.is_control() && c != '\n') {
        Some(c) => Err(format!("{what} holds a raw {c:?}: {text}")),
        None => Ok(()),
    }
}

fn refused(error: &dyn std::fmt::Display) -> Result<Outcome, String> {
    plain(&error.to_string(), "the error")?;
    Ok(Outcome::Refused)
}

fn builtin_pack() -> &'static PolicySet {
    static PACK: std::sync::OnceLock<PolicySet> = std::sync::OnceLock::new();
    PACK.get_or_init(|| PolicySet::load(&builtin_sources()).unwrap())
}

/// Whether an input goes on to the costly checks (evaluation, rendering): one in `every`,
/// chosen by the input's own hash, so that a seed replays the same checks.
fn sampled(input: &str, every: u64) -> bool {
    let hash = input.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    hash % every == 0
}

#[test]
fn snapshots() {
    fuzz(
        "snapshot",
        400,
        &[JSON_TOKENS, YAML_TOKENS].concat(),
        &|text| {
            let snapshot = match keyward::snapshot::parse(Path::new("s.json"), text) {
                Ok(snapshot) => snapshot,
                Err(error) => return refused(&error),
            };
            if sampled(text, 3) {
                let report = keyward::evaluation::evaluate(
                    builtin_pack(),
                    &[snapshot],
                    &Config::default(),
                    AsOf::Snapshot,
                )
                .map_err(|e| format!("a loaded snapshot made a built-in rule fail: {e}"))?;
                let table = keyward::report::render(
                    &report,
                    ReportFormat::Table,
                    &RenderOptions::default(),
                )
                .map_err(|e| e.to_string())?;
                plain(&table.text.replace('\n', ""), "the table")?;
                keyward::report::render(&report, ReportFormat::Markdown, &RenderOptions::default())
                    .map_err(|e| e.to_string())?;
            }
            Ok(Outcome::Accepted)
        },
    );
}

/// Plan-shaped tokens: the fields keyward reads, references, unknown markers, ARNs.
const PLAN_TOKENS: &[&str] = &[
    "\"after_unknown\"",
    "\"format_version\"",
    "\"1.2\"",
    "\"2.0\"",
    "\"resource_changes\"",
    "\"planned_values\"",
    "\"prior_state\"",
    "\"configuration\"",
    "\"references\"",
    "[\"aws_iam_user.a\", \"module.m\"]",
    "\"module.secrets[\\\"x\\\"]\"",
    "\"aws_iam_policy\"",
    "\"aws_iam_user_login_profile\"",
    "\"aws_iam_access_key\"",
    "\"aws_iam_policy_document\"",
    "\"arn:aws:iam::aws:policy/AdministratorAccess\"",
    "\"arn:aws:iam::123456789012:user/../x\"",
    "\"index\": 18446744073709551615",
    "[\"create\", \"delete\"]",
];

#[test]
fn plans() {
    fuzz("plan", 200, &[JSON_TOKENS, PLAN_TOKENS].concat(), &|text| {
        let plan = match keyward::terraform::parse_plan(Path::new("plan.json"), text) {
            Ok(plan) => plan,
            Err(error) => return refused(&error),
        };
        let accounts = plan.accounts(None);
        if sampled(text, 4) {
            let report = keyward::evaluation::evaluate_plan(
                builtin_pack(),
                std::slice::from_ref(&accounts.before),
                std::slice::from_ref(&accounts.after),
                &Config::default(),
                AsOf::Snapshot,
                "plan.json",
            )
            .map_err(|e| format!("an accepted plan made a built-in rule fail: {e}"))?;
            for format in [
                ReportFormat::Table,
                ReportFormat::Markdown,
                ReportFormat::Sarif,
            ] {
                let rendered = keyward::report::render(&report, format, &RenderOptions::default())
                    .map_err(|e| e.to_string())?;
                if format == ReportFormat::Table {
                    plain(&rendered.text.replace('\n', ""), "the table")?;
                }
            }
        }
        Ok(Outcome::Accepted)
    });
}

#[test]
fn configs() {
    fuzz(
        "config",
        800,
        YAML_TOKENS,
        &|text| match keyward::config::parse(Path::new("keyward.yaml"), text, |id| {
            id.starts_with("KW-")
        }) {
            Ok(_) => Ok(Outcome::Accepted),
            Err(error) => refused(&error),
        },
    );
}

#[test]
fn reports_read_back() {
    fuzz("report", 300, JSON_TOKENS, &|text| {
        let report = match parse_scan_file(Path::new("baseline.json"), text) {
            Ok(ScanFile::Report(report)) => report,
            Ok(ScanFile::Snapshot(_)) => return Ok(Outcome::Accepted),
            Err(error) => return refused(&error),
        };
        if !sampled(text, 3) {
            return Ok(Outcome::Accepted);
        }
        let drift = keyward::drift::between(&report, &report);
        let marked = keyward::baseline::mark((*report).clone(), &report, "baseline.json");
        for format in [
            ReportFormat::Table,
            ReportFormat::Markdown,
            ReportFormat::Json,
        ] {
            keyward::report::render(&marked, format, &RenderOptions::default())
                .map_err(|e| e.to_string())?;
        }
        // SARIF refuses more than 20 accounts with an error: a value, not a panic.
        let _ = keyward::report::render(&marked, ReportFormat::Sarif, &RenderOptions::default());
        for format in [
            keyward::report::drift::DriftFormat::Table,
            keyward::report::drift::DriftFormat::Markdown,
        ] {
            keyward::report::drift::render(&drift, format, "a", "b", Default::default());
        }
        Ok(Outcome::Accepted)
    });
}

#[test]
fn policies() {
    let snapshot = keyward::snapshot::parse(
        Path::new("minimal.yaml"),
        &std::fs::read_to_string(crate::support::repo().join("fuzz/corpus/snapshot/minimal.yaml"))
            .unwrap(),
    )
    .unwrap();
    let seeds = corpus("policy");
    fuzz("policy", 200, REGO_TOKENS, &|text| {
        // The mutated file beside the other seeds, and one time in ten beside the built-in pack
        // too (loading it is most of the time an input takes).
        let mut sources: Vec<SourceFile> = if sampled(text, 10) {
            builtin_sources()
        } else {
            Vec::new()
        };
        sources.push(SourceFile {
            origin: "fuzzed.rego".to_owned(),
            text: text.to_owned(),
        });
        let first = seeds[0].1.clone();
        for (path, seed) in &seeds {
            if *seed != text && *seed != first {
                sources.push(SourceFile {
                    origin: path.display().to_string(),
                    text: seed.clone(),
                });
            }
        }
        let policies = match PolicySet::load(&sources) {
            Ok(policies) => policies.with_limits(Limits {
                timeout: Duration::from_secs(2),
                ..Limits::default()
            }),
            Err(error) => return refused(&error),
        };
        if sampled(&format!("{text}\n"), 2) {
            let result = keyward::evaluation::evaluate(
                &policies,
                std::slice::from_ref(&snapshot),
                &Config::default(),
                AsOf::Snapshot,
            );
            if let Err(error) = result {
                let text = error.to_string();
                plain(&text, "the error")?;
                if !text.contains("fuzzed.rego") && !text.contains("fuzz/corpus/policy") {
                    return Err(format!("an evaluation error names no user policy: {text}"));
                }
            }
        }
        Ok(Outcome::Accepted)
    });
}

/// Found by the snapshot target: a policy document whose `Action` was a number made the
/// built-in rule KW-IAM-013 fail (`lower` of a number), stopping the scan. Such a document is
/// now refused when the snapshot loads, naming the field.
#[test]
fn a_policy_document_of_a_shape_aws_never_returns_is_refused_when_it_loads() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = crate::support::hostile::incident_with(dir.path(), "document.json", |s| {
        s["policies"][0]["document"]["Statement"][0]["Action"] = serde_json::json!(1e300);
    });
    crate::support::cli::keyward(&["scan", "--snapshot", &snapshot]).assert_input_error(&[
        &format!("snapshot {snapshot}:"),
        "policies[0].document.Statement[0].Action: not an IAM policy document as AWS returns it: expected a string or a list of strings",
    ]);
}
