//! What can go wrong with a policy, each error naming the policy and what to do.

/// A policy that could not be loaded or evaluated.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policies in {path}: {message}")]
    Io {
        /// The path, made `terminal_safe`: file names in a policy directory are untrusted.
        path: String,
        message: String,
    },
    #[error(
        "policy {origin}:{line}: bad METADATA block: {message}\nhint: see policies/README.md for the fields a rule's METADATA needs"
    )]
    Metadata {
        origin: String,
        line: usize,
        message: String,
    },
    /// regorus' message already carries `file:line:column` and the offending source line.
    #[error(
        "policy {origin} does not parse:\n{message}\nhint: keyward reads Rego v1 (`if` and `contains` keywords)"
    )]
    Parse { origin: String, message: String },
    #[error("policy {origin} is not a usable rule: {message}")]
    Shape { origin: String, message: String },
    #[error(
        "rule {rule} ({origin}) failed while evaluating:\n{message}\nhint: run `keyward policy test` on the rule's directory to reproduce it"
    )]
    Runtime {
        rule: String,
        origin: String,
        message: String,
    },
    #[error(
        "rule {rule} ({origin}) returned a malformed finding: {message}\nhint: each `deny` entry is an object with `resource` and `message`, and optionally `region`, `key`, `evidence` and `controls`"
    )]
    BadFinding {
        rule: String,
        origin: String,
        message: String,
    },
    /// A user rule went past one of the limits every user rule runs under (`limits`).
    #[error("rule {rule} ({origin}) was stopped: {message}\nhint: {hint}")]
    Limit {
        rule: String,
        origin: String,
        message: String,
        hint: &'static str,
    },
    #[error("cannot pass the snapshot to the policy engine: {0}")]
    Input(String),
}
