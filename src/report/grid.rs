//! Boxed tables for the terminal, laid out here rather than by a table crate: cells are wrapped
//! at spaces, a word is never split, and a token longer than its column (an ARN) is broken only
//! after a `:` or a `/`. Column widths follow the terminal: each column gets at least its
//! longest unbreakable piece, and what is left goes to the columns whose text is longest.
//! Every row is followed by the same separator, and no continuation line starts with a space.

use anstyle::Style;

/// Where a table is shown: its width in columns, and whether colours may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    pub width: usize,
    pub color: bool,
}

impl Default for Terminal {
    /// 80 columns without colour: what a file or a CI log gets.
    fn default() -> Self {
        Terminal {
            width: 80,
            color: false,
        }
    }
}

/// One cell: its text (line breaks kept) and the style it is shown in on a colour terminal.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub style: Style,
}

impl Cell {
    pub fn styled(text: impl Into<String>, style: Style) -> Cell {
        Cell {
            text: text.into(),
            style,
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell {
            text,
            style: Style::new(),
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_owned())
    }
}

/// Characters that may end a line inside a token too long for its column (ARNs, paths).
const BREAK_AFTER: [char; 2] = [':', '/'];

/// A table with an optional header row, fitted to `terminal.width`.
pub fn render(header: Option<&[&str]>, rows: &[Vec<Cell>], terminal: Terminal) -> String {
    render_aligned(header, rows, terminal, &[])
}

/// A table whose first columns are at least `min_widths` wide, so that tables printed one
/// after another line up.
pub fn render_aligned(
    header: Option<&[&str]>,
    rows: &[Vec<Cell>],
    terminal: Terminal,
    min_widths: &[usize],
) -> String {
    let columns = header
        .map(<[&str]>::len)
        .or_else(|| rows.first().map(Vec::len))
        .unwrap_or(0);
    if columns == 0 {
        return String::new();
    }
    let all_texts = |column: usize| {
        header
            .map(|h| h[column])
            .into_iter()
            .chain(rows.iter().map(move |r| r[column].text.as_str()))
    };
    let measure = |shortest: fn(&str) -> usize| -> Vec<(usize, usize)> {
        (0..columns)
            .map(|c| {
                let natural = all_texts(c).flat_map(str::lines).map(width).max();
                let least = min_widths.get(c).copied().unwrap_or(0);
                let shortest = all_texts(c).map(shortest).max().unwrap_or(0);
                (shortest.max(least), natural.unwrap_or(0).max(least))
            })
            .collect()
    };
    let available = terminal.width.saturating_sub(3 * columns + 1);
    // Whole tokens (a control id, an ARN) on one line where they fit; else broken after `:`/`/`.
    let whole = measure(longest_token);
    let specs = if whole.iter().map(|s| s.0).sum::<usize>() <= available {
        whole
    } else {
        measure(longest_piece)
    };
    let widths = fit(&specs, available);
    let mut out = rule('┌', '┬', '┐', &widths);
    if let Some(header) = header {
        let cells: Vec<Cell> = header
            .iter()
            .map(|h| Cell::styled(*h, Style::new().bold()))
            .collect();
        out += &row_lines(&cells, &widths, terminal.color);
        out += &rule('├', '┼', '┤', &widths);
    }
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out += &rule('├', '┼', '┤', &widths);
        }
        out += &row_lines(row, &widths, terminal.color);
    }
    out + &rule('└', '┴', '┘', &widths)
}

/// Column widths within `available`: `(shortest, natural)` per column. Natural widths when they
/// fit; otherwise every column keeps its shortest and the narrow ones are served first: all
/// widths rise together to one level (capped at each natural width), so that a long column of
/// tags does not squeeze a column of titles. When even the shortest widths do not fit, they
/// shrink alike (and the longest pieces are cut: there is no other way left).
pub fn fit(specs: &[(usize, usize)], available: usize) -> Vec<usize> {
    let natural: usize = specs.iter().map(|s| s.1).sum();
    if natural <= available {
        return specs.iter().map(|s| s.1.max(1)).collect();
    }
    let shortest: usize = specs.iter().map(|s| s.0).sum();
    if shortest >= available {
        return specs
            .iter()
            .map(|s| (s.0 * available / shortest.max(1)).max(1))
            .collect();
    }
    let at_level = |level: usize| -> Vec<usize> {
        specs
            .iter()
            .map(|&(short, long)| level.clamp(short, long.max(short)))
            .collect()
    };
    let mut level = 0;
    while at_level(level + 1).iter().sum::<usize>() <= available {
        level += 1;
    }
    let mut widths = at_level(level);
    // The level rises a column at a time: what is left goes to the next columns that would grow.
    let mut left = available - widths.iter().sum::<usize>();
    for (width, spec) in widths.iter_mut().zip(specs) {
        if left > 0 && *width < spec.1 {
            *width += 1;
            left -= 1;
        }
    }
    widths
}

/// `text` wrapped to `limit` columns: at spaces; a token longer than a line is broken after a
/// `:` or `/`, and only a piece longer than a whole line is cut. Line breaks in the text stay.
pub fn wrap(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let gap = usize::from(!line.is_empty());
            if width(&line) + gap + width(word) <= limit {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for piece in pieces(word) {
                for part in cut(piece, limit) {
                    if width(&line) + width(part) > limit {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.push_str(part);
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// A token split after each `:` and `/`: the places an ARN may be broken.
fn pieces(token: &str) -> impl Iterator<Item = &str> {
    token.split_inclusive(BREAK_AFTER)
}

/// A piece cut into parts of at most `limit` characters (only for a piece wider than a line).
fn cut(piece: &str, limit: usize) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = piece;
    while width(rest) > limit {
        let end = rest
            .char_indices()
            .nth(limit)
            .map_or(rest.len(), |(i, _)| i);
        parts.push(&rest[..end]);
        rest = &rest[end..];
    }
    parts.push(rest);
    parts
}

/// The widest token (text between spaces).
fn longest_token(text: &str) -> usize {
    text.split([' ', '\n']).map(width).max().unwrap_or(0)
}

/// The widest piece of text that must stay on one line: a word, or a part of an ARN between
/// separators.
fn longest_piece(text: &str) -> usize {
    text.split([' ', '\n'])
        .flat_map(pieces)
        .map(width)
        .max()
        .unwrap_or(0)
}

/// Columns a string takes: keyward's texts are made terminal-safe, one column per character.
fn width(text: &str) -> usize {
    text.chars().count()
}

fn rule(left: char, middle: char, right: char, widths: &[usize]) -> String {
    let segments: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
    format!("{left}{}{right}\n", segments.join(&middle.to_string()))
}

/// One row: each cell wrapped to its column, padded, side by side.
fn row_lines(cells: &[Cell], widths: &[usize], color: bool) -> String {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .map(|(cell, width)| wrap(&cell.text, *width))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let mut out = String::new();
    for line in 0..height {
        out.push('│');
        for ((cell, lines), width) in cells.iter().zip(&wrapped).zip(widths) {
            let text = lines.get(line).map_or("", String::as_str);
            let pad = " ".repeat(width.saturating_sub(self::width(text)));
            out += &format!(" {}{pad} │", paint(text, cell.style, color));
        }
        out.push('\n');
    }
    out
}

/// `text` in `style` when colours are on.
pub fn paint(text: &str, style: Style, color: bool) -> String {
    if !color || style == Style::new() || text.is_empty() {
        return text.to_owned();
    }
    format!("{style}{text}{style:#}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_never_split_and_no_line_starts_with_a_space() {
        let lines = wrap("access key was created 62 days ago (limit 45 days)", 20);
        assert_eq!(
            lines,
            ["access key was", "created 62 days ago", "(limit 45 days)"]
        );
        assert!(lines.iter().all(|l| !l.starts_with(' ') && width(l) <= 20));
    }

    #[test]
    fn arns_break_only_after_a_colon_or_a_slash() {
        let arn =
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared/partner-webhook-Qr90St";
        let lines = wrap(arn, 40);
        assert_eq!(
            lines,
            [
                "arn:aws:secretsmanager:eu-west-1:",
                "123456789012:secret:shared/",
                "partner-webhook-Qr90St"
            ]
        );
        assert_eq!(lines.concat(), arn);
    }

    #[test]
    fn only_a_piece_wider_than_the_column_is_cut() {
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\n\nb", 4), ["a", "", "b"]);
    }

    #[test]
    fn columns_keep_their_longest_word_and_share_the_rest() {
        assert_eq!(fit(&[(10, 10), (20, 100)], 200), [10, 100]);
        assert_eq!(fit(&[(10, 10), (20, 100)], 60), [10, 50]);
        // Titles (10 to 40) and tags (28 to 100) in 60 columns: the titles are not squeezed.
        assert_eq!(fit(&[(10, 40), (28, 100)], 60), [30, 30]);
        let widths = fit(&[(10, 40), (28, 100), (8, 8)], 80);
        assert_eq!(widths, [36, 36, 8]);
        // Too narrow for even the longest words: all shrink, none vanishes.
        assert!(fit(&[(30, 30), (30, 60)], 20).iter().all(|&w| w >= 1));
    }

    #[test]
    fn every_row_has_the_same_separator_and_the_table_fits() {
        let rows: Vec<Vec<Cell>> = (0..3)
            .map(|i| vec![Cell::from(format!("KW-{i}")), Cell::from("some text here")])
            .collect();
        let table = render(
            None,
            &rows,
            Terminal {
                width: 20,
                color: false,
            },
        );
        assert_eq!(table.matches('├').count(), 2, "{table}");
        assert!(table.lines().all(|l| width(l) <= 20), "{table}");
        let one = render(None, &rows[..1], Terminal::default());
        assert!(!one.contains('├'), "{one}");
    }

    #[test]
    fn colour_only_when_asked() {
        let style = Style::new().bold();
        assert_eq!(paint("HIGH", style, false), "HIGH");
        assert!(paint("HIGH", style, true).starts_with('\u{1b}'));
    }
}
