//! The command layer: one module per subcommand. Each maps the command line onto the domain
//! (formats, thresholds, times), runs the pipeline, reads and writes files, and returns the
//! process exit code or an error (exit 2).

mod access;
mod audit;
mod collect;
mod diff;
mod domain;
mod error;
mod output;
mod policies;
mod policy_test;
mod report_file;
mod rules;
mod scan;
mod snapshot;

use crate::cli::{Cli, Command, PolicyCommand, SchemaKind};

pub use error::{Error, exit};

pub fn run(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Snapshot(args) => snapshot::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Access(args) => access::run(&args),
        Command::Rules(args) => rules::run(&args),
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
