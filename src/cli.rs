//! Command-line definitions (clap). Parsing only: the work is in `commands`.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::evaluation::AsOf;
use crate::text::quoted;

/// Shown under `keyward --help` and `keyward scan --help`, where people coming from Prowler
/// look: there, 3 means failed checks.
const EXIT_CODES: &str = "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or \
    input error, 3 incomplete scan (some checks not evaluated). Coming from Prowler, where 3 \
    means failed checks: keyward's findings exit 1, and 3 says that part of the account was not \
    read.";

#[derive(Debug, Parser)]
#[command(
    name = "keyward",
    version,
    about = "Policy-as-code compliance scanner for AWS credential hygiene",
    long_about = "keyward reads the IAM and Secrets Manager configuration of AWS accounts (read-only, \
                  never a secret value) into a snapshot, evaluates it with Rego policies, and \
                  reports findings as a table, JSON, markdown or SARIF for GitHub code scanning.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only the report, warnings and errors: no progress, no notes on stderr.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan the AWS account of the current credentials (or saved snapshots, or the bundled demo
    /// account) and report findings.
    #[command(after_help = EXIT_CODES)]
    Scan(Box<ScanArgs>),
    /// Collect the AWS account of the current credentials into a snapshot file, to evaluate
    /// later with `scan --snapshot`.
    Snapshot(SnapshotArgs),
    /// Show new, resolved and still-open findings between two JSON reports or snapshots.
    Diff(DiffArgs),
    /// Combine the reports of the parts of a sharded scan (`scan --shard K/N`): JSON reports
    /// into one report of every account (in any format), or SARIF files into files of at most
    /// 20 runs each, GitHub's limit per upload.
    Merge(MergeArgs),
    /// Show who can read secrets in effect, each reader with its route (policy, statement, role
    /// chain, escalation, conditions); by default the secrets that look like third-party API
    /// keys.
    Access(AccessArgs),
    /// List the rules, or show one rule's documentation.
    Rules(RulesArgs),
    /// Show every control of CIS AWS Foundations v3.0 (section 1), AWS Security Hub (IAM and
    /// Secrets Manager) and MITRE ATT&CK in scope, and how much of each the rules cover.
    Controls(ControlsArgs),
    /// Work with Rego policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Print the JSON Schema of the snapshot format, or of the effective access rules read as
    /// `input.access` (for writing your own policies).
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// A saved snapshot (JSON or YAML) to evaluate; repeat for several accounts.
    #[arg(long = "snapshot", value_name = "FILE")]
    pub snapshots: Vec<PathBuf>,
    /// Evaluate the demo account bundled into keyward (shaped like the May 2026 incident).
    #[arg(long, conflicts_with_all = ["snapshots", "terraform_plan"])]
    pub demo: bool,
    #[command(flatten)]
    pub terraform: TerraformArgs,
    #[command(flatten)]
    pub collect: CollectArgs,
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// Config file (thresholds, disabled rules, waivers); default: ./keyward.yaml if present.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Evaluate as of this time: RFC 3339, a date (midnight UTC), +Nd (N days from now), or
    /// `snapshot` (each snapshot's collection time). Default: now; for --demo, `snapshot`.
    #[arg(long, value_name = "TIME", value_parser = parse_as_of)]
    pub as_of: Option<AsOf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 1 when an unwaived finding has at least this severity (`none`: never); any case.
    #[arg(
        long,
        value_name = "SEVERITY",
        default_value = "low",
        ignore_case = true
    )]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Warn when a snapshot judged later than it was collected is older than this many days
    /// (default: `max_snapshot_age_days` in keyward.yaml, else 7).
    #[arg(long, value_name = "DAYS")]
    pub max_snapshot_age: Option<u32>,
    /// What a waived finding becomes: reported as suppressed (`include`), or left out (`omit`).
    #[arg(long, value_name = "MODE", default_value = "include")]
    pub waived: WaivedMode,
    /// An earlier JSON report: only findings it does not contain can fail the run (to adopt
    /// keyward on an old account without fixing everything first).
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,
    /// Scheduled audits: also write a dated report (JSON, markdown, SARIF) and the snapshots
    /// into DIR/<time>/, and report what changed since the previous audit in DIR.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Report compliance with this framework instead of the findings: per control its status
    /// and counts (cis-aws-foundations-v3.0, aws-securityhub or mitre-attack); table, markdown
    /// or json.
    #[arg(long, value_name = "FRAMEWORK")]
    pub compliance: Option<String>,
}

/// What the report shows. A filtered report (every format, the JSON report included) holds only
/// the findings and *not evaluated* checks of the rules shown, says what it was filtered by, and
/// the exit code is computed from it.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only these severities, comma-separated, any case (e.g. `HIGH,CRITICAL`).
    #[arg(
        long = "severity",
        value_name = "SEVERITIES",
        value_delimiter = ',',
        ignore_case = true,
        help_heading = "Filters"
    )]
    pub severities: Vec<SeverityArg>,
    /// Only these rules (ids or names, any case; comma-separated or repeated).
    #[arg(
        long = "rule",
        value_name = "RULES",
        value_delimiter = ',',
        help_heading = "Filters"
    )]
    pub rules: Vec<String>,
    /// Leave these rules out (ids or names, any case; comma-separated or repeated).
    #[arg(
        long = "skip-rule",
        value_name = "RULES",
        value_delimiter = ',',
        help_heading = "Filters"
    )]
    pub skip_rules: Vec<String>,
    /// Only findings the --baseline report does not contain.
    #[arg(long, requires = "baseline", help_heading = "Filters")]
    pub only_new: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Low,
    Medium,
    High,
    Critical,
}

/// Pre-deploy checks of Terraform and OpenTofu plans, and findings on the lines of .tf files.
#[derive(Debug, Args)]
pub struct TerraformArgs {
    /// A plan as JSON (`terraform show -json PLANFILE`, or OpenTofu's): judged alone, or
    /// applied to the account of --snapshot or of --live, labelling each finding introduced by
    /// the plan, fixed by it or unchanged; only what it introduces fails the run.
    #[arg(long, value_name = "PLAN.json", help_heading = "Terraform")]
    pub terraform_plan: Option<PathBuf>,
    /// With --terraform-plan: collect the live account and apply the plan to it.
    #[arg(
        long,
        requires = "terraform_plan",
        conflicts_with = "snapshots",
        help_heading = "Terraform"
    )]
    pub live: bool,
    /// The Terraform state as JSON (`terraform show -json`, or a plan: its prior state): the
    /// findings of a scan on resources it manages point at their .tf lines.
    #[arg(
        long,
        value_name = "STATE.json",
        conflicts_with = "terraform_plan",
        help_heading = "Terraform"
    )]
    pub terraform_state: Option<PathBuf>,
    /// The root module of the plan or state: findings on the resources it defines point at the
    /// file and line of their `resource` block (SARIF `physicalLocation`).
    #[arg(
        long,
        value_name = "DIR",
        default_value = ".",
        help_heading = "Terraform"
    )]
    pub terraform_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier JSON report or snapshot.
    pub old: PathBuf,
    /// The later JSON report or snapshot.
    pub new: PathBuf,
    /// Snapshots are evaluated with these policies (reports are read as they are).
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// Config for evaluating snapshots (default: ./keyward.yaml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: DiffFormat,
    /// Exit 1 when a new finding has at least this severity (`none`: never); any case.
    #[arg(
        long,
        value_name = "SEVERITY",
        default_value = "low",
        ignore_case = true
    )]
    pub fail_on: FailOn,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The parts' JSON reports (`scan --format json`), or their SARIF files.
    #[arg(required = true, value_name = "REPORT")]
    pub inputs: Vec<PathBuf>,
    /// Output format (default: json for JSON reports, sarif for SARIF files; SARIF files can
    /// only be merged into SARIF).
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// SARIF: write `keyward-01.sarif`, `keyward-02.sarif`, … of at most 20 runs each into DIR
    /// (one upload each), for more accounts than one SARIF file may hold.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// SARIF category prefix, when JSON reports are rendered as SARIF (`scan --sarif-category`).
    #[arg(long, value_name = "NAME", default_value = "keyward")]
    pub sarif_category: String,
    /// Exit 1 when an unwaived finding of the merged JSON reports has at least this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "none")]
    pub fail_on: FailOn,
}

#[derive(Debug, Args)]
pub struct AccessArgs {
    /// Secrets to show, by ARN or name; default: those whose name, description or tags contain
    /// a third-party key marker (`third_party_key_markers` in the config).
    #[arg(value_name = "SECRET")]
    pub secrets: Vec<String>,
    /// A saved snapshot (JSON or YAML) to read instead of the live account; repeatable.
    #[arg(long = "snapshot", value_name = "FILE")]
    pub snapshots: Vec<PathBuf>,
    /// Read the demo account bundled into keyward.
    #[arg(long, conflicts_with = "snapshots")]
    pub demo: bool,
    #[command(flatten)]
    pub collect: CollectArgs,
    /// Config file (third-party key markers); default: ./keyward.yaml if present.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Judge conditions on dates as of this time (as for `scan`); default: now, for --demo its
    /// collection time.
    #[arg(long, value_name = "TIME", value_parser = parse_as_of)]
    pub as_of: Option<AsOf>,
    /// `table` or `json`.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: ListFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// `snapshot` (`input.snapshot`) or `access` (`input.access`, `accounts[].access` in the JSON
    /// report).
    #[arg(value_name = "WHAT", default_value = "snapshot")]
    pub what: SchemaKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    Snapshot,
    Access,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Where to write the snapshot (JSON); with --org or --accounts, a directory that gets one
    /// `<account>.json` per account.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: PathBuf,
    #[command(flatten)]
    pub collect: CollectArgs,
}

/// How live collection reaches AWS. Credentials come from the standard AWS chain
/// (environment, shared files, SSO, web identity, container or instance role).
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Named profile from the shared AWS config files.
    #[arg(long, value_name = "NAME", help_heading = "AWS")]
    pub profile: Option<String>,
    /// Only list secrets in this region (repeatable); default: every enabled region.
    #[arg(long = "region", value_name = "REGION", help_heading = "AWS")]
    pub regions: Vec<String>,
    /// Send every AWS call to this endpoint (default: AWS, or $AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL", help_heading = "AWS")]
    pub endpoint_url: Option<String>,
    /// Attempts per call, the first included: throttling, server errors and timeouts are
    /// retried with exponential backoff and jitter (0.1 s doubling up to 20 s).
    #[arg(long, value_name = "N", default_value_t = 10, help_heading = "AWS")]
    pub max_attempts: u32,
    /// Seconds to wait for a connection.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 5,
        help_heading = "AWS"
    )]
    pub connect_timeout: u64,
    /// Seconds to wait for a response to one request.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30,
        help_heading = "AWS"
    )]
    pub read_timeout: u64,
    /// Seconds the whole collection may take; calls still running then are reported as timed out.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 900,
        help_heading = "AWS"
    )]
    pub deadline: u64,
    /// Per-secret calls in flight at once, per account.
    #[arg(long, value_name = "N", default_value_t = 8, help_heading = "AWS")]
    pub call_concurrency: usize,
    /// When stderr is not a terminal (CI): seconds between progress lines while calls are in
    /// flight (a terminal gets progress bars instead; --quiet, neither).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30,
        help_heading = "AWS"
    )]
    pub progress_interval: u64,
    #[command(flatten)]
    pub org: OrgArgs,
}

/// Many accounts: an AWS Organization, or a list of accounts, entered through a role.
#[derive(Debug, Args)]
pub struct OrgArgs {
    /// Scan every active account of the organization (run from the management account or a
    /// delegated administrator).
    #[arg(long, help_heading = "Accounts")]
    pub org: bool,
    /// Only these account ids (comma-separated or repeated); without --org, the accounts to scan.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        value_parser = parse_account_id,
        help_heading = "Accounts"
    )]
    pub accounts: Vec<String>,
    /// Leave these account ids out.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        value_parser = parse_account_id,
        help_heading = "Accounts"
    )]
    pub exclude_accounts: Vec<String>,
    /// The role assumed in each account.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "OrganizationAccountAccessRole",
        help_heading = "Accounts"
    )]
    pub role_name: String,
    /// External id for assuming the role, if its trust policy requires one.
    #[arg(long, value_name = "ID", help_heading = "Accounts")]
    pub external_id: Option<String>,
    /// Session name for the assumed role (shows in the accounts' CloudTrail).
    #[arg(
        long,
        value_name = "NAME",
        default_value = "keyward",
        help_heading = "Accounts"
    )]
    pub role_session_name: String,
    /// Accounts scanned at once.
    #[arg(long, value_name = "N", default_value_t = 4, help_heading = "Accounts")]
    pub concurrency: usize,
    /// Only part K of N of the accounts (with --org or --accounts), to spread an organization
    /// over N CI jobs; an account's part depends on its id alone. Combine the parts' reports
    /// with `keyward merge`.
    #[arg(long, value_name = "K/N", help_heading = "Accounts")]
    pub shard: Option<crate::collect::Shard>,
}

impl OrgArgs {
    /// Whether more than the current account is asked for.
    pub fn is_multi_account(&self) -> bool {
        self.org || !self.accounts.is_empty()
    }
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A directory of your own Rego policies, loaded beside the built-in pack; repeatable.
    #[arg(long = "policy", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Leave the built-in pack out: only the --policy directories are loaded.
    #[arg(long)]
    pub no_builtin: bool,
    #[command(flatten)]
    pub limits: PolicyLimitArgs,
}

/// What one of your own rules may take (the built-in pack is not limited). A rule past a limit
/// stops the run with exit code 2, naming the rule.
#[derive(Debug, Clone, Args)]
pub struct PolicyLimitArgs {
    /// Seconds one rule (or one Rego test) may run.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=86_400),
        help_heading = "Policy limits"
    )]
    pub policy_timeout: u64,
    /// MiB of memory one rule (or one Rego test) may allocate.
    #[arg(
        long,
        value_name = "MIB",
        default_value_t = 2048,
        value_parser = clap::value_parser!(u64).range(16..=1_048_576),
        help_heading = "Policy limits"
    )]
    pub policy_memory: u64,
    /// Findings one rule may return.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100_000,
        help_heading = "Policy limits"
    )]
    pub max_findings: usize,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report format.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// SARIF category prefix: each account's run is `<NAME>/aws/<account>/`, so that uploads
    /// with different prefixes (e.g. per workflow) keep their alerts apart.
    #[arg(long, value_name = "NAME", default_value = "keyward")]
    pub sarif_category: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Markdown,
    /// OCSF 1.8.0 Compliance Findings (class 2003): a JSON array of events for Security Hub,
    /// Security Lake and SIEMs.
    Ocsf,
}

/// `keyward diff` formats: a drift is not a set of alerts, so there is no SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Critical,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WaivedMode {
    Include,
    Omit,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Show the full documentation of this rule (id or name, in any case).
    pub rule: Option<String>,
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// `table` or `json`.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: ListFormat,
    /// Write each rule's documentation to DIR/<ID>.md, and their index to DIR/README.md.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["rule", "format"])]
    pub doc_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ControlsArgs {
    /// Only this framework: cis-aws-foundations-v3.0, aws-securityhub or mitre-attack.
    #[arg(long, value_name = "ID")]
    pub framework: Option<String>,
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// Thresholds and disabled rules to compute the coverage for (default `./keyward.yaml` if
    /// present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// `markdown` (the document docs/controls.md is) or `json`.
    #[arg(long, value_name = "FORMAT", default_value = "markdown")]
    pub format: ControlsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ControlsFormat {
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run the Rego tests (`test_*` rules) of the built-in pack and of the given directories.
    Test(PolicyTestArgs),
}

#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// Directories of policies and their `_test.rego` files.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Leave the built-in pack out (e.g. to test a checkout of `policies/` itself).
    #[arg(long)]
    pub no_builtin: bool,
    /// Also list the lines of rule and library files that no test evaluated.
    #[arg(long)]
    pub coverage: bool,
    /// `table` or `json`.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: ListFormat,
    #[command(flatten)]
    pub limits: PolicyLimitArgs,
}

/// An account id of `--accounts` or `--exclude-accounts`: 12 digits, as it names files.
fn parse_account_id(text: &str) -> Result<String, String> {
    let id = text.trim();
    crate::snapshot::check_account_id(id)?;
    Ok(id.to_owned())
}

/// Parses `--as-of`: RFC 3339, `YYYY-MM-DD`, `now`, `+Nd` (N days from now) or `snapshot`.
pub fn parse_as_of(text: &str) -> Result<AsOf, String> {
    if text == "snapshot" {
        return Ok(AsOf::Snapshot);
    }
    parse_as_of_at(text, Utc::now()).map(AsOf::At)
}

/// The time `--as-of` names, checked against the times keyward computes with.
fn parse_as_of_at(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let time = read_as_of(text, now)?;
    crate::snapshot::check_time(&time).map_err(|e| format!("{}: {e}", quoted(text)))?;
    Ok(time)
}

fn read_as_of(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if text == "now" {
        return Ok(now);
    }
    if let Some(days) = text.strip_prefix('+').and_then(|t| t.strip_suffix('d')) {
        let later = days
            .parse()
            .ok()
            .and_then(chrono::TimeDelta::try_days)
            .and_then(|days| now.checked_add_signed(days));
        return later.ok_or_else(|| {
            format!(
                "{}: expected +Nd with a whole number of days that keeps the time before {}, e.g. +30d",
                quoted(text),
                crate::snapshot::time_range().1.format("%Y-%m-%d")
            )
        });
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc())
        .ok_or_else(|| {
            format!(
                "{}: expected an RFC 3339 time (2026-11-23T08:00:00Z), a date (2026-11-23), now, or +Nd",
                quoted(text)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_is_defined_consistently() {
        // clap checks a subcommand's definition only when it parses that subcommand.
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn as_of_forms() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_as_of_at("now", now).unwrap(), now);
        assert_eq!(
            parse_as_of_at("+30d", now).unwrap().to_rfc3339(),
            "2026-12-23T10:00:00+00:00"
        );
        assert_eq!(
            parse_as_of_at("2027-01-02", now).unwrap().to_rfc3339(),
            "2027-01-02T00:00:00+00:00"
        );
        assert_eq!(
            parse_as_of_at("2027-01-02T03:04:05+01:00", now)
                .unwrap()
                .to_rfc3339(),
            "2027-01-02T02:04:05+00:00"
        );
        assert!(parse_as_of_at("+x d", now).is_err());
        assert!(parse_as_of_at("yesterday", now).is_err());
    }

    #[test]
    fn as_of_outside_the_times_keyward_computes_with_is_refused() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        for text in [
            "+100000000d",
            "+9223372036854775807d",
            "+73000d",
            "1600-01-01",
            "2263-01-01T00:00:00Z",
            "-999999-01-01T00:00:00Z",
        ] {
            let error = parse_as_of_at(text, now).unwrap_err();
            assert!(error.starts_with(&format!("`{text}`: ")), "{error}");
        }
        assert!(parse_as_of_at("+36500d", now).is_ok());
        assert!(parse_as_of_at("1800-01-01", now).is_ok());
    }
}
