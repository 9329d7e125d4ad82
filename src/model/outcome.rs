//! How a run ended, in domain terms; the commands turn it into a process exit code.

/// Ordered by precedence: a run with failing findings is `Findings` even when it is also
/// incomplete, because the failure is the more urgent news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Nothing failing, and every check was evaluated.
    Clean,
    /// Nothing failing, but some checks could not be evaluated: a clean result there would
    /// rest on data that was never collected.
    Incomplete,
    /// At least one gating finding at or above the threshold.
    Findings,
}
