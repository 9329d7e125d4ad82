//! `keyward policy test`: runs the Rego tests of the pack and of the user's directories.

use std::fmt::Write;

use super::error::{Error, exit};
use crate::cli::{ListFormat, PolicyArgs, PolicyTestArgs};
use crate::policy::testing::{self, TestOutcome, TestRun};
use crate::text::terminal_safe;

pub fn run(args: &PolicyTestArgs) -> Result<i32, Error> {
    let sources = super::policies::sources(&PolicyArgs {
        dirs: args.dirs.clone(),
        no_builtin: args.no_builtin,
        limits: args.limits.clone(),
    })?;
    let run = testing::run(&sources, &super::policies::limits(&args.limits))?;
    let results = &run.results;
    if results.is_empty() {
        return Err(Error::Usage(
            "no Rego tests found: tests are rules named `test_*` in files ending in `_test.rego`"
                .to_owned(),
        ));
    }
    let text = match args.format {
        ListFormat::Table => render_text(&run, args.coverage),
        ListFormat::Json => serde_json::to_string_pretty(&run).expect("json") + "\n",
    };
    super::output::write(None, &text)?;
    let all_passed = results.iter().all(|r| r.outcome == TestOutcome::Passed);
    Ok(if all_passed {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}

/// Under a failing test that printed nothing: why it may have failed, and how to be told more.
const SILENT_FAILURE: &str = "no assertion reported a difference: a condition was false or a value undefined \
     (the assertions of data.keyward.lib.assert, such as assert.equal, print expected and actual)";

fn render_text(run: &TestRun, coverage: bool) -> String {
    let results = &run.results;
    let mut out = String::new();
    for result in results {
        let label = match &result.outcome {
            TestOutcome::Passed => "PASS",
            TestOutcome::Failed => "FAIL",
            TestOutcome::Error(_) => "ERROR",
        };
        let _ = writeln!(
            out,
            "{label:5} {}.{} ({}, {:.1} ms)",
            terminal_safe(&result.package),
            result.name,
            result.origin,
            result.duration.as_secs_f64() * 1000.0
        );
        for line in &result.output {
            let _ = writeln!(out, "      {line}");
        }
        match &result.outcome {
            TestOutcome::Error(message) => {
                for line in message.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
            TestOutcome::Failed if result.output.is_empty() => {
                let _ = writeln!(out, "      {SILENT_FAILURE}");
            }
            _ => {}
        }
    }
    let passed = results
        .iter()
        .filter(|r| r.outcome == TestOutcome::Passed)
        .count();
    if coverage {
        let _ = writeln!(out, "\nLines no test evaluated:");
        for file in &run.uncovered {
            let lines: Vec<String> = file.lines.iter().map(u32::to_string).collect();
            let _ = writeln!(out, "  {}: {}", file.origin, lines.join(", "));
        }
        if run.uncovered.is_empty() {
            let _ = writeln!(out, "  none");
        }
    }
    let _ = writeln!(
        out,
        "\nrego: {passed} passed, {} failed",
        results.len() - passed
    );
    out
}
