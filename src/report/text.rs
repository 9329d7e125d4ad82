//! Markdown for text keyward did not write. Job summaries and pull-request comments show
//! IAM paths (any printable ASCII, and part of every ARN), user and secret names, account names,
//! waiver owners and finding messages; read as markdown, a backtick closes a code span and
//! `[x](https://…)` becomes a working link. Every untrusted string in a markdown output goes
//! through [`gfm_escape`] (or [`gfm_code`]), and through nothing else.

use crate::text::terminal_safe;

/// What GitHub-flavoured markdown reads as inline syntax anywhere in a line: emphasis, code,
/// links and images, HTML and autolinks in angle brackets, entities, GitHub's tables (`|`),
/// strikethrough (`~`) and math (`$`).
const INLINE_SYNTAX: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '&', '|', '~', '$'];

/// Word joiner (U+2060): invisible, and no letter or digit.
const WORD_JOINER: char = '\u{2060}';

/// Untrusted text as literal markdown on one line (a table cell, a list item): control
/// characters made visible (line breaks included, so no row or line can be forged), and every
/// character GitHub would read as syntax escaped.
pub fn gfm_escape(text: &str) -> String {
    escape_inline(&terminal_safe(text))
}

/// Untrusted text as a code span in a table cell: fenced with more backticks than any run
/// inside, pipes escaped as GitHub's tables need. Text a code span cannot show as it is (empty,
/// or with a backslash right before a pipe, which tables would misread) becomes escaped text.
pub fn gfm_code(text: &str) -> String {
    let safe = terminal_safe(text);
    if safe.trim().is_empty() || safe.contains("\\|") {
        return escape_inline(&safe);
    }
    let longest_run = safe.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    // A space inside each fence is dropped again by markdown; it keeps a backtick at either
    // end of the text from joining the fence.
    let pad = if safe.starts_with(['`', ' ']) || safe.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", safe.replace('|', "\\|"))
}

/// Escapes what markdown reads as inline syntax, keeping line breaks (for prose of several
/// lines; one-line output uses [`gfm_escape`]). Besides the backslash escapes, GitHub's
/// extended autolinks are broken up: `://` and `www.` lose their trigger (`\:`, `www\.`),
/// and a word joiner after each `@` stops both e-mail autolinks and @mentions.
pub fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, c) in text.char_indices() {
        let rest = &text[i..];
        let escaped = INLINE_SYNTAX.contains(&c)
            || (c == ':' && rest[1..].starts_with("//"))
            || (c == '.' && text[..i].to_ascii_lowercase().ends_with("www"));
        if escaped {
            out.push('\\');
        }
        out.push(c);
        if c == '@' {
            out.push(WORD_JOINER);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_is_escaped_and_control_characters_shown() {
        assert_eq!(gfm_escape("a|b*c_d`e"), "a\\|b\\*c\\_d\\`e");
        assert_eq!(gfm_escape("x\ny"), "x\\\\ny");
        assert_eq!(gfm_escape("see https://x.io"), "see https\\://x.io");
        assert_eq!(gfm_escape("WWW.x.io"), "WWW\\.x.io");
        assert_eq!(gfm_escape("a@b.io"), "a@\u{2060}b.io");
    }

    #[test]
    fn code_spans_outgrow_the_backticks_inside() {
        assert_eq!(gfm_code("alice"), "`alice`");
        assert_eq!(gfm_code("a`b"), "``a`b``");
        assert_eq!(gfm_code("`a``"), "``` `a`` ```");
        assert_eq!(gfm_code("a|b"), "`a\\|b`");
        assert_eq!(gfm_code("a\\|b"), "a\\\\\\|b");
        assert_eq!(gfm_code(""), "");
    }
}
