//! `keyward.yaml`: thresholds, disabled rules, third-party key markers and waivers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::text::quoted;

/// The file looked for in the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "keyward.yaml";

/// The scan settings. Every field has a default, so an empty file (or none) is valid.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Limits the rules measure against.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Words that mark a secret as a third-party API key (replaces the default list).
    #[serde(default = "default_markers")]
    pub third_party_key_markers: Vec<String>,
    /// Rule ids that are not run.
    #[serde(default)]
    pub disabled_rules: Vec<String>,
    /// Accepted findings, each with an owner, a reason and an expiry date.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    /// A saved snapshot older than this many days, judged later than it was collected, is
    /// reported with a warning in every format (`--max-snapshot-age` overrides it).
    #[serde(default = "default_max_snapshot_age_days")]
    pub max_snapshot_age_days: u32,
    /// Where the config was read from, for messages and SARIF locations; `None` for defaults.
    #[serde(skip)]
    pub source: Option<ConfigSource>,
}

/// The file a config came from and the line of each waiver in it.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    pub path: PathBuf,
    pub waiver_lines: Vec<usize>,
}

/// Limits the rules measure against (`input.evaluation.thresholds` in Rego).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Active access keys older than this are reported (CIS 1.14).
    pub max_access_key_age_days: u32,
    /// Passwords and keys unused this long are reported (CIS 1.12).
    pub unused_credential_days: u32,
    /// Root activity within this many days is reported (CIS 1.7).
    pub root_recent_use_days: u32,
    /// A never-used key created this close to its user counts as set up with it (CIS 1.11).
    pub initial_key_window_hours: u32,
    /// Rotation schedules longer than this are reported.
    pub max_rotation_interval_days: u32,
    /// Secrets last rotated (or, never rotated, created) longer ago than this are reported,
    /// whatever their schedule (SecretsManager.4).
    pub max_days_since_rotation: u32,
    /// A rotation later than its schedule by more than this is overdue (SecretsManager.2).
    pub rotation_grace_days: u32,
    /// Secrets not read for this long are reported (SecretsManager.3).
    pub unused_secret_days: u32,
    /// A third-party API key readable by more of the account's principals than this is
    /// reported (KW-SM-009).
    pub max_secret_readers: u32,
}

impl Thresholds {
    /// Each threshold by its name in `keyward.yaml` (and in `input.evaluation.thresholds`).
    pub fn as_map(&self) -> BTreeMap<String, u32> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(fields)) => fields
                .into_iter()
                .filter_map(|(name, value)| Some((name, u32::try_from(value.as_u64()?).ok()?)))
                .collect(),
            other => unreachable!("thresholds serialize as an object, not {other:?}"),
        }
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_access_key_age_days: 90,
            unused_credential_days: 45,
            root_recent_use_days: 30,
            initial_key_window_hours: 24,
            max_rotation_interval_days: 90,
            max_days_since_rotation: 90,
            rotation_grace_days: 3,
            unused_secret_days: 90,
            max_secret_readers: 10,
        }
    }
}

/// A week: the rules look back 30 to 90 days, and a snapshot a week old already misses a
/// week of sign-ins, key use and rotations.
pub const DEFAULT_MAX_SNAPSHOT_AGE_DAYS: u32 = 7;

fn default_max_snapshot_age_days() -> u32 {
    DEFAULT_MAX_SNAPSHOT_AGE_DAYS
}

/// Names and tags that mark AI-provider and other third-party API keys. Matched
/// case-insensitively as substrings of a secret's name, description, tag keys and values.
fn default_markers() -> Vec<String> {
    [
        "openai",
        "anthropic",
        "claude",
        "gemini",
        "mistral",
        "cohere",
        "huggingface",
        "hf_token",
        "groq",
        "perplexity",
        "deepseek",
        "openrouter",
        "replicate",
        "api-key",
        "api_key",
        "apikey",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// An accepted finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The rule id it applies to.
    pub rule: String,
    /// The resource ARN it applies to; `*` matches any run of characters, `?` one character.
    pub resource: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who answers for it (a person or team).
    pub owner: String,
    /// The last day the waiver applies (YYYY-MM-DD); it stops suppressing after that.
    pub expires: NaiveDate,
}

impl Waiver {
    pub fn matches(&self, rule_id: &str, resource: &str) -> bool {
        self.rule == rule_id && wildcard_match(&self.resource, resource)
    }
}

/// Glob-style match where `*` also crosses `/` and `:`, as ARNs need.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Classic two-pointer match with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A config that could not be used; `line` is 1-based.
#[derive(Debug, thiserror::Error)]
#[error("config {path}:{line}: {message}\nhint: {hint}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
    pub hint: String,
}

/// Reads the config named by `--config`, else `./keyward.yaml` if it exists, else the defaults.
/// `is_known_rule` tells the rule ids that exist (the loaded pack's), so that a typo in a
/// waiver or in `disabled_rules` is an error instead of a silent no-op.
pub fn load(
    explicit: Option<&Path>,
    is_known_rule: impl Fn(&str) -> bool,
) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None if Path::new(DEFAULT_CONFIG_FILE).is_file() => PathBuf::from(DEFAULT_CONFIG_FILE),
        None => return Ok(Config::default()),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
        path: path.clone(),
        line: 1,
        message: format!("cannot read it: {e}"),
        hint: "--config takes the path of a YAML file".to_owned(),
    })?;
    parse(&path, &text, is_known_rule)
}

impl Default for Config {
    /// The defaults, as an empty config file gives them.
    fn default() -> Config {
        Config {
            thresholds: Thresholds::default(),
            third_party_key_markers: default_markers(),
            disabled_rules: Vec::new(),
            waivers: Vec::new(),
            max_snapshot_age_days: DEFAULT_MAX_SNAPSHOT_AGE_DAYS,
            source: None,
        }
    }
}

/// Parses config text and checks its rule ids with `is_known_rule`.
pub fn parse(
    path: &Path,
    text: &str,
    is_known_rule: impl Fn(&str) -> bool,
) -> Result<Config, ConfigError> {
    let error = |line: usize, message: String, hint: &str| ConfigError {
        path: path.to_owned(),
        line,
        message,
        hint: hint.to_owned(),
    };
    crate::snapshot::check_yaml_depth(text)
        .map_err(|(line, message)| error(line, message, "keyward.yaml needs only a few levels"))?;
    let mut config: Config = if text.trim().is_empty() {
        Config::default()
    } else {
        yaml_serde::from_str(text).map_err(|e| {
            error(
                e.location().map_or(1, |l| l.line()),
                crate::snapshot::parser_message(&e.to_string()),
                "README.md (Configuration) lists every key with its default",
            )
        })?
    };
    check_thresholds(&config.thresholds).map_err(|(key, message)| {
        error(
            crate::snapshot::line_of(text, &format!("{key}:")),
            message,
            "a threshold longer than 100 years would reach outside the times keyward computes with",
        )
    })?;
    let waiver_lines = sequence_item_lines(text, "waivers", config.waivers.len());
    let disabled_lines = sequence_item_lines(text, "disabled_rules", config.disabled_rules.len());
    let unknown_rule_hint = "`keyward rules` lists the rule ids (with --policy for your own rules)";
    for (rule, line) in config.disabled_rules.iter().zip(&disabled_lines) {
        if !is_known_rule(rule) {
            return Err(error(
                *line,
                format!("disabled_rules: unknown rule id {}", quoted(rule)),
                unknown_rule_hint,
            ));
        }
    }
    for (waiver, line) in config.waivers.iter().zip(&waiver_lines) {
        if !is_known_rule(&waiver.rule) {
            return Err(error(
                *line,
                format!("waiver for unknown rule id {}", quoted(&waiver.rule)),
                unknown_rule_hint,
            ));
        }
        for (field, value) in [
            ("reason", &waiver.reason),
            ("owner", &waiver.owner),
            ("resource", &waiver.resource),
        ] {
            if value.trim().is_empty() {
                return Err(error(
                    *line,
                    format!(
                        "waiver for {}: `{field}` must not be empty",
                        quoted(&waiver.rule)
                    ),
                    "a waiver needs a rule, a resource, a reason, an owner and an expiry date",
                ));
            }
        }
    }
    config.source = Some(ConfigSource {
        path: path.to_owned(),
        waiver_lines,
    });
    Ok(config)
}

/// Refuses a threshold past 100 years (`MAX_THRESHOLD_DAYS`): the rules subtract it from the
/// evaluation time, which must stay where 64-bit nanoseconds reach. Names the key.
fn check_thresholds(thresholds: &Thresholds) -> Result<(), (&'static str, String)> {
    let max_days = crate::snapshot::MAX_THRESHOLD_DAYS;
    let Thresholds {
        max_access_key_age_days,
        unused_credential_days,
        root_recent_use_days,
        initial_key_window_hours,
        max_rotation_interval_days,
        max_days_since_rotation,
        rotation_grace_days,
        unused_secret_days,
        // A count of principals, not a time: any value keeps the rules' arithmetic in range.
        max_secret_readers: _,
    } = thresholds;
    let days = [
        ("max_access_key_age_days", max_access_key_age_days),
        ("unused_credential_days", unused_credential_days),
        ("root_recent_use_days", root_recent_use_days),
        ("max_rotation_interval_days", max_rotation_interval_days),
        ("max_days_since_rotation", max_days_since_rotation),
        ("rotation_grace_days", rotation_grace_days),
        ("unused_secret_days", unused_secret_days),
    ];
    for (key, value) in days {
        if *value > max_days {
            return Err((
                key,
                format!(
                    "thresholds.{key}: {value} days is more than the {max_days} keyward allows"
                ),
            ));
        }
    }
    let max_hours = max_days * 24;
    if *initial_key_window_hours > max_hours {
        return Err((
            "initial_key_window_hours",
            format!(
                "thresholds.initial_key_window_hours: {initial_key_window_hours} hours is more than the {max_hours} keyward allows"
            ),
        ));
    }
    Ok(())
}

/// The 1-based lines of the items of the top-level block sequence `key:`, one per item.
/// yaml_serde keeps no positions after parsing; this reads the block layout instead, and falls
/// back to the key's own line for flow-style lists (`key: [a, b]`).
fn sequence_item_lines(text: &str, key: &str, items: usize) -> Vec<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let header = format!("{key}:");
    let Some(start) = lines.iter().position(|l| l.starts_with(&header)) else {
        return vec![1; items];
    };
    let mut item_indent: Option<usize> = None;
    let mut found = Vec::new();
    for (offset, line) in lines[start + 1..].iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent == 0 && !trimmed.starts_with('-') {
            break; // the next top-level key
        }
        if trimmed.starts_with('-') && *item_indent.get_or_insert(indent) == indent {
            found.push(start + offset + 2);
        }
    }
    if found.len() == items {
        found
    } else {
        vec![start + 1; items]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cross_arn_separators() {
        assert!(wildcard_match(
            "arn:aws:iam::*:user/legacy-*",
            "arn:aws:iam::123456789012:user/legacy-ci"
        ));
        assert!(wildcard_match("*", "anything"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match(
            "arn:aws:iam::*:user/legacy-*",
            "arn:aws:iam::123456789012:user/alice"
        ));
        assert!(!wildcard_match("abc", "abcd"));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b*c", "aXXbYY"));
    }

    #[test]
    fn thresholds_past_a_hundred_years_are_refused_naming_the_key() {
        let text = "thresholds:\n  rotation_grace_days: 3\n  unused_secret_days: 129000\n";
        let error = parse(Path::new("k.yaml"), text, |_| true).unwrap_err();
        assert_eq!(error.line, 3);
        assert!(
            error
                .message
                .contains("thresholds.unused_secret_days: 129000 days is more than the 36500"),
            "{}",
            error.message
        );
        let hours = "thresholds:\n  initial_key_window_hours: 900000\n";
        assert!(parse(Path::new("k.yaml"), hours, |_| true).is_err());
        let fine = "thresholds:\n  unused_secret_days: 36500\n";
        assert!(parse(Path::new("k.yaml"), fine, |_| true).is_ok());
    }

    #[test]
    fn sequence_items_are_located() {
        let text = "thresholds:\n  max_access_key_age_days: 30\nwaivers:\n  - rule: A\n    owner: x\n\n  - rule: B\ndisabled_rules: [X]\n";
        assert_eq!(sequence_item_lines(text, "waivers", 2), vec![4, 7]);
        assert_eq!(sequence_item_lines(text, "disabled_rules", 1), vec![8]);
        let unindented = "waivers:\n- rule: A\n  owner: x\n- rule: B\n";
        assert_eq!(sequence_item_lines(unindented, "waivers", 2), vec![2, 4]);
    }
}
