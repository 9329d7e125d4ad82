//! Prints a synthetic account (`keyward::synthetic`) as a snapshot, JSON on standard output.
//! The live benchmark (scripts/bench_moto.py) seeds moto from it, so that the accounts it scans
//! come from the generator `cargo bench --bench policy_eval` evaluates.
//!
//! Usage: cargo run --release --example synthetic_account -- --users N --secrets N
//!            [--profile finding-heavy|mostly-compliant] [--account ID]
//! As of now: what moto creates is stamped with the current time whatever the snapshot says.

use std::io::{BufWriter, Write};

use chrono::Utc;
use clap::Parser;
use keyward::synthetic::{ACCOUNT_ID, Profile, Shape, generate};

/// Prints a synthetic account as a keyward snapshot (JSON).
#[derive(Parser)]
struct Options {
    #[arg(long, value_name = "N")]
    users: usize,
    /// Secrets, spread over the account's regions.
    #[arg(long, value_name = "N")]
    secrets: usize,
    #[arg(long, default_value = "finding-heavy")]
    profile: Profile,
    /// The account id in every ARN (e.g. a member account of an organization in moto).
    #[arg(long, value_name = "ID", default_value = ACCOUNT_ID)]
    account: String,
}

fn main() {
    let options = Options::parse();
    let snapshot = generate(&Shape {
        account_id: options.account,
        users: options.users,
        secrets: options.secrets,
        profile: options.profile,
        as_of: Utc::now(),
    });
    let mut out = BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer(&mut out, &snapshot).expect("the snapshot is written");
    out.flush().expect("the snapshot is written");
}
