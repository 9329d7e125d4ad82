//! The benchmark's command line (after `cargo bench --bench policy_eval --`).

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Parser;
use keyward::synthetic::Profile;

/// The built-in Rego pack over synthetic snapshots of 1,000 to 10,000 users and as many
/// secrets; prints tables and writes JSON.
#[derive(Parser)]
#[command(bin_name = "cargo bench --bench policy_eval --")]
pub struct Options {
    /// Fewer rounds (3, each rule alone 1) and only 1,000 and 10,000 users and secrets; the
    /// options below override it.
    #[arg(long)]
    pub quick: bool,
    /// Rounds of every step and of each rule alone [default: 5].
    #[arg(long, value_name = "N")]
    iterations: Option<NonZeroUsize>,
    /// Users and secrets (as many of each) of each scale point [default: 1000,5000,10000].
    #[arg(long, value_name = "N,...", value_delimiter = ',')]
    scales: Option<Vec<usize>>,
    /// The synthetic accounts' profiles.
    #[arg(
        long,
        value_name = "PROFILE,...",
        value_delimiter = ',',
        default_value = "finding-heavy,mostly-compliant"
    )]
    pub profiles: Vec<Profile>,
    /// Where to write the results.
    #[arg(long, value_name = "PATH", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench/policy_eval.json"))]
    pub json: PathBuf,
    /// Measure the rules of DIR (e.g. a copy of policies/ with a change) instead of the
    /// built-in pack, without rebuilding.
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,
    /// Passed by `cargo bench` to every benchmark; nothing to do with it.
    #[arg(long = "bench", hide = true)]
    _cargo_bench: bool,
}

impl Options {
    /// Rounds of each step over the whole pack.
    pub fn iterations(&self) -> usize {
        self.rounds(if self.quick { 3 } else { 5 })
    }

    /// Rounds of each rule alone: one with --quick, since there are as many steps as rules.
    pub fn rule_iterations(&self) -> usize {
        self.rounds(if self.quick { 1 } else { 5 })
    }

    fn rounds(&self, default: usize) -> usize {
        self.iterations.map_or(default, NonZeroUsize::get)
    }

    pub fn scales(&self) -> Vec<usize> {
        match (&self.scales, self.quick) {
            (Some(scales), _) => scales.clone(),
            (None, true) => vec![1_000, 10_000],
            (None, false) => vec![1_000, 5_000, 10_000],
        }
    }
}
