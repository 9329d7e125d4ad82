//! A cap on how deeply YAML nests, as serde_json caps JSON (128 levels). yaml_serde has none:
//! a snapshot or config of 100,000 nested flow sequences (`[[[…]]]`, 200 kB) took over 20 s to
//! be refused. Every YAML keyward reads (snapshots, `keyward.yaml`, METADATA blocks) is
//! measured first, in one pass over the text.

/// How deeply flow collections (`[…]`, `{…}`) may nest: serde_json's limit for JSON.
pub const MAX_YAML_DEPTH: usize = 128;

/// The 1-based line where the text first nests flow collections deeper than
/// [`MAX_YAML_DEPTH`], and what to say. Quoted scalars and comments are skipped; outside a flow
/// collection, a bracket opens one only where a value starts (as in `key: [a, b]`, `- {a: 1}`).
pub fn check_yaml_depth(text: &str) -> Result<(), (usize, String)> {
    let mut depth = 0usize;
    let mut line = 1;
    // The last character that was not a space: a bracket after `:`, `-`, `?`, `,` or at the
    // start of a line opens a collection; after anything else it is part of a plain scalar.
    let mut before = '\n';
    // The character right before, spaces included: `#` starts a comment only after a space.
    let mut previous = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '#' if matches!(previous, '\n' | ' ' | '\t') => {
                while chars.next_if(|&c| c != '\n').is_some() {}
                continue;
            }
            '"' => skip_quoted(&mut chars, '"', &mut line),
            '\'' => skip_quoted(&mut chars, '\'', &mut line),
            '[' | '{' if depth > 0 || matches!(before, '\n' | ':' | '-' | '?' | ',') => {
                depth += 1;
                if depth > MAX_YAML_DEPTH {
                    return Err((
                        line,
                        format!("YAML nested more than {MAX_YAML_DEPTH} levels deep"),
                    ));
                }
            }
            ']' | '}' if depth > 0 => depth -= 1,
            _ => {}
        }
        previous = c;
        before = match c {
            ' ' | '\t' | '\r' => before,
            '\n' => '\n',
            c => c,
        };
    }
    Ok(())
}

/// Skips a quoted scalar up to its closing quote: `\` escapes in double quotes, `''` in single.
fn skip_quoted(chars: &mut std::iter::Peekable<std::str::Chars>, quote: char, line: &mut usize) {
    while let Some(c) = chars.next() {
        match c {
            '\n' => *line += 1,
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote => {
                if quote == '\'' && chars.next_if_eq(&'\'').is_some() {
                    continue;
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_collections_may_nest_to_the_cap_and_no_deeper() {
        let nested =
            |depth: usize| format!("a: 1\nb: {}{}\n", "[".repeat(depth), "]".repeat(depth));
        assert!(check_yaml_depth(&nested(MAX_YAML_DEPTH)).is_ok());
        let (line, message) = check_yaml_depth(&nested(MAX_YAML_DEPTH + 1)).unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("128"), "{message}");
        assert!(check_yaml_depth(&"[{".repeat(100_000)).is_err());
        // `#` inside a scalar is no comment, and hides nothing.
        assert!(check_yaml_depth(&format!("a: [b#{}", "[".repeat(200))).is_err());
    }

    #[test]
    fn brackets_in_scalars_quotes_and_comments_do_not_count() {
        let text = format!(
            "reason: see [docs {}\nquoted: \"{}\"\nsingle: '{}'' {}'\n# {}\nlist: [a, \"]\", {{b: [c]}}]\n",
            "[".repeat(200),
            "[".repeat(200),
            "[".repeat(200),
            "{".repeat(200),
            "[".repeat(200)
        );
        assert_eq!(check_yaml_depth(&text), Ok(()));
    }
}
