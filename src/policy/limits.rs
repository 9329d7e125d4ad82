//! Bounds on the user's own policies. A pull request may edit the policies a CI gate loads, so
//! a policy is untrusted code: each evaluation of a user rule gets a time limit (regorus'
//! cooperative execution timer), a memory budget (`memory`) and a cap on its findings; each
//! file a cap on how deeply it nests brackets, checked before regorus parses it. Function
//! recursion is refused when the policies load (`recursion`). The built-in pack is keyward's own
//! and bounded by its tests and benchmarks, not by these limits.

use std::time::Duration;

use super::error::PolicyError;
use super::source::SourceFile;

/// The limits each evaluation of a user rule runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time one rule (or one evaluation group, or one Rego test) may take.
    pub timeout: Duration,
    /// Memory one rule's evaluation may allocate, in bytes.
    pub memory_bytes: u64,
    /// Findings one rule may return.
    pub max_findings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            memory_bytes: 2048 * 1024 * 1024,
            max_findings: 100_000,
        }
    }
}

/// How deeply brackets (`[`, `{`) may nest in a user's policy file. regorus parses a bracket
/// twice (as a comprehension, then as a literal) at each level, so parsing takes time
/// exponential in the depth: a 70-byte file of arrays nested 24 deep took 11 s. The built-in
/// pack, tests included, nests at most 5 deep.
pub const MAX_NESTING: usize = 12;

/// How much parsing the user's files may cost together. regorus tries the first item of a
/// bracket as a comprehension's term, fails and parses it again as a literal, so a character
/// costs 2 to the power of the number of brackets whose first item it is in, and the work is the
/// sum of that over the characters (strings included, comments not). One unit of that took
/// about 0.7 µs in a release build where it doubles most (1,000 arrays nested 12 deep: 12.3
/// million units, 8.8 s), so this is about 3 s at most. The whole built-in pack, tests included,
/// comes to 225,742 units; a 100 kB test fixture of nested objects to about 900,000.
pub const MAX_PARSE_WORK: u64 = 1 << 22;

/// How many operators one expression may chain (`1 + 1 + …`, across lines inside parentheses),
/// counting those of every expression around it. regorus walks a chain recursively when it
/// loads and evaluates it: 15,000 terms overflowed the stack.
pub const MAX_CHAIN: usize = 1000;

/// How many rules and functions the user's files may define together. A rule that reads a rule
/// that reads a rule takes regorus one level deeper each time; this bounds the depth, so that
/// the policy workers' stack is never exhausted.
pub const MAX_DEFINITIONS: usize = 10_000;

/// Checks the user's files one by one before regorus parses them, the parse work adding up.
#[derive(Default)]
pub struct SourceChecks {
    work: u64,
}

impl SourceChecks {
    pub fn new() -> Self {
        SourceChecks::default()
    }

    /// Refuses a file whose shape would make regorus work exponentially or recurse without
    /// bound: brackets nested too deep, or too much text nested deep (parse time), or an
    /// operator chain too long (stack depth). Strings and comments are skipped, as their
    /// brackets are not syntax.
    pub fn check(&mut self, file: &SourceFile) -> Result<(), PolicyError> {
        let mut scan = Scan {
            line: 1,
            work: self.work,
            ..Scan::default()
        };
        let mut chars = file.text.chars().peekable();
        while let Some(c) = chars.next() {
            scan.count_char();
            match c {
                '\n' => scan.newline(),
                '#' => while chars.next_if(|&c| c != '\n').is_some() {},
                '"' => {
                    while let Some(c) = chars.next() {
                        scan.count_char();
                        match c {
                            '\\' => {
                                chars.next();
                                scan.count_char();
                            }
                            '"' | '\n' => break,
                            _ => {}
                        }
                    }
                }
                '`' => {
                    for c in chars.by_ref() {
                        scan.count_char();
                        match c {
                            '`' => break,
                            '\n' => scan.line += 1,
                            _ => {}
                        }
                    }
                }
                '[' | '{' | '(' => scan.open(c != '('),
                ']' | '}' | ')' => scan.close(),
                ',' | ';' => scan.separator(),
                // The last character of a run such as `:=` or `<=`.
                c if OPERATOR_CHARS.contains(c)
                    && chars
                        .peek()
                        .is_none_or(|next| !OPERATOR_CHARS.contains(*next)) =>
                {
                    scan.operator()
                }
                _ => {}
            }
            if let Some(problem) = scan.problem() {
                return Err(too_complex(file, scan.line, problem));
            }
        }
        self.work = scan.work;
        Ok(())
    }
}

/// Characters of Rego's operators; a run of them (`:=`, `==`, `<=`) is one operator.
const OPERATOR_CHARS: &str = "+-*/%&|=<>!:";

/// What `SourceChecks::check` has seen so far.
#[derive(Default)]
struct Scan {
    line: usize,
    /// Brackets (not parentheses) open around the current character.
    nesting: usize,
    /// Open brackets whose first item the current character is in: each doubles its cost.
    doubling: usize,
    work: u64,
    /// Operators in the current expression and the ones around it.
    chain: usize,
    open: Vec<Open>,
}

/// An open bracket or parenthesis.
struct Open {
    bracket: bool,
    /// Whether no comma has ended its first item yet.
    first_item: bool,
    /// The operator chain outside it.
    outside: usize,
}

impl Scan {
    fn newline(&mut self) {
        self.line += 1;
        // A line break ends a statement at the top level; inside brackets it is only space.
        if self.open.is_empty() {
            self.chain = 0;
        }
    }

    fn open(&mut self, bracket: bool) {
        self.open.push(Open {
            bracket,
            first_item: bracket,
            outside: self.chain,
        });
        self.nesting += usize::from(bracket);
        self.doubling += usize::from(bracket);
    }

    fn close(&mut self) {
        if let Some(open) = self.open.pop() {
            self.chain = open.outside;
            self.nesting -= usize::from(open.bracket);
            self.doubling -= usize::from(open.first_item);
        }
    }

    fn separator(&mut self) {
        match self.open.last_mut() {
            Some(open) => {
                self.chain = open.outside;
                if open.first_item {
                    open.first_item = false;
                    self.doubling -= 1;
                }
            }
            None => self.chain = 0,
        }
    }

    fn operator(&mut self) {
        self.chain += 1;
    }

    fn count_char(&mut self) {
        self.work = self.work.saturating_add(1 << self.doubling.min(62));
    }

    fn problem(&self) -> Option<String> {
        if self.nesting > MAX_NESTING {
            Some(format!(
                "brackets nest more than {MAX_NESTING} deep, which keyward does not parse"
            ))
        } else if self.work > MAX_PARSE_WORK {
            Some(
                "with the files before it, too much is nested in the first items of brackets, which keyward does not parse"
                    .to_owned(),
            )
        } else if self.chain > MAX_CHAIN {
            Some(format!(
                "an expression chains more than {MAX_CHAIN} operators, which keyward does not evaluate"
            ))
        } else {
            None
        }
    }
}

/// Refuses user policies that define more rules and functions than `MAX_DEFINITIONS`.
pub fn check_definitions<'a>(
    user_modules: impl IntoIterator<Item = &'a regorus::unstable::Module>,
) -> Result<(), PolicyError> {
    let mut count = 0;
    for module in user_modules {
        count += module.policy.len();
        if count > MAX_DEFINITIONS {
            return Err(PolicyError::Shape {
                origin: module.package.span.source.file().clone(),
                message: format!(
                    "your policies define more than {MAX_DEFINITIONS} rules and functions, which keyward does not evaluate"
                ),
            });
        }
    }
    Ok(())
}

fn too_complex(file: &SourceFile, line: usize, message: String) -> PolicyError {
    PolicyError::Shape {
        origin: format!("{}:{line}", file.origin),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            origin: "p.rego".to_owned(),
            text: text.to_owned(),
        }
    }

    fn check(file: &SourceFile) -> Result<(), PolicyError> {
        SourceChecks::new().check(file)
    }

    fn nested(depth: usize) -> String {
        format!(
            "package p\n\nx := {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    }

    #[test]
    fn brackets_may_nest_as_deep_as_the_limit_and_no_deeper() {
        assert!(check(&file(&nested(MAX_NESTING))).is_ok());
        let error = check(&file(&nested(MAX_NESTING + 1))).unwrap_err();
        assert!(error.to_string().contains("p.rego:3"), "{error}");
        assert!(error.to_string().contains("more than 12 deep"), "{error}");
    }

    #[test]
    fn brackets_in_strings_and_comments_are_not_nesting() {
        let deep = "[".repeat(40);
        let text =
            format!("package p\n# {deep}\nx := \"{deep}\\\"{deep}\"\ny := `{deep}\n{deep}`\n");
        assert!(check(&file(&text)).is_ok());
    }

    #[test]
    fn long_operator_chains_are_refused_even_across_lines() {
        let chain = |terms: usize| {
            let lines: Vec<String> = (0..terms / 100)
                .map(|_| vec!["1"; 100].join(" + "))
                .collect();
            format!("package p\n\nx := (\n{}\n)\n", lines.join("\n+ "))
        };
        assert!(check(&file(&chain(900))).is_ok());
        let error = check(&file(&chain(1100))).unwrap_err();
        assert!(
            error.to_string().contains("more than 1000 operators"),
            "{error}"
        );
        // Statements, items and arguments are separate expressions.
        let separate = format!(
            "package p\n\n{}\ny := [{}]\n",
            vec!["x := 1 + 1 + 1"; 2000].join("\n"),
            vec!["1 + 1"; 2000].join(", ")
        );
        assert!(check(&file(&separate)).is_ok());
    }

    #[test]
    fn many_deep_nestings_are_too_much_work_in_one_file_or_in_many() {
        let line = format!(
            "x := {}{}\n",
            "[".repeat(MAX_NESTING),
            "]".repeat(MAX_NESTING)
        );
        let error = check(&file(&format!("package p\n{}", line.repeat(400)))).unwrap_err();
        assert!(
            error.to_string().contains("first items of brackets"),
            "{error}"
        );
        let mut checks = SourceChecks::new();
        let one = file(&format!("package p\n{}", line.repeat(100)));
        let results: Vec<bool> = (0..10).map(|_| checks.check(&one).is_ok()).collect();
        assert!(results[0] && !results[9], "{results:?}");
    }

    /// Only the first item of a bracket is parsed twice: a long list of nested objects, as a
    /// test's input, costs little.
    #[test]
    fn long_lists_of_nested_items_are_cheap() {
        let user =
            "{\"name\": \"a\", \"keys\": [{\"id\": \"k\", \"last_used\": {\"date\": \"d\"}}]}";
        let fixture = format!(
            "package p_test\n\nfixture := {{\"snapshot\": {{\"users\": [\n{}\n]}}}}\n",
            vec![user; 2000].join(",\n")
        );
        let mut checks = SourceChecks::new();
        checks.check(&file(&fixture)).unwrap();
        assert!(checks.work < 20 * fixture.len() as u64, "{}", checks.work);
    }

    #[test]
    fn the_builtin_pack_is_well_inside_the_limits() {
        let mut checks = SourceChecks::new();
        for source in crate::policy::source::builtin_sources() {
            checks.check(&source).unwrap();
        }
        assert!(checks.work * 10 < MAX_PARSE_WORK, "{}", checks.work);
    }
}
