//! What one scale point measured, printed as tables and written as JSON (field names are the
//! JSON keys that scripts/bench_moto.py merges into target/bench/results.json).

use chrono::Utc;
use serde::Serialize;
use serde_json::json;

use super::machine::{cores, cpu_model, load_average};
use super::options::Options;
use super::stats::Stats;

/// The timings of one scale point (milliseconds).
#[derive(Serialize)]
pub struct ScaleResult {
    pub profile: &'static str,
    pub users: usize,
    pub secrets: usize,
    pub groups: usize,
    pub roles: usize,
    pub managed_policies: usize,
    /// The snapshot's size as JSON.
    pub input_bytes: usize,
    /// Reading a saved snapshot (`keyward scan --snapshot`): its JSON text to the typed snapshot.
    pub snapshot_load: Stats,
    /// The access model alone: who can read every secret, who is administrator in effect.
    pub access_model: Stats,
    /// The policy input: the access model on a thread of its own while the snapshot is
    /// converted into regorus values.
    pub policy_input: Stats,
    pub trivial_eval: Stats,
    /// The trivial rule alone on the pack's engine: what each rule's own time is measured from.
    pub trivial_in_pack: Stats,
    pub baseline: Stats,
    /// The pack's rules on an input built beforehand.
    pub pack_rules: Stats,
    /// The pack's rules on a built input with every rule evaluated on its own.
    pub pack_rules_without_groups: Stats,
    /// The pack from the snapshot: policy input and rules.
    pub pack_eval: Stats,
    /// The pack on one thread, one engine: all rules in one query, and rule by rule.
    pub one_thread_one_query: Stats,
    pub one_thread_rule_by_rule: Stats,
    pub scan: Stats,
    pub findings: usize,
    pub rules: Vec<RuleResult>,
}

#[derive(Serialize)]
pub struct RuleResult {
    pub id: String,
    pub name: String,
    pub median_ms: f64,
    pub min_ms: f64,
    /// The rule's min time minus the trivial rule's on the same engine (engine clone, threads):
    /// mins, because other work on a shared machine only ever adds time.
    pub net_ms: f64,
    pub findings: usize,
}

pub fn print_scale(r: &ScaleResult) {
    println!(
        "\n== {}: {} users, {} secrets ({} groups, {} roles, {} managed policies; input {:.1} MB)",
        r.profile,
        r.users,
        r.secrets,
        r.groups,
        r.roles,
        r.managed_policies,
        r.input_bytes as f64 / 1e6
    );
    println!("{:<52} {:>10} {:>10}", "step", "median ms", "min ms");
    let row = |name: &str, s: &Stats| {
        println!("{name:<52} {:>10.1} {:>10.1}", s.median_ms, s.min_ms);
    };
    row(
        "load a saved snapshot (JSON text to typed)",
        &r.snapshot_load,
    );
    row(
        "access model alone (readers of every secret)",
        &r.access_model,
    );
    row("policy input (access model + conversion)", &r.policy_input);
    row("trivial one-rule pack on a built input", &r.trivial_eval);
    row("baseline: policy input + trivial pack", &r.baseline);
    row(
        "trivial rule on the pack's engine (per-rule zero)",
        &r.trivial_in_pack,
    );
    row("pack: rules alone on a built input", &r.pack_rules);
    row(
        "pack: rules alone, no evaluation groups",
        &r.pack_rules_without_groups,
    );
    row("pack: evaluation (policy input + rules)", &r.pack_eval);
    row(
        "pack on one thread: one query for all rules",
        &r.one_thread_one_query,
    );
    row(
        "pack on one thread: rule by rule, one engine",
        &r.one_thread_rule_by_rule,
    );
    row(
        &format!(
            "pack: keyward::evaluation::evaluate ({} findings)",
            r.findings
        ),
        &r.scan,
    );
    println!(
        "{:<52} {:>10.1}",
        "scan - evaluation, of the mins (findings)",
        r.scan.min_ms - r.pack_eval.min_ms
    );
    print_rules(&r.rules);
}

fn print_rules(rules: &[RuleResult]) {
    let mut by_net: Vec<&RuleResult> = rules.iter().collect();
    by_net.sort_by(|a, b| b.net_ms.total_cmp(&a.net_ms));
    println!(
        "\n{:<11} {:<34} {:>9} {:>9} {:>9} {:>9}",
        "rule", "name", "median", "min", "net", "findings"
    );
    for rule in &by_net {
        println!(
            "{:<11} {:<34} {:>9.1} {:>9.1} {:>9.1} {:>9}",
            rule.id, rule.name, rule.median_ms, rule.min_ms, rule.net_ms, rule.findings
        );
    }
    let net: f64 = rules.iter().map(|rule| rule.net_ms).sum();
    println!(
        "(ms, one rule at a time on one thread; net = min of the rule alone minus min of the \
         trivial rule on the same engine; sum of nets {net:.1} ms)"
    );
}

/// The scale points of one profile side by side.
pub fn print_linearity(results: &[ScaleResult]) {
    let Some(first) = results.first() else { return };
    println!(
        "\n== {}: scaling (ms, median / min; x = scan time relative to the smallest size, divided by \
         the size ratio: 1.00 is linear)",
        first.profile
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

pub fn write_json(options: &Options, results: &[ScaleResult], peak_rss_mb: Option<f64>) {
    let document = json!({
        "benchmark": "policy_eval",
        "date": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "machine": {"cores": cores(), "cpu": cpu_model(), "load_average_at_end": load_average()},
        "quick": options.quick,
        "policies": options.policies.as_ref().map(|p| p.display().to_string()),
        "iterations": options.iterations(),
        "rule_iterations": options.rule_iterations(),
        "peak_rss_mb": peak_rss_mb,
        "scales": results,
    });
    if let Some(dir) = options.json.parent() {
        std::fs::create_dir_all(dir).expect("create the output directory");
    }
    let text = serde_json::to_string_pretty(&document).expect("JSON");
    std::fs::write(&options.json, text + "\n").expect("write the JSON results");
    println!("results: {}", options.json.display());
}
