//! Evaluation: snapshots in, a `ScanReport` out. Applies disabled rules, waivers and the
//! *not evaluated* logic; knows nothing about AWS, about report formats or about the command
//! line.
//!
//! Memory: accounts are evaluated one at a time ([`Evaluation::add`]) and only their results
//! are kept. Within an account, the built-in rules judge the snapshot in parts, so that the
//! policy input, which regorus holds at several times the size of its JSON, never holds a large
//! account whole; a JSON snapshot file is read that way too ([`SnapshotSource`]):
//!   - the header (account, root, password policy, groups, managed policies) once, with no
//!     users, roles or secrets;
//!   - then each chunk of users, roles or secrets (`CHUNK_SIZE` of one list), with the managed
//!     policies they attach and the account-wide settings, but no groups.
//!
//! That is sound for the built-in pack because each of its rules judges one user, role, secret,
//! group, managed policy or account-wide setting at a time, looking up no more than the managed
//! policies a principal attaches; findings that two parts both make (about the account) are
//! reported once. A unit test compares this with the whole account judged at once, finding by
//! finding, on every synthetic profile. A user's own rules may count or compare across users, so
//! they always get the whole snapshot, built up chunk by chunk, and so do the plan rules, which
//! join a Terraform plan's resources with the account's users.
//!
//! The access model (`crate::access`) is worked out on the whole account before any rule runs:
//! who can read a secret depends on every principal, and what a principal can read on every
//! secret. Each part's input then carries the model's entries of its own users, roles and
//! secrets, and what it says of the account as a whole (`PolicyInput::with_chunk`); the rules
//! that read it (KW-SM-005, KW-SM-009, KW-IAM-011, KW-IAM-013) judge one entry at a time, so they
//! find in parts what they find on the whole account. A snapshot file is read twice for it: once
//! for the fields of users, roles and secrets the model reads (`access::summarize_source`), once
//! for the rules.

mod gaps;
mod plan_changes;
mod results;
mod staleness;
mod waivers;

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::model::access::AccessSummary;
use crate::model::{
    AccountReport, ControlIds, Finding, REPORT_VERSION, ResourceKind, RuleMetadata, ScanReport,
    Summary, ToolInfo, fingerprint,
};
use crate::policy::{PolicyError, PolicyInput, PolicySet, RawFinding, Rule, evaluation_input};
use crate::snapshot::{Chunk, ChunkError, DataSection, Snapshot, SnapshotError, SnapshotSource};

pub use staleness::stale_snapshot_warnings;
pub use waivers::{WAIVER_EXPIRED_RULE, waiver_expired_rule};

use gaps::{applicable, not_evaluated};
use results::{Resources, count_waived, rule_results};
use waivers::WaiverSet;

/// The time rules measure ages against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    At(DateTime<Utc>),
    /// Each snapshot's own collection time: reproduces the result of the day it was taken.
    Snapshot,
}

impl AsOf {
    /// The time one snapshot is judged at.
    fn for_snapshot(self, snapshot: &Snapshot) -> DateTime<Utc> {
        match self {
            AsOf::At(time) => time,
            AsOf::Snapshot => snapshot.collected_at,
        }
    }
}

/// Users, roles or secrets the built-in rules see at a time. A chunk of 5,000 users is a few MB
/// of JSON and some tens of MB as typed values and regorus input together; smaller chunks would
/// repeat the account-wide part of the rules more often.
pub const CHUNK_SIZE: usize = 5_000;

/// Evaluation stopped: a rule failed, or a snapshot file could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// Evaluates every snapshot with the enabled rules and applies the config's waivers.
pub fn evaluate(
    policies: &PolicySet,
    snapshots: &[Snapshot],
    config: &Config,
    as_of: AsOf,
) -> Result<ScanReport, PolicyError> {
    let mut evaluation = Evaluation::new(policies, config, as_of);
    for snapshot in snapshots {
        evaluation.add_snapshot(snapshot)?;
    }
    Ok(evaluation.finish())
}

/// A scan in progress: accounts are added one at a time, as each snapshot is read or its
/// collection ends, and only their results are kept; the caller lets each snapshot go once it
/// is added, so that a scan of thousands of accounts never holds more than a few snapshots.
/// `finish` makes the report.
pub struct Evaluation<'a> {
    policies: &'a PolicySet,
    config: &'a Config,
    enabled: Vec<&'a Rule>,
    as_of: AsOf,
    chunk_size: usize,
    /// Whether the built-in rules judge parts (always, but in a test that compares with the
    /// whole account).
    parts: bool,
    accounts: Vec<AccountReport>,
}

/// One account under evaluation.
struct AccountRun<'a> {
    /// The enabled rules that apply to this account (see `gaps::applicable`).
    applying: Vec<&'a Rule>,
    report: AccountReport,
    /// The input without users, roles and secrets; each chunk's input shares it.
    header: PolicyInput,
    /// The whole input, built up chunk by chunk, when rules that judge the whole account
    /// (`Evaluation::judges_parts`) need it; with the lists they read only.
    whole: Option<PolicyInput>,
    /// Which of the users, roles and secrets the whole input holds.
    whole_lists: [bool; 3],
    /// The resources the rules judge, gathered chunk by chunk for `rule_results`.
    resources: Resources,
    /// The lists of failed controls the account's findings share.
    controls: SharedControls,
}

impl<'a> Evaluation<'a> {
    pub fn new(policies: &'a PolicySet, config: &'a Config, as_of: AsOf) -> Self {
        let enabled = policies
            .rules()
            .iter()
            .filter(|r| !config.disabled_rules.contains(&r.metadata.id))
            .collect();
        Evaluation {
            policies,
            config,
            enabled,
            as_of,
            chunk_size: CHUNK_SIZE,
            parts: true,
            accounts: Vec::new(),
        }
    }

    /// Evaluates one account, its lists read a chunk at a time (from the file when it is one).
    pub fn add(&mut self, source: &SnapshotSource) -> Result<&AccountReport, EvaluationError> {
        let time = self.time_of(source.header())?;
        let access = crate::access::summarize_source(source, time)?;
        let mut run = self.start(source.header(), time, access)?;
        source
            .for_each_chunk(self.chunk_size, |chunk| self.chunk(&mut run, chunk))
            .map_err(|e| match e {
                ChunkError::Snapshot(e) => EvaluationError::Snapshot(e),
                ChunkError::Each(e) => EvaluationError::Policy(e),
            })?;
        Ok(self.end(run)?)
    }

    /// Evaluates one account from a snapshot in memory.
    pub fn add_snapshot(&mut self, snapshot: &Snapshot) -> Result<&AccountReport, PolicyError> {
        let time = self.time_of(snapshot)?;
        let access = crate::access::summarize(snapshot, time);
        let mut run = self.start(snapshot, time, access)?;
        for chunk in Chunk::all_of(snapshot, self.chunk_size) {
            self.chunk(&mut run, chunk)?;
        }
        self.end(run)
    }

    /// Orders the accounts evaluated so far by account id (a collection of many accounts ends
    /// them in any order).
    pub fn sort_accounts(&mut self) {
        self.accounts
            .sort_by(|a, b| a.account.id.cmp(&b.account.id));
    }

    /// Whether a rule judges the header and each chunk on its own, or the whole snapshot. The
    /// plan rules (KW-TF-*) join a plan's resources with the account's users, so they judge the
    /// whole snapshot (a plan's account is small); so do the built-in rules whose one verdict
    /// on the account rests on a list (KW-CW-005 names every third-party key no alarm
    /// watches), with only the lists they read (see `RuleMetadata::lists_read`).
    fn judges_parts(&self, rule: &Rule) -> bool {
        self.parts
            && rule.metadata.builtin
            && !rule.metadata.requires.contains(&DataSection::Terraform)
            && !(rule.metadata.evaluates == [ResourceKind::Account]
                && rule.metadata.lists_read() != [false; 3])
    }

    /// The rules of `applying` that judge parts (`true`), or the whole snapshot (`false`).
    fn rules(&self, applying: &[&'a Rule], parts: bool) -> Vec<&'a Rule> {
        applying
            .iter()
            .copied()
            .filter(|r| self.judges_parts(r) == parts)
            .collect()
    }

    /// The time an account is judged at.
    fn time_of(&self, header: &Snapshot) -> Result<DateTime<Utc>, PolicyError> {
        let time = self.as_of.for_snapshot(header);
        // --as-of and snapshot times are checked where they enter; a library caller's time is
        // checked here, as the rules' nanosecond arithmetic depends on it.
        crate::snapshot::check_time(&time)
            .map_err(|e| PolicyError::Input(format!("the evaluation time {e}")))?;
        Ok(time)
    }

    /// Starts an account with the built-in rules on its header; `access` is the account's
    /// effective access as of `time`, worked out on the whole account.
    fn start(
        &self,
        header: &Snapshot,
        time: DateTime<Utc>,
        access: AccessSummary,
    ) -> Result<AccountRun<'a>, PolicyError> {
        let (applying, not_applicable) = applicable(&self.enabled, header);
        let not_evaluated = not_evaluated(&applying, header, Some(&access));
        let input = PolicyInput::header(header, &evaluation_input(self.config, time), access)?;
        let whole_rules = self.rules(&applying, false);
        let whole = (!whole_rules.is_empty()).then(|| input.fork());
        let whole_lists = whole_rules
            .iter()
            .map(|r| r.metadata.lists_read())
            .fold([false; 3], |[users, roles, secrets], [u, r, s]| {
                [users || u, roles || r, secrets || s]
            });
        let mut run = AccountRun {
            report: AccountReport {
                account: header.account.clone(),
                as_of: time,
                collected_at: header.collected_at,
                api_requests: header.collector.api_requests,
                collection_errors: header.collection_errors.clone(),
                findings: Vec::new(),
                not_evaluated,
                not_applicable,
                fixed_by_plan: Vec::new(),
                rule_results: Vec::new(),
                access: None,
            },
            applying,
            header: input,
            whole,
            whole_lists,
            resources: Resources::of_header(header),
            controls: SharedControls::default(),
        };
        let rules = self.rules(&run.applying, true);
        run.report.findings = self.findings(&run.header, &rules, &run.report, &mut run.controls)?;
        Ok(run)
    }

    fn chunk(&self, run: &mut AccountRun<'a>, chunk: Chunk<'_>) -> Result<(), PolicyError> {
        let rules = self.rules(&run.applying, true);
        if !rules.is_empty() {
            let input = run.header.with_chunk(chunk)?;
            let found = self.findings(&input, &rules, &run.report, &mut run.controls)?;
            run.report.findings.extend(found);
        }
        if let Some(whole) = &mut run.whole {
            let [users, roles, secrets] = run.whole_lists;
            whole.extend(Chunk {
                users: if users { chunk.users } else { &[] },
                roles: if roles { chunk.roles } else { &[] },
                secrets: if secrets { chunk.secrets } else { &[] },
            })?;
        }
        run.resources.add(chunk);
        Ok(())
    }

    /// The account's findings: with the user's rules' on the whole input; findings that two
    /// parts both made (about the account) once; most severe first.
    fn end(&mut self, mut run: AccountRun<'a>) -> Result<&AccountReport, PolicyError> {
        if let Some(whole) = run.whole.take() {
            let rules = self.rules(&run.applying, false);
            let found = self.findings(&whole, &rules, &run.report, &mut run.controls)?;
            run.report.findings.extend(found);
        }
        let findings = &mut run.report.findings;
        // Unstable: a stable sort takes a buffer of half the findings (tens of MB on a large
        // account); findings equal on every other key go by their evidence, so that the order
        // is the same run after run.
        findings.sort_unstable_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| order_key(a).cmp(&order_key(b)))
                .then_with(|| a.evidence.cmp(&b.evidence))
        });
        findings.dedup_by(|a, b| order_key(a) == order_key(b));
        // Counted without waivers, which `finish` applies (and then counts the waived). A rule
        // that does not apply judged nothing: counting its resources as passed would make a
        // compliance report claim what was never checked.
        run.report.rule_results = rule_results(
            &run.applying,
            &run.resources,
            &run.report.findings,
            &run.report.not_evaluated,
        );
        run.report.access = run.header.take_access();
        self.accounts.push(run.report);
        Ok(self.accounts.last().expect("just added"))
    }

    /// The rules' findings on one input, outside the account's gaps.
    fn findings(
        &self,
        input: &PolicyInput,
        rules: &[&Rule],
        account: &AccountReport,
        controls: &mut SharedControls,
    ) -> Result<Vec<Finding>, PolicyError> {
        if rules.is_empty() {
            return Ok(Vec::new());
        }
        let account_id = &account.account.id;
        Ok(self
            .policies
            .evaluate(input, rules.iter().copied())?
            .into_iter()
            .flat_map(|(rule, raw)| raw.into_iter().map(move |f| (rule, f)))
            .map(|(rule, raw)| to_finding(rule, raw, account_id, controls))
            .filter(|finding| !account.not_evaluated.iter().any(|gap| gap.covers(finding)))
            .collect())
    }

    /// The report: waivers applied as of the report's time (with `AsOf::Snapshot` the latest
    /// account's collection time, known only once every account is in), expired waivers
    /// reported.
    pub fn finish(self) -> ScanReport {
        let report_time = match self.as_of {
            AsOf::At(time) => time,
            AsOf::Snapshot => self
                .accounts
                .iter()
                .map(|a| a.collected_at)
                .max()
                .unwrap_or_else(Utc::now),
        };
        let waivers = WaiverSet::new(self.config, report_time);
        let mut accounts = self.accounts;
        for account in &mut accounts {
            for finding in &mut account.findings {
                finding.waiver = waivers.applying(&finding.rule_id, &finding.resource);
            }
            count_waived(&mut account.rule_results, &account.findings);
        }
        let mut rules: Vec<RuleMetadata> =
            self.enabled.iter().map(|r| r.metadata.clone()).collect();
        let config_findings = waivers.expired_findings();
        if !config_findings.is_empty() {
            rules.push(waiver_expired_rule());
        }
        let mut report = ScanReport {
            report_version: REPORT_VERSION,
            tool: ToolInfo::keyward(),
            as_of: report_time,
            rules,
            disabled_rules: self.config.disabled_rules.clone(),
            accounts,
            config_findings,
            baseline: None,
            terraform_plan: None,
            changes: None,
            warnings: Vec::new(),
            filter: None,
            summary: Summary::default(),
        };
        report.summary = report.summarize();
        report
    }
}

/// Within a severity, findings go by rule, resource and fingerprint; message and region only
/// tell apart two findings a rule made on one resource under one key. Two parts of an account
/// that both make a finding (about the account itself) make it alike, and it is kept once.
fn order_key(finding: &Finding) -> (&str, &str, &str, &str, Option<&str>) {
    (
        &finding.rule_id,
        &finding.resource,
        &finding.fingerprint,
        &finding.message,
        finding.region.as_deref(),
    )
}

fn to_finding(
    rule: &Rule,
    raw: RawFinding,
    account_id: &str,
    controls: &mut SharedControls,
) -> Finding {
    let id = &rule.metadata.id;
    Finding {
        fingerprint: fingerprint(id, account_id, &raw.resource, raw.key.as_deref()),
        waiver: None,
        rule_id: id.clone(),
        severity: rule.metadata.severity,
        account_id: account_id.to_owned(),
        region: raw.region,
        resource: raw.resource,
        message: raw.message,
        evidence: raw.evidence,
        controls: raw.controls.map(|c| controls.share(c)),
        location: None,
        baseline_state: None,
        plan_change: None,
    }
}

/// One copy of each list of failed controls. A rule's findings mostly fail the same few lists
/// (at 50,000 users, some 22,000 findings of KW-IAM-007 fail one of two), and a map of its own
/// took each of those findings more memory than the rest of it.
#[derive(Default)]
struct SharedControls(HashSet<Arc<ControlIds>>);

impl SharedControls {
    fn share(&mut self, controls: ControlIds) -> Arc<ControlIds> {
        if let Some(shared) = self.0.get(&controls) {
            return shared.clone();
        }
        let shared = Arc::new(controls);
        self.0.insert(shared.clone());
        shared
    }
}

/// Judges a Terraform plan: the accounts before it and after it are evaluated alike, and each
/// finding after it is labelled introduced or unchanged, each finding gone fixed. `plan` names
/// the plan file in the report.
pub fn evaluate_plan(
    policies: &PolicySet,
    before: &[Snapshot],
    after: &[Snapshot],
    config: &Config,
    as_of: AsOf,
    plan: &str,
) -> Result<ScanReport, PolicyError> {
    let before = evaluate(policies, before, config, as_of)?;
    let mut report = evaluate(policies, after, config, as_of)?;
    plan_changes::label(&mut report, &before);
    report.terraform_plan = Some(plan.to_owned());
    report.summary = report.summarize();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::policy::{SourceFile, builtin_sources};
    use crate::synthetic::{Profile, Shape, generate};

    /// Every finding of a report as one line, in the report's order.
    fn findings(report: &ScanReport) -> Vec<String> {
        report
            .all_findings()
            .map(|f| serde_json::to_string(f).unwrap())
            .collect()
    }

    fn as_of() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
    }

    /// The built-in rules judge chunks of users, roles and secrets as they judge the whole
    /// account: each finding is about one of them, or about the account, a group or a managed
    /// policy, and is reported once. Chunks of 37 in accounts of 400 users and secrets.
    #[test]
    fn the_built_in_pack_finds_the_same_in_chunks_as_on_the_whole_account() {
        let policies = PolicySet::load(&builtin_sources()).unwrap();
        let config = Config::default();
        let mut rules_found = std::collections::BTreeSet::new();
        for profile in Profile::ALL {
            let snapshot = generate(&Shape::new(400, 400, profile, as_of()));
            assert!(!snapshot.roles.is_empty() && !snapshot.groups.is_empty());
            let whole = Evaluation {
                parts: false,
                ..Evaluation::new(&policies, &config, AsOf::At(as_of()))
            };
            let chunked = Evaluation {
                chunk_size: 37,
                ..Evaluation::new(&policies, &config, AsOf::At(as_of()))
            };
            let [whole, chunked] = [whole, chunked].map(|mut evaluation| {
                evaluation.add_snapshot(&snapshot).unwrap();
                evaluation.finish()
            });
            let found = findings(&whole);
            assert!(found.len() > 100, "{profile:?}: {} findings", found.len());
            assert_eq!(findings(&chunked), found, "{profile:?}");
            assert!(chunked.accounts[0].access.is_some());
            assert_eq!(chunked.accounts[0].access, whole.accounts[0].access);
            rules_found.extend(whole.all_findings().map(|f| f.rule_id.clone()));
        }
        // The rules that read the access model are among those compared.
        for rule in ["KW-SM-005", "KW-SM-009", "KW-IAM-011", "KW-IAM-013"] {
            assert!(rules_found.contains(rule), "{rule}: {rules_found:?}");
        }
    }

    /// KW-CW-005's one verdict on a log group names every third-party key no alarm watches:
    /// it sees every secret at once, however small the chunks.
    #[test]
    fn an_account_verdict_on_every_key_secret_is_made_on_all_of_them() {
        let policies = PolicySet::load(&builtin_sources()).unwrap();
        let config = Config::default();
        let mut json: serde_json::Value =
            serde_json::from_str(include_str!("../../fixtures/incident.json")).unwrap();
        let trail = &mut json["detective"]["trails"][0];
        trail["multi_region"] = true.into();
        trail["event_selectors"][0]["read_write_type"] = "All".into();
        trail["cloudwatch_logs_log_group_arn"] =
            "arn:aws:logs:us-east-1:123456789012:log-group:audit:*".into();
        let snapshot =
            crate::snapshot::parse(std::path::Path::new("incident.json"), &json.to_string())
                .unwrap();
        let [whole, chunked] = [(false, CHUNK_SIZE), (true, 1)].map(|(parts, chunk_size)| {
            let mut evaluation = Evaluation {
                parts,
                chunk_size,
                ..Evaluation::new(&policies, &config, AsOf::At(as_of()))
            };
            evaluation.add_snapshot(&snapshot).unwrap();
            evaluation.finish()
        });
        let keys: Vec<&Finding> = whole
            .all_findings()
            .filter(|f| f.rule_id == "KW-CW-005")
            .collect();
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert!(
            keys[0]
                .message
                .contains("GetSecretValue of prod/openai-api-key")
                && keys[0].message.contains("prod/anthropic-api-key"),
            "{}",
            keys[0].message
        );
        assert_eq!(findings(&chunked), findings(&whole));
    }

    /// A user's rule may count across users: it sees the whole account, never a chunk.
    #[test]
    fn a_users_rule_sees_every_user_at_once() {
        let rule = SourceFile {
            origin: "acme/count.rego".to_owned(),
            text: "# METADATA\n# title: T\n# description: D.\n# custom:\n#   id: ACME-001\n#   name: n\n#   severity: low\n#   remediation: R.\npackage acme.count\n\ndeny contains {\"resource\": input.snapshot.account.id, \"message\": sprintf(\"%d users\", [count(input.snapshot.users)])} if {\n\tcount(input.snapshot.users) > 0\n}\n".to_owned(),
        };
        let policies = PolicySet::load(&[rule]).unwrap();
        let config = Config::default();
        let snapshot = generate(&Shape::new(50, 10, Profile::FindingHeavy, as_of()));
        let mut evaluation = Evaluation {
            chunk_size: 7,
            ..Evaluation::new(&policies, &config, AsOf::At(as_of()))
        };
        let account = evaluation.add_snapshot(&snapshot).unwrap();
        let messages: Vec<&str> = account
            .findings
            .iter()
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(messages, ["50 users"]);
    }
}
