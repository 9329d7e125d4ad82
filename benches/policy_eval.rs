//! Policy evaluation benchmark: the built-in Rego pack over synthetic snapshots of 1,000 to
//! 10,000 users and as many secrets, built in memory (no AWS, no moto). Not a test: it asserts
//! nothing about time and never runs under `cargo test`.
//!
//! Measured per scale point, each over several iterations (median and min):
//!   - loading the snapshot as `keyward scan --snapshot` does (its JSON text to the typed
//!     snapshot);
//!   - the access model alone (`keyward::access::summarize`: who can read every secret, who is
//!     administrator in effect), and the policy input (`PolicyInput::new`: the access model on a
//!     thread of its own while the snapshot is serialised and parsed into regorus), and the
//!     baseline: the input and a trivial one-rule pack (engine clone + one cheap rule);
//!   - the whole built-in pack, as `keyward scan` runs it (`keyward::scan::scan`: input,
//!     evaluate, findings, fingerprints, sort), its evaluation from the snapshot (input and
//!     rules), and its rules alone on an input built beforehand, with and without the rules'
//!     evaluation groups (METADATA `evaluation_group`: rules evaluated in one query);
//!   - each rule alone (`PolicySet::evaluate` with one rule), minus the time of the trivial rule
//!     alone on the same engine, so that the rules that dominate are visible; and the findings
//!     of each.
//!
//! Two data profiles, each at every scale: `finding-heavy`, where most users and secrets have
//! something wrong (more than one finding per user and secret: the worst case for the rules,
//! which spend most of their time building findings), and `mostly-compliant`, the same account
//! with nine users and secrets in ten fixed (what an account that uses keyward looks like).
//! Both have what the access model weighs: Deny statements, NotAction, conditions on tags and
//! on the organization, resource policies, roles trusted by services, by other accounts and
//! (one in ten) by the account itself, a permissions boundary on one user in twenty, and the
//! organization's SCPs and RCPs (one SCP with an exception by aws:PrincipalArn).
//!
//! Usage (scripts/bench.sh runs it):
//!   cargo bench --bench policy_eval -- [--quick] [--iterations N] [--scales 1000,5000,10000]
//!                                      [--profiles finding-heavy,mostly-compliant]
//!                                      [--json PATH] [--policies DIR]
//! Prints a table and writes JSON (default target/bench/policy_eval.json). `--policies DIR`
//! measures the rules of DIR (e.g. a copy of policies/ with a change) instead of the built-in
//! pack, without rebuilding.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use keyward::config::Config;
use keyward::evaluation::AsOf;
use keyward::evaluation::evaluate as scan;
use keyward::policy::{
    PolicyInput, PolicySet, Rule, SourceFile, builtin_sources, evaluation_input, read_dirs,
};
use keyward::snapshot::{
    AccessKey, Account, AttachedPolicy, Collector, ConsolePassword, Group, InlinePolicy,
    KeyLastUse, KeyStatus, ManagedPolicy, MfaDevice, MfaKind, Organization, OrganizationPolicies,
    OrganizationPolicy, OrganizationTarget, PasswordPolicy, Role, RootUser, Rotation,
    RotationRules, SCHEMA_VERSION, Secret, Snapshot, User,
};
use serde_json::{Value, json};

/// The allocator the `keyward` binary uses, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ACCOUNT: &str = "123456789012";
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

/// A one-rule pack that reads the input but finds nothing: what handing a snapshot to the
/// engine costs before any real rule runs.
const TRIVIAL_RULE: &str = "# METADATA
# title: Trivial benchmark rule
# description: Reads the account id; never reports anything.
# custom:
#   id: BENCH-000
#   name: trivial
#   severity: low
#   remediation: Nothing to fix.
package bench.trivial

deny contains {\"resource\": id, \"message\": \"never\"} if {
\tid := input.snapshot.account.id
\tid == \"not-an-account\"
}
";

struct Options {
    scales: Vec<usize>,
    profiles: Vec<Profile>,
    iterations: usize,
    rule_iterations: usize,
    json: PathBuf,
    quick: bool,
    /// Rules to measure instead of the built-in pack (a policy change, before a rebuild).
    policies: Option<PathBuf>,
}

fn options() -> Options {
    let mut options = Options {
        scales: vec![1_000, 5_000, 10_000],
        profiles: vec![Profile::FindingHeavy, Profile::MostlyCompliant],
        iterations: 5,
        rule_iterations: 5,
        json: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/policy_eval.json"),
        quick: false,
        policies: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                options.quick = true;
                options.scales = vec![1_000, 10_000];
                options.iterations = 3;
                options.rule_iterations = 1;
            }
            "--iterations" => {
                let n = args.next().and_then(|n| n.parse().ok()).unwrap_or(5);
                options.iterations = n;
                options.rule_iterations = n;
            }
            "--scales" => {
                options.scales = list_option(&arg, args.next(), |n| n.parse().ok());
            }
            "--profiles" => options.profiles = list_option(&arg, args.next(), Profile::named),
            "--json" => options.json = args.next().map(PathBuf::from).unwrap_or(options.json),
            "--policies" => options.policies = args.next().map(PathBuf::from),
            // cargo bench passes --bench (and a filter, if given): nothing to do with them.
            _ => {}
        }
    }
    options.iterations = options.iterations.max(1);
    options.rule_iterations = options.rule_iterations.max(1);
    options
}

/// A comma-separated option value, each item parsed; an item that does not parse (or no value)
/// ends the run with a message rather than a benchmark of something else than was asked for.
fn list_option<T>(
    option: &str,
    value: Option<String>,
    parse: impl Fn(&str) -> Option<T>,
) -> Vec<T> {
    let value = value.unwrap_or_default();
    value
        .split(',')
        .map(|item| {
            parse(item.trim()).unwrap_or_else(|| {
                eprintln!("policy_eval: {option} {value:?}: cannot read {item:?}; see the usage at the top of benches/policy_eval.rs");
                std::process::exit(2)
            })
        })
        .collect()
}

fn main() {
    let options = options();
    let as_of = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let config = Config::default();
    let sources = match &options.policies {
        Some(dir) => read_dirs(std::slice::from_ref(dir)).expect("the --policies directory loads"),
        None => builtin_sources(),
    };
    let packs = Packs::load(&sources);
    let evaluation = evaluation_input(&config, as_of);

    println!(
        "keyward policy evaluation benchmark: {} rules, iterations {} (per rule {}), {} cores",
        packs.pack.rules().len(),
        options.iterations,
        options.rule_iterations,
        cores()
    );
    let mut results = Vec::new();
    for &profile in &options.profiles {
        let mut of_profile = Vec::new();
        for &n in &options.scales {
            let snapshot = synthetic(n, n, as_of, profile);
            let result = measure(&packs, &config, &snapshot, &evaluation, as_of, &options);
            print_scale(&result, profile);
            of_profile.push(result);
        }
        print_linearity(&of_profile, profile);
        results.push((profile, of_profile));
    }
    let peak_rss_mb = peak_rss_kb().map(|kb| kb as f64 / 1024.0);
    if let Some(mb) = peak_rss_mb {
        println!("\npeak RSS of the benchmark process: {mb:.0} MB");
    }
    write_json(&options, &results, peak_rss_mb);
}

/// The policy sets the steps evaluate, loaded once.
struct Packs {
    pack: PolicySet,
    /// The pack with every rule on its own, no METADATA `evaluation_group`: what the groups buy.
    ungrouped: PolicySet,
    trivial: PolicySet,
    /// The pack with the trivial rule beside it: each rule alone is timed on this engine,
    /// against the trivial rule on the same engine, so that the net time is the rule's own.
    pack_plus: PolicySet,
    one_thread: OneThread,
}

impl Packs {
    fn load(sources: &[SourceFile]) -> Packs {
        let trivial_source = SourceFile {
            origin: "bench:trivial.rego".to_owned(),
            text: TRIVIAL_RULE.to_owned(),
        };
        let pack = PolicySet::load(sources).expect("the pack loads");
        let ungrouped: Vec<SourceFile> = sources.iter().map(without_evaluation_group).collect();
        let mut with_trivial = sources.to_vec();
        with_trivial.push(trivial_source.clone());
        Packs {
            ungrouped: PolicySet::load(&ungrouped).expect("the ungrouped pack loads"),
            trivial: PolicySet::load(&[trivial_source]).expect("trivial pack"),
            pack_plus: PolicySet::load(&with_trivial).expect("the pack and the trivial rule load"),
            one_thread: OneThread::load(sources, &pack),
            pack,
        }
    }
}

fn without_evaluation_group(file: &SourceFile) -> SourceFile {
    let text: Vec<&str> = file
        .text
        .lines()
        .filter(|line| {
            !line
                .trim_start_matches(['#', ' '])
                .starts_with("evaluation_group:")
        })
        .collect();
    SourceFile {
        origin: file.origin.clone(),
        text: text.join("\n") + "\n",
    }
}

/// What the synthetic account's users and secrets look like.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Profile {
    /// Most of them have something wrong: more than one finding per user and secret.
    FindingHeavy,
    /// The same account with nine users and secrets in ten fixed.
    MostlyCompliant,
}

impl Profile {
    fn named(name: &str) -> Option<Profile> {
        [Profile::FindingHeavy, Profile::MostlyCompliant]
            .into_iter()
            .find(|p| p.name() == name)
    }

    fn name(self) -> &'static str {
        match self {
            Profile::FindingHeavy => "finding-heavy",
            Profile::MostlyCompliant => "mostly-compliant",
        }
    }
}

/// The timings of one scale point (milliseconds).
struct ScaleResult {
    users: usize,
    secrets: usize,
    groups: usize,
    roles: usize,
    policies: usize,
    input_bytes: usize,
    /// Reading a saved snapshot (`keyward scan --snapshot`): its JSON text to the typed snapshot.
    load: Stats,
    access: Stats,
    input: Stats,
    trivial_eval: Stats,
    /// The trivial rule alone on the pack's engine: what each rule's own time is measured from.
    trivial_in_pack: Stats,
    baseline: Stats,
    /// The pack's rules on an input built beforehand, and the pack from the snapshot (input too).
    pack_rules: Stats,
    /// The pack's rules on a built input with every rule evaluated on its own.
    ungrouped_rules: Stats,
    pack_eval: Stats,
    /// The pack on one thread, one engine: all rules in one query, and rule by rule.
    one_query: Stats,
    rule_by_rule: Stats,
    scan: Stats,
    findings: usize,
    rules: Vec<RuleResult>,
}

struct RuleResult {
    id: String,
    name: String,
    time: Stats,
    /// The rule's min time minus the trivial rule's on the same engine (engine clone, threads):
    /// mins, because other work on a shared machine only ever adds time.
    net_ms: f64,
    findings: usize,
}

#[derive(Clone)]
struct Stats {
    median_ms: f64,
    min_ms: f64,
    runs_ms: Vec<f64>,
}

/// Times several steps over `iterations` rounds, each round running every step once, so that a
/// burst of other work on the machine slows all steps alike rather than one. Each step runs
/// once untimed first (warm-up: pages in the pack and the allocator).
fn time_rounds(iterations: usize, steps: &mut [&mut dyn FnMut()]) -> Vec<Stats> {
    for step in steps.iter_mut() {
        step();
    }
    let mut runs: Vec<Vec<f64>> = vec![Vec::with_capacity(iterations); steps.len()];
    for _ in 0..iterations {
        for (step, runs) in steps.iter_mut().zip(&mut runs) {
            let start = Instant::now();
            step();
            runs.push(ms(start.elapsed()));
        }
    }
    runs.into_iter().map(stats).collect()
}

fn stats(runs_ms: Vec<f64>) -> Stats {
    let mut runs = runs_ms.clone();
    runs.sort_by(f64::total_cmp);
    let mid = runs.len() / 2;
    let median_ms = if runs.len().is_multiple_of(2) {
        (runs[mid - 1] + runs[mid]) / 2.0
    } else {
        runs[mid]
    };
    Stats {
        median_ms,
        min_ms: runs[0],
        runs_ms,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn measure(
    packs: &Packs,
    config: &Config,
    snapshot: &Snapshot,
    evaluation: &Value,
    as_of: DateTime<Utc>,
    options: &Options,
) -> ScaleResult {
    let build_input = || PolicyInput::new(snapshot, evaluation).expect("the input builds");
    let input = build_input();
    let json = serde_json::to_string(snapshot).expect("a snapshot serialises");
    let snapshots = std::slice::from_ref(snapshot);
    let Packs {
        pack,
        ungrouped,
        trivial,
        pack_plus,
        one_thread,
    } = packs;
    let [
        load,
        access,
        input_time,
        trivial_eval,
        baseline,
        pack_rules,
        ungrouped_rules,
        pack_eval,
        one_query,
        rule_by_rule,
        scan_time,
    ]: [Stats; 11] = time_rounds(
        options.iterations,
        &mut [
            &mut || {
                black_box(
                    keyward::snapshot::parse(Path::new("bench.json"), &json).expect("parses"),
                );
            },
            &mut || {
                black_box(keyward::access::summarize(snapshot, as_of));
            },
            &mut || {
                black_box(build_input());
            },
            &mut || {
                black_box(trivial.evaluate(&input, trivial.rules()).expect("trivial"));
            },
            &mut || {
                black_box(
                    trivial
                        .evaluate(&build_input(), trivial.rules())
                        .expect("trivial"),
                );
            },
            &mut || {
                black_box(pack.evaluate(&input, pack.rules()).expect("pack evaluates"));
            },
            &mut || {
                black_box(
                    ungrouped
                        .evaluate(&input, ungrouped.rules())
                        .expect("evaluates"),
                );
            },
            &mut || {
                let input = build_input();
                black_box(pack.evaluate(&input, pack.rules()).expect("pack evaluates"));
            },
            &mut || {
                black_box(one_thread.one_query(&input));
            },
            &mut || {
                black_box(one_thread.rule_by_rule(&input));
            },
            &mut || {
                black_box(scan(pack, snapshots, config, AsOf::At(as_of)).expect("scan"));
            },
        ],
    )
    .try_into()
    .unwrap_or_else(|_| unreachable!("one result per step"));
    let report = scan(pack, snapshots, config, AsOf::At(as_of)).expect("scan");
    let findings = report.all_findings().count();

    // Each rule alone, and the trivial rule alone on the same engine (the zero), in rounds.
    let rules: Vec<&Rule> = pack_plus
        .rules()
        .iter()
        .filter(|rule| rule.metadata.id != "BENCH-000")
        .collect();
    let trivial_rule = pack_plus.rule("BENCH-000").expect("the trivial rule");
    let mut steps: Vec<Box<dyn FnMut()>> = std::iter::once(trivial_rule)
        .chain(rules.iter().copied())
        .map(|rule| {
            let input = &input;
            Box::new(move || {
                black_box(pack_plus.evaluate(input, [rule]).expect("rule evaluates"));
            }) as Box<dyn FnMut()>
        })
        .collect();
    let mut step_refs: Vec<&mut dyn FnMut()> = steps.iter_mut().map(|s| &mut **s as _).collect();
    let mut timed = time_rounds(options.rule_iterations, &mut step_refs).into_iter();
    let trivial_in_pack = timed.next().expect("the zero");
    let rules = rules
        .into_iter()
        .zip(timed)
        .map(|(rule, time)| RuleResult {
            id: rule.metadata.id.clone(),
            name: rule.metadata.name.clone(),
            net_ms: (time.min_ms - trivial_in_pack.min_ms).max(0.0),
            findings: pack_plus.evaluate(&input, [rule]).expect("rule evaluates")[0]
                .1
                .len(),
            time,
        })
        .collect();
    ScaleResult {
        users: snapshot.users.len(),
        secrets: snapshot.secrets.len(),
        groups: snapshot.groups.len(),
        roles: snapshot.roles.len(),
        policies: snapshot.policies.len(),
        input_bytes: json.len(),
        load,
        access,
        input: input_time,
        trivial_eval,
        trivial_in_pack,
        baseline,
        pack_rules,
        ungrouped_rules,
        pack_eval,
        one_query,
        rule_by_rule,
        scan: scan_time,
        findings,
        rules,
    }
}

/// The pack in a regorus engine of its own, evaluated on the calling thread: rule by rule is
/// what each `PolicySet::evaluate` worker does with the rules it takes, here for the whole pack,
/// to show what sharing the rules over the cores buys; one query for all rules shows what the
/// queue gives up (library tables that several rules read are computed once per query).
struct OneThread {
    engine: regorus::Engine,
    queries: Vec<String>,
}

impl OneThread {
    fn load(sources: &[SourceFile], pack: &PolicySet) -> OneThread {
        let mut engine = regorus::Engine::new();
        for file in sources.iter().filter(|f| !f.is_test()) {
            engine
                .add_policy(file.origin.clone(), file.text.clone())
                .expect("the pack parses");
        }
        let queries = pack
            .rules()
            .iter()
            .map(|r| format!("{}.deny", r.package))
            .collect();
        OneThread { engine, queries }
    }

    fn with_input(&self, input: &PolicyInput) -> regorus::Engine {
        let mut engine = self.engine.clone();
        engine.set_input(input.value().clone());
        engine
    }

    fn one_query(&self, input: &PolicyInput) -> regorus::QueryResults {
        let query = format!("[{}]", self.queries.join(", "));
        self.with_input(input)
            .eval_query(query, false)
            .expect("the pack evaluates")
    }

    fn rule_by_rule(&self, input: &PolicyInput) -> Vec<regorus::Value> {
        let mut engine = self.with_input(input);
        self.queries
            .iter()
            .map(|q| engine.eval_rule(q.clone()).expect("a rule evaluates"))
            .collect()
    }
}

// --- Output --------------------------------------------------------------------------------

fn print_scale(r: &ScaleResult, profile: Profile) {
    println!(
        "\n== {}: {} users, {} secrets ({} groups, {} roles, {} managed policies; input {:.1} MB)",
        profile.name(),
        r.users,
        r.secrets,
        r.groups,
        r.roles,
        r.policies,
        r.input_bytes as f64 / 1e6
    );
    println!("{:<52} {:>10} {:>10}", "step", "median ms", "min ms");
    let row = |name: &str, s: &Stats| {
        println!("{name:<52} {:>10.1} {:>10.1}", s.median_ms, s.min_ms);
    };
    row("load a saved snapshot (JSON text to typed)", &r.load);
    row("access model alone (readers of every secret)", &r.access);
    row("policy input (access model + serialise + parse)", &r.input);
    row("trivial one-rule pack on a built input", &r.trivial_eval);
    row("baseline: policy input + trivial pack", &r.baseline);
    row(
        "trivial rule on the pack's engine (per-rule zero)",
        &r.trivial_in_pack,
    );
    row("pack: rules alone on a built input", &r.pack_rules);
    row(
        "pack: rules alone, no evaluation groups",
        &r.ungrouped_rules,
    );
    row("pack: evaluation (policy input + rules)", &r.pack_eval);
    row("pack on one thread: one query for all rules", &r.one_query);
    row(
        "pack on one thread: rule by rule, one engine",
        &r.rule_by_rule,
    );
    row(
        &format!("pack: keyward::scan ({} findings)", r.findings),
        &r.scan,
    );
    println!(
        "{:<52} {:>10.1}",
        "scan - evaluation, of the mins (findings)",
        r.scan.min_ms - r.pack_eval.min_ms
    );
    let mut rules: Vec<&RuleResult> = r.rules.iter().collect();
    rules.sort_by(|a, b| b.net_ms.total_cmp(&a.net_ms));
    println!(
        "\n{:<11} {:<34} {:>9} {:>9} {:>9} {:>9}",
        "rule", "name", "median", "min", "net", "findings"
    );
    for rule in &rules {
        println!(
            "{:<11} {:<34} {:>9.1} {:>9.1} {:>9.1} {:>9}",
            rule.id, rule.name, rule.time.median_ms, rule.time.min_ms, rule.net_ms, rule.findings
        );
    }
    let net: f64 = r.rules.iter().map(|rule| rule.net_ms).sum();
    println!(
        "(ms, one rule at a time on one thread; net = min of the rule alone minus min of the \
         trivial rule on the same engine; sum of nets {net:.1} ms)"
    );
}

fn print_linearity(results: &[ScaleResult], profile: Profile) {
    let Some(first) = results.first() else { return };
    println!(
        "\n== {}: scaling (ms, median / min; x = scan time relative to the smallest size, divided by \
         the size ratio: 1.00 is linear)",
        profile.name()
    );
    println!(
        "{:>8} {:>8} {:>15} {:>17} {:>17} {:>6} {:>9}",
        "users", "secrets", "baseline", "pack eval", "scan", "x", "findings"
    );
    let pair = |s: &Stats| format!("{:.1} / {:.1}", s.median_ms, s.min_ms);
    for r in results {
        let size_ratio = r.users as f64 / first.users as f64;
        let time_ratio = r.scan.min_ms / first.scan.min_ms;
        println!(
            "{:>8} {:>8} {:>15} {:>17} {:>17} {:>6.2} {:>9}",
            r.users,
            r.secrets,
            pair(&r.baseline),
            pair(&r.pack_eval),
            pair(&r.scan),
            time_ratio / size_ratio,
            r.findings
        );
    }
}

fn write_json(
    options: &Options,
    results: &[(Profile, Vec<ScaleResult>)],
    peak_rss_mb: Option<f64>,
) {
    let stats =
        |s: &Stats| json!({"median_ms": s.median_ms, "min_ms": s.min_ms, "runs_ms": s.runs_ms});
    let scales: Vec<Value> = results
        .iter()
        .flat_map(|(profile, of_profile)| of_profile.iter().map(move |r| (profile, r)))
        .map(|(profile, r)| {
            json!({
                "profile": profile.name(),
                "users": r.users,
                "secrets": r.secrets,
                "groups": r.groups,
                "roles": r.roles,
                "managed_policies": r.policies,
                "input_bytes": r.input_bytes,
                "snapshot_load": stats(&r.load),
                "access_model": stats(&r.access),
                "policy_input": stats(&r.input),
                "trivial_eval": stats(&r.trivial_eval),
                "trivial_in_pack": stats(&r.trivial_in_pack),
                "baseline": stats(&r.baseline),
                "pack_rules": stats(&r.pack_rules),
                "pack_rules_without_groups": stats(&r.ungrouped_rules),
                "pack_eval": stats(&r.pack_eval),
                "one_thread_one_query": stats(&r.one_query),
                "one_thread_rule_by_rule": stats(&r.rule_by_rule),
                "scan": stats(&r.scan),
                "findings": r.findings,
                "rules": r.rules.iter().map(|rule| json!({
                    "id": rule.id,
                    "name": rule.name,
                    "median_ms": rule.time.median_ms,
                    "min_ms": rule.time.min_ms,
                    "net_ms": rule.net_ms,
                    "findings": rule.findings,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let document = json!({
        "benchmark": "policy_eval",
        "date": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "machine": {"cores": cores(), "cpu": cpu_model(), "load_average_at_end": load_average()},
        "quick": options.quick,
        "policies": options.policies.as_ref().map(|p| p.display().to_string()),
        "iterations": options.iterations,
        "rule_iterations": options.rule_iterations,
        "peak_rss_mb": peak_rss_mb,
        "scales": scales,
    });
    if let Some(dir) = options.json.parent() {
        std::fs::create_dir_all(dir).expect("create the output directory");
    }
    let text = serde_json::to_string_pretty(&document).expect("JSON");
    std::fs::write(&options.json, text + "\n").expect("write the JSON results");
    println!("results: {}", options.json.display());
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
}

/// The machine's 1, 5 and 15-minute load (Linux): other work on the cores skews the timings.
fn load_average() -> Option<String> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// The process's peak resident set (Linux), in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

// --- The synthetic account -----------------------------------------------------------------

/// A small deterministic generator (SplitMix64): the same snapshot on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with the given probability in percent.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// When a credential or secret was last used, at most `age` days ago: in use (within 30
/// days) for most, stale (30 to 400 days) for a quarter, never for `never` percent.
fn last_use(rng: &mut Rng, as_of: DateTime<Utc>, age: u64, never: u64) -> Option<DateTime<Utc>> {
    let roll = rng.below(100);
    if roll < never {
        None
    } else if roll < 75 {
        Some(ago(as_of, rng.below(age.min(30) + 1), rng.below(86_400)))
    } else {
        Some(ago(as_of, rng.below(age.min(400) + 1), rng.below(86_400)))
    }
}

fn ago(as_of: DateTime<Utc>, days: u64, seconds: u64) -> DateTime<Utc> {
    as_of - chrono::Duration::days(days as i64) - chrono::Duration::seconds(seconds as i64)
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn statement(effect: &str, action: Value, resource: Value) -> Value {
    json!({"Effect": effect, "Action": action, "Resource": resource})
}

fn document(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

const TEAMS: [&str; 8] = [
    "payments", "search", "ml", "platform", "data", "web", "mobile", "billing",
];

/// A permissions document drawn from the shapes real accounts have: mostly scoped grants,
/// some wildcards, a few that read every secret, full admin, NotAction and conditions.
fn permission_document(rng: &mut Rng, i: usize) -> Value {
    let team = TEAMS[i % TEAMS.len()];
    let scoped_secrets =
        format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{team}/app-{i}/*");
    let bucket = format!("arn:aws:s3:::{team}-artifacts-{i}/*");
    match rng.below(100) {
        0 => document(vec![statement("Allow", json!("*"), json!("*"))]),
        1 => document(vec![statement(
            "Allow",
            json!("secretsmanager:Get*"),
            json!("*"),
        )]),
        2 => document(vec![json!({
            "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"
        })]),
        3 => document(vec![json!({
            "Effect": "Allow",
            "Action": "secretsmanager:*",
            "Resource": format!("arn:aws:secretsmanager:*:{ACCOUNT}:secret:*"),
            "Condition": {"StringEquals": {"aws:ResourceTag/team": team}},
        })]),
        4..=9 => document(vec![
            statement(
                "Allow",
                json!(["s3:*Object", "s3:ListBucket"]),
                json!([bucket, format!("arn:aws:s3:::{team}-artifacts-{i}")]),
            ),
            statement("Deny", json!("s3:DeleteBucket"), json!("*")),
        ]),
        10..=39 => document(vec![
            statement(
                "Allow",
                json!([
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:DescribeSecret"
                ]),
                json!(scoped_secrets),
            ),
            statement(
                "Allow",
                json!("kms:Decrypt"),
                json!(format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{i:08}")),
            ),
        ]),
        40..=69 => document(vec![
            statement(
                "Allow",
                json!(["s3:GetObject", "s3:PutObject"]),
                json!(bucket),
            ),
            statement(
                "Allow",
                json!(["logs:CreateLogStream", "logs:PutLogEvents"]),
                json!(format!("arn:aws:logs:*:{ACCOUNT}:log-group:/{team}/*")),
            ),
        ]),
        _ => document(vec![
            statement(
                "Allow",
                json!(["ec2:Describe*", "cloudwatch:Get*", "cloudwatch:List*"]),
                json!("*"),
            ),
            statement(
                "Allow",
                json!("dynamodb:Query"),
                json!(format!(
                    "arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{team}-{i}"
                )),
            ),
        ]),
    }
}

fn aws_managed_policies() -> Vec<ManagedPolicy> {
    let managed = |name: &str, document: Value| ManagedPolicy {
        name: name.to_owned(),
        arn: format!("arn:aws:iam::aws:policy/{name}"),
        aws_managed: true,
        attachment_count: 0,
        permissions_boundary_count: 0,
        document,
    };
    vec![
        managed(
            "AdministratorAccess",
            document(vec![statement("Allow", json!("*"), json!("*"))]),
        ),
        managed(
            "ReadOnlyAccess",
            document(vec![statement(
                "Allow",
                json!([
                    "s3:Get*",
                    "s3:List*",
                    "ec2:Describe*",
                    "iam:Get*",
                    "iam:List*",
                    "secretsmanager:ListSecrets",
                    "secretsmanager:DescribeSecret",
                    "logs:Get*",
                    "cloudwatch:Get*",
                    "dynamodb:Describe*",
                    "lambda:Get*",
                    "lambda:List*"
                ]),
                json!("*"),
            )]),
        ),
        managed(
            "SecretsManagerReadWrite",
            document(vec![
                statement(
                    "Allow",
                    json!([
                        "secretsmanager:*",
                        "cloudformation:CreateChangeSet",
                        "kms:DescribeKey",
                        "kms:ListAliases",
                        "lambda:ListFunctions",
                        "rds:DescribeDBInstances",
                        "tag:GetResources"
                    ]),
                    json!("*"),
                ),
                statement(
                    "Allow",
                    json!([
                        "lambda:AddPermission",
                        "lambda:CreateFunction",
                        "lambda:GetFunction",
                        "lambda:InvokeFunction",
                        "lambda:UpdateFunctionConfiguration"
                    ]),
                    json!("arn:aws:lambda:*:*:function:SecretsManager*"),
                ),
            ]),
        ),
        managed(
            "AmazonS3ReadOnlyAccess",
            document(vec![statement(
                "Allow",
                json!([
                    "s3:Get*",
                    "s3:List*",
                    "s3-object-lambda:Get*",
                    "s3-object-lambda:List*"
                ]),
                json!("*"),
            )]),
        ),
    ]
}

fn attach(rng: &mut Rng, policies: &[ManagedPolicy], n: u64) -> Vec<AttachedPolicy> {
    let mut attached: Vec<AttachedPolicy> = Vec::new();
    for _ in 0..n {
        let p = rng.pick(policies);
        if !attached.iter().any(|a| a.arn == p.arn) {
            attached.push(AttachedPolicy {
                name: p.name.clone(),
                arn: p.arn.clone(),
            });
        }
    }
    attached
}

fn tags(rng: &mut Rng, i: usize) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    let n = rng.below(4);
    if n >= 1 {
        tags.insert("team".to_owned(), TEAMS[i % TEAMS.len()].to_owned());
    }
    if n >= 2 {
        let env = *rng.pick(&["prod", "staging", "dev"]);
        tags.insert("env".to_owned(), env.to_owned());
    }
    if n >= 3 {
        tags.insert(
            "owner".to_owned(),
            format!("owner-{}@example.com", rng.below(300)),
        );
    }
    tags
}

fn access_key(rng: &mut Rng, as_of: DateTime<Utc>, user_created: DateTime<Utc>) -> AccessKey {
    // One key in ten was created with its user (CIS 1.11); the rest at any age up to ~2.5 years,
    // never before the user.
    let user_age = (as_of - user_created).num_days().max(0) as u64;
    let created = if rng.chance(10) {
        user_created + chrono::Duration::minutes(rng.below(180) as i64)
    } else {
        ago(as_of, rng.below(user_age + 1), rng.below(86_400))
    };
    let key_age = (as_of - created).num_days().max(0) as u64;
    let last_used = last_use(rng, as_of, key_age, 15).map(|date| KeyLastUse {
        date,
        service: Some((*rng.pick(&["s3", "sts", "secretsmanager", "ec2", "dynamodb"])).to_owned()),
        region: Some((*rng.pick(&REGIONS)).to_owned()),
    });
    AccessKey {
        // Without an id, as live collection writes keys: the credential report has none.
        id: None,
        status: if rng.chance(90) {
            KeyStatus::Active
        } else {
            KeyStatus::Inactive
        },
        created,
        last_used,
    }
}

/// An account of `n_users` users and `n_secrets` secrets over three regions, with groups,
/// roles and managed policies in proportion, as of `as_of`.
fn synthetic(n_users: usize, n_secrets: usize, as_of: DateTime<Utc>, profile: Profile) -> Snapshot {
    let mut rng = Rng(0x006b_6579_7761_7264);
    let n_policies = (n_users / 50).max(20);
    let n_groups = (n_users / 200).max(10);
    let n_roles = (n_users / 10).max(10);

    let mut policies: Vec<ManagedPolicy> = (0..n_policies)
        .map(|i| ManagedPolicy {
            name: format!("{}-policy-{i:04}", TEAMS[i % TEAMS.len()]),
            arn: arn(
                "policy",
                &format!("{}-policy-{i:04}", TEAMS[i % TEAMS.len()]),
            ),
            aws_managed: false,
            attachment_count: 0,
            permissions_boundary_count: 0,
            document: permission_document(&mut rng, i),
        })
        .collect();
    policies.extend(aws_managed_policies());

    let groups: Vec<Group> = (0..n_groups)
        .map(|i| {
            let name = format!("{}-group-{i:03}", TEAMS[i % TEAMS.len()]);
            let n = 1 + rng.below(3);
            Group {
                arn: arn("group", &name),
                created: Some(ago(as_of, 400 + rng.below(1000), 0)),
                attached_policies: attach(&mut rng, &policies, n),
                inline_policies: if rng.chance(20) {
                    vec![InlinePolicy {
                        name: "inline".to_owned(),
                        document: permission_document(&mut rng, i),
                    }]
                } else {
                    Vec::new()
                },
                name,
            }
        })
        .collect();

    let mut users: Vec<User> = (0..n_users)
        .map(|i| {
            let name = format!("user-{i:05}");
            let created = ago(as_of, 1 + rng.below(1500), rng.below(86_400));
            let age = (as_of - created).num_days() as u64;
            let console = rng.chance(60);
            let password = console.then(|| ConsolePassword {
                enabled: true,
                last_used: last_use(&mut rng, as_of, age, 10),
                last_changed: Some(ago(as_of, rng.below(age + 1), 0)),
            });
            let mfa_active = if console {
                rng.chance(70)
            } else {
                rng.chance(5)
            };
            let mfa_devices = if mfa_active {
                vec![MfaDevice {
                    serial: arn("mfa", &name),
                    kind: if rng.chance(15) {
                        MfaKind::Hardware
                    } else {
                        MfaKind::Virtual
                    },
                    enabled_at: Some(created + chrono::Duration::hours(1)),
                }]
            } else {
                Vec::new()
            };
            let keys = match rng.below(100) {
                0..=24 => 0,
                25..=74 => 1,
                _ => 2,
            };
            let access_keys = (0..keys)
                .map(|_| access_key(&mut rng, as_of, created))
                .collect();
            let n_groups_of_user = 1 + rng.below(2);
            let mut user_groups: Vec<String> = Vec::new();
            for _ in 0..n_groups_of_user {
                let g = &rng.pick(&groups).name;
                if !user_groups.contains(g) {
                    user_groups.push(g.clone());
                }
            }
            let attached_policies = if rng.chance(8) {
                attach(&mut rng, &policies, 1)
            } else {
                Vec::new()
            };
            let inline_policies = if rng.chance(4) {
                vec![InlinePolicy {
                    name: format!("{name}-inline"),
                    document: permission_document(&mut rng, i),
                }]
            } else {
                Vec::new()
            };
            User {
                arn: arn("user", &name),
                created,
                password,
                mfa_active,
                mfa_devices,
                access_keys,
                groups: user_groups,
                attached_policies,
                inline_policies,
                // A permissions boundary on one user in twenty.
                permissions_boundary: (i % 20 == 0).then(|| arn("policy", BOUNDARY)),
                tags: tags(&mut rng, i),
                name,
            }
        })
        .collect();

    let roles: Vec<Role> = (0..n_roles)
        .map(|i| {
            let name = format!("{}-role-{i:05}", TEAMS[i % TEAMS.len()]);
            let trust = if rng.chance(70) {
                let service = *rng.pick(&["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]);
                json!({"Service": service})
            } else {
                json!({"AWS": format!("arn:aws:iam::{}:root", 100_000_000_000u64 + rng.below(900_000_000_000))})
            };
            // One role in ten is for people of the account to assume (after the random draws, so
            // that the rest of the account stays as it was).
            let trust = if i % 10 == 0 {
                json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")})
            } else {
                trust
            };
            let n = 1 + rng.below(3);
            Role {
                arn: arn("role", &name),
                created: Some(ago(as_of, rng.below(1200), 0)),
                assume_role_policy: Some(document(vec![
                    json!({"Effect": "Allow", "Principal": trust, "Action": "sts:AssumeRole"}),
                ])),
                last_used: (!rng.chance(20)).then(|| ago(as_of, rng.below(300), 0)),
                attached_policies: attach(&mut rng, &policies, n),
                inline_policies: if rng.chance(30) {
                    vec![InlinePolicy {
                        name: "task".to_owned(),
                        document: permission_document(&mut rng, i),
                    }]
                } else {
                    Vec::new()
                },
                permissions_boundary: None,
                tags: tags(&mut rng, i),
                name,
            }
        })
        .collect();

    if profile == Profile::MostlyCompliant {
        fix_nine_in_ten(&mut users, |u| fix_user(u, as_of));
    }
    // Attachment counts as IAM reports them.
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    let attached = users
        .iter()
        .flat_map(|u| &u.attached_policies)
        .chain(groups.iter().flat_map(|g| &g.attached_policies))
        .chain(roles.iter().flat_map(|r| &r.attached_policies));
    for a in attached {
        *counts.entry(a.arn.clone()).or_default() += 1;
    }
    for p in &mut policies {
        p.attachment_count = counts.get(&p.arn).copied().unwrap_or(0);
    }
    // Like the collector: AWS-managed policies nothing uses are left out.
    policies.retain(|p| !p.aws_managed || p.attachment_count > 0);
    policies.push(boundary_policy(
        users
            .iter()
            .filter(|u| u.permissions_boundary.is_some())
            .count(),
    ));

    let mut secrets: Vec<Secret> = (0..n_secrets).map(|i| secret(&mut rng, i, as_of)).collect();
    if profile == Profile::MostlyCompliant {
        fix_nine_in_ten(&mut secrets, |s| fix_secret(s, as_of));
    }

    Snapshot {
        schema_version: SCHEMA_VERSION,
        collected_at: as_of,
        collector: Collector {
            tool: "keyward-bench".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            regions: REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            credential_report_generated_at: Some(ago(as_of, 0, 3600)),
            api_requests: None,
        },
        account: Account {
            id: ACCOUNT.to_owned(),
            alias: Some("bench".to_owned()),
            name: None,
            partition: "aws".to_owned(),
        },
        root: Some(RootUser {
            arn: format!("arn:aws:iam::{ACCOUNT}:root"),
            mfa_enabled: true,
            mfa_kind: Some(MfaKind::Virtual),
            access_keys: Vec::new(),
            password_last_used: Some(ago(as_of, 200, 0)),
            password_present: Some(true),
        }),
        password_policy: Some(PasswordPolicy {
            minimum_length: 8,
            require_symbols: false,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            allow_users_to_change: true,
            max_age_days: None,
            reuse_prevention: None,
            hard_expiry: false,
        }),
        users,
        groups,
        roles,
        policies,
        secrets,
        organization: Some(organization()),
        collection_errors: Vec::new(),
    }
}

/// The permissions boundary some users have: their own work and no signing keys.
const BOUNDARY: &str = "developer-boundary";

fn boundary_policy(users: usize) -> ManagedPolicy {
    ManagedPolicy {
        name: BOUNDARY.to_owned(),
        arn: arn("policy", BOUNDARY),
        aws_managed: false,
        attachment_count: 0,
        permissions_boundary_count: users as u32,
        document: document(vec![
            statement(
                "Allow",
                json!([
                    "s3:*",
                    "logs:*",
                    "sts:AssumeRole",
                    "secretsmanager:Describe*",
                    "secretsmanager:GetSecretValue"
                ]),
                json!("*"),
            ),
            statement(
                "Deny",
                json!("secretsmanager:GetSecretValue"),
                json!(format!(
                    "arn:aws:secretsmanager:*:{ACCOUNT}:secret:*/signing-key-*"
                )),
            ),
        ]),
    }
}

/// The account is a member of an organization whose SCPs keep everyone but a break-glass role
/// away from the break-glass secrets, and whose RCPs keep secrets within the organization.
fn organization() -> Organization {
    let policy = |id: &str, name: &str, document: Value| OrganizationPolicy {
        id: id.to_owned(),
        name: name.to_owned(),
        aws_managed: id == "p-FullAWSAccess",
        document,
    };
    let full = || {
        policy(
            "p-FullAWSAccess",
            "FullAWSAccess",
            document(vec![statement("Allow", json!("*"), json!("*"))]),
        )
    };
    let break_glass = policy(
        "p-break-glass",
        "break-glass-secrets-for-break-glass-only",
        document(vec![json!({
            "Effect": "Deny",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "arn:aws:secretsmanager:*:*:secret:break-glass/*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": format!("arn:aws:iam::{ACCOUNT}:role/break-glass")}},
        })]),
    );
    let perimeter = policy(
        "p-perimeter",
        "secrets-within-the-organization",
        document(vec![json!({
            "Effect": "Deny",
            "Principal": "*",
            "Action": "secretsmanager:*",
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-bench"},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        })]),
    );
    let target = |id: &str,
                  kind: &str,
                  scps: Vec<OrganizationPolicy>,
                  rcps: Vec<OrganizationPolicy>| OrganizationTarget {
        id: id.to_owned(),
        kind: kind.to_owned(),
        service_control_policies: scps,
        resource_control_policies: rcps,
    };
    Organization {
        id: "o-bench".to_owned(),
        management_account_id: Some("999999999999".to_owned()),
        policies: Some(OrganizationPolicies {
            service_control_policies_enabled: true,
            resource_control_policies_enabled: true,
            path: vec![
                target("r-bench", "root", vec![full()], vec![perimeter]),
                target(
                    "ou-bench-prod",
                    "organizational_unit",
                    vec![full(), break_glass],
                    Vec::new(),
                ),
                target(ACCOUNT, "account", vec![full()], Vec::new()),
            ],
        }),
    }
}

/// Fixes every item but each tenth, which keeps its problems.
fn fix_nine_in_ten<T>(items: &mut [T], fix: impl Fn(&mut T)) {
    items
        .iter_mut()
        .enumerate()
        .filter(|(i, _)| i % 10 != 0)
        .for_each(|(_, item)| fix(item));
}

/// A user as the rules want one: console sign-in with MFA, used recently; one key, rotated a
/// month ago and used yesterday; policies through groups only.
fn fix_user(user: &mut User, as_of: DateTime<Utc>) {
    if let Some(password) = &mut user.password {
        password.last_used = Some(ago(as_of, 2, 0));
        password.last_changed = Some(ago(as_of, 30, 0));
    }
    if user.mfa_devices.is_empty() {
        user.mfa_devices.push(MfaDevice {
            serial: arn("mfa", &user.name),
            kind: MfaKind::Virtual,
            enabled_at: Some(user.created + chrono::Duration::hours(1)),
        });
    }
    user.mfa_active = true;
    user.access_keys.truncate(1);
    for key in &mut user.access_keys {
        key.status = KeyStatus::Active;
        key.created = ago(as_of, 30, 0);
        key.last_used = Some(KeyLastUse {
            date: ago(as_of, 1, 0),
            service: Some("s3".to_owned()),
            region: Some(REGIONS[0].to_owned()),
        });
    }
    user.attached_policies.clear();
    user.inline_policies.clear();
}

/// A secret as the rules want one: rotated monthly and on time, read yesterday, no resource
/// policy.
fn fix_secret(secret: &mut Secret, as_of: DateTime<Utc>) {
    let last_rotated = ago(as_of, 5, 0);
    secret.rotation = Rotation {
        enabled: true,
        lambda_arn: Some(format!(
            "arn:aws:lambda:{}:{ACCOUNT}:function:rotate",
            secret.region
        )),
        rules: Some(every_days(30)),
        last_rotated: Some(last_rotated),
        next_rotation: Some(last_rotated + chrono::Duration::days(30)),
    };
    secret.last_accessed = Some(ago(as_of, 1, 0));
    secret.resource_policy = None;
}

fn every_days(days: u32) -> RotationRules {
    RotationRules {
        automatically_after_days: Some(days),
        ..Default::default()
    }
}

fn on_schedule(expression: &str, duration: Option<&str>) -> RotationRules {
    RotationRules {
        schedule_expression: Some(expression.to_owned()),
        duration: duration.map(str::to_owned),
        ..Default::default()
    }
}

fn secret(rng: &mut Rng, i: usize, as_of: DateTime<Utc>) -> Secret {
    let region = REGIONS[i % REGIONS.len()];
    let team = TEAMS[i % TEAMS.len()];
    let kind = match rng.below(100) {
        0..=2 => "openai-api-key",
        3..=4 => "anthropic-api-key",
        5 => "huggingface-token",
        6..=35 => "db-password",
        36..=55 => "signing-key",
        56..=70 => "stripe-webhook",
        _ => "service-token",
    };
    let name = format!("{team}/app-{}/{kind}-{i}", i % 400);
    let suffix: String = format!("{:06x}", rng.below(0xff_ffff));
    let created = ago(as_of, rng.below(1000), rng.below(86_400));
    let age = (as_of - created).num_days() as u64;
    let enabled = rng.chance(55);
    let rotation = if enabled {
        let (rules, interval) = match rng.below(100) {
            0..=59 => (every_days(30), 30),
            60..=79 => (every_days(90), 90),
            80..=86 => (every_days(365), 365),
            87..=92 => (on_schedule("rate(30 days)", Some("3h")), 30),
            93..=96 => (on_schedule("cron(0 4 1 * ? *)", Some("2h")), 31),
            _ => (on_schedule("cron(0 4 ? * MON *)", None), 7),
        };
        // Most rotations are on time; some stalled (overdue), some never ran.
        let last_rotated = match rng.below(100) {
            0..=79 => Some(ago(as_of, rng.below(interval.min(age) + 1), 0)),
            80..=94 => Some(ago(as_of, interval + 4 + rng.below(200), 0)),
            _ => None,
        };
        let next_rotation = last_rotated.map(|t| t + chrono::Duration::days(interval as i64));
        Rotation {
            enabled: true,
            lambda_arn: Some(format!(
                "arn:aws:lambda:{region}:{ACCOUNT}:function:rotate-{team}"
            )),
            rules: Some(rules),
            last_rotated,
            next_rotation,
        }
    } else {
        Rotation::default()
    };
    let mut tags = tags(rng, i);
    if kind.contains("api-key") || kind.contains("huggingface") {
        tags.insert(
            "provider".to_owned(),
            kind.split('-').next().unwrap_or("x").to_owned(),
        );
    }
    let arn = format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{name}-{suffix}");
    let resource_policy = rng.chance(10).then(|| resource_policy(rng, &arn));
    Secret {
        name,
        region: region.to_owned(),
        description: rng
            .chance(40)
            .then(|| format!("{kind} for {team} app {}", i % 400)),
        created: Some(created),
        last_changed: Some(ago(as_of, rng.below(age + 1), 0)),
        last_accessed: last_use(rng, as_of, age, 20),
        rotation,
        kms_key_id: rng
            .chance(30)
            .then(|| format!("arn:aws:kms:{region}:{ACCOUNT}:key/{i:08}")),
        owning_service: rng.chance(5).then(|| "rds".to_owned()),
        tags,
        resource_policy,
        deleted_date: None,
        arn,
    }
}

fn resource_policy(rng: &mut Rng, secret_arn: &str) -> Value {
    let principal = match rng.below(100) {
        0..=59 => json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:role/reader")}),
        60..=89 => {
            json!({"AWS": [format!("arn:aws:iam::{}:root", 200_000_000_000u64 + rng.below(1000)), format!("arn:aws:iam::{ACCOUNT}:role/reader")]})
        }
        _ => json!("*"),
    };
    let mut allow = json!({
        "Sid": "Read",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "secretsmanager:GetSecretValue",
        "Resource": secret_arn,
    });
    if rng.chance(30) {
        allow["Condition"] = json!({"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}});
    }
    document(vec![
        allow,
        json!({
            "Sid": "DenyDelete",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "secretsmanager:DeleteSecret",
            "Resource": "*",
        }),
    ])
}
