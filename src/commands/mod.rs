//! The command layer: one module per subcommand. Each maps the command line onto the domain
//! (formats, thresholds, times), runs the pipeline, reads and writes files, and returns the
//! process exit code or an error (exit 2).

mod access;
mod audit;
mod collect;
mod console;
mod controls;
mod diff;
mod domain;
mod error;
mod files;
mod merge;
mod output;
mod policies;
mod policy_test;
mod report_file;
mod rules;
mod scan;
mod snapshot;

use crate::cli::{Cli, Command, PolicyCommand, SchemaKind};

pub use console::error as print_error;
pub use error::{Error, exit};
pub use report_file::{ReportReadError, ScanFile, parse_scan_file};

pub fn run(cli: Cli) -> Result<i32, Error> {
    crate::policy::memory::on_exceeded(stop_runaway_policy);
    console::set_quiet(cli.quiet);
    match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Snapshot(args) => snapshot::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Access(args) => access::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Controls(args) => controls::run(&args),
        Command::Policy(PolicyCommand::Test(args)) => policy_test::run(&args),
        Command::Schema(args) => {
            let schema = match args.what {
                SchemaKind::Snapshot => crate::snapshot::json_schema(),
                SchemaKind::Access => crate::model::access::json_schema(),
            };
            output::write(
                None,
                &(serde_json::to_string_pretty(&schema).expect("json") + "\n"),
            )?;
            Ok(exit::CLEAN)
        }
    }
}

/// A user's rule went past its memory budget: the allocation it asked for is never made, the
/// rule is named, and the run ends like any other input error.
fn stop_runaway_policy(error: crate::policy::PolicyError) -> ! {
    console::error(&Error::Policy(error));
    std::process::exit(exit::ERROR)
}
