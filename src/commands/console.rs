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
use std::sync::atomic::{AtomicBool, Ordering};

/// `keyward: error: …` on stderr.
pub fn error(error: &dyn Display) {
    stderr(&format!("keyward: error: {error}\n"));
}

/// `keyward: warning: …` on stderr.
pub fn warning(message: &str) {
    stderr(&format!("keyward: warning: {message}\n"));
}

/// `--quiet`: notes (and progress) are not printed; warnings and errors still are.
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// `keyward: …` on stderr: what a run did besides its report (files written, requests made);
/// nothing under `--quiet`.
pub fn note(message: &str) {
    if !is_quiet() {
        stderr(&format!("keyward: {message}\n"));
    }
}

/// Width below which `$COLUMNS` is not believed: no table reads well in fewer columns.
const MIN_WIDTH: usize = 40;

/// Where tables on stdout are shown: `$COLUMNS` when set (scripts and tests fix the width with
/// it; shells do not export it), else the terminal's own width (stdout's, or stderr's when stdout
/// is piped into a pager), else 80. Colour when anstream says stdout takes it: a terminal,
/// `NO_COLOR` unset, or `CLICOLOR_FORCE` set.
pub fn terminal() -> crate::report::Terminal {
    crate::report::Terminal {
        width: terminal_width(),
        color: anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never,
    }
}

/// Where a report goes: stdout's terminal, or a file (its width, never colour).
pub fn terminal_for(file: Option<&std::path::Path>) -> crate::report::Terminal {
    match file {
        None => terminal(),
        Some(_) => crate::report::Terminal {
            width: terminal_width(),
            color: false,
        },
    }
}

fn terminal_width() -> usize {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    let measured = || {
        terminal_size::terminal_size_of(std::io::stdout())
            .or_else(|| terminal_size::terminal_size_of(std::io::stderr()))
            .map(|(width, _)| usize::from(width.0))
    };
    columns
        .or_else(measured)
        .filter(|&w| w >= MIN_WIDTH)
        .unwrap_or(80)
}

/// The report (or listing) on stdout; colours only reach a terminal that shows them (anstream
/// strips them otherwise, and translates them for older Windows consoles).
pub fn stdout(text: &str) {
    let mut stdout = anstream::stdout().lock();
    let _ = stdout.write_all(no_workflow_commands(text).as_bytes());
    let _ = stdout.flush();
}

/// Standard output written as `fill` produces it, never held as one string, every line defused
/// as `stdout` defuses text. `styled`: whether the output may hold colour, which goes through
/// anstream as `stdout`'s does; output that never does (JSON, whose strings escape every
/// control character) is spared anstream's byte-by-byte search for escape sequences. A closed
/// pipe ends the writing (there is no one left to write for) and, as everywhere here, is no
/// error.
pub fn stdout_with(styled: bool, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
    let _ = if styled {
        stream_to(anstream::stdout().lock(), fill)
    } else {
        stream_to(std::io::stdout().lock(), fill)
    };
}

fn stream_to(
    inner: impl Write,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let defused = DefusedLines {
        inner,
        pending: Vec::new(),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, defused);
    fill(&mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.finish()
}

/// Hands on whole lines only, through `no_workflow_commands` (a command is recognised by its
/// line, so a line must not be judged in pieces): what follows the last newline written waits
/// for the next write.
struct DefusedLines<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> DefusedLines<W> {
    /// Passes on the last line, which need not end with a newline.
    fn finish(mut self) -> std::io::Result<()> {
        let begun = std::mem::take(&mut self.pending);
        self.pass(&begun)?;
        self.inner.flush()
    }

    fn pass(&mut self, lines: &[u8]) -> std::io::Result<()> {
        let text = match std::str::from_utf8(lines) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(lines),
        };
        self.inner.write_all(no_workflow_commands(&text).as_bytes())
    }
}

impl<W: Write> Write for DefusedLines<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let Some(last) = bytes.iter().rposition(|&b| b == b'\n') else {
            self.pending.extend_from_slice(bytes);
            return Ok(bytes.len());
        };
        let (lines, rest) = bytes.split_at(last + 1);
        if self.pending.is_empty() {
            self.pass(lines)?;
        } else {
            // The line begun before, ended here, goes with the lines after it.
            let mut begun = std::mem::take(&mut self.pending);
            begun.extend_from_slice(lines);
            self.pass(&begun)?;
            begun.clear();
            self.pending = begun;
        }
        self.pending.extend_from_slice(rest);
        Ok(bytes.len())
    }

    /// A line begun waits for its end (or `finish`).
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(no_workflow_commands(text).as_bytes());
    let _ = stderr.flush();
}

/// `text` with every line that GitHub's runner would take for a workflow command defused: a
/// backslash before a leading `::`, and `##[` written `#\#[`.
pub fn no_workflow_commands(text: &str) -> Cow<'_, str> {
    // `##[` cannot span lines: one search of the whole text settles it.
    let leading_colons = |line: &str| line.trim_start().starts_with("::");
    if !text.contains("##[") && !text.split('\n').any(leading_colons) {
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
    fn streamed_output_is_defused_line_by_line_whatever_the_pieces_written() {
        let mut out = Vec::new();
        stream_to(&mut out, |w| {
            for piece in [
                "ok\n  :",
                ":error::x\n",
                "arn:aws:iam::1:user/a\ntail #",
                "#[y",
            ] {
                w.write_all(piece.as_bytes())?;
                w.flush()?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ok\n\\  ::error::x\narn:aws:iam::1:user/a\ntail #\\#[y"
        );
    }

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
