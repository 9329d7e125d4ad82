//! What keyward prints for people: the report on stdout, errors, warnings and notes on stderr.
//!
//! Two rules hold for everything printed here:
//! - no line may read as a GitHub workflow command. The runner takes a line of a step's output
//!   that starts with `::` (after spaces) for a command (`::error::`, `::add-mask::`,
//!   `::stop-commands::`), and the older `##[command]` form anywhere in a line. Untrusted values
//!   are made `terminal_safe` where messages quote them, so none can start a line; this is the
//!   last guard, for whatever a parser's message or a policy's text still carries;
//! - printing never fails a run: with stdout or stderr closed or a broken pipe (`keyward … |
//!   head`), what cannot be printed is dropped, and the exit code still says how the run went.

use std::borrow::Cow;
use std::fmt::Display;
use std::io::Write;

/// `keyward: error: …` on stderr.
pub fn error(error: &dyn Display) {
    stderr(&format!("keyward: error: {error}\n"));
}

/// `keyward: warning: …` on stderr.
pub fn warning(message: &str) {
    stderr(&format!("keyward: warning: {message}\n"));
}

/// `keyward: …` on stderr: what a run did besides its report (files written, requests made).
pub fn note(message: &str) {
    stderr(&format!("keyward: {message}\n"));
}

/// The report (or listing) on stdout.
pub fn stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(no_workflow_commands(text).as_bytes());
    let _ = stdout.flush();
}

fn stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(no_workflow_commands(text).as_bytes());
    let _ = stderr.flush();
}

/// `text` with every line that GitHub's runner would take for a workflow command defused: a
/// backslash before a leading `::`, and `##[` written `#\#[`.
pub fn no_workflow_commands(text: &str) -> Cow<'_, str> {
    let is_command = |line: &str| line.trim_start().starts_with("::") || line.contains("##[");
    if !text.lines().any(is_command) {
        return Cow::Borrowed(text);
    }
    let defused: String = text
        .split_inclusive('\n')
        .map(|line| {
            let line = line.replace("##[", "#\\#[");
            match line.trim_start().starts_with("::") {
                true => format!("\\{line}"),
                false => line,
            }
        })
        .collect();
    Cow::Owned(defused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_line_reads_as_a_workflow_command() {
        let text =
            "keyward: error: x\n  ::error title=x::pwned\n::add-mask::y\nok ##[error]z\nfine\n";
        let defused = no_workflow_commands(text);
        assert_eq!(
            defused,
            "keyward: error: x\n\\  ::error title=x::pwned\n\\::add-mask::y\nok #\\#[error]z\nfine\n"
        );
        for line in defused.lines() {
            assert!(
                !line.trim_start().starts_with("::") && !line.contains("##["),
                "{line}"
            );
        }
    }

    #[test]
    fn ordinary_text_is_not_copied() {
        assert!(matches!(
            no_workflow_commands("a: b\n  c :: d\n"),
            Cow::Borrowed(_)
        ));
    }
}
