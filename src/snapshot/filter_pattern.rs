//! CloudWatch Logs filter patterns, read into conditions that a rule can test an event against.
//!
//! A metric filter only raises an alarm when its pattern matches the events that matter, and a
//! pattern is easy to get subtly wrong (`"AccessDenied"` misses `AccessDeniedException`). So the
//! alarm rules do not look for familiar text in the pattern: they test it against sample
//! CloudTrail events. Rego has no recursion to walk a parsed expression, so the pattern is
//! flattened here into alternatives of conditions (`any_of`: the pattern matches when every
//! condition of one alternative holds), which a rule tests with plain iteration.
//!
//! Read (see docs/detective-controls.md for what is not): JSON patterns `{ … }` with `=`, `!=`,
//! `<`, `<=`, `>`, `>=`, `IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS`, `&&`, `||` (`&&` binds
//! tighter), parentheses, quoted or bare values with `*` wildcards, `%regex%` values and
//! selectors with keys and array indexes (`$.a.b[0]`); and term patterns (`ERROR`,
//! `"an exact phrase"`, `?one ?other`, `-excluded`). Anything else is unreadable and counts
//! as matching no event.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// keyward's reading of a metric filter's pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PatternReading {
    /// The pattern matches an event when all the conditions of one entry of `any_of` hold (an
    /// empty entry always holds: the empty pattern matches every event).
    Conditions { any_of: Vec<Vec<Condition>> },
    /// keyward cannot read the pattern: it counts as matching no event.
    Unreadable { reason: String },
}

impl Default for PatternReading {
    fn default() -> Self {
        PatternReading::Unreadable {
            reason: "not read yet".to_owned(),
        }
    }
}

/// One test on an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// What is tested.
    pub test: Test,
    /// The event field, as keys and array indexes (`$.a.b[0]` is `["a", "b", 0]`); empty for
    /// the text tests.
    #[serde(default)]
    pub path: Vec<serde_json::Value>,
    /// For `eq`/`ne` on strings: the regular expression the field's text matches (`eq`) or does
    /// not match (`ne`).
    #[serde(default)]
    pub regex: Option<String>,
    /// For numeric comparisons: the number the field is compared with.
    #[serde(default)]
    pub number: Option<f64>,
    /// For the text tests: the text the event does or does not contain.
    #[serde(default)]
    pub text: Option<String>,
}

/// The kinds of test. A comparison on a field the event lacks does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    IsTrue,
    IsFalse,
    IsNull,
    NotExists,
    /// The event's text contains `text`.
    ContainsText,
    /// The event's text does not contain `text`.
    LacksText,
}

/// Alternatives beyond this many (`(a || b) && (c || d) && …` multiplies them) make a pattern
/// unreadable rather than a large input for every rule.
const MAX_ALTERNATIVES: usize = 256;

type Alternatives = Vec<Vec<Condition>>;

impl PatternReading {
    /// Reads a filter pattern as CloudWatch Logs would.
    pub fn of(pattern: &str) -> PatternReading {
        let trimmed = pattern.trim();
        let result = if trimmed.starts_with('{') {
            json_pattern(trimmed)
        } else if trimmed.starts_with('[') {
            Err("space-delimited patterns (`[…]`) do not apply to CloudTrail's JSON events".into())
        } else {
            term_pattern(trimmed)
        };
        match result {
            Ok(any_of) => PatternReading::Conditions { any_of },
            Err(reason) => PatternReading::Unreadable { reason },
        }
    }
}

/// `ERROR`, `"exact phrase"`, `?one ?other`, `-excluded`: all plain terms and no excluded one,
/// or any one of the `?` terms.
fn term_pattern(pattern: &str) -> Result<Alternatives, String> {
    let terms = split_terms(pattern)?;
    let optional = terms.iter().filter(|t| t.starts_with('?')).count();
    if optional > 0 && optional < terms.len() {
        return Err("`?` terms mixed with other terms".into());
    }
    let condition = |term: &str| {
        let (test, text) = match term.strip_prefix('-') {
            Some(rest) => (Test::LacksText, rest),
            None => (Test::ContainsText, term.trim_start_matches('?')),
        };
        Condition {
            test,
            path: Vec::new(),
            regex: None,
            number: None,
            text: Some(unquote(text)),
        }
    };
    Ok(if optional > 0 {
        terms.iter().map(|t| vec![condition(t)]).collect()
    } else {
        vec![terms.iter().map(|t| condition(t)).collect()]
    })
}

/// Terms split on spaces, a quoted phrase (after an optional `?` or `-`) kept whole.
fn split_terms(pattern: &str) -> Result<Vec<String>, String> {
    let mut terms = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut term = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() && !quoted {
                break;
            }
            if c == '"' {
                quoted = !quoted;
            }
            term.push(c);
            chars.next();
        }
        if quoted {
            return Err("unclosed quote".into());
        }
        terms.push(term);
    }
    Ok(terms)
}

fn unquote(text: &str) -> String {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .replace("\\\"", "\"")
}

/// A JSON pattern, `{ expression }`.
fn json_pattern(pattern: &str) -> Result<Alternatives, String> {
    let tokens = tokenize(pattern)?;
    let mut parser = Parser { tokens, at: 0 };
    parser.expect(&Token::Open('{'))?;
    let alternatives = parser.or_expression()?;
    parser.expect(&Token::Close('}'))?;
    if parser.at != parser.tokens.len() {
        return Err("text after the closing brace".into());
    }
    Ok(alternatives)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open(char),
    Close(char),
    And,
    Or,
    Operator(&'static str),
    Selector(String),
    Quoted(String),
    Regex(String),
    Word(String),
}

const OPERATORS: [&str; 6] = ["!=", "<=", ">=", "=", "<", ">"];

fn tokenize(pattern: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let (token, length) = match c {
            '{' | '(' => (Token::Open(c), 1),
            '}' | ')' => (Token::Close(c), 1),
            '&' if rest.starts_with("&&") => (Token::And, 2),
            '|' if rest.starts_with("||") => (Token::Or, 2),
            '"' => quoted(rest)?,
            '%' => {
                let end = rest[1..].find('%').ok_or("unclosed %regex%")? + 1;
                (Token::Regex(rest[1..end].to_owned()), end + 1)
            }
            '$' => {
                let length = rest
                    .find(|c: char| c.is_whitespace() || "=!<>()&|}".contains(c))
                    .unwrap_or(rest.len());
                (Token::Selector(rest[..length].to_owned()), length)
            }
            _ => match OPERATORS.iter().find(|op| rest.starts_with(**op)) {
                Some(op) => (Token::Operator(op), op.len()),
                None => {
                    let length = rest
                        .find(|c: char| c.is_whitespace() || ")}".contains(c))
                        .unwrap_or(rest.len());
                    let word = &rest[..length];
                    let word = word.split("&&").next().unwrap_or(word);
                    let word = word.split("||").next().unwrap_or(word);
                    (Token::Word(word.to_owned()), word.len())
                }
            },
        };
        if length == 0 {
            return Err(format!("unexpected `{c}`"));
        }
        tokens.push(token);
        rest = &rest[length..];
    }
    Ok(tokens)
}

/// A double-quoted string at the start of `text`, `\"` inside it kept as a quote.
fn quoted(text: &str) -> Result<(Token, usize), String> {
    let mut value = String::new();
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match (escaped, c) {
            (true, _) => {
                value.push(c);
                escaped = false;
            }
            (false, '\\') => escaped = true,
            (false, '"') => return Ok((Token::Quoted(value), i + 1)),
            (false, _) => value.push(c),
        }
    }
    Err("unclosed quote".into())
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn expect(&mut self, expected: &Token) -> Result<(), String> {
        match self.next() {
            Some(token) if token == *expected => Ok(()),
            other => Err(format!("expected {expected:?}, found {other:?}")),
        }
    }

    fn or_expression(&mut self) -> Result<Alternatives, String> {
        let mut alternatives = self.and_expression()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            alternatives.extend(self.and_expression()?);
            check_size(&alternatives)?;
        }
        Ok(alternatives)
    }

    fn and_expression(&mut self) -> Result<Alternatives, String> {
        let mut alternatives = self.primary()?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            let right = self.primary()?;
            alternatives = alternatives
                .iter()
                .flat_map(|left| {
                    right.iter().map(move |r| {
                        let mut both = left.clone();
                        both.extend(r.iter().cloned());
                        both
                    })
                })
                .collect();
            check_size(&alternatives)?;
        }
        Ok(alternatives)
    }

    fn primary(&mut self) -> Result<Alternatives, String> {
        match self.next() {
            Some(Token::Open('(')) => {
                let inner = self.or_expression()?;
                self.expect(&Token::Close(')'))?;
                Ok(inner)
            }
            Some(Token::Selector(selector)) => {
                let path = selector_path(&selector)?;
                Ok(vec![vec![self.comparison(path)?]])
            }
            other => Err(format!("expected a selector or `(`, found {other:?}")),
        }
    }

    fn comparison(&mut self, path: Vec<serde_json::Value>) -> Result<Condition, String> {
        let condition = |test, regex, number| Condition {
            test,
            path: path.clone(),
            regex,
            number,
            text: None,
        };
        match self.next() {
            Some(Token::Operator(op)) => {
                let test = match op {
                    "=" => Test::Eq,
                    "!=" => Test::Ne,
                    "<" => Test::Lt,
                    "<=" => Test::Le,
                    ">" => Test::Gt,
                    _ => Test::Ge,
                };
                match (self.next(), test) {
                    (Some(Token::Quoted(text)), Test::Eq | Test::Ne) => {
                        Ok(condition(test, Some(wildcard_regex(&text)), None))
                    }
                    (Some(Token::Regex(regex)), Test::Eq | Test::Ne) => {
                        regex::Regex::new(&regex).map_err(|e| format!("bad %regex%: {e}"))?;
                        Ok(condition(test, Some(regex), None))
                    }
                    (Some(Token::Word(word)), _) => match word.parse::<f64>() {
                        Ok(number) if number.is_finite() => Ok(condition(test, None, Some(number))),
                        _ if matches!(test, Test::Eq | Test::Ne) => {
                            Ok(condition(test, Some(wildcard_regex(&word)), None))
                        }
                        _ => Err(format!("`{op}` needs a number, found `{word}`")),
                    },
                    (other, _) => Err(format!("expected a value after `{op}`, found {other:?}")),
                }
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("IS") => {
                let test = match self.next() {
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("TRUE") => Test::IsTrue,
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("FALSE") => Test::IsFalse,
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("NULL") => Test::IsNull,
                    other => return Err(format!("expected TRUE, FALSE or NULL, found {other:?}")),
                };
                Ok(condition(test, None, None))
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("NOT") => match self.next() {
                Some(Token::Word(w)) if w.eq_ignore_ascii_case("EXISTS") => {
                    Ok(condition(Test::NotExists, None, None))
                }
                other => Err(format!("expected EXISTS, found {other:?}")),
            },
            other => Err(format!("expected an operator, found {other:?}")),
        }
    }
}

fn check_size(alternatives: &Alternatives) -> Result<(), String> {
    if alternatives.len() > MAX_ALTERNATIVES {
        return Err(format!("more than {MAX_ALTERNATIVES} alternatives"));
    }
    Ok(())
}

/// `$.a.b[0]` as `["a", "b", 0]`.
fn selector_path(selector: &str) -> Result<Vec<serde_json::Value>, String> {
    let mut path = Vec::new();
    let mut rest = selector
        .strip_prefix('$')
        .ok_or_else(|| format!("selector `{selector}` does not start with `$`"))?;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return Err(format!("empty key in selector `{selector}`"));
            }
            path.push(serde_json::Value::from(&after[..end]));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after
                .find(']')
                .ok_or_else(|| format!("unclosed `[` in `{selector}`"))?;
            let index: u64 = after[..end]
                .parse()
                .map_err(|_| format!("array index `{}` in `{selector}`", &after[..end]))?;
            path.push(serde_json::Value::from(index));
            rest = &after[end + 1..];
        } else {
            return Err(format!("cannot read selector `{selector}`"));
        }
    }
    if path.is_empty() {
        return Err("the selector `$` names no field".into());
    }
    Ok(path)
}

/// An exact value with `*` wildcards, as an anchored regular expression.
fn wildcard_regex(value: &str) -> String {
    let parts: Vec<String> = value.split('*').map(regex::escape).collect();
    format!("^{}$", parts.join(".*"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alternatives(pattern: &str) -> Alternatives {
        match PatternReading::of(pattern) {
            PatternReading::Conditions { any_of } => any_of,
            PatternReading::Unreadable { reason } => panic!("{pattern}: {reason}"),
        }
    }

    fn unreadable(pattern: &str) -> String {
        match PatternReading::of(pattern) {
            PatternReading::Unreadable { reason } => reason,
            other => panic!("{pattern} was read: {other:?}"),
        }
    }

    fn summary(pattern: &str) -> Vec<Vec<String>> {
        alternatives(pattern)
            .iter()
            .map(|all| {
                all.iter()
                    .map(|c| {
                        let path: Vec<String> = c.path.iter().map(|p| p.to_string()).collect();
                        let value = c
                            .regex
                            .clone()
                            .or(c.number.map(|n| n.to_string()))
                            .or(c.text.clone())
                            .unwrap_or_default();
                        format!("{} {:?} {value}", path.join("."), c.test)
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_cis_root_usage_pattern_is_one_alternative_of_three_conditions() {
        let read = summary(
            r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        );
        assert_eq!(
            read,
            [[
                r#""userIdentity"."type" Eq ^Root$"#,
                r#""userIdentity"."invokedBy" NotExists "#,
                r#""eventType" Ne ^AwsServiceEvent$"#,
            ]]
        );
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_group() {
        let read = summary(
            r#"{($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com")}"#,
        );
        assert_eq!(read.len(), 2);
        assert_eq!(read[0], [r#""errorCode" Eq ^.*UnauthorizedOperation$"#]);
        assert_eq!(
            read[1],
            [
                r#""errorCode" Eq ^AccessDenied.*$"#,
                r#""sourceIPAddress" Ne ^delivery\.logs\.amazonaws\.com$"#
            ]
        );
        let grouped = summary(r#"{ ($.a = 1 || $.a = 2) && ($.b = x || $.b = y) }"#);
        assert_eq!(grouped.len(), 4, "{grouped:?}");
    }

    #[test]
    fn bare_values_numbers_regexes_and_keywords() {
        let read = summary(
            "{ $.eventName = ConsoleLogin && $.size >= 10 && $.ok IS TRUE && $.x IS NULL && $.name = %Get[A-Z]+% && $.list[1].id = abc }",
        );
        assert_eq!(
            read[0],
            [
                r#""eventName" Eq ^ConsoleLogin$"#,
                r#""size" Ge 10"#,
                r#""ok" IsTrue "#,
                r#""x" IsNull "#,
                r#""name" Eq Get[A-Z]+"#,
                r#""list".1."id" Eq ^abc$"#,
            ]
        );
        assert_eq!(
            summary(r#"{ $.q = "say \"hi\"" }"#)[0],
            [r#""q" Eq ^say "hi"$"#]
        );
    }

    #[test]
    fn term_patterns_are_text_conditions() {
        assert_eq!(
            summary(r#"GetSecretValue "openai key" -Denied"#),
            [[
                " ContainsText GetSecretValue",
                " ContainsText openai key",
                " LacksText Denied"
            ]]
        );
        assert_eq!(
            summary("?ERROR ?WARN"),
            [[" ContainsText ERROR"], [" ContainsText WARN"]]
        );
        assert_eq!(
            alternatives("  "),
            vec![Vec::<Condition>::new()],
            "matches all"
        );
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        assert!(unreadable("[ip, user, ...]").contains("space-delimited"));
        assert!(unreadable("{ $.a = 1 ").contains("expected"));
        assert!(unreadable("{ $.a > abc }").contains("needs a number"));
        assert!(unreadable("{ $.a = %[% }").contains("bad %regex%"));
        assert!(unreadable("{ $.a[*] = 1 }").contains("array index"));
        assert!(unreadable("?a b").contains("mixed"));
        let nine = (0..9)
            .map(|i| format!("($.f{i} = 1 || $.f{i} = 2)"))
            .collect::<Vec<_>>()
            .join(" && ");
        assert!(unreadable(&format!("{{ {nine} }}")).contains("alternatives"));
    }
}
