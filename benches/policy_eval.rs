//! Policy evaluation benchmark: the built-in Rego pack over synthetic snapshots of 1,000 to
//! 10,000 users and as many secrets (`keyward::synthetic`), built in memory (no AWS, no moto).
//! Not a test: it asserts nothing about time and never runs under `cargo test`.
//!
//! Measured per scale point, each over several iterations (median and min):
//!   - loading the snapshot as `keyward scan --snapshot` does (its JSON text to the typed
//!     snapshot);
//!   - the access model alone (`keyward::access::summarize`: who can read every secret, who is
//!     administrator in effect), and the policy input (`PolicyInput::new`: the access model on a
//!     thread of its own while the snapshot is converted into regorus values), and the
//!     baseline: the input and a trivial one-rule pack (engine clone + one cheap rule);
//!   - the whole built-in pack, as `keyward scan` runs it (`keyward::evaluation::evaluate`: input,
//!     evaluate, findings, fingerprints, sort), its evaluation from the snapshot (input and
//!     rules), and its rules alone on an input built beforehand, with and without the rules'
//!     evaluation groups (METADATA `evaluation_group`: rules evaluated in one query);
//!   - each rule alone (`PolicySet::evaluate` with one rule), minus the time of the trivial rule
//!     alone on the same engine, so that the rules that dominate are visible; and the findings
//!     of each.
//!
//! In both profiles of the synthetic account, each at every scale: finding-heavy (the worst
//! case) and mostly-compliant.
//!
//! Usage (scripts/bench.sh runs it): `cargo bench --bench policy_eval -- [--quick] [OPTIONS]`;
//! `-- --help` lists the options (benches/support/options.rs). Prints tables and writes JSON
//! (default target/bench/policy_eval.json). This file times; benches/support/ has the rest.

mod support;

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use clap::Parser;
use keyward::config::Config;
use keyward::evaluation::{AsOf, evaluate};
use keyward::policy::{
    PolicyInput, PolicySet, Rule, SourceFile, builtin_sources, evaluation_input, read_dirs,
};
use keyward::snapshot::Snapshot;
use keyward::synthetic::{Profile, Shape, generate};
use serde_json::Value;
use support::machine::{cores, peak_rss_mb};
use support::options::Options;
use support::report::{RuleResult, ScaleResult, print_linearity, print_scale, write_json};
use support::stats::{Stats, ms};

/// The allocator the `keyward` binary uses, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: keyward::policy::memory::BudgetedAllocator<mimalloc::MiMalloc> =
    keyward::policy::memory::BudgetedAllocator(mimalloc::MiMalloc);

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

/// What every scale point is evaluated with: the default configuration, as of one fixed moment
/// (the synthetic accounts' too).
struct Setting {
    config: Config,
    as_of: DateTime<Utc>,
    /// The policy input's `evaluation` (time, thresholds).
    evaluation: Value,
}

fn main() {
    let options = Options::parse();
    let config = Config::default();
    let as_of = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let evaluation = evaluation_input(&config, as_of);
    let setting = Setting {
        config,
        as_of,
        evaluation,
    };
    let sources = match &options.policies {
        Some(dir) => read_dirs(std::slice::from_ref(dir)).expect("the --policies directory loads"),
        None => builtin_sources(),
    };
    let packs = Packs::load(&sources);

    println!(
        "keyward policy evaluation benchmark: {} rules, iterations {} (per rule {}), {} cores",
        packs.pack.rules().len(),
        options.iterations(),
        options.rule_iterations(),
        cores()
    );
    let mut results = Vec::new();
    for &profile in &options.profiles {
        let mut of_profile = Vec::new();
        for n in options.scales() {
            let snapshot = generate(&Shape::new(n, n, profile, setting.as_of));
            let result = measure(&packs, &setting, &snapshot, profile, &options);
            print_scale(&result);
            of_profile.push(result);
        }
        print_linearity(&of_profile);
        results.extend(of_profile);
    }
    let peak_rss_mb = peak_rss_mb();
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
    runs.into_iter().map(Stats::of).collect()
}

/// One scale point: every step over the whole pack in rounds, then each rule alone.
fn measure(
    packs: &Packs,
    setting: &Setting,
    snapshot: &Snapshot,
    profile: Profile,
    options: &Options,
) -> ScaleResult {
    let Setting {
        config,
        as_of,
        evaluation,
    } = setting;
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
    let scan_report = || evaluate(pack, snapshots, config, AsOf::At(*as_of)).expect("scan");
    let [
        snapshot_load,
        access_model,
        policy_input,
        trivial_eval,
        baseline,
        pack_rules,
        pack_rules_without_groups,
        pack_eval,
        one_thread_one_query,
        one_thread_rule_by_rule,
        scan_time,
    ]: [Stats; 11] = time_rounds(
        options.iterations(),
        &mut [
            &mut || {
                black_box(
                    keyward::snapshot::parse(Path::new("bench.json"), &json).expect("parses"),
                );
            },
            &mut || {
                black_box(keyward::access::summarize(snapshot, *as_of));
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
                black_box(scan_report());
            },
        ],
    )
    .try_into()
    .unwrap_or_else(|_| unreachable!("one result per step"));
    let findings = scan_report().all_findings().count();

    let (trivial_in_pack, rules) = time_each_rule(pack_plus, &input, options.rule_iterations());
    ScaleResult {
        profile: profile.name(),
        users: snapshot.users.len(),
        secrets: snapshot.secrets.len(),
        groups: snapshot.groups.len(),
        roles: snapshot.roles.len(),
        managed_policies: snapshot.policies.len(),
        input_bytes: json.len(),
        snapshot_load,
        access_model,
        policy_input,
        trivial_eval,
        trivial_in_pack,
        baseline,
        pack_rules,
        pack_rules_without_groups,
        pack_eval,
        one_thread_one_query,
        one_thread_rule_by_rule,
        scan: scan_time,
        findings,
        rules,
    }
}

/// Each rule of the pack alone, and the trivial rule alone on the same engine (the zero each
/// rule's net time is measured from), in rounds: the trivial rule's time and each rule's.
fn time_each_rule(
    pack_plus: &PolicySet,
    input: &PolicyInput,
    iterations: usize,
) -> (Stats, Vec<RuleResult>) {
    let rules: Vec<&Rule> = pack_plus
        .rules()
        .iter()
        .filter(|rule| rule.metadata.id != "BENCH-000")
        .collect();
    let trivial_rule = pack_plus.rule("BENCH-000").expect("the trivial rule");
    let mut steps: Vec<Box<dyn FnMut()>> = std::iter::once(trivial_rule)
        .chain(rules.iter().copied())
        .map(|rule| {
            Box::new(move || {
                black_box(pack_plus.evaluate(input, [rule]).expect("rule evaluates"));
            }) as Box<dyn FnMut()>
        })
        .collect();
    let mut step_refs: Vec<&mut dyn FnMut()> = steps.iter_mut().map(|s| &mut **s as _).collect();
    let mut timed = time_rounds(iterations, &mut step_refs).into_iter();
    let trivial_in_pack = timed.next().expect("the zero");
    let results = rules
        .into_iter()
        .zip(timed)
        .map(|(rule, time)| RuleResult {
            id: rule.metadata.id.clone(),
            name: rule.metadata.name.clone(),
            median_ms: time.median_ms,
            min_ms: time.min_ms,
            net_ms: (time.min_ms - trivial_in_pack.min_ms).max(0.0),
            findings: pack_plus.evaluate(input, [rule]).expect("rule evaluates")[0]
                .1
                .len(),
        })
        .collect();
    (trivial_in_pack, results)
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
        // One rule a line: regorus refuses a line longer than 1,024 columns.
        let query = format!("[{}]", self.queries.join(",\n"));
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
