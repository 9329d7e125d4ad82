//! Untrusted text on its way to a person. Names, ARNs, IAM paths, messages, waiver fields and
//! YAML keys come from snapshots, reports, configs and policies that an attacker may have
//! shaped; printed raw, an escape sequence would drive the terminal, a carriage return or a
//! newline would forge table rows and log lines, and a line starting with `::` would be read
//! as a GitHub workflow command. Every output and every error passes such text through
//! [`terminal_safe`] (markdown adds its own escaping on top, in `report::text`).

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every character that controls a terminal or a log made visible as an escape:
/// newline `\n`, carriage return `\r`, tab `\t`, anything else as `\u{…}`. That covers the C0
/// and C1 controls and DEL (ESC, BEL, CSI, NEL, …), the Unicode line and paragraph separators,
/// and the bidirectional overrides and isolates that make text read differently than it is
/// ("Trojan Source"). Everything else, non-ASCII letters included, stays as it is.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => safe.push_str("\\n"),
            '\r' => safe.push_str("\\r"),
            '\t' => safe.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(safe, "\\u{{{:x}}}", u32::from(c));
            }
            c => safe.push(c),
        }
    }
    Cow::Owned(safe)
}

/// Text of several lines (a parser's message with the source line it points at) made
/// [`terminal_safe`] line by line: its own line breaks stay, nothing else can start a line.
pub fn terminal_safe_lines(text: &str) -> String {
    text.lines()
        .map(terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
}

/// An untrusted value quoted for a message: in backticks, made [`terminal_safe`].
pub fn quoted(value: &str) -> String {
    format!("`{}`", terminal_safe(value))
}

fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{061c}' | '\u{200e}' | '\u{200f}' // bidirectional marks
            | '\u{202a}'..='\u{202e}' // bidirectional embeddings and overrides
            | '\u{2066}'..='\u{2069}' // bidirectional isolates
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(
            terminal_safe("a\nb\rc\td\u{1b}[31me\u{7}f\u{7f}g\u{9b}h"),
            "a\\nb\\rc\\td\\u{1b}[31me\\u{7}f\\u{7f}g\\u{9b}h"
        );
        assert_eq!(
            terminal_safe("x\u{2028}y\u{202e}z\u{2066}w\u{85}v"),
            "x\\u{2028}y\\u{202e}z\\u{2066}w\\u{85}v"
        );
    }

    #[test]
    fn ordinary_text_is_left_alone_and_not_copied() {
        for text in [
            "arn:aws:iam::123456789012:user/ops/alice",
            "Zoë — naïve 日本",
            "",
        ] {
            assert!(matches!(terminal_safe(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn lines_stay_lines_and_nothing_else_breaks_one() {
        assert_eq!(
            terminal_safe_lines("error at 3:\n 3 | a\rb\u{1b}c\n"),
            "error at 3:\n 3 | a\\rb\\u{1b}c"
        );
    }

    #[test]
    fn no_line_can_be_started_by_the_value() {
        let value = "x\n::error title=pwned::owned\r\n::add-mask::y";
        let safe = terminal_safe(value);
        assert_eq!(safe.lines().count(), 1);
        assert!(quoted(value).starts_with("`x\\n::error"));
    }
}
